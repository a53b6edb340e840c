"""Deterministic evaluators over a finished workshop (its JSON values). Each returns a score in [0, 1]
(or None when it does not apply) and a short detail. Small classes, one concern each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from katachi.agents.grounding import check_citation
from katachi.agents.schemas import Citation
from katachi.knowledge.passages import Passage


@dataclass
class Result:
    name: str
    score: float | None
    detail: str = ""


def _claims(values: dict) -> list[tuple[str, dict]]:
    out = [("theme", values["theme"])] if values.get("theme") else []
    out += [(f"kpi {k['id']}", k) for k in values.get("kpis") or []]
    out += [(f"use case {u['id']}", u) for u in values.get("use_cases") or []]
    out += [(f"hand-off {h['id']}", h) for h in values.get("handoffs") or []]
    out += [(f"procedure {p['use_case_id']}", p) for p in (values.get("playbook") or {}).get("procedures", [])]
    return out


class CitationValidity:
    """Every kept citation: chunk id among the passages shown, quote verbatim in that chunk."""

    name = "citation_validity"

    def __call__(self, values: dict, expect: dict) -> Result:
        passages = {k: Passage.model_validate(v) for k, v in (values.get("passages") or {}).items()}
        cits = [c for _, item in _claims(values) for c in item.get("citations", [])]
        if not cits:
            return Result(self.name, None, "no citations")
        bad = [c for c in cits if check_citation(Citation.model_validate(c), passages)]
        return Result(self.name, 1 - len(bad) / len(cits), f"{len(cits) - len(bad)}/{len(cits)} valid")


class CitationCoverage:
    """Share of company-specific claims that carry at least one valid citation."""

    name = "citation_coverage"

    def __call__(self, values: dict, expect: dict) -> Result:
        claims = _claims(values)
        if not claims:
            return Result(self.name, None)
        passages = {k: Passage.model_validate(v) for k, v in (values.get("passages") or {}).items()}
        covered = [
            n
            for n, item in claims
            if any(check_citation(Citation.model_validate(c), passages) is None for c in item.get("citations", []))
        ]
        return Result(self.name, len(covered) / len(claims), f"{len(covered)}/{len(claims)} claims cited")


class CitedFiles:
    """The files the scenario expects to be cited appear among the citations."""

    name = "cited_files"

    def __call__(self, values: dict, expect: dict) -> Result:
        want = expect.get("cited_files") or []
        if not want:
            return Result(self.name, None)
        rels = {c.get("rel", "") for _, item in _claims(values) for c in item.get("citations", [])}
        hit = [w for w in want if any(r.endswith(w) for r in rels)]
        return Result(self.name, len(hit) / len(want), f"{len(hit)}/{len(want)}: {', '.join(hit)}")


class KPICompleteness:
    name = "kpi_completeness"

    def __call__(self, values: dict, expect: dict) -> Result:
        kpis = values.get("kpis") or []
        if not kpis:
            return Result(self.name, 0.0, "no KPI")
        fields = ("name", "unit", "baseline", "target", "deadline", "owner", "method")
        filled = sum(1 for k in kpis for f in fields if str(k.get(f, "")).strip())
        ok_deadline = all(re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", str(k.get("deadline", ""))) for k in kpis)
        score = filled / (len(kpis) * len(fields)) * (1.0 if ok_deadline else 0.5)
        return Result(self.name, score, f"{filled}/{len(kpis) * len(fields)} fields, deadlines ok={ok_deadline}")


class DepartmentCoverage:
    name = "department_coverage"

    def __call__(self, values: dict, expect: dict) -> Result:
        want = expect.get("departments") or values.get("departments") or []
        if not want:
            return Result(self.name, None)
        have = {u.get("department") for u in values.get("use_cases") or []}
        hit = [d for d in want if d in have]
        return Result(self.name, len(hit) / len(want), f"{len(hit)}/{len(want)}")


class HandoffClosure:
    """Hand-offs connect two different in-scope departments and name a receiving owner."""

    name = "handoff_closure"

    def __call__(self, values: dict, expect: dict) -> Result:
        hos = values.get("handoffs") or []
        depts = set(values.get("departments") or [])
        if len(depts) < 2:
            return Result(self.name, None)
        if not hos:
            return Result(self.name, 0.0, "no hand-off")
        ok = [
            h
            for h in hos
            if h.get("from_department") != h.get("to_department")
            and {h.get("from_department"), h.get("to_department")} <= depts
            and str(h.get("receiving_owner", "")).strip()
        ]
        return Result(self.name, len(ok) / len(hos), f"{len(ok)}/{len(hos)} closed")


class GlossaryConsistency:
    name = "glossary_consistency"

    def __call__(self, values: dict, expect: dict) -> Result:
        gl = (values.get("playbook") or {}).get("glossary") or []
        if not gl:
            return Result(self.name, None)
        bad = [f for f in (values.get("findings") or {}).get("playbook", []) if f["rule"] == "glossary_inconsistent"]
        return Result(self.name, 1 - min(len(bad), len(gl)) / len(gl), f"{len(bad)} inconsistent of {len(gl)} terms")


class LibraryShare:
    """Share of use cases adapted from a 型 library pattern (the rest are marked ``new``)."""

    name = "library_share"

    def __call__(self, values: dict, expect: dict) -> Result:
        ucs = values.get("use_cases") or []
        if not ucs:
            return Result(self.name, None)
        mine = [u["id"] for u in ucs if u.get("pattern") and u["pattern"] != "new"]
        return Result(self.name, len(mine) / len(ucs), f"{len(mine)}/{len(ucs)} from patterns")


class KPISources:
    """Share of KPIs that come from the catalogue or measure a number the participants gave."""

    name = "kpi_sources"

    def __call__(self, values: dict, expect: dict) -> Result:
        from katachi.agents.numbers import family, stated_numbers

        kpis = values.get("kpis") or []
        if not kpis:
            return Result(self.name, None)
        stated = stated_numbers([p["text"] for p in values.get("pain_points") or []])

        def said(k: dict) -> bool:
            try:
                b = float(k.get("baseline"))
            except (TypeError, ValueError):
                return False
            return any(abs(b - x.value) < 1e-9 and family(k.get("unit", "")) == x.family for x in stated)

        ok = [k["id"] for k in kpis if k.get("catalog_id") or said(k)]
        return Result(self.name, len(ok) / len(kpis), f"{len(ok)}/{len(kpis)} from the catalogue or participants")


class LinterAgreement:
    """Linter precision and recall against the rules the scenario seeds (and those it says stay silent)."""

    name = "linter"

    def __call__(self, values: dict, expect: dict) -> tuple[Result, Result, set[str], set[str]]:
        fired = {f["rule"] for fs in (values.get("findings") or {}).values() for f in fs}
        want = set(expect.get("linter_fires") or [])
        silent = set(expect.get("linter_silent") or [])
        judged = fired & (want | silent)  # precision over the rules this scenario speaks about
        tp = len(want & fired)
        recall = Result("linter_recall", tp / len(want) if want else None, f"{tp}/{len(want)}")
        precision = Result(
            "linter_precision",
            tp / len(judged) if judged else (1.0 if silent else None),
            f"{tp}/{len(judged)} judged firings",
        )
        return recall, precision, want, fired


class SchemaValidity:
    """The final values load into the product's own record types."""

    name = "schema_validity"

    def __call__(self, values: dict, expect: dict) -> Result:
        from katachi.agents.schemas import KPI, HandOff, Playbook, Theme, UseCase

        try:
            Theme.model_validate(values["theme"])
            [KPI.model_validate(k) for k in values.get("kpis") or []]
            [UseCase.model_validate(u) for u in values.get("use_cases") or []]
            [HandOff.model_validate(h) for h in values.get("handoffs") or []]
            Playbook.model_validate(values.get("playbook") or {})
        except Exception as exc:  # any failure is the finding itself
            return Result(self.name, 0.0, str(exc)[:120])
        return Result(self.name, 1.0)


EVALUATORS: list[Any] = [
    LibraryShare(),
    KPISources(),
    CitationValidity(),
    CitationCoverage(),
    CitedFiles(),
    KPICompleteness(),
    DepartmentCoverage(),
    HandoffClosure(),
    GlossaryConsistency(),
    SchemaValidity(),
]
