"""Graph state: JSON-shaped values (pydantic dumps) with reducers on the fields that accumulate."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict


def merge(a: dict | None, b: dict | None) -> dict:
    return {**(a or {}), **(b or {})}


class WorkshopState(TypedDict, total=False):
    thread_id: str
    company: str
    lang: str
    today: str
    departments: list[str]
    options: dict  # per-workshop knobs: use_cases_per_department, theme_candidates
    pain_points: list[dict]
    pain_groups: list[dict]
    theme_candidates: list[dict]
    theme: dict
    kpis: list[dict]
    use_cases: list[dict]
    handoffs: list[dict]
    outputs: Annotated[dict, merge]  # stage → its items, for a stage with no state key of its own (graphs.stages)
    playbook: Annotated[dict, merge]  # section name -> section dump; regeneration replaces only its keys
    feedback: Annotated[dict, merge]  # stage or section -> the reviewer's comment for the next generation
    regen: list[str]  # playbook sections to (re)generate; empty = all
    findings: Annotated[dict, merge]  # stage -> list of finding dumps, replaced when the stage reruns
    passages: Annotated[dict, merge]  # chunk id -> passage dump, for footnotes a reviewer can open
    usage: Annotated[list[dict], operator.add]
    citation_log: Annotated[list[dict], operator.add]
    decisions: Annotated[list[dict], operator.add]  # the audit trail of gate decisions (by, at, reason)
    versions: Annotated[list[dict], operator.add]  # numbered playbook versions: by, at, reason, changed, content
    stage: str
