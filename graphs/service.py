"""The one way into a workshop for the CLI and the UI: start, resume, snapshot — by thread id.

State lives in a checkpointer (SQLite in the data directory, or PostgreSQL with
``KATACHI_DATABASE_URL``), written before each call returns (``durability="sync"``), so an approved
gate survives a killed process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from katachi.core.errors import KatachiError
from katachi.core.i18n import Code
from katachi.core.settings import Settings
from katachi.graphs.gates import PlaybookDecision, check_decision
from katachi.graphs.runtime import DRAFTS_KEY, Runtime
from katachi.graphs.runtime import KEY as RUNTIME_KEY
from katachi.graphs.stages import build_graph, spec_of

log = logging.getLogger(__name__)


MAX_DEPARTMENT = 60  # a department's name (a 10,000-character one was once accepted into every prompt)
MAX_DEPARTMENTS = 30


def check_departments(depts: list[str]) -> None:
    if len(depts) > MAX_DEPARTMENTS:
        raise KatachiError("too_many_departments", count=len(depts), limit=MAX_DEPARTMENTS)
    for d in depts:
        if len(d) > MAX_DEPARTMENT:
            raise KatachiError("text_too_long", what=Code("field.department"), size=len(d), limit=MAX_DEPARTMENT)


@dataclass
class Snapshot:
    thread_id: str
    stage: str
    gate: dict | None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.stage == "done"


class WorkshopService:
    def __init__(
        self,
        settings: Settings,
        *,
        model_for: Callable | None = None,
        retriever_for: Callable | None = None,
        db_path: Path | None = None,
    ) -> None:
        """``model_for`` / ``retriever_for`` replace the configured provider and company store (tests,
        evals); otherwise both are made from ``settings``."""
        from katachi.graphs.checkpoints import open_checkpointer

        self.settings = settings
        self.checkpointer, self._close = open_checkpointer(settings, db_path)
        self.graph = build_graph(self.checkpointer)
        self.runtime = Runtime.of(settings, model_for, retriever_for)
        self._injected_store = retriever_for is not None

    def close(self) -> None:
        self._close()

    def _config(self, thread_id: str, drafts: bool = False) -> dict:
        conf = {"thread_id": thread_id, RUNTIME_KEY: self.runtime}
        if drafts:
            conf[DRAFTS_KEY] = True
        return {"configurable": conf, "recursion_limit": 100}

    def start(
        self,
        company: str,
        pain_points: list[str | dict],
        departments: list[str],
        lang: str | None = None,
        thread_id: str | None = None,
        today: str | None = None,
        use_cases_per_department: int | None = None,
        progress: Callable[[str], None] | None = None,
        drafts: Callable[[dict], None] | None = None,
    ) -> Snapshot:
        from katachi.agents.intake import make_pain_points
        from katachi.knowledge.store import CompanyStore

        if not self._injected_store:
            CompanyStore(company, self.settings)  # unknown company: a clear error before anything is stored
        points = make_pain_points(pain_points)
        if not points:
            raise KatachiError("bad_pain_points", path="-", detail="no pain points")
        s = self.settings
        if len(points) > s.max_pain_points:
            raise KatachiError("too_many_points", count=len(points), limit=s.max_pain_points)
        long = max(points, key=lambda p: len(p.text))
        if len(long.text) > 2 * s.max_point_chars:  # twice: a facilitator's merge joins two points
            raise KatachiError(
                "text_too_long", what=Code("field.pain_point"), size=len(long.text), limit=2 * s.max_point_chars
            )
        depts = [d.strip() for d in departments if d and d.strip()]
        if not depts:
            raise KatachiError("empty_text", what=Code("field.departments"))
        check_departments(depts)
        tid = thread_id or uuid.uuid4().hex[:12]
        state = {
            "thread_id": tid,
            "company": company,
            "lang": lang or self.settings.lang,
            "today": today or date.today().isoformat(),
            "departments": list(dict.fromkeys(depts)),
            "pain_points": [p.model_dump() for p in points],
            "stage": "intake",
            "options": {
                "use_cases_per_department": use_cases_per_department or self.settings.use_cases_per_department,
                "theme_candidates": self.settings.theme_candidates,
            },
        }
        return self._run(state, tid, progress, drafts)

    def check(self, thread_id: str, decision: dict, snap: Snapshot | None = None):
        """Validate a decision against the open gate without resuming (the UI checks before queueing,
        with the snapshot it already read)."""
        snap = snap or self.snapshot(thread_id)
        if snap.done:
            raise KatachiError("thread_done", thread_id=thread_id)
        if snap.gate is None:
            return None
        try:
            spec = spec_of(snap.gate["gate"])
            if spec is None or spec.gate is None:
                raise ValueError(f"no gate named {snap.gate['gate']}")
            valid = check_decision(snap.gate, decision, spec.gate.decision)
            if isinstance(valid, PlaybookDecision) and valid.action == "edit":  # (the playbook gate's)
                from katachi.graphs.versions import apply_section, content_of

                versions = snap.values.get("versions") or []
                content = versions[-1]["content"] if versions else content_of(snap.values)
                for name, value in valid.values.items():  # a bad edit must not reach the graph
                    content = apply_section(content, name, value)
            return valid
        except (ValidationError, ValueError) as exc:
            detail = exc.errors()[0].get("msg") if isinstance(exc, ValidationError) else str(exc)
            raise KatachiError("bad_decision", detail=f"{snap.gate['gate']}: {detail}") from exc

    def resume(
        self,
        thread_id: str,
        decision: dict,
        progress: Callable[[str], None] | None = None,
        by: str = "",
        drafts: Callable[[dict], None] | None = None,
    ) -> Snapshot:
        """Resume at the open gate. ``by`` names who decided; it goes into the audit trail with the time.
        ``progress(node)`` after each step; ``drafts({"stage", "item"})`` for each item a stage has written
        and checked before the stage ends (the room shows them; the stage's result replaces them)."""
        from datetime import datetime

        from langgraph.types import Command

        decision = {
            **decision,
            "by": by or decision.get("by", ""),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        valid = self.check(thread_id, decision)
        if valid is None:  # a generating node was interrupted (crash): run it again
            return self.continue_run(thread_id, progress, drafts)
        return self._run(Command(resume=valid.model_dump(mode="json")), thread_id, progress, drafts)

    def continue_run(
        self,
        thread_id: str,
        progress: Callable[[str], None] | None = None,
        drafts: Callable[[dict], None] | None = None,
    ) -> Snapshot:
        """Re-run whatever was in progress when a process died between gates."""
        return self._run(None, thread_id, progress, drafts)

    def reopen(self, thread_id: str, by: str = "", reason: str = "") -> Snapshot:
        """An approved playbook opened again for changes: the workshop goes back to the playbook gate
        with every version kept, so whatever changes now is a new version beside the approved one."""
        from datetime import datetime

        from katachi.graphs.stages import gate_stage

        snap = self.snapshot(thread_id)
        if not snap.done:
            raise KatachiError("wrong_stage", stage=Code(f"stage.{snap.stage.removeprefix('gate_') or 'intake'}"))
        record = {
            "gate": "playbook",
            "action": "reopen",
            "by": by,
            "reason": reason,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.graph.update_state(
            self._config(thread_id), {"stage": gate_stage("playbook"), "decisions": [record]}, as_node="playbook"
        )
        return self._run(None, thread_id)

    def snapshot(self, thread_id: str) -> Snapshot:
        st = self.graph.get_state(self._config(thread_id))
        if not st.values:
            raise KatachiError("thread_unknown", thread_id=thread_id)
        gate = None
        for task in st.tasks:
            for intr in task.interrupts:
                gate = intr.value
        return Snapshot(thread_id, st.values.get("stage", ""), gate, dict(st.values))

    def threads(self) -> list[str]:
        seen: dict[str, None] = {}
        for cp in self.checkpointer.list(None):
            seen.setdefault(cp.config["configurable"]["thread_id"], None)
        return list(seen)

    def _run(
        self,
        payload: Any,
        thread_id: str,
        progress: Callable[[str], None] | None = None,
        drafts: Callable[[dict], None] | None = None,
    ) -> Snapshot:
        config = self._config(thread_id, drafts=drafts is not None)
        for mode, chunk in self.graph.stream(payload, config, durability="sync", stream_mode=["updates", "custom"]):
            if mode == "custom":
                if drafts is not None:
                    drafts(chunk)
            elif progress is not None:
                for node in chunk:
                    progress(node)
        return self.snapshot(thread_id)
