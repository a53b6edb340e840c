"""Every user-visible word, in one mechanism: ``t("domain.code", lang, **params)``.

The texts live in ``core/messages/<domain>.yaml`` (code → ``ja`` / ``en``), one file per audience:
``error`` (the error family), ``cli``, ``doctor``, ``ingest`` (file statuses), ``web`` (the web app),
``stage`` (workflow stages), ``doc`` (playbook documents), ``pack`` (the weekly review pack), ``lint``
(findings: ``<rule>.why`` / ``<rule>.fix``), ``role``. Code keeps codes and parameters; the text is
chosen where it is shown, in the language of whoever reads it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal, get_args

import yaml

# The languages, the one list of them: settings, the CLI's choices, the web app and the library read it.
Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
_DIR = Path(__file__).with_name("messages")


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """``"domain.code"`` → {lang: text}, loaded once."""
    out: dict[str, dict[str, str]] = {}
    for f in sorted(_DIR.glob("*.yaml")):
        for code, texts in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).items():
            out[f"{f.stem}.{code}"] = texts
    return out


class Code(str):
    """A parameter that is itself a code (``Code("field.title")``): translated where the message is
    shown, in the reader's language, not where the error was raised."""


def lang_of(raw: str | None) -> str:
    """``ja``, ``ja-JP``, ``en-US``… → one of LANGS (English for anything not Japanese)."""
    return "ja" if (raw or "").lower().startswith("ja") else "en"


def has(code: str) -> bool:
    return code in catalog()


def t(code: str, lang: str, /, **params: object) -> str:
    """The text for ``code`` in ``lang`` (English when that language lacks it), params filled by name."""
    texts = catalog()[code]
    template = texts.get(lang) or texts["en"]
    if not params:
        return template
    params = {k: t(v, lang) if isinstance(v, Code) else v for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):  # a missing param must not hide the message itself
        return f"{template} {params}"


def domain(name: str, lang: str) -> dict[str, str]:
    """Every text of one domain in one language, keyed by code without the domain (tables, labels)."""
    prefix = name + "."
    return {k[len(prefix) :]: v.get(lang) or v["en"] for k, v in catalog().items() if k.startswith(prefix)}
