"""Domain records of a workshop (stored as JSON in graph state) and helpers for LLM output models.

LLM output models are built per call (``create_model``) so that citation fields can be a JSON-schema
``enum`` of the sentence ids offered to that call; the records below are what code keeps.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Support = Literal["supported", "unsupported"]  # whether a record's citations back it (agents.common.cite)
Severity = Literal["info", "warning", "error"]


class Citation(BaseModel):
    chunk_id: str
    quote: str
    source: str = ""
    rel: str = ""
    heading: str = ""


class PainPoint(BaseModel):
    id: str
    text: str
    participant: str = ""
    department: str = ""  # where it hurts, when the participant said so


class PainGroup(BaseModel):
    id: str
    summary: str
    members: list[str]  # pain point ids


class Theme(BaseModel):
    title: str
    problem: str
    outcome: str
    why_now: str = ""
    pain_groups: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    support: Support = "unsupported"
    # "documents": proposed from the company's documents because the pain points named no business problem
    origin: Literal["participants", "documents"] = "participants"
    measures: list[str] = Field(default_factory=list)  # catalogue KPIs that would measure it (ids)


class KPI(BaseModel):
    id: str
    name: str
    unit: str
    baseline: str  # a number, or "to be measured"
    baseline_how: str = ""  # how the baseline will be measured when unknown
    target: str
    deadline: str  # YYYY-MM
    owner: str  # executive owner
    method: str  # how it is measured
    citations: list[Citation] = Field(default_factory=list)
    support: Support = "unsupported"
    catalog_id: str = ""  # the 型 library's KPI it is, "" when the participants' own measure
    better: Literal["lower", "higher", ""] = ""
    pain_points: list[str] = Field(default_factory=list)  # the pain points it measures (ids)
    said: str = ""  # the participants' words for its baseline: 「半日」, "3 weeks"


class Score(BaseModel):
    value: int = Field(ge=1, le=5)
    reason: str = ""


class UseCase(BaseModel):
    id: str
    department: str
    title: str
    who: str
    when: str  # trigger or cadence
    how: list[str]  # steps with AI
    workflow_step: str
    input: str
    output: str
    kpi_id: str
    impact: Score
    feasibility: Score
    risks: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    support: Support = "unsupported"
    pattern: str = ""  # the 型 library pattern it adapts, "new" when none fitted ("" before the library)

    @property
    def priority(self) -> int:
        return self.impact.value * self.feasibility.value


class HandOff(BaseModel):
    id: str
    from_department: str
    to_department: str
    what: str
    when: str
    receiving_owner: str = ""
    citations: list[Citation] = Field(default_factory=list)
    support: Support = "unsupported"


class Procedure(BaseModel):
    use_case_id: str
    title: str
    steps: list[str]
    prompt_template: str
    placeholders: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    support: Support = "unsupported"
    pattern: str = ""  # lineage: the pattern its steps start from, "new", or "" (written before the library)
    checks: list[int] = Field(default_factory=list)  # 1-based steps where a person checks the output
    placeholder_notes: dict[str, str] = Field(default_factory=dict)  # what to put in each {placeholder}


class WeeklyReview(BaseModel):
    cadence: str
    attendees: list[str]
    inputs: list[str]
    agenda: list[str]
    decision_rules: list[str]
    exec_ai_hour: str = ""  # the executives' weekly hour of thinking with AI


class GlossaryTerm(BaseModel):
    term: str
    definition: str
    used_by: str
    # "documents": the company's own definition (cited); "method": the method's vocabulary; "model": written
    origin: Literal["documents", "method", "model"] = "model"
    citations: list[Citation] = Field(default_factory=list)


class TrainingItem(BaseModel):
    session: str
    audience: str
    teaches: str  # which 型 it teaches
    format: str


class Roles(BaseModel):
    executive_sponsor: str
    owners: list[str]


class RolloutPhase(BaseModel):
    days: Literal[30, 60, 90]
    goals: list[str]


class Finding(BaseModel):
    rule: str
    severity: Severity = "warning"
    stage: str
    item: str = ""
    message: str
    fix: str = ""
    by: Literal["rules", "model"] = "rules"  # "model": the optional model-judged pass, labelled as such


PLAYBOOK_SECTIONS = ("procedures", "weekly_review", "glossary", "training", "roles", "rollout")


class Playbook(BaseModel):
    procedures: list[Procedure] = Field(default_factory=list)
    weekly_review: WeeklyReview | None = None
    glossary: list[GlossaryTerm] = Field(default_factory=list)
    training: list[TrainingItem] = Field(default_factory=list)
    roles: Roles | None = None
    rollout: list[RolloutPhase] = Field(default_factory=list)
