"""The design linter, week after week: rules on the PDCA tracker (deterministic, in the run's language).

- ``checkin_missing``: a KPI with no check-in for two weeks or more — the weekly loop has stopped.
- ``usage_as_result``: a KPI check-in that reports AI usage as the result (目的化, after the workshop).
- ``use_case_stuck``: a use case reported stuck (or still not started) two weeks running.
- ``off_track``: the KPI's trend does not reach the target by the deadline.
- ``no_experiments``: nobody recorded what was tried with AI in the latest week — PDCA without the D.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from katachi.agents.linter import USAGE, has_any
from katachi.agents.schemas import Finding, Severity
from katachi.core.i18n import t

SEVERITY: dict[str, Severity] = {
    "checkin_missing": "warning",
    "usage_as_result": "error",
    "use_case_stuck": "warning",
    "off_track": "warning",
    "no_experiments": "info",
}


def _f(rule: str, item: str, lang: str, **kw: Any) -> Finding:
    return Finding(
        rule=rule,
        severity=SEVERITY[rule],
        stage="tracker",
        item=item,
        message=t(f"lint.{rule}.why", lang, **kw),
        fix=t(f"lint.{rule}.fix", lang),
    )


def lint_tracker(
    kpis: list[dict],
    use_cases: list[dict],
    checkins: list[dict],
    projections: dict[str, Any],
    start: dt.date,
    today: dt.date,
    lang: str,
) -> list[Finding]:
    out: list[Finding] = []
    this_week = today - dt.timedelta(days=today.weekday())
    for k in kpis:
        mine = [c for c in checkins if c["kind"] == "kpi" and c["item"] == k["id"]]
        last = max((dt.date.fromisoformat(c["week"]) for c in mine), default=None)
        since = last or (start - dt.timedelta(days=start.weekday()) - dt.timedelta(weeks=1))
        weeks = (this_week - since).days // 7
        if weeks >= 2 and (this_week - start).days >= 14:
            out.append(_f("checkin_missing", k["id"], lang, weeks=weeks))
        for c in mine:
            if has_any(c.get("unit"), USAGE) or has_any(c.get("note"), USAGE):
                out.append(
                    _f(
                        "usage_as_result",
                        k["id"],
                        lang,
                        detail=f"{c['week']}: {(c.get('note') or c.get('unit') or '')[:40]}",
                    )
                )
                break
        pr = projections.get(k["id"])
        if pr is not None and pr.reaches is False and not pr.hit and len(mine) >= 3:
            out.append(
                _f(
                    "off_track",
                    k["id"],
                    lang,
                    deadline=k["deadline"],
                    target=k["target"],
                    projected=f"{pr.projected:.3g}",
                )
            )
    for u in use_cases:
        mine = sorted((c for c in checkins if c["kind"] == "usecase" and c["item"] == u["id"]), key=lambda c: c["week"])
        tail = [c["status"] for c in mine[-2:]]
        if len(tail) == 2 and all(s in ("stuck", "not_started") for s in tail):
            out.append(
                _f("use_case_stuck", u["id"], lang, weeks=2, detail=(mine[-1].get("blockers") or u["title"])[:40])
            )
    uc_rows = [c for c in checkins if c["kind"] == "usecase"]
    if uc_rows:
        latest = max(c["week"] for c in uc_rows)
        if not any((c.get("ai_tried") or "").strip() for c in uc_rows if c["week"] == latest):
            out.append(_f("no_experiments", "", lang, week=latest))
    return out
