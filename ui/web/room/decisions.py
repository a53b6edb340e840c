"""Turn what a facilitator did on the page (a chosen card, an edited table row) into a gate decision.

Edited rows are merged onto the generated items by id, so fields the table does not show
(citations, how-steps, reasons) survive an edit.
"""

from __future__ import annotations

from typing import Any

KPI_COLS = ["id", "name", "unit", "baseline", "target", "deadline", "owner", "method"]
# input and output too: a use case added in the table needs them (the gate refuses one without)
UC_COLS = [
    "id",
    "department",
    "title",
    "who",
    "when",
    "workflow_step",
    "input",
    "output",
    "kpi_id",
    "impact",
    "feasibility",
]


def kpi_rows(kpis: list[dict]) -> list[list[str]]:
    return [[str(k.get(c, "")) for c in KPI_COLS] for k in kpis]


def uc_rows(ucs: list[dict]) -> list[list[str]]:
    return [[str(u[c]["value"]) if c in ("impact", "feasibility") else str(u.get(c, "")) for c in UC_COLS] for u in ucs]


def _rows(table: Any, width: int | None = None) -> list[list[str]]:
    """The table's non-empty rows as text. ``width``: the columns it must have — a table whose columns were
    added or removed on the page (its cell menu offers both) is refused, not read shifted."""
    from katachi.core.errors import KatachiError

    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):  # a pandas frame
        table = table.values.tolist()
    if isinstance(table, dict):
        table = table.get("data") or []
    rows = [["" if c is None else str(c).strip() for c in row] for row in table if any(str(c).strip() for c in row)]
    if width is not None and any(len(r) != width for r in rows):
        raise KatachiError("table_columns_changed", expected=width, got=max(len(r) for r in rows))
    return rows


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
    for row in _rows(table, len(KPI_COLS)):
        vals = dict(zip(KPI_COLS, row + [""] * (len(KPI_COLS) - len(row))))
        out.append({**by_id.get(vals["id"], {}), **vals})
    return {"action": "edit", "kpis": out}


def usecase_decision(ucs: list[dict], table: Any, drop: str) -> dict:
    by_id = {u["id"]: u for u in ucs}
    edits, adds = [], []
    for row in _rows(table, len(UC_COLS)):
        vals = dict(zip(UC_COLS, row + [""] * (len(UC_COLS) - len(row))))
        base = by_id.get(vals["id"])
        merged = {
            **(
                base
                or {
                    "how": [],
                    "input": "",
                    "output": "",
                    "impact": {"value": 3, "reason": ""},
                    "feasibility": {"value": 3, "reason": ""},
                }
            ),
            **{k: v for k, v in vals.items() if k not in ("impact", "feasibility")},
        }
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


def add_row(table: Any, fields: dict[str, str]) -> list[list[str]]:
    """The use-case table with one row added: the next free U-number (the id the playbook prints), the
    given fields, the middle impact and feasibility. Refused, naming the first missing field, like the
    gate refuses an incomplete use case."""
    from katachi.core.errors import KatachiError
    from katachi.core.i18n import Code
    from katachi.graphs.gates import ADDED_FIELDS

    vals = {k: str(v or "").strip() for k, v in fields.items()}
    missing = [f for f in ADDED_FIELDS if not vals.get(f)]
    if missing:
        raise KatachiError("usecase_incomplete", title=vals.get("title") or "-", field=Code(f"field.uc_{missing[0]}"))
    rows = _rows(table, len(UC_COLS))
    taken = [int(r[0][1:]) for r in rows if r and r[0][:1].upper() == "U" and r[0][1:].isdigit()]
    new = {**vals, "id": f"U{max(taken, default=0) + 1}", "impact": "3", "feasibility": "3"}
    return rows + [[new.get(c, "") for c in UC_COLS]]
