"""What every page of the web app shares: its words, the reader's language and the notice box.

Static labels go to the browser through ``gr.I18n`` (the page follows the browser's language and
Gradio's Settings → Language); text the server draws (cards, tallies, messages) uses :func:`tr`
with the language the page reports on every call. Both read the ``web`` domain of :mod:`core.i18n`.
"""

from __future__ import annotations

import datetime as dt
import html

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS, domain, lang_of, t
from katachi.exports.readable import section

# What a browser remembers between visits (the workshop it had open) is kept under one key for every
# process: a restarted process, or another replica, reads it (a random key per process would lose it on
# each restart). It holds only ids the server checks again on every request; nothing secret.
BROWSER_SECRET = "katachi-browser-memory"

# Every handler's first input is the hidden language box; this fills it from the page's locale
# (Gradio sets <html lang> from the browser or from Settings → Language).
LANG_JS = "(...args) => { args[0] = document.documentElement.lang || navigator.language || 'ja'; return args; }"


def tr(key: str, lang: str, /, **kw) -> str:
    return t(f"web.{key}", lang, **kw)


def section_label(name: str, lang: str) -> str:
    """A playbook section as people call it: 「手順 U1」, not ``procedures:U1`` (the documents' rule)."""
    return section(name, lang)


def workshop_choices(rows: list[dict], lang: str) -> list[tuple[str, str]]:
    """Workshops as people tell them apart: title, company and when it was made — never the internal id.

    Two workshops with the same words get a running number, so every choice reads differently.
    """
    labels = []
    for w in rows:
        when = w.get("created")
        date = dt.datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M") if when else str(w.get("at") or "")
        labels.append(tr("workshop_label", lang, title=w["title"], company=w["company"], date=date))
    seen: dict[str, int] = {}
    out = []
    for label, w in zip(labels, rows, strict=True):
        seen[label] = seen.get(label, 0) + 1
        out.append((label if labels.count(label) == 1 else f"{label} #{seen[label]}", w["id"]))
    return out


def ui_lang(raw: str | None) -> str:
    """What the page reports (``ja``, ``ja-JP``, ``en-US``...) → ja or en."""
    return lang_of(raw)


# Words the workshop app's own status messages ask for and its translations lack (without them a screen
# reader reads "common.complete" aloud after every action). Given here through the app's own translations.
APP_WORDS = {"common.complete": "sr_complete"}


def i18n():
    import gradio as gr

    return gr.I18n(
        **{
            lang: {**domain("web", lang), **{key: t(f"web.{ours}", lang) for key, ours in APP_WORDS.items()}}
            for lang in LANGS
        }
    )


def notice(lang: str, err: KatachiError | None = None, ok: str = "") -> str:
    """A coded error in the reader's language, or a plain confirmation."""
    if err is not None:
        return f'<div class="k-notice k-error" data-code="{err.code}">{html.escape(err.message(lang))}</div>'
    return f'<div class="k-notice" data-code="ok">{ok}</div>' if ok else ""
