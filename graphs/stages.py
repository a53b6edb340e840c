"""The workshop's stages, declared once and in order (``SPECS``), and the graph built from them:
intake → themes ⇄ gate → KPIs ⇄ gate → use cases ⇄ gate → playbook ⇄ gate → done.

A stage is a :class:`StageSpec`: its node (what the model makes, in :mod:`graphs.workshop`), the human
gate after it, and how every view shows it. The graph, the gates, the room, the command line, the
versions and the documents read this list; a stage with views of its own (themes, KPIs, use cases,
playbook) keeps them where they are drawn, and one that names none is drawn from ``items`` and
``fields`` by the generic view everywhere. Each gate is a small node whose first statement is
``interrupt()`` (it re-runs on resume, so nothing costly sits before it) and whose routes are declared.

The checkpoint's ``stage`` value is either a stage (a generating node is due or running) or
``gate_<stage>`` (waiting for a decision at that stage's gate). Labels come from the ``stage`` domain of
:mod:`core.i18n`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import ValidationError

from katachi.core.errors import KatachiError
from katachi.core.i18n import t
from katachi.graphs import workshop as w
from katachi.graphs.gates import (
    Decided,
    GatePayload,
    KPIDecision,
    PlaybookDecision,
    Reviewed,
    Route,
    ThemeDecision,
    UseCaseDecision,
)
from katachi.graphs.state import WorkshopState


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
    a participant does not see them before the facilitator shows the gate). ``fields``: for the generic view,
    the item fields shown, in order (their labels are the codes ``stage.<name>_<field>``); its items are the
    gate data's ``items`` (:func:`reviewed`)."""

    name: str
    node: Callable[..., dict]
    gate: Gate | None = None
    keys: tuple[str, ...] = ()
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


# The workshop's stages in order: the one list the graph, the gates, the room, the command line, the
# versions and the documents read. A new stage is a spec here (its content under ``outputs`` when it has
# no state key of its own: see StageSpec) and its node in graphs.workshop.
SPECS: tuple[StageSpec, ...] = (
    StageSpec("intake", w.intake, keys=("pain_groups",)),
    StageSpec(
        "themes",
        w.themes,
        Gate(ThemeDecision, w.themes_gate_data, w.decide_themes),
        keys=("theme_candidates",),
        finding_keys=("intake", "themes"),
    ),
    StageSpec(
        "kpis",
        w.kpis,
        Gate(KPIDecision, lambda s: {"theme": s["theme"], "kpis": s["kpis"]}, w.decide_kpis),
        keys=("kpis",),
    ),
    StageSpec(
        "usecases",
        w.usecases,
        Gate(UseCaseDecision, lambda s: {"use_cases": s["use_cases"], "handoffs": s["handoffs"]}, w.decide_usecases),
        keys=("use_cases", "handoffs"),
    ),
    StageSpec(
        "playbook",
        w.playbook,
        Gate(PlaybookDecision, w.playbook_gate_data, w.decide_playbook),
        keys=("playbook", "versions"),
    ),
)

STAGES = (*(s.name for s in SPECS), "done")
BY_NAME: dict[str, StageSpec] = {s.name: s for s in SPECS}
# The stage the model works on after a decision at each gate that moves on (the last gate regenerates
# sections of its own stage, or finishes).
AFTER_GATE = {
    s.name: (SPECS[i + 1].name if i + 1 < len(SPECS) else s.name) for i, s in enumerate(SPECS) if s.gate is not None
}


def spec_of(stage: str) -> StageSpec | None:
    """The spec of a stage or of its gate (``gate_kpis`` → the KPIs' spec); None for done and unknown values."""
    return BY_NAME.get(stage.removeprefix("gate_"))


def stage_of(checkpoint_stage: str | None) -> str:
    """The stage a checkpoint value belongs to (``gate_kpis`` → ``kpis``); nothing stored yet → intake."""
    s = (checkpoint_stage or "").removeprefix("gate_")
    return s if s in STAGES else "intake"


def label(stage: str, lang: str) -> str:
    """The human name of a stage (or of a gate: ``gate_kpis`` reads as its stage)."""
    return t(f"stage.{stage_of(stage) if stage not in STAGES else stage}", lang)


# -- the graph ------------------------------------------------------------------------------------------
def _decide(model: type[Decided], value: Any, gate: str) -> Decided:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        # The checkpoint still holds the open gate: the caller can resume again with a valid decision.
        raise KatachiError("bad_decision", detail=f"{gate}: {exc.errors()[0].get('msg')}") from exc


def _payload(state: WorkshopState, spec: StageSpec, gate: Gate) -> dict:
    findings = [f for k in spec.findings for f in (state.get("findings") or {}).get(k, [])]
    return GatePayload.model_validate(
        dict(
            gate=spec.name,
            thread_id=state.get("thread_id", ""),
            lang=state["lang"],
            actions=list(gate.actions),
            data=gate.data(state),
            findings=findings,
        )
    ).model_dump()


def finalize(state: WorkshopState) -> dict:
    return {"stage": "done"}


def _gate_node(spec: StageSpec, gate: Gate, following: str) -> Callable[[WorkshopState], Command]:
    """The gate after ``spec``'s stage: ``interrupt()`` first (the node re-runs on resume), then the
    decision, validated, applied and recorded in the audit trail."""

    def node(state: WorkshopState) -> Command:
        value = interrupt(_payload(state, spec, gate))
        d = _decide(gate.decision, value, spec.name)
        route, update = gate.apply(state, d)
        update = {**update, "decisions": [{**d.model_dump(mode="json"), "gate": spec.name}]}
        if route == "next" and following != "finalize":
            update.setdefault("stage", following)
        goto = {"again": spec.name, "next": following, "stay": gate_stage(spec.name), "finish": "finalize"}[route]
        return Command(goto=goto, update=update)

    node.__name__ = gate_stage(spec.name)
    return node


def _stage_node(spec: StageSpec, following: str) -> Callable[[WorkshopState, RunnableConfig], dict]:
    """The stage's node, noting where the flow stands when it is done: at its gate, or at the next stage."""

    def node(state: WorkshopState, config: RunnableConfig) -> dict:
        update = spec.node(state, config)
        return {**update, "stage": gate_stage(spec.name) if spec.gate else following}

    node.__name__ = spec.name
    return node


def _routes(spec: StageSpec, gate: Gate, following: str) -> tuple[str, ...]:
    """Where the gate's decisions may send the flow (drawn as the gate's edges)."""
    return tuple(dict.fromkeys((spec.name, following, gate_stage(spec.name), "finalize")))


def build_graph(checkpointer=None):
    g = StateGraph(WorkshopState)
    g.add_edge(START, SPECS[0].name)
    for spec, nxt in zip(SPECS, [*(s.name for s in SPECS[1:]), "finalize"]):
        g.add_node(spec.name, _stage_node(spec, nxt))
        if spec.gate is None:
            g.add_edge(spec.name, nxt)
            continue
        g.add_node(
            gate_stage(spec.name),
            _gate_node(spec, spec.gate, nxt),
            destinations=_routes(spec, spec.gate, nxt),
        )
        g.add_edge(spec.name, gate_stage(spec.name))
    g.add_node("finalize", finalize)
    g.add_edge("finalize", END)
    return g.compile(checkpointer=checkpointer)


def graph_for_server():
    """Entry for the LangGraph CLI / server (langgraph.json): it supplies its own checkpointer; the
    settings are read from the server's environment here, at the edge, once, and the runtime is
    registered for this process (the server pickles run configs; a runtime holds clients)."""
    from katachi.core.settings import Settings
    from katachi.graphs.runtime import Runtime, serve_with

    serve_with(Runtime.of(Settings()))
    return build_graph()
