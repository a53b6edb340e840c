"""The consultant review workspace, server side: queue, section review, comments, send-back, versions,
rollback, exports and the audit log. Every regeneration and edit goes through the workshop graph's
playbook gate (the same code path as the live workshop); this module only adds who may do it and
the review's own record (comments, section sign-offs, events) in the app database.

Who: admins, and consultants and facilitators of the playbook's company. Participants never.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from katachi.core.errors import KatachiError
from katachi.core.i18n import Code
from katachi.graphs.stages import stage_of
from katachi.ui import policy
from katachi.ui.policy import User
from katachi.ui.web.room.handlers import Rooms

STATUSES = ("draft", "in_review", "changes_requested", "approved")


@dataclass
class ReviewView:
    workshop: dict
    status: str
    values: dict[str, Any]
    version: int
    sections: dict[str, Any]
    states: dict[str, str]  # section -> approved | changes_requested | open
    comments: dict[str, list[dict]] = field(default_factory=dict)
    busy: bool = False
    gate_open: bool = False


class Reviews:
    def __init__(self, rooms: Rooms) -> None:
        self.rooms, self.db, self.service = rooms, rooms.db, rooms.service

    # -- access ------------------------------------------------------------------------------------------
    def _ws(self, user: User, wid: str) -> dict:
        policy.require(user, "review.tab")
        ws = self.db.workshop(wid or "")
        if ws is None or not policy.allowed(user, "review.workshop", workshop=ws):
            raise KatachiError("workshop_unknown", workshop=wid)
        return ws

    def _values(self, wid: str) -> dict:
        try:
            return self.service.snapshot(wid).values
        except KatachiError:
            return {}

    def status(self, wid: str, values: dict | None = None) -> str:
        values = self._values(wid) if values is None else values
        if values.get("stage") == "done":
            return "approved"
        row = self.db.review(wid)
        if row is None:
            return "draft"
        latest = (values.get("versions") or [{"n": 0}])[-1]["n"]
        if row["status"] == "changes_requested" and latest > row["requested_version"]:
            return "in_review"  # the regenerated version is waiting for the reviewer
        return row["status"]

    def queue(self, user: User) -> list[dict]:
        """Playbooks of the companies the user belongs to, newest first, with status, version, who, when."""
        policy.require(user, "review.tab")
        out = []
        for ws in self.db.workshops():
            if not policy.allowed(user, "review.workshop", workshop=ws):
                continue
            values = self._values(ws["id"])
            if not values.get("versions"):
                continue
            last = values["versions"][-1]
            row = self.db.review(ws["id"])
            by, at = (row["by"], row["at"]) if row else (last.get("by", ""), None)
            out.append(
                {
                    "id": ws["id"],
                    "title": ws["title"],
                    "company": ws["company"],
                    "created": ws.get("created"),
                    "status": self.status(ws["id"], values),
                    "version": last["n"],
                    "by": by,
                    "at": dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M") if at else last.get("at", ""),
                }
            )
        return out

    def view(self, user: User, wid: str) -> ReviewView:
        from katachi.graphs.versions import sections_of

        ws = self._ws(user, wid)
        try:
            snap = self.service.snapshot(wid)
        except KatachiError:
            raise KatachiError("export_not_ready", thread_id=wid) from None
        values = snap.values
        if not values.get("versions"):
            raise KatachiError("export_not_ready", thread_id=wid)
        version = values["versions"][-1]["n"]
        sections = sections_of(values["versions"][-1]["content"])
        states = {}
        saved = self.db.section_states(wid)
        for name in sections:
            st = saved.get(name)
            changed_since = st and any(
                name in v.get("changed", []) for v in values["versions"] if v["n"] > st["version"]
            )
            states[name] = "open" if not st or changed_since else st["status"]
        comments: dict[str, list[dict]] = {}
        for c in self.db.comments(wid):
            comments.setdefault(c["section"], []).append(c)
        return ReviewView(
            ws,
            self.status(wid, values),
            values,
            version,
            sections,
            states,
            comments,
            busy=self.rooms.jobs.busy(wid),
            gate_open=bool(snap.gate and snap.gate["gate"] == "playbook"),
        )

    # -- review actions ------------------------------------------------------------------------------------
    def _open_gate(self, user: User, wid: str) -> ReviewView:
        v = self.view(user, wid)
        if v.busy:
            raise KatachiError("model_busy")
        if not v.gate_open:
            raise KatachiError("wrong_stage", stage=stage_of(v.values.get("stage", "")))
        return v

    def submit(self, user: User, wid: str) -> None:
        """A facilitator hands the draft to the reviewers."""
        self._open_gate(user, wid)
        self.db.set_review(wid, "in_review", user.name)
        self.db.add_event(wid, user.name, "review: submitted")

    def comment(self, user: User, wid: str, section: str, text: str, request: bool = False) -> None:
        v = self.view(user, wid)
        if section not in v.sections:
            raise KatachiError("no_candidate", index=section)
        text = (text or "").strip()
        if not text:
            raise KatachiError("empty_text", what=Code("field.comment"))
        if len(text) > 2000:  # refused with the reason, never stored cut short
            raise KatachiError("text_too_long", what=Code("field.comment"), size=len(text), limit=2000)
        self.db.add_comment(wid, section, v.version, user.name, text, request)
        if request:
            self.db.set_section(wid, section, "changes_requested", v.version, user.name)
        if self.db.review(wid) is None or request:
            self.db.set_review(wid, "in_review", user.name)
        self.db.add_event(
            wid, user.name, "review: request changes" if request else "review: comment", f"{section}: {text}"
        )

    def approve_section(self, user: User, wid: str, section: str) -> None:
        v = self.view(user, wid)
        if section not in v.sections:
            raise KatachiError("no_candidate", index=section)
        self.db.set_section(wid, section, "approved", v.version, user.name)
        self.db.add_event(wid, user.name, "review: section approved", section)

    def pending_requests(self, wid: str, v: ReviewView) -> dict[str, str]:
        """Sections whose open change requests are still to be sent: section -> the comments joined."""
        out: dict[str, list[str]] = {}
        for c in self.db.comments(wid):
            if c["request"] and not c["resolved"] and v.states.get(c["section"]) == "changes_requested":
                out.setdefault(c["section"], []).append(c["text"])
        return {s: " / ".join(t) for s, t in out.items()}

    def send_back(self, user: User, wid: str) -> list[str]:
        """Regenerate every section with an open change request, the comments as feedback: a new version."""
        v = self._open_gate(user, wid)
        sections = self.pending_requests(wid, v)
        if not sections:
            raise KatachiError("no_requests")
        decision = {"action": "request_changes", "sections": sections}
        self.service.check(wid, decision)
        self.db.set_review(wid, "changes_requested", user.name, requested_version=v.version)
        self.db.resolve_requests(wid, list(sections))
        self.db.add_event(wid, user.name, "review: sent back", ", ".join(sections))
        self.rooms.jobs.submit(wid, "playbook", {"kind": "resume", "decision": decision, "by": user.name})
        return list(sections)

    def edit(self, user: User, wid: str, section: str, value: Any, reason: str = "") -> None:
        self._open_gate(user, wid)
        decision = {"action": "edit", "values": {section: value}, "reason": reason or f"edit: {section}"}
        self.service.resume(wid, decision, by=user.name)  # no model call: done at once
        self.db.add_event(wid, user.name, "review: edited", f"{section}: {reason}")

    def rollback(self, user: User, wid: str, version: int, reason: str = "") -> None:
        self._open_gate(user, wid)
        self.service.resume(wid, {"action": "rollback", "version": int(version), "reason": reason}, by=user.name)
        self.db.add_event(wid, user.name, "review: rolled back", f"v{version} {reason}".strip())

    def approve(self, user: User, wid: str, confirm: bool = False) -> None:
        """Approve the whole playbook: the gate closes and the workshop is done. Sections nobody has
        approved yet need ``confirm`` (the page asks first)."""
        v = self._open_gate(user, wid)
        unreviewed = [s for s in v.sections if v.states.get(s) != "approved"]
        if unreviewed and not confirm:
            raise KatachiError("review_unreviewed", count=len(unreviewed), total=len(v.sections))
        self.service.resume(wid, {"action": "approve"}, by=user.name)
        self.db.set_review(wid, "approved", user.name)
        self.db.add_event(wid, user.name, "review: approved")

    def revise(self, user: User, wid: str, reason: str = "") -> None:
        """Open an approved playbook for changes: back in review, every version kept; whatever changes
        now is a new version, and the approval is given again (the approved version stays in history)."""
        self._ws(user, wid)
        if self.status(wid) != "approved":
            raise KatachiError("wrong_stage", stage=stage_of(self._values(wid).get("stage", "")))
        self.service.reopen(wid, by=user.name, reason=reason)
        self.db.set_review(wid, "in_review", user.name)
        self.db.add_event(wid, user.name, "review: reopened", reason)

    # -- versions and exports ------------------------------------------------------------------------------
    def diff(self, user: User, wid: str, a: int, b: int) -> list[dict]:
        from katachi.exports.exports import pick_version
        from katachi.graphs.versions import diff

        v = self.view(user, wid)
        old, new = pick_version(v.values, int(a)), pick_version(v.values, int(b))
        assert old is not None and new is not None  # a version asked by number is found or refused
        return diff(old["content"], new["content"])

    def audit(self, wid: str) -> list[dict]:
        return self.audit_of(self.db, wid)

    @staticmethod
    def audit_of(db, wid: str) -> list[dict]:
        return [
            {
                "at": dt.datetime.fromtimestamp(e["at"], dt.UTC).isoformat(timespec="seconds"),
                "by": e["by"],
                "what": e["what"],
                "detail": e["detail"],
            }
            for e in db.events(wid)
        ]

    def export(
        self, user: User, wid: str, fmt: str, version: int | None = None, tracker_url: str = ""
    ) -> tuple[str, bytes]:
        """The playbook, the deck, the one-page summary or the invitation, named after the company and the
        theme (not the workshop's id)."""
        from katachi.exports.exports import export, file_name

        v = self.view(user, wid)
        s = self.service.settings
        data = export(
            v.values,
            fmt,
            version,
            audit=self.audit(wid),
            template=s.pptx_template,
            tracker_url=tracker_url,
            tz=s.timezone,
        )
        return file_name(v.values, fmt, version or v.version), data
