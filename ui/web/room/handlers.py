"""Server-side handlers of the workshop room. Every action asks :mod:`ui.policy` first, on the server,
whatever the page showed; the rules themselves (who may do what) live only there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS, Code
from katachi.graphs.service import check_departments
from katachi.graphs.stages import AFTER_GATE, SPECS, stage_of
from katachi.ui import policy
from katachi.ui.policy import User, display_of, split_guest
from katachi.ui.web.appdb import AppDB
from katachi.ui.web.auth import code_expired, code_open
from katachi.ui.web.jobs import JobStatus, ModelJobs

if TYPE_CHECKING:
    from katachi.ui.web.jobqueue import DBJobs

log = logging.getLogger(__name__)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a meeting room


# Decisions that send a gate's own stage back to the model (its label says that stage, not the next:
# regenerating themes must not read 「生成中: KPI」).
AGAIN = {"regenerate", "reject", "request_changes"}


def next_label(gate: str, decision: dict, checkpoint_stage: str | None) -> str:
    """The stage a decision at ``gate`` sets the model to work on."""
    if decision.get("action") in AGAIN and gate in AFTER_GATE:
        return gate
    return AFTER_GATE.get(gate, stage_of(checkpoint_stage))


# What a participant does not see of a gate before the facilitator shows it: that gate's new content.
UNREVEALED = {s.name: (*s.keys, "findings") for s in SPECS if s.gate is not None}


@dataclass
class RoomView:
    """Everything a page needs to draw a workshop, for one caller."""

    workshop: dict
    stage: str
    gate: dict | None
    values: dict[str, Any]
    job: JobStatus
    points: list[dict]
    can_facilitate: bool
    my_dots_left: int = 0
    my_votes: dict[int, int] = field(default_factory=dict)
    tally: list[int] = field(default_factory=list)
    voters: int = 0
    card_voters: list[int] = field(default_factory=list)  # per candidate: how many people put dots on it
    participants: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)  # what a participant can do now (room.activities)
    voice: dict = field(default_factory=dict)  # what the room has said (the facilitator's summary)
    mine: dict = field(default_factory=dict)  # (kind, target) → this person's answer
    hidden: bool = False  # a participant's view of a gate the facilitator has not shown to the room yet
    revealed: bool = True  # the facilitator's view: whether the room sees this gate's content
    votes_shown: bool = False  # the tally is on everyone's screen
    review: str = ""  # the playbook is with the consultants (in_review, changes_requested): not the room's gate

    @property
    def version(self) -> str:
        """Changes whenever anything shown changes: the page redraws only then."""
        key = [
            self.stage,
            self.job.state,
            self.job.node,
            len(self.job.drafts),
            len(self.values.get("decisions") or []),
            [(p["id"], p["text"], p["department"]) for p in self.points],
            self.tally,
            self.my_votes,
            self.workshop.get("timer_end"),
            self.workshop.get("timer_label"),
            self.participants,
            self.job.error.code if self.job.error else "",
            self.values.get("stage"),
            self.hidden,
            self.revealed,
            self.votes_shown,
            self.activities,
            self.voice,
            sorted(self.mine.items()),
            self.workshop.get("anonymous"),
            self.review,
            self.workshop.get("timer_stage"),
            self.workshop.get("code_until"),
        ]
        return hashlib.sha1(json.dumps(key, default=str, ensure_ascii=False).encode()).hexdigest()[:16]


class Rooms:
    def __init__(self, db: AppDB, service, jobs: ModelJobs | DBJobs) -> None:
        self.db, self.service, self.jobs = db, service, jobs
        self._recent: dict[str, tuple[float, dict]] = {}  # workshop → (until, what its tabs share)

    # -- who is asking ------------------------------------------------------------------------------
    def user(self, username: str | None) -> User:
        if not username:
            raise KatachiError("forbidden", action="login")
        row = self.db.user(username)
        if row:
            return User(row["username"], row["role"], self.db.companies_of(username), display=row["display"])
        g = split_guest(username)
        ws = self.db.workshop(g[1]) if g and self.db.guest(*g) else None
        if ws and g:
            # A seat lasts as long as the code that gave it: a session made before the code expired does
            # not go on sending pain points after (a finished workshop's guests still read it until then);
            # when the facilitator renews the code, the seat works again.
            if code_expired(ws):
                raise KatachiError("guest_expired")
            return User(username, "participant", [], guest_of=g[1], display=g[0])
        raise KatachiError("forbidden", action="login")

    def joined(self, user: User, ws: dict) -> bool:
        return ws["id"] in self.db.joined(user.name)

    def sees(self, user: User, ws: dict) -> bool:
        return policy.allowed(user, "workshop.see", workshop=ws, joined=self.joined(user, ws))

    def _workshop(self, user: User, wid: str) -> dict:
        ws = self.db.workshop(wid or "")
        if ws is None or not self.sees(user, ws):
            raise KatachiError("workshop_unknown", workshop=wid)
        return ws

    def can_facilitate(self, user: User, ws: dict) -> bool:
        return policy.allowed(user, "workshop.facilitate", workshop=ws)

    def _facilitator(self, user: User, wid: str) -> dict:
        ws = self._workshop(user, wid)
        policy.require(user, "workshop.facilitate", workshop=ws)
        return ws

    # -- workshops ----------------------------------------------------------------------------------
    def create(
        self,
        user: User,
        company: str,
        title: str,
        departments: list[str],
        lang: str,
        mode: str = "live",
        dots: int = 3,
        expected: list[str] | None = None,
        review: bool = True,
    ) -> dict:
        """``expected``: display names the facilitator invites (optional); the room shows who has joined.
        ``review``: the playbook goes to a consultant's review before it is approved (the default)."""
        from katachi.knowledge.store import check_company

        check_company(company)
        policy.require(user, "company.create_workshop", company=company)
        depts = [d.strip() for d in departments if d and d.strip()]
        if not depts:
            raise KatachiError("empty_text", what=Code("field.departments"))
        check_departments(depts)
        if not title.strip():
            raise KatachiError("empty_text", what=Code("field.title"))
        row: dict[str, Any]
        row = {
            "id": uuid.uuid4().hex[:12],
            "company": company,
            "title": title.strip()[:120],
            "lang": lang if lang in LANGS else "ja",
            "departments": list(dict.fromkeys(depts)),
            "mode": "self" if mode == "self" else "live",
            "owner": user.name,
            "join_code": self._new_code() if mode != "self" else None,
            "dots": max(1, min(int(dots or 3), 10)),
            "created": time.time(),
            "expected": list(dict.fromkeys(n.strip()[:40] for n in expected or [] if n.strip())),
            "review": bool(review),
        }
        self.db.add_workshop(row)
        self.db.join(row["id"], user.name)
        ws = self.db.workshop(row["id"])
        assert ws is not None  # just added
        return ws

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
            if self.db.by_code(code) is None:
                return code

    def join(self, user: User, code: str) -> dict:
        """A wrong, expired or finished workshop's code and one this person may not use (staff of another
        company, a guest of another workshop) get the same answer: the answer tells nothing about codes."""
        ws = self.db.by_code((code or "").strip().upper()[:12]) if code and code.strip() else None
        if (
            ws is None
            or not code_open(ws, self.is_done(ws["id"]))
            or not policy.allowed(user, "workshop.join", workshop=ws, joined=self.joined(user, ws))
        ):
            raise KatachiError("join_code_unknown", join_code=(code or "").strip()[:12])
        self.db.open_room(ws["id"], self.service.settings.join_code_hours)
        self.db.join(ws["id"], user.name)
        return ws

    def renew_code(self, user: User, wid: str) -> None:
        """The facilitator gives the join code another ``join_code_hours`` from now (the same code: the
        QR code on the wall and the seats it gave work again)."""
        ws = self._facilitator(user, wid)
        if ws["mode"] != "live" or not ws.get("join_code") or self.is_done(wid):
            raise KatachiError("wrong_stage", stage=self._stage(ws))
        self.db.renew_code(wid, self.service.settings.join_code_hours)

    def my_workshops(self, user: User) -> list[dict]:
        rows = [w for w in self.db.workshops() if self.sees(user, w)]
        for w in rows:
            w["stage"] = self._stage(w)
        return rows

    def _stage(self, ws: dict, snap=None) -> str:
        snap = snap or self._snapshot(ws["id"])
        return stage_of(snap.stage) if snap else "intake"

    def is_done(self, wid: str) -> bool:
        snap = self._snapshot(wid)
        return bool(snap and snap.done)

    def _intake_open(self, ws: dict):
        """(open, snapshot): intake is open until the graph holds the workshop or the job that starts it
        is queued. The stage is read from the checkpoint, once per click; the app database keeps no copy."""
        snap = self._snapshot(ws["id"])
        return snap is None and not self.jobs.busy(ws["id"]), snap

    def _require_intake(self, ws: dict) -> None:
        is_open, snap = self._intake_open(ws)
        if not is_open:
            raise KatachiError("wrong_stage", stage=self._stage(ws, snap))

    # -- intake -------------------------------------------------------------------------------------
    def submit(self, user: User, wid: str, text: str, department: str = "", anonymous: bool = False) -> int:
        ws = self._workshop(user, wid)
        self._require_intake(ws)
        text = " ".join((text or "").split())
        if not text:
            raise KatachiError("empty_text", what=Code("field.pain_point"))
        s = self.service.settings
        if len(text) > s.max_point_chars:
            raise KatachiError("text_too_long", what=Code("field.pain_point"), size=len(text), limit=s.max_point_chars)
        dept = department if department in ws["departments"] else ""
        anonymous = anonymous or "intake" in (ws.get("anonymous") or [])  # the facilitator's choice for the room
        pid = self.db.add_pain_point(
            wid,
            None if anonymous else user.name,
            dept,
            text,
            sender=user.name,
            per_sender=s.max_points_per_participant,
            per_workshop=s.max_pain_points,
        )
        if pid == -1:
            raise KatachiError("too_many_points_each", limit=s.max_points_per_participant)
        if pid == -2:
            raise KatachiError("too_many_points", count=s.max_pain_points, limit=s.max_pain_points)
        return pid

    def edit_point(self, user: User, wid: str, pid: int, text: str, department: str | None = None) -> None:
        ws = self._facilitator(user, wid)
        self._require_intake(ws)
        text = " ".join((text or "").split())
        if not text:
            raise KatachiError("empty_text", what=Code("field.pain_point"))
        limit = self.service.settings.max_point_chars
        if len(text) > limit:  # refused with the reason, never answered "saved" and stored cut short
            raise KatachiError("text_too_long", what=Code("field.pain_point"), size=len(text), limit=limit)
        if not self.db.edit_pain_point(wid, int(pid), text, department, user.name):
            raise KatachiError("no_candidate", index=pid)

    def merge_points(self, user: User, wid: str, ids: list[int]) -> int:
        """Merge several pain points into the first: texts joined, the others hidden (kept for the record)."""
        ws = self._facilitator(user, wid)
        self._require_intake(ws)
        live = {p["id"]: p for p in self.db.pain_points(wid)}
        missing = [i for i in ids if i not in live]
        if missing or len(set(ids)) < 2:
            raise KatachiError("no_candidate", index=",".join(map(str, missing or ids)))
        first, rest = ids[0], list(dict.fromkeys(ids[1:]))
        text = " / ".join([live[first]["text"]] + [live[i]["text"] for i in rest])
        self.db.edit_pain_point(wid, first, text[: self.service.settings.max_point_chars * 2], None, user.name)
        self.db.hide_pain_points(wid, rest, merged_into=first)
        return first

    def delete_points(self, user: User, wid: str, ids: list[int]) -> int:
        ws = self._facilitator(user, wid)
        self._require_intake(ws)
        return self.db.hide_pain_points(wid, ids)

    def start(self, user: User, wid: str) -> None:
        """Close intake: the model groups the pain points and proposes themes (queued, returns at once)."""
        ws = self._facilitator(user, wid)
        self._require_intake(ws)
        points = [
            {"text": p["text"], "participant": display_of(p["author"]), "department": p["department"] or ""}
            for p in self.db.pain_points(wid)
        ]
        if not points:
            raise KatachiError("no_pain_points_yet")

        # A failure before the graph stored anything leaves no checkpoint: intake is open again with
        # every pain point still in the app database.
        self.jobs.submit(
            wid,
            "themes",
            {
                "kind": "start",
                "company": ws["company"],
                "points": points,
                "departments": ws["departments"],
                "lang": ws["lang"],
            },
        )

    def _snapshot(self, wid: str):
        """The workshop's graph state, or None while the graph has stored nothing (intake, or a crash before)."""
        try:
            return self.service.snapshot(wid)
        except KatachiError:
            return None

    # -- dot voting on theme candidates ----------------------------------------------------------------
    def _round(self, values: dict) -> str:
        titles = [c.get("title", "") for c in values.get("theme_candidates") or []]
        return hashlib.sha1(json.dumps(titles, ensure_ascii=False).encode()).hexdigest()[:12]

    def vote(self, user: User, wid: str, candidate: int, delta: int = 1) -> int:
        ws = self._workshop(user, wid)
        snap = self._snapshot(wid)
        if snap is None or snap.gate is None or snap.gate["gate"] != "themes":
            raise KatachiError("wrong_stage", stage=self._stage(ws, snap))
        n = len(snap.values.get("theme_candidates") or [])
        if not 0 <= int(candidate) < n:
            raise KatachiError("no_candidate", index=int(candidate) + 1)
        left = self.db.move_dot(
            wid, self._round(snap.values), user.name, int(candidate), 1 if delta > 0 else -1, ws["dots"]
        )
        if left is None:
            raise KatachiError("no_dots_left", dots=ws["dots"])
        return left

    # -- gates --------------------------------------------------------------------------------------
    def decide(self, user: User, wid: str, decision: dict) -> str:
        """Validate now (a bad decision is refused before anything is queued), then resume in the background.
        Returns what happened: ``queued``, or ``sent_to_review`` for a room's approval of the playbook."""
        ws = self._facilitator(user, wid)
        if self.jobs.busy(wid):
            raise KatachiError("model_busy")
        snap = self._snapshot(wid)
        if snap is None:
            raise KatachiError("wrong_stage", stage="intake")
        self.service.check(wid, decision, snap)  # raises bad_decision; with no open gate, resume re-runs the step
        gate = (snap.gate or {}).get("gate", "")
        if gate == "playbook" and self._in_review(ws):  # the consultants decide now, in the Review tab
            raise KatachiError("playbook_in_review")
        if gate == "playbook" and decision.get("action") == "approve" and ws.get("review", 1):
            # The room's approval hands the draft to the consultants; only the review approves it.
            if (self.db.review(wid) or {}).get("status") != "in_review":
                self.db.set_review(wid, "in_review", user.name)
                self.db.add_event(wid, user.name, "review: submitted", "from the room")
            return "sent_to_review"
        if ws["mode"] == "live":
            from katachi.ui.web.room.activities import for_gate, voice

            said = for_gate(gate, voice(self, wid, snap.values))
            if said and not decision.get("room"):
                decision = {**decision, "room": said}
        self.jobs.submit(
            wid, next_label(gate, decision, snap.stage), {"kind": "resume", "decision": decision, "by": user.name}
        )
        return "queued"

    def _in_review(self, ws: dict) -> str:
        """The review's status while the playbook is with the consultants ("" when it is not)."""
        if not ws.get("review", 1):
            return ""
        status = (self.db.review(ws["id"]) or {}).get("status", "")
        return status if status in ("in_review", "changes_requested") else ""

    def retry(self, user: User, wid: str) -> None:
        """Run again whatever was generating when the job failed or the server stopped."""
        self._facilitator(user, wid)
        self.jobs.clear_failure(wid)
        snap = self._snapshot(wid)
        if snap is None:  # nothing was stored: intake is open again, with every pain point
            return
        if snap.gate is None and not snap.done:
            self.jobs.submit(wid, stage_of(snap.stage), {"kind": "continue"})

    def set_timer(self, user: User, wid: str, minutes: float, label: str = "") -> None:
        """A countdown for the stage the room is in: it is not shown once the room moves on."""
        ws = self._facilitator(user, wid)
        end = time.time() + float(minutes) * 60 if minutes and float(minutes) > 0 else None
        self.db.update_workshop(wid, timer_end=end, timer_label=(label or "")[:60], timer_stage=self._stage(ws))

    # -- what a page shows -----------------------------------------------------------------------------
    # Every open tab asks for its view once a second (the change check, then a redraw): what is the same
    # for everyone in a workshop is read once per RECENT_S and process, shared by its tabs. A change made
    # through this process reads afresh (``cached=False``, which also refreshes what the others get);
    # another replica's or a worker's change shows within RECENT_S.
    RECENT_S = 0.5

    def view(self, user: User, wid: str, cached: bool = False, as_room: bool = False) -> RoomView:
        """``as_room``: what the room sees (the big screen), though the caller runs the workshop."""
        with self.db.reading():  # its reads share one connection
            return self._view(user, wid, cached, as_room)

    def _shared(self, wid: str, cached: bool) -> dict:
        now = time.monotonic()
        hit = self._recent.get(wid) if cached else None
        if hit and hit[0] > now:
            return hit[1]
        job = self.jobs.status(wid)  # before the checkpoint: a job ending in between is not a crash
        snap = self._snapshot(wid)
        r = {
            "job": job,
            "snap": snap,
            "participants": self.db.participants(wid),
            "points": self.db.pain_points(wid) if snap is None else None,
            "votes": None,
            "review": "",
        }
        if snap is not None and stage_of(snap.stage) == "themes":  # while themes are regenerated too
            r["votes"] = self.db.votes(wid, self._round(snap.values))
        if snap is not None and stage_of(snap.stage) == "playbook":
            r["review"] = self._in_review(self.db.workshop(wid) or {})
        if len(self._recent) > 5000:
            self._recent.clear()
        self._recent[wid] = (now + self.RECENT_S, r)
        return r

    def _view(self, user: User, wid: str, cached: bool = False, as_room: bool = False) -> RoomView:
        ws = self._workshop(user, wid)
        shared = self._shared(wid, cached)
        job, snap = shared["job"], shared["snap"]
        stage, gate, values = "intake", None, {}
        if snap is not None and snap.gate is None and not snap.done and job.state == "idle":
            # Nothing runs, no gate is open and the workshop is not finished: the process that was
            # generating died (a restart). Say so, and offer to continue from the last checkpoint.
            job = JobStatus(state="failed", label=stage_of(snap.stage), error=KatachiError("job_interrupted"))
        if snap is None:  # the app database holds the points until the graph has them
            points = [{**p, "author": display_of(p["author"]) or None} for p in shared["points"]]
        else:
            stage, gate, values = stage_of(snap.stage), snap.gate, snap.values
            points = [
                {
                    "id": i + 1,
                    "text": p["text"],
                    "department": p.get("department", ""),
                    "author": p.get("participant") or None,
                }
                for i, p in enumerate(values.get("pain_points") or [])
            ]
        view = RoomView(
            ws,
            stage,
            gate,
            values,
            job,
            points,
            self.can_facilitate(user, ws) and not as_room,
            participants=[display_of(n) for n in shared["participants"]],
            review=shared["review"],
        )
        if stage == "themes" and shared["votes"] is not None:
            self._tally(view, shared["votes"], user.name)
        if ws["mode"] == "live":
            self._mask(view)
        if ws["mode"] == "live" and snap is not None:
            self._room_voice(view, user)
        return view

    def _tally(self, view: RoomView, votes: list[dict], me: str) -> None:
        n = len(view.values.get("theme_candidates") or [])
        view.tally = [sum(v["dots"] for v in votes if v["candidate"] == i) for i in range(n)]
        view.voters = len({v["voter"] for v in votes})
        view.card_voters = [len({v["voter"] for v in votes if v["candidate"] == i}) for i in range(n)]
        view.my_votes = {v["candidate"]: v["dots"] for v in votes if v["voter"] == me}
        view.my_dots_left = view.workshop["dots"] - sum(view.my_votes.values())

    def _mask(self, view: RoomView) -> None:
        """Generated content reaches the facilitator first, with the gates' findings; the room sees it
        when the facilitator shows it: unchecked output never goes straight to every screen."""
        ws, values, gate = view.workshop, view.values, view.gate
        view.votes_shown = view.stage == "themes" and ws.get("votes_shown", "") == self._round(values)
        if gate:
            view.revealed = ws.get("revealed", "") == self._gate_key(values, gate)
            if not view.can_facilitate and not view.revealed:
                view.hidden = True
                held = UNREVEALED.get(gate.get("gate", ""), ())
                view.values = {k: v for k, v in values.items() if k not in held}
        if not view.can_facilitate:
            if not view.votes_shown:
                view.tally, view.card_voters = [], []
            view.points = [{**p, "author": None} for p in view.points]  # the texts, not who wrote them

    def _room_voice(self, view: RoomView, user: User) -> None:
        from katachi.ui.web.room import activities

        wid = view.workshop["id"]
        view.activities = activities.current(
            view.stage, view.values, view.hidden, view.job.state in ("queued", "running")
        )
        if view.can_facilitate:
            view.voice = activities.voice(self, wid, view.values)
        else:
            view.mine = {
                f"{k}:{r['target']}": (r["a"], r["b"], r["comment"])
                for k in view.activities
                for r in self.db.ratings(wid, k)
                if r["voter"] == user.name
            }

    def answer(self, user: User, wid: str, kind: str, target: str, a: int = 0, b: int = 0, text: str = "") -> None:
        from katachi.ui.web.room.activities import answer

        answer(self, user, wid, kind, target, a, b, text)

    def set_anonymous(self, user: User, wid: str, activities: list[str]) -> None:
        """Which activities collect answers without names (the facilitator's choice, for everyone)."""
        from katachi.ui.web.room.activities import ANONYMITY

        self._facilitator(user, wid)
        self.db.update_workshop(wid, anonymous=json.dumps([a for a in ANONYMITY if a in (activities or [])]))

    @staticmethod
    def _gate_key(values: dict, gate: dict) -> str:
        """One open gate's content: the gate, how many decisions led here, which playbook version."""
        return f"{gate.get('gate')}:{len(values.get('decisions') or [])}:{len(values.get('versions') or [])}"

    def reveal(self, user: User, wid: str) -> None:
        """Show the open gate's content to the room."""
        self._facilitator(user, wid)
        snap = self._snapshot(wid)
        if snap is None or snap.gate is None:
            raise KatachiError("wrong_stage", stage=stage_of(snap.stage) if snap else "intake")
        self.db.update_workshop(wid, revealed=self._gate_key(snap.values, snap.gate))

    def show_votes(self, user: User, wid: str) -> None:
        """Put the theme vote's tally on everyone's screen."""
        self._facilitator(user, wid)
        snap = self._snapshot(wid)
        if snap is None or (snap.gate or {}).get("gate") != "themes":
            raise KatachiError("wrong_stage", stage=stage_of(snap.stage) if snap else "intake")
        self.db.update_workshop(wid, votes_shown=self._round(snap.values))

    def deliverable(self, user: User, wid: str, fmt: str, exports_dir, public_url: str):
        """One of the 完了 page's files, for someone who sees the finished workshop."""
        from katachi.ui.web.room.deliverables import export_done

        view = self.view(user, wid)
        if view.stage != "done" or not view.values.get("theme"):
            raise KatachiError("export_not_ready", thread_id=wid)
        return export_done(view.values, fmt, exports_dir, self.service.settings, public_url)
