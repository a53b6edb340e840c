"""Turn what a facilitator did on the page (a chosen card, an edited table row) into a gate decision.

Edited rows are merged onto the generated items by id, so fields the table does not show
(citations, how-steps, reasons) survive an edit.
"""
from __future__ import annotations

from typing import Any

KPI_COLS = ["id", "name", "unit", "baseline", "target", "deadline", "owner", "method"]
# input and output too: a use case added in the table needs them (the gate refuses one without)
UC_COLS = ["id", "department", "title", "who", "when", "workflow_step", "input", "output", "kpi_id", "impact",
           "feasibility"]


def kpi_rows(kpis: list[dict]) -> list[list[str]]:
    return [[str(k.get(c, "")) for c in KPI_COLS] for k in kpis]


def uc_rows(ucs: list[dict]) -> list[list[str]]:
    return [[str(u[c]["value"]) if c in ("impact", "feasibility") else str(u.get(c, "")) for c in UC_COLS]
            for u in ucs]


def _rows(table: Any) -> list[list[str]]:
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):  # a pandas frame
        table = table.values.tolist()
    if isinstance(table, dict):
        table = table.get("data") or []
    return [["" if c is None else str(c).strip() for c in row] for row in table if any(str(c).strip() for c in row)]


def theme_choice(index: Any) -> dict:
    return {"action": "choose", "index": int(index) if index not in (None, "") else -1}


def theme_edit(candidates: list[dict], index: Any, title: str, problem: str, outcome: str) -> dict:
    i = int(index) if index not in (None, "") and 0 <= int(index) < len(candidates) else 0
    base = dict(candidates[i]) if candidates else {"pain_groups": []}
    base.update({"title": title.strip(), "problem": problem.strip(), "outcome": outcome.strip()})
    return {"action": "edit", "theme": base}


def kpi_edit(kpis: list[dict], table: Any) -> dict:
    by_id = {k["id"]: k for k in kpis}
    out = []
    for row in _rows(table):
        vals = dict(zip(KPI_COLS, row + [""] * (len(KPI_COLS) - len(row))))
        out.append({**by_id.get(vals["id"], {}), **vals})
    return {"action": "edit", "kpis": out}


def usecase_decision(ucs: list[dict], table: Any, drop: str) -> dict:
    by_id = {u["id"]: u for u in ucs}
    edits, adds = [], []
    for row in _rows(table):
        vals = dict(zip(UC_COLS, row + [""] * (len(UC_COLS) - len(row))))
        base = by_id.get(vals["id"])
        merged = {**(base or {"how": [], "input": "", "output": "", "impact": {"value": 3, "reason": ""},
                              "feasibility": {"value": 3, "reason": ""}}),
                  **{k: v for k, v in vals.items() if k not in ("impact", "feasibility")}}
        for k in ("impact", "feasibility"):
            merged[k] = {**(merged.get(k) or {}), "value": _score(vals[k], merged.get(k, {}).get("value", 3))}
        if base is None:
            adds.append(merged)
        elif merged != base:
            edits.append(merged)
    ids = [x.strip().upper() for x in drop.replace("、", ",").split(",") if x.strip()]
    return {"action": "approve", "drop": ids, "edit": edits, "add": adds}


def _score(raw: str, default: int) -> int:
    try:
        return max(1, min(5, int(float(raw))))
    except (TypeError, ValueError):
        return default


def playbook_changes(sections: list[str], comment: str) -> dict:
    return {"action": "request_changes", "sections": {s: comment.strip() for s in sections or []}}
