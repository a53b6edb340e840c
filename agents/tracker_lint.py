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

from agents.linter import USAGE, _has
from agents.schemas import Finding

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "checkin_missing": {
        "ja": ("{weeks} 週間チェックインがありません。週次の PDCA が止まっています。",
               "週次レビューの前日までに担当役員が数値を記入する。測れないなら測り方を見直す。"),
        "en": ("No check-in for {weeks} weeks: the weekly PDCA has stopped.",
               "Have the KPI owner enter the number before each weekly review; if it cannot be measured, fix how."),
    },
    "usage_as_result": {
        "ja": ("AI の利用状況が成果として報告されています（{detail}）。利用回数は成果ではありません。",
               "KPI の値（時間・件数・売上・品質）で報告し、利用状況はメモに留める。"),
        "en": ("AI usage is reported as the result ({detail}). Usage is not a result.",
               "Report the KPI's value (time, volume, revenue, quality); keep usage in the note."),
    },
    "use_case_stuck": {
        "ja": ("{weeks} 週続けて止まっています（{detail}）。",
               "週次レビューで障害を一つ決めて取り除くか、型の手順を小さく切り直す。"),
        "en": ("Stuck for {weeks} weeks running ({detail}).",
               "In the weekly review, pick one blocker to remove, or cut the 型 into a smaller first step."),
    },
    "off_track": {
        "ja": ("今の傾向では期限（{deadline}）に目標 {target} に届きません（見込み {projected}）。",
               "仮説を一つ選んで型を変え、2 週間で数値が動くか確かめる。"),
        "en": ("At this trend the target {target} is not reached by {deadline} (projected {projected}).",
               "Pick one hypothesis, change the 型, and check within two weeks whether the number moves."),
    },
    "no_experiments": {
        "ja": ("最新の週（{week}）に AI で試したことの記録がありません。実行のない PDCA になっています。",
               "各ユースケースで今週 AI で試したことを一行ずつ記録する。"),
        "en": ("Nothing tried with AI was recorded for the latest week ({week}): PDCA without the 'do'.",
               "Record one line per use case on what was tried with AI this week."),
    },
}
SEVERITY = {"checkin_missing": "warning", "usage_as_result": "error", "use_case_stuck": "warning",
            "off_track": "warning", "no_experiments": "info"}


def _f(rule: str, item: str, lang: str, **kw: Any) -> Finding:
    why, fix = MESSAGES[rule].get(lang, MESSAGES[rule]["en"])
    return Finding(rule=rule, severity=SEVERITY[rule], stage="tracker", item=item, message=why.format(**kw), fix=fix)


def lint_tracker(kpis: list[dict], use_cases: list[dict], checkins: list[dict], projections: dict[str, Any],
                 start: dt.date, today: dt.date, lang: str) -> list[Finding]:
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
            if _has(c.get("unit"), USAGE) or _has(c.get("note"), USAGE):
                out.append(_f("usage_as_result", k["id"], lang, detail=f"{c['week']}: {(c.get('note') or c.get('unit'))[:40]}"))
                break
        pr = projections.get(k["id"])
        if pr is not None and pr.reaches is False and not pr.hit and len(mine) >= 3:
            out.append(_f("off_track", k["id"], lang, deadline=k["deadline"], target=k["target"],
                          projected=f"{pr.projected:.3g}"))
    for u in use_cases:
        mine = sorted((c for c in checkins if c["kind"] == "usecase" and c["item"] == u["id"]), key=lambda c: c["week"])
        tail = [c["status"] for c in mine[-2:]]
        if len(tail) == 2 and all(s in ("stuck", "not_started") for s in tail):
            out.append(_f("use_case_stuck", u["id"], lang, weeks=2, detail=(mine[-1].get("blockers") or u["title"])[:40]))
    uc_rows = [c for c in checkins if c["kind"] == "usecase"]
    if uc_rows:
        latest = max(c["week"] for c in uc_rows)
        if not any((c.get("ai_tried") or "").strip() for c in uc_rows if c["week"] == latest):
            out.append(_f("no_experiments", "", lang, week=latest))
    return out
