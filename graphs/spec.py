"""A workshop stage, declared once: what the model makes, the human gate after it, and how every view
shows it. The graph, the gates, the room, the command line, the versions and the documents are built
from the one ordered list of these (``graphs.workshop.SPECS``).

A stage with views of its own (themes, KPIs, use cases, playbook) keeps them where they are drawn; a
stage that names none is drawn from ``items`` and ``fields`` by the generic view everywhere.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from katachi.graphs.gates import Decided, Reviewed

# How a decision at a gate moves the flow: the stage again (with the reviewer's feedback), on to the
# next stage, back to the same gate (a manual change regenerates nothing), or to the end.
Route = Literal["again", "next", "stay", "finish"]


def gate_stage(stage: str) -> str:
    """The checkpoint value while the workshop waits at ``stage``'s gate."""
    return f"gate_{stage}"


@dataclass(frozen=True)
class Gate:
    """The human decision after a stage: its decision model (whose ``action`` Literal lists what may be
    decided), the data the decider sees, and what a valid decision does to the state."""

    decision: type[Decided]
    data: Callable[[Any], dict]  # state → the gate's data
    apply: Callable[[Any, Any], tuple[Route, dict]]  # (state, decision) → where to, state update

    @property
    def actions(self) -> tuple[str, ...]:
        return typing.get_args(self.decision.model_fields["action"].annotation)


@dataclass(frozen=True)
class StageSpec:
    """One stage. ``node`` makes its content (``(state, config) → update``); ``gate`` is None for a stage
    that flows on by itself (intake). ``keys``: the state keys its content lives in (a version records them,
    a participant does not see them before the facilitator shows the gate). ``items``/``fields``: for the
    generic view, the gate data key holding its list of items and the item fields shown, in order (their
    labels are the codes ``stage.<name>_<field>``)."""

    name: str
    node: Callable[..., dict]
    gate: Gate | None = None
    keys: tuple[str, ...] = ()
    items: str = ""
    fields: tuple[str, ...] = ()
    finding_keys: tuple[str, ...] = ()  # the findings shown at its gate: its own, unless named here

    @property
    def findings(self) -> tuple[str, ...]:
        return self.finding_keys or (self.name,)


def reviewed(name: str) -> Gate:
    """The gate of a stage with no decisions of its own, drawn by the generic view: approve, or reject with
    feedback (the stage runs again with it). Its data is the stage's items, kept under ``outputs``."""

    def apply(state: Any, d: Reviewed) -> tuple[Route, dict]:
        if d.action == "reject":
            return "again", {"feedback": {name: d.feedback}}
        return "next", {}

    return Gate(Reviewed, lambda state: {"items": (state.get("outputs") or {}).get(name, [])}, apply)
