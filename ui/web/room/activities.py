"""What participants do while the model works, and what the room said: ratings of the pain points
(impact × urgency) while themes are written, endorsement of the chosen theme (1–5, why or why not)
while KPIs and use cases are written, comments on the KPIs, ratings of the use cases (impact ×
feasibility) while the playbook is written.

The facilitator sees agreement and dissent as they come; the decision at each gate carries what the
room said (``graphs.gates.RoomVoice``), so the audit trail and the playbook record it.
"""

from __future__ import annotations

from statistics import mean

from katachi.core.errors import KatachiError
from katachi.core.i18n import Code

# activity → the stages in which it is open. Endorsement stays open until the use cases are approved:
# people who arrive late or change their mind are heard before the playbook is written.
OPEN_IN = {"pain": ("themes",), "endorse": ("kpis", "usecases"), "kpi": ("kpis",), "usecase": ("usecases", "playbook")}
# which activity's answers are anonymous is the facilitator's choice, per workshop
ANONYMITY = ("intake", "endorse", "ratings")
DISSENT_BELOW = 4  # 1–3: not (yet) behind the theme; their reasons are what the facilitator must hear
MAX_ANSWER = 300  # a comment or a why: a sentence or two


def anonymity_of(kind: str) -> str:
    return {"pain": "ratings", "usecase": "ratings", "kpi": "ratings"}.get(kind, kind)


def current(stage: str, values: dict, hidden: bool, job_running: bool) -> list[str]:
    """The activities a participant can do now (first: the one to put in front of them)."""
    out = []
    if stage == "themes" and values.get("pain_points"):
        out.append("pain")
    if stage in OPEN_IN["endorse"] and values.get("theme"):
        out.append("endorse")
    if stage == "kpis" and values.get("kpis") and not hidden and not job_running:
        out.append("kpi")
    if (
        stage in OPEN_IN["usecase"]
        and values.get("use_cases")
        and not (stage == "usecases" and (hidden or job_running))
    ):
        out.insert(0, "usecase")  # once the use cases are on screen, rating them comes first
    return out


def targets(kind: str, values: dict) -> list[tuple[str, str]]:
    """(label, value) of what can be rated in an activity, as the room sees them numbered."""
    if kind == "pain":
        return [(f"{i}. {p['text'][:50]}", str(i)) for i, p in enumerate(values.get("pain_points") or [], 1)]
    if kind == "kpi":
        return [(f"{k['id']} {k['name'][:40]}", k["id"]) for k in values.get("kpis") or []]
    if kind == "usecase":
        return [(f"{u['id']} [{u['department']}] {u['title'][:40]}", u["id"]) for u in values.get("use_cases") or []]
    if kind == "endorse" and values.get("theme"):
        return [(values["theme"]["title"], values["theme"]["title"])]
    return []


def answer(rooms, user, wid: str, kind: str, target: str, a: int = 0, b: int = 0, text: str = "") -> None:
    """Record one person's answer (again: replaces it). Refused with a reason when the activity is not
    open, the item is not one shown, or a rating is missing."""
    view = rooms.view(user, wid)  # checks the caller may see the workshop
    ws = view.workshop
    if kind not in current(view.stage, view.values, view.hidden, view.job.state in ("queued", "running")):
        raise KatachiError("activity_closed", stage=Code(f"stage.{view.stage}"))
    allowed = {v for _, v in targets(kind, view.values)}
    if kind == "endorse":
        target = view.values["theme"]["title"]
    if str(target) not in allowed:
        raise KatachiError("no_candidate", index=target or "-")
    text = " ".join((text or "").split())
    if len(text) > MAX_ANSWER:  # refused with the reason, never kept cut short
        raise KatachiError("text_too_long", what=Code("field.comment"), size=len(text), limit=MAX_ANSWER)
    a, b = int(a or 0), int(b or 0)
    if kind == "kpi":
        if not text:
            raise KatachiError("empty_text", what=Code("field.comment"))
    elif not 1 <= a <= 5 or (kind in ("pain", "usecase") and not 1 <= b <= 5):
        raise KatachiError("rating_missing")
    named = anonymity_of(kind) not in (ws.get("anonymous") or [])
    rooms.db.rate(wid, kind, str(target), user.name, a, b, text, named=named)


def voice(rooms, wid: str, values: dict) -> dict:
    """What the room has said so far, summarised (a ``RoomVoice`` dump; names only where not anonymous)."""
    from katachi.ui.policy import display_of

    out: dict = {"ratings": {}, "comments": {}}

    def remark(r: dict) -> dict:
        return {
            "value": max(0, min(5, r["a"])),
            "text": r["comment"],
            "by": display_of(r["voter"]) if r["named"] else "",
        }

    theme = (values.get("theme") or {}).get("title")
    ends = [r for r in rooms.db.ratings(wid, "endorse") if r["target"] == theme and 1 <= r["a"] <= 5]
    if ends:
        vals = [r["a"] for r in ends]
        out["endorsement"] = {
            "theme": theme,
            "n": len(vals),
            "mean": round(mean(vals), 2),
            "counts": {str(v): vals.count(v) for v in range(1, 6)},
            "agree": sum(v >= 4 for v in vals),
            "dissent": [remark(r) for r in ends if r["a"] < DISSENT_BELOW],
            "support": [remark(r) for r in ends if r["a"] >= DISSENT_BELOW and r["comment"]],
        }
    for kind in ("pain", "usecase"):
        rows = rooms.db.ratings(wid, kind)
        for t in dict.fromkeys(r["target"] for r in rows):
            mine = [r for r in rows if r["target"] == t]
            key = f"P{t}" if kind == "pain" else t
            out["ratings"][key] = {
                "n": len(mine),
                "a": round(mean(r["a"] for r in mine), 2),
                "b": round(mean(r["b"] for r in mine), 2),
            }
    for r in rooms.db.ratings(wid, "kpi"):
        out["comments"].setdefault(r["target"], []).append({**remark(r), "value": 0})
    return out


def for_gate(gate: str, said: dict) -> dict | None:
    """The part of the room's voice a decision at ``gate`` records."""
    keep: dict = {}
    if gate == "themes":
        keep["ratings"] = {k: v for k, v in said["ratings"].items() if k.startswith("P")}
    if gate in ("kpis", "usecases") and said.get("endorsement"):
        keep["endorsement"] = said["endorsement"]
    if gate == "kpis":
        keep["comments"] = said["comments"]
    if gate == "usecases":
        keep["ratings"] = {k: v for k, v in said["ratings"].items() if not k.startswith("P")}
    return keep if any(keep.values()) else None
