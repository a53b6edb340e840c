"""A company's own 型 library: patterns a consultant adds and patterns proven in the weekly PDCA.

Kept beside the company's documents (``companies/<id>/library``), one YAML file per pattern, so an
added or proven pattern is one atomic file write and a listing is a directory read. The next
workshop and the roll-out to another department draw from it first (see ``catalog.load_library``).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from katachi.core.errors import KatachiError
from katachi.core.i18n import t
from katachi.core.settings import Settings
from katachi.knowledge.library.catalog import load_library, read_kpis, read_patterns
from katachi.knowledge.library.schema import CatalogKPI, KPIText, Pattern, PatternText, Risk
from katachi.knowledge.store import company_dir

_SLUG = re.compile(r"[^a-z0-9_]+")


def company_library_dir(settings: Settings, company: str) -> Path:
    return company_dir(company, settings) / "library"


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False)
    os.replace(tmp, path)


def save_pattern(settings: Settings, company: str, pattern: Pattern) -> Path:
    path = company_library_dir(settings, company) / "patterns" / f"{pattern.id}.yaml"
    _write(path, {"patterns": [pattern.model_dump(mode="json", exclude_none=True)]})
    return path


def save_kpi(settings: Settings, company: str, kpi: CatalogKPI) -> None:
    path = company_library_dir(settings, company) / "kpis.yaml"
    current = read_kpis(path).kpis if path.exists() else []
    merged = [k for k in current if k.id != kpi.id] + [kpi]
    _write(path, {"kpis": [k.model_dump(mode="json", exclude_none=True) for k in merged]})


def add_file(settings: Settings, company: str, source: Path) -> list[Pattern]:
    """``katachi library add FILE --company ID``: validate every pattern (schema, and that its KPI and
    function ids exist in the library it joins) before writing any of them."""
    patterns = read_patterns(source, origin="company")
    lib = load_library(settings.library_dir, company_library_dir(settings, company))
    known_f = {f.id for f in lib.functions}
    for p in patterns:
        missing = [k for k in p.kpis if k not in lib.kpis]
        if p.function not in known_f or missing:
            raise KatachiError(
                "library_reference_unknown",
                detail=f"{p.id}: " + ", ".join(([p.function] if p.function not in known_f else []) + missing),
            )
    for p in patterns:
        save_pattern(settings, company, p)
    return patterns


def slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")[:40] or "x"


_RISK = re.compile(r"^(?P<risk>.+?)(?:（対策: | \(control: )(?P<control>.+?)[）)]$")


def _risks(use_case: dict, source: Pattern | None, lang: str) -> list[Risk]:
    if source is not None:
        return list(source.text(lang).risks)
    out = []
    for r in (use_case.get("risks") or [])[:3]:
        m = _RISK.match(r)
        out.append(
            Risk(risk=m["risk"], control=m["control"]) if m else Risk(risk=r, control=t("doc.control_tbd", lang))
        )
    return out or [Risk(risk=t("doc.risk_unreviewed", lang), control=t("doc.control_tbd", lang))]


def proven_pattern(
    use_case: dict, procedure: dict, kpi: dict, lang: str, function: str, thread: str, source: Pattern | None = None
) -> tuple[Pattern, CatalogKPI | None]:
    """A use case whose KPI hit its target, as a pattern of the company's own library (in the
    workshop's language). Its KPI is the catalogue's when it came from there, else a company KPI."""
    kpi_id = kpi.get("catalog_id") or f"company_{slug(thread)}_{kpi['id'].lower()}"
    own = None
    if not kpi.get("catalog_id"):
        how = kpi.get("method") or kpi["name"]
        text = KPIText(
            name=kpi["name"], unit=kpi.get("unit") or "-", definition=how, measure=how, owner=kpi.get("owner") or "-"
        )
        kpi_text: dict[str, Any] = {lang: text}  # ja= or en=
        own = CatalogKPI(
            id=kpi_id, better=kpi.get("better") or "lower", functions=[function], source=f"proven:{thread}", **kpi_text
        )
    steps = list(procedure.get("steps") or [])[:6]
    while len(steps) < 4:
        steps.append(steps[-1] if steps else use_case["title"])
    template = procedure.get("prompt_template") or ""
    names = list(dict.fromkeys(procedure.get("placeholders") or []))
    notes = procedure.get("placeholder_notes") or {}
    pattern_text: dict[str, Any] = {
        lang: PatternText(
            title=use_case["title"][:40],
            step=use_case.get("workflow_step") or use_case["title"],
            when=use_case.get("when") or "-",
            who=use_case.get("who") or "-",
            input=use_case.get("input") or "-",
            output=use_case.get("output") or "-",
            steps=[s.replace("{", "(").replace("}", ")") for s in steps],
            template=template,
            placeholders={n: notes.get(n) or use_case.get("input") or n for n in names},
            risks=_risks(use_case, source, lang),
            needs=list(source.text(lang).needs) if source is not None else [use_case.get("input") or use_case["title"]],
        )
    }
    pid = f"{function}.proven_{slug(thread)}_{use_case['id'].lower()}"
    pattern = Pattern(
        id=pid,
        function=function,
        kpis=[kpi_id],
        checks=procedure.get("checks") or [],
        source=f"proven:{thread}",
        origin="proven",
        **pattern_text,
    )
    return pattern, own
