"""Interrupt payloads and resume decisions: pydantic at the boundary, JSON in the state."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from katachi.agents.schemas import KPI, PLAYBOOK_SECTIONS, HandOff, Theme, UseCase

# How a decision at a gate moves the flow: the stage again (with the reviewer's feedback), on to the
# next stage, back to the same gate (a manual change regenerates nothing), or to the end.
Route = Literal["again", "next", "stay", "finish"]


class GatePayload(BaseModel):
    gate: str  # the stage whose gate is open (graphs.stages.SPECS)
    thread_id: str
    lang: str
    actions: list[str]
    data: dict[str, Any]
    findings: list[dict] = Field(default_factory=list)


class Remark(BaseModel):
    value: int = Field(default=0, ge=0, le=5)  # 0: a comment without a rating
    text: str = ""
    by: str = ""  # empty: given anonymously


class Endorsement(BaseModel):
    """How far the executives stand behind the chosen theme (1–5), with the reasons of those who
    do not: a theme half the room dissents from needs the discussion before the KPIs, not after."""

    theme: str
    n: int = Field(ge=1)
    mean: float
    counts: dict[str, int]  # "1".."5" → how many
    agree: int  # 4 or 5
    dissent: list[Remark] = Field(default_factory=list)  # 1–3, with what they said
    support: list[Remark] = Field(default_factory=list)  # 4–5 with a reason


class Rated(BaseModel):
    """The room's mean ratings of one item: impact × urgency (pain points), impact × feasibility (use cases)."""

    n: int = Field(ge=1)
    a: float
    b: float


class RoomVoice(BaseModel):
    """What the room said at a gate besides the decision, recorded with it (and in the playbook)."""

    endorsement: Endorsement | None = None
    ratings: dict[str, Rated] = Field(default_factory=dict)  # pain point no. or use case id → means
    comments: dict[str, list[Remark]] = Field(default_factory=dict)  # KPI id → comments


class Decided(BaseModel):
    """Who decided, when and why: the service fills ``by`` and ``at``; kept in the audit trail."""

    by: str = ""
    at: str = ""
    reason: str = ""
    gate: str = ""  # the gate the decider saw; a decision made for another gate is refused
    room: RoomVoice | None = None  # a live room's endorsement and ratings at the time of the decision


class ThemeDecision(Decided):
    action: Literal["choose", "edit", "regenerate"]
    index: int = 0
    theme: Theme | None = None  # with "edit": the edited theme
    feedback: str = ""

    @model_validator(mode="after")
    def _complete(self):
        if self.action == "edit" and self.theme is None:
            raise ValueError("edit needs the edited theme")
        if self.action == "regenerate" and not self.feedback.strip():
            raise ValueError("regenerate needs feedback for the next round")
        return self


class KPIDecision(Decided):
    action: Literal["approve", "edit", "reject"]
    kpis: list[KPI] | None = None
    feedback: str = ""

    @model_validator(mode="after")
    def _complete(self):
        if self.action == "edit" and not self.kpis:
            raise ValueError("edit needs the edited KPIs")
        if self.action == "reject" and not self.feedback.strip():
            raise ValueError("reject needs feedback")
        return self


class Reviewed(Decided):
    """The decision at a gate with no decisions of its own: approve, or send the stage back with feedback."""

    action: Literal["approve", "reject"]
    feedback: str = ""

    @model_validator(mode="after")
    def _complete(self):
        if self.action == "reject" and not self.feedback.strip():
            raise ValueError("reject needs feedback")
        return self


class UseCaseDecision(Reviewed):
    """Approve (dropping, editing or adding use cases and hand-offs on the way) or reject with feedback."""

    drop: list[str] = Field(default_factory=list)  # use case or hand-off ids
    edit: list[UseCase] = Field(default_factory=list)  # replaces the use case with the same id
    add: list[UseCase] = Field(default_factory=list)
    handoffs: list[HandOff] | None = None  # replaces all hand-offs


class PlaybookDecision(Decided):
    """At the playbook gate: approve, send sections back with comments (only those are regenerated),
    edit sections by hand, or roll back to an earlier version. Section names: see graphs.versions."""

    action: Literal["approve", "request_changes", "edit", "rollback"]
    sections: dict[str, str] = Field(default_factory=dict)  # section -> comment (request_changes)
    values: dict[str, Any] = Field(default_factory=dict)  # section -> new value (edit)
    version: int = 0  # rollback target

    @model_validator(mode="after")
    def _complete(self):
        from katachi.graphs.versions import valid_section

        unknown = [n for n in set(self.sections) | set(self.values) if not valid_section(n)]
        if unknown:
            raise ValueError(
                f"unknown sections {unknown}; use theme, kpis:K1, usecases:<department>, handoffs, "
                f"{', '.join(PLAYBOOK_SECTIONS)} or procedures:U1"
            )
        if self.action == "request_changes" and not self.sections:
            raise ValueError("request_changes needs at least one section with a comment")
        if self.action == "edit" and not self.values:
            raise ValueError("edit needs section values")
        if self.action == "rollback" and self.version < 1:
            raise ValueError("rollback needs a version number")
        return self


# What a use case added at the gate must say: without them the playbook printed 「. 失注理由の要約」 with
# 「入力 → 出力: →」 (the steps are filled from these when the facilitator gives none).
ADDED_FIELDS = ("title", "department", "who", "when", "input", "output", "kpi_id")


def _complete_use_case(u: UseCase) -> None:
    from katachi.core.errors import KatachiError
    from katachi.core.i18n import Code

    missing = [f for f in ADDED_FIELDS if not str(getattr(u, f)).strip()]
    if missing:
        raise KatachiError("usecase_incomplete", title=u.title.strip() or "-", field=Code(f"field.uc_{missing[0]}"))


def check_decision(gate: dict, decision: Any, model: type[Decided]) -> Decided:
    """Validate a decision against the open gate before it reaches the graph.

    A resume value is stored with the task it resumes, so a bad one must be refused here: the gate
    then stays open, unchanged, for a corrected decision. ``model``: the gate's decision model (its
    stage's spec). Raises ``ValueError`` with the reason.
    """
    d = model.model_validate(decision)
    if d.gate and d.gate != gate["gate"]:  # a stale screen: its 'approve' must not approve another gate
        raise ValueError(f"this decision was made at the {d.gate} gate; the open gate is {gate['gate']}")
    data = gate["data"]
    if isinstance(d, ThemeDecision) and d.action == "choose" and not 0 <= d.index < len(data["candidates"]):
        raise ValueError(f"no theme candidate {d.index} (0-{len(data['candidates']) - 1})")
    if isinstance(d, UseCaseDecision):
        known = {u["id"] for u in data["use_cases"]} | {h["id"] for h in data["handoffs"]}
        unknown = [x for x in d.drop if x not in known]
        if unknown:
            raise ValueError(f"unknown ids to drop: {unknown}")
        for u in d.add:
            _complete_use_case(u)
    if isinstance(d, PlaybookDecision) and d.action == "rollback":
        have = [v["n"] for v in data.get("versions") or []]
        if d.version not in have:
            raise ValueError(f"no version {d.version} (have {have})")
    return d
