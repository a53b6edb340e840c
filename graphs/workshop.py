"""What each workshop stage does: the generating nodes (intake, themes, KPIs, use cases, playbook) and
what a decision at each gate does to the state. The stages' order, their gates and the graph are declared
in :mod:`graphs.stages`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.func import task

from katachi.agents import kpis as kpi_agent
from katachi.agents import linter
from katachi.agents import playbook as pb
from katachi.agents import themes as theme_agent
from katachi.agents import usecases as uc_agent
from katachi.agents.common import Made, StageContext, StageLog
from katachi.agents.common import finding as check_finding
from katachi.agents.document_themes import document_themes
from katachi.agents.intake import group_pain_points
from katachi.agents.schemas import (
    KPI,
    PLAYBOOK_SECTIONS,
    GlossaryTerm,
    HandOff,
    PainGroup,
    PainPoint,
    Playbook,
    Procedure,
    Roles,
    RolloutPhase,
    Theme,
    TrainingItem,
    UseCase,
    WeeklyReview,
)
from katachi.core.errors import KatachiError
from katachi.graphs.gates import KPIDecision, PlaybookDecision, Route, ThemeDecision, UseCaseDecision
from katachi.graphs.runtime import DRAFTS_KEY, runtime_of
from katachi.graphs.state import WorkshopState
from katachi.graphs.versions import UPSTREAM, apply_section, content_of, version_record

log = logging.getLogger(__name__)


def _ctx(state: WorkshopState, config: RunnableConfig) -> StageContext:
    rt = runtime_of(config)
    return StageContext(
        model_for=rt.model_for,
        retriever=rt.retriever_for(state["company"]),
        company=state["company"],
        lang=state["lang"],
        today=state["today"],
        retries=rt.settings.structured_retries,
        library=rt.library(state["company"]),
        departments=tuple(state.get("departments") or ()),
        emit=_drafts(config),
        embed=rt.embed,
        stall_s=rt.settings.stall_s,
    )


def _drafts(config: RunnableConfig) -> Callable[[str, dict], None] | None:
    """Where drafts go while a stage runs: the run's custom stream, when the caller asked for drafts
    (the room); otherwise nowhere, and the model is not streamed."""
    if not (config or {}).get("configurable", {}).get(DRAFTS_KEY):
        return None
    from langgraph.config import get_stream_writer

    writer = get_stream_writer()
    return lambda stage, item: writer({"stage": stage, "item": item})


def _merge_logs(*logs: StageLog) -> dict[str, Any]:
    out: dict[str, Any] = {"usage": [], "citation_log": [], "passages": {}}
    for lg in logs:
        out["usage"] += lg.usage
        out["citation_log"] += lg.citations
        out["passages"].update(lg.passages)
    return out


def _checks(*logs: StageLog) -> list:
    """What the quality checks repaired or dropped while the stage ran (shown beside the linter's)."""
    return [f for lg in logs for f in lg.findings]


def _dump(findings) -> list[dict]:
    return [f.model_dump() for f in findings]


def _judged(state: WorkshopState, config: RunnableConfig, stage: str, content: dict) -> list:
    """The optional model-judged pass (setting ``lint_judge``); a failure of the judge never stops the flow."""
    if not runtime_of(config).settings.lint_judge:
        return []
    from katachi.agents.judge import judge

    try:
        return judge(_ctx(state, config).model_for("judge"), stage, content, state["lang"])
    except KatachiError as err:
        log.warning("model-judged lint skipped at %s: %s", stage, err)
        return []


def produce(name: str, generate: Callable[[StageContext, dict, str], Made[list]]) -> Callable[..., dict]:
    """The node of a stage whose generator lives in ``agents`` alone: ``generate(ctx, state, feedback)``
    gives (items, log); the items are kept under ``outputs[name]`` with the checks' findings and the log."""

    def node(state: WorkshopState, config: RunnableConfig) -> dict:
        feedback = (state.get("feedback") or {}).get(name, "")
        items, lg = generate(_ctx(state, config), dict(state), feedback)
        dumped = [i.model_dump() if hasattr(i, "model_dump") else i for i in items]
        return {"outputs": {name: dumped}, "findings": {name: _dump(_checks(lg))}, **_merge_logs(lg)}

    node.__name__ = name
    return node


# -- intake and themes -------------------------------------------------------------------------------
def intake(state: WorkshopState, config: RunnableConfig) -> dict:
    points = [PainPoint.model_validate(p) for p in state["pain_points"]]
    embed = runtime_of(config).embed
    groups = group_pain_points(points, vectors=embed([p.text for p in points]) if embed and len(points) > 1 else None)
    return {
        "pain_groups": [g.model_dump() for g in groups],
        "findings": {"intake": _dump(linter.lint_intake(state["pain_points"], state["lang"]))},
    }


def _business(state: WorkshopState) -> tuple[list[PainGroup], dict[str, str], set[str]]:
    """The pain groups, the pain points' texts, and the ids of the groups that name a business problem."""
    groups = [PainGroup.model_validate(g) for g in state.get("pain_groups") or []]
    points = {p["id"]: p["text"] for p in state.get("pain_points") or []}
    flagged = {f["item"] for f in (state.get("findings") or {}).get("intake", [])}
    return groups, points, {g.id for g in theme_agent.business_groups(groups, points, flagged)}


def themes(state: WorkshopState, config: RunnableConfig) -> dict:
    """Themes from the groups that name a business problem. When none does (every pain point is about
    AI itself or a failure pattern), no theme is built around AI: the method's question goes back to
    the executives, and the candidates are outcome KPIs the company's own documents talk about (built
    in code, cited; none when the documents say nothing close enough)."""
    ctx = _ctx(state, config)
    groups, points, ids = _business(state)
    business = [g for g in groups if g.id in ids]
    n = (state.get("options") or {}).get("theme_candidates", 3)
    fb = (state.get("feedback") or {}).get("themes", "")
    asked: list = []
    if business:
        found, lg = theme_agent.generate_themes(ctx, business, n=n, feedback=fb, points=points)
    else:
        asked = [check_finding("no_business_problem", "themes", "", state["lang"], severity="error")]
        found, lg = document_themes(ctx, n=n)
    lint = asked + _checks(lg) + [f for t in found for f in linter.lint_theme(t.model_dump(), state["lang"])]
    return {
        "theme_candidates": [t.model_dump() for t in found],
        "findings": {"themes": _dump(lint)},
        **_merge_logs(lg),
    }


def themes_gate_data(state: WorkshopState) -> dict:
    return {"candidates": state["theme_candidates"], "pain_groups": state["pain_groups"]}


def decide_themes(state: WorkshopState, d: ThemeDecision) -> tuple[Route, dict]:
    if d.action == "regenerate":
        return "again", {"feedback": {"themes": d.feedback}}
    if d.action == "choose":
        if not 0 <= d.index < len(state["theme_candidates"]):
            raise KatachiError("bad_decision", detail=f"themes: no candidate {d.index}")
        chosen = state["theme_candidates"][d.index]
    else:  # edit: its validator requires the edited theme
        chosen = d.theme.model_dump() if d.theme is not None else state["theme_candidates"][0]
    return "next", {"theme": chosen, "findings": {"themes": _dump(linter.lint_theme(chosen, state["lang"]))}}


# -- KPIs ---------------------------------------------------------------------------------------------
def kpis(state: WorkshopState, config: RunnableConfig) -> dict:
    ctx = _ctx(state, config)
    theme = Theme.model_validate(state["theme"])
    groups, points, business = _business(state)
    found, lg = kpi_agent.generate_kpis(
        ctx, theme, groups, points, feedback=(state.get("feedback") or {}).get("kpis", ""), business=business
    )
    dumped = [k.model_dump() for k in found]
    findings = _checks(lg) + linter.lint_kpis(dumped, state["lang"])
    findings += _judged(state, config, "kpis", {"theme": state["theme"], "kpis": dumped})
    return {"kpis": dumped, "findings": {"kpis": _dump(findings)}, **_merge_logs(lg)}


def decide_kpis(state: WorkshopState, d: KPIDecision) -> tuple[Route, dict]:
    if d.action == "reject":
        return "again", {"feedback": {"kpis": d.feedback}}
    update: dict[str, Any] = {}
    if d.action == "edit":
        update["kpis"] = [k.model_dump() for k in d.kpis or []]
        update["findings"] = {"kpis": _dump(linter.lint_kpis(update["kpis"], state["lang"]))}
    return "next", update


# -- use cases ----------------------------------------------------------------------------------------
def usecases(state: WorkshopState, config: RunnableConfig) -> dict:
    ctx = _ctx(state, config)
    theme = Theme.model_validate(state["theme"])
    kpi_list = [KPI.model_validate(k) for k in state["kpis"]]
    feedback = (state.get("feedback") or {}).get("usecases", "")
    found: list[UseCase] = []
    logs = []
    points = [PainPoint.model_validate(p) for p in state.get("pain_points") or []]
    texts = {p.id: p.text for p in points}
    for dept in state["departments"]:
        pains = uc_agent.department_pains(dept, points, kpi_list, ctx.catalog(), ctx.function_of(dept))
        ucs, lg = uc_agent.generate_department(
            ctx,
            theme,
            kpi_list,
            dept,
            start=len(found) + 1,
            n=(state.get("options") or {}).get("use_cases_per_department", 2),
            feedback=feedback,
            pains=pains,
            avoid=[u.title for u in found],
            taken=[u.pattern for u in found if u.pattern],
            departments=state["departments"],
            points=texts,
        )
        for u in ucs:  # the room sees each department's use cases as soon as they are checked
            ctx.show("usecases", u.model_dump())
        found += ucs
        logs.append(lg)
    tidy = StageLog()
    found = uc_agent.tidy_use_cases(found, state["departments"], state["lang"], tidy)
    logs.append(tidy)
    hand, lg = uc_agent.generate_handoffs(ctx, state["departments"], found, feedback=feedback)
    logs.append(lg)
    ucd, hos = [u.model_dump() for u in found], [h.model_dump() for h in hand]
    lint = _checks(*logs) + linter.lint_usecases(
        ucd, hos, state["departments"], [k.id for k in kpi_list], state["lang"]
    )
    lint += _judged(state, config, "usecases", {"use_cases": ucd, "handoffs": hos})
    return {
        "use_cases": ucd,
        "handoffs": hos,
        "findings": {"usecases": _dump(lint)},
        **_merge_logs(*logs),
    }


def decide_usecases(state: WorkshopState, d: UseCaseDecision) -> tuple[Route, dict]:
    if d.action == "reject":
        return "again", {"feedback": {"usecases": d.feedback}}
    edits = {u.id: u.model_dump() for u in d.edit}
    ucs = [edits.get(u["id"], u) for u in state["use_cases"] if u["id"] not in d.drop]
    for u in d.add:
        ucs.append(_added(u, ucs, state["lang"]))
    hand = [h.model_dump() for h in d.handoffs] if d.handoffs is not None else state["handoffs"]
    hand = [h for h in hand if h["id"] not in d.drop]
    lint = linter.lint_usecases(ucs, hand, state["departments"], [k["id"] for k in state["kpis"]], state["lang"])
    return "next", {"use_cases": ucs, "handoffs": hand, "regen": [], "findings": {"usecases": _dump(lint)}}


def _added(u: UseCase, ucs: list[dict], lang: str) -> dict:
    """A use case added at the gate, made whole: its own id (the next free U-number) and, when the
    facilitator gave no steps, the standard ones from who / input / output; it fits no library pattern."""
    from katachi.core.i18n import t

    taken = {x["id"] for x in ucs}
    uid = u.id.strip().upper()
    if not uid or uid in taken:
        nums = [int(x[1:]) for x in taken if x[:1] == "U" and x[1:].isdigit()]
        uid = f"U{max(nums, default=0) + 1}"
    how = [s for s in u.how if s.strip()] or [
        t(f"doc.step_{k}", lang, who=u.who, input=u.input, output=u.output)
        for k in ("prepare", "draft", "check", "share")
    ]
    return {**u.model_dump(), "id": uid, "how": how, "pattern": u.pattern or "new"}


# -- playbook -----------------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _revise_upstream(
    ctx: StageContext,
    state: WorkshopState,
    names: list[str],
    fb: dict,
    theme: Theme,
    kpi_list: list[KPI],
    ucs: list[UseCase],
    hand: list[HandOff],
):
    """Regenerate the theme / a KPI / a department's use cases / the hand-offs a reviewer sent back."""
    from katachi.agents import revise

    logs: list[StageLog] = []
    touched: list[str] = []
    groups, points, business = _business(state)
    if "theme" in names:  # rewritten from the groups that name a business problem, as at the theme stage
        theme, lg = revise.theme(
            ctx, theme, [g for g in groups if g.id in business] or groups, points, fb.get("theme", "")
        )
        logs.append(lg)
    for name in names:
        kind, _, key = name.partition(":")
        if kind == "kpis":
            i = next((i for i, k in enumerate(kpi_list) if k.id == key), None)
            if i is not None:
                kpi_list[i], lg = revise.kpi(ctx, theme, kpi_list[i], groups, points, business, fb.get(name, ""))
                logs.append(lg)
        elif kind == "usecases":
            current = [u for u in ucs if u.department == key]
            new, lg = revise.department(ctx, theme, kpi_list, key, current, {u.id for u in ucs}, fb.get(name, ""))
            logs.append(lg)
            ucs = [u for u in ucs if u.department != key] + new
            touched += [u.id for u in new]
    if "handoffs" in names:
        hand, lg = revise.handoffs(ctx, state["departments"], ucs, fb.get("handoffs", ""))
        logs.append(lg)
    return theme, kpi_list, ucs, hand, touched, logs


@task
def playbook_section(key: str, make: Callable[[], Made[Any]]) -> dict:
    """One playbook section as a LangGraph task: its result is saved in the checkpoint as soon as it is
    made, so when a later section's model call fails, resuming the stage reuses every finished section
    instead of making them all again (a slow machine may need several resumes for one playbook). ``key``
    names it in the trace."""
    value, lg = make()
    dump = [v.model_dump() for v in value] if isinstance(value, list) else value.model_dump()
    return {
        "value": dump,
        "usage": lg.usage,
        "citations": lg.citations,
        "passages": lg.passages,
        "findings": [f.model_dump() for f in lg.findings],
    }


def _durable(key: str, kind: Any, make: Callable[[], Made[Any]]) -> Made[Any]:
    """Run ``make`` as a checkpointed section and give back (value of type ``kind``, log)."""
    from pydantic import TypeAdapter

    from katachi.agents.schemas import Finding

    out = playbook_section(key, make).result()
    show = _drafts(get_config())
    if show is not None:  # the room counts the sections as they are done
        show("playbook", {"section": key})
    lg = StageLog(
        usage=out["usage"],
        citations=out["citations"],
        passages=out["passages"],
        findings=[Finding.model_validate(f) for f in out["findings"]],
    )
    return TypeAdapter(kind).validate_python(out["value"]), lg


@dataclass
class _Made:
    """What the playbook's sections are made from, and the logs of the calls that made them."""

    ctx: StageContext
    theme: Theme
    kpis: list[KPI]
    ucs: list[UseCase]
    hand: list[HandOff]
    current: Playbook
    fb: dict
    logs: list[StageLog] = field(default_factory=list)

    def durable(self, key: str, kind: Any, make: Callable[[], Made[Any]]) -> Any:
        value, lg = _durable(key, kind, make)
        self.logs.append(lg)
        return value


def _procedures(m: _Made, wanted: list[str]) -> list[dict] | None:
    """A procedure per use case: made again when asked for (all, or one by its id) or when its use case is
    new; kept otherwise. None when nothing about them changed."""
    targets = {w.split(":", 1)[1] for w in wanted if w.startswith("procedures:")}
    by_id = {p.use_case_id: p for p in m.current.procedures}
    if not ("procedures" in wanted or targets or set(by_id) != {u.id for u in m.ucs}):
        return None

    def make(uc: UseCase) -> Callable[[], Made[Any]]:
        comment = m.fb.get(f"procedures:{uc.id}") or m.fb.get("procedures", "")
        return lambda: pb.procedure(m.ctx, uc, feedback=comment, current=by_id.get(uc.id))

    procs = []
    for uc in m.ucs:
        if "procedures" in wanted or uc.id in targets or uc.id not in by_id:
            procs.append(m.durable(f"procedures:{uc.id}", Procedure, make(uc)))
        else:
            procs.append(by_id[uc.id])
    m.current.procedures = procs  # the training plan is made from these
    return [p.model_dump() for p in procs]


def _weekly_review(m: _Made) -> dict:
    return m.durable(
        "weekly_review",
        WeeklyReview,
        lambda: pb.weekly_review(m.ctx, m.theme, m.kpis, m.ucs, feedback=m.fb.get("weekly_review", "")),
    ).model_dump()


def _glossary(m: _Made) -> list[dict]:
    return [
        t.model_dump()
        for t in m.durable(
            "glossary",
            list[GlossaryTerm],
            lambda: pb.glossary(m.ctx, m.theme, m.kpis, m.ucs, feedback=m.fb.get("glossary", "")),
        )
    ]


def _training(m: _Made) -> list[dict]:
    return [
        t.model_dump()
        for t in m.durable(
            "training",
            list[TrainingItem],
            lambda: pb.training(m.ctx, m.theme, m.current.procedures, feedback=m.fb.get("training", ""), ucs=m.ucs),
        )
    ]


def _roles(m: _Made) -> dict:
    """Written by code from the KPIs and use cases; the model rewrites them only when a reviewer asked."""
    roles = pb.default_roles(m.kpis, m.ucs, m.hand, m.ctx.lang)
    if m.fb.get("roles") and m.current.roles:
        current = m.current.roles
        roles = m.durable("roles", Roles, lambda: pb.rewrite_roles(m.ctx, current, m.kpis, m.fb["roles"]))
    return roles.model_dump()


def _rollout(m: _Made) -> list[dict]:
    """30/60/90 written by code; the model rewrites it only when a reviewer asked."""
    phases = pb.default_rollout(m.ucs, m.kpis, m.ctx.lang)
    if m.fb.get("rollout") and m.current.rollout:
        current = m.current.rollout
        phases = m.durable(
            "rollout", list[RolloutPhase], lambda: pb.rewrite_rollout(m.ctx, current, m.ucs, m.fb["rollout"])
        )
    return [p.model_dump() for p in phases]


# The playbook's sections after the procedures, in the order they are made (training reads the
# procedures made just before it). A new section is a builder here and its name in PLAYBOOK_SECTIONS.
SECTION_BUILDERS: dict[str, Callable[[_Made], Any]] = {
    "weekly_review": _weekly_review,
    "glossary": _glossary,
    "training": _training,
    "roles": _roles,
    "rollout": _rollout,
}


def _upstream(ctx: StageContext, state: WorkshopState, wanted: list[str], m: _Made) -> dict[str, Any]:
    """Theme, KPIs, use cases or hand-offs a reviewer asked to change, rewritten first (in ``m``); the
    state update for them with their lint. Adds the procedures of rewritten use cases to ``wanted``."""
    names = [w for w in wanted if w.partition(":")[0] in UPSTREAM]
    if not names:
        return {}
    m.theme, m.kpis, m.ucs, m.hand, touched, m.logs = _revise_upstream(
        ctx, state, names, m.fb, m.theme, m.kpis, m.ucs, m.hand
    )
    wanted += [f"procedures:{uid}" for uid in touched]  # a rewritten use case needs its procedure again
    upd: dict[str, Any] = dict(
        theme=m.theme.model_dump(),
        kpis=[k.model_dump() for k in m.kpis],
        use_cases=[u.model_dump() for u in m.ucs],
        handoffs=[h.model_dump() for h in m.hand],
    )
    kd, ud, hd = upd["kpis"], upd["use_cases"], upd["handoffs"]
    upd["findings"] = {
        "themes": _dump(linter.lint_theme(upd["theme"], state["lang"])),
        "kpis": _dump(linter.lint_kpis(kd, state["lang"])),
        "usecases": _dump(linter.lint_usecases(ud, hd, state["departments"], [k["id"] for k in kd], state["lang"])),
    }
    return upd


def _playbook_version(state: WorkshopState, upd: dict, merged: dict) -> dict:
    """The version this run makes: by the reviewer who asked for changes, else by the model."""
    last = (state.get("decisions") or [{}])[-1]
    asked = last.get("gate") == "playbook" and last.get("action") == "request_changes"
    content = content_of({**state, **upd, "playbook": merged})
    prior = state.get("versions") or []
    return version_record(
        prior,
        content,
        by=last.get("by", "") if asked else "model",
        reason=("; ".join(f"{k}: {v}" for k, v in last.get("sections", {}).items()) if asked else "generated"),
        at=_now(),
        previous=prior[-1]["content"] if prior else None,
    )


def playbook(state: WorkshopState, config: RunnableConfig) -> dict:
    ctx = _ctx(state, config)
    m = _Made(
        ctx,
        Theme.model_validate(state["theme"]),
        [KPI.model_validate(k) for k in state["kpis"]],
        [UseCase.model_validate(u) for u in state["use_cases"]],
        [HandOff.model_validate(h) for h in state["handoffs"]],
        Playbook.model_validate(state.get("playbook") or {}),
        state.get("feedback") or {},
    )
    wanted = list(state.get("regen") or PLAYBOOK_SECTIONS)
    upd = _upstream(ctx, state, wanted, m)
    out: dict[str, Any] = {}
    procs = _procedures(m, wanted)
    if procs is not None:
        out["procedures"] = procs
    for name, build in SECTION_BUILDERS.items():
        if name in wanted:
            out[name] = build(m)
    merged = {**(state.get("playbook") or {}), **out}
    lint = _checks(*m.logs) + linter.lint_playbook(merged, state["lang"])
    lint += _judged(state, config, "playbook", {k: merged.get(k) for k in ("training", "roles", "weekly_review")})
    version = _playbook_version(state, upd, merged)
    findings = {**upd.pop("findings", {}), "playbook": _dump(lint)}
    return {
        **upd,
        "playbook": out,
        "regen": [],
        "findings": findings,
        "versions": [version],
        **_merge_logs(*m.logs),
    }


def playbook_gate_data(state: WorkshopState) -> dict:
    versions = [{k: v for k, v in ver.items() if k != "content"} for ver in state.get("versions") or []]
    return {"playbook": state.get("playbook") or {}, "versions": versions}


def decide_playbook(state: WorkshopState, d: PlaybookDecision) -> tuple[Route, dict]:
    if d.action == "request_changes":
        return "again", {"regen": list(d.sections), "feedback": dict(d.sections)}
    if d.action == "approve":
        return "finish", {}
    prior = state.get("versions") or []
    previous = prior[-1]["content"] if prior else content_of(dict(state))
    if d.action == "edit":
        content, reason = previous, d.reason or "edit: " + ", ".join(d.values)
        for name, val in d.values.items():
            content = apply_section(content, name, val)  # checked before resuming: see service.check
    else:
        content = next(v["content"] for v in prior if v["n"] == d.version)
        reason = d.reason or f"rollback to v{d.version}"
    version = version_record(prior, content, by=d.by, reason=reason, at=d.at or _now(), previous=previous)
    lang = state["lang"]
    kpi_ids = [k["id"] for k in content["kpis"]]
    lint = {
        "themes": _dump(linter.lint_theme(content["theme"], lang)),
        "kpis": _dump(linter.lint_kpis(content["kpis"], lang)),
        "usecases": _dump(
            linter.lint_usecases(content["use_cases"], content["handoffs"], state["departments"], kpi_ids, lang)
        ),
        "playbook": _dump(linter.lint_playbook(content["playbook"], lang)),
    }
    # A manual change regenerates nothing: the gate is shown again with the new version.
    return "stay", {**content, "versions": [version], "findings": lint}
