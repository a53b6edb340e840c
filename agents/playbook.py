"""The 型 playbook, one section per call, so a reviewer can send back one section alone.

Roles and the 30/60/90-day roll-out are derived in code from the approved KPIs and priorities; the
model rewrites them only when someone asks for changes to them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel

from katachi.agents import sections
from katachi.agents.common import Made, StageContext, StageLog, ask, cap, cite, evidence_for, items, text
from katachi.agents.glossary import build as glossary_from_documents
from katachi.agents.grounding import Evidence
from katachi.agents.patterns import NEW, procedure_from
from katachi.agents.schemas import (
    KPI,
    GlossaryTerm,
    HandOff,
    Procedure,
    Roles,
    RolloutPhase,
    Theme,
    TrainingItem,
    UseCase,
    WeeklyReview,
)
from katachi.agents.targets import target_words
from katachi.agents.usecases import kpi_lines, use_case_lines
from katachi.core.i18n import t
from katachi.knowledge.metadata import department_of

_PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")


class ProcedureOut(BaseModel):
    title: str = text(20, 2)
    steps: list[Annotated[str, cap(30)]] = items(6, 4)
    prompt_template: str = text(100, 10)
    evidence: list[str] = items(2)


class WeeklyReviewOut(BaseModel):
    cadence: str = text(20, 2)
    attendees: list[Annotated[str, cap(12)]] = items(4, 1)
    inputs: list[Annotated[str, cap(20)]] = items(3, 1)
    agenda: list[Annotated[str, cap(20)]] = items(4, 2)
    decision_rules: list[Annotated[str, cap(30)]] = items(3, 1)
    exec_ai_hour: str = text(40, default="")


class TermOut(BaseModel):
    term: str = text(10)
    definition: str = text(30)
    used_by: str = text(12)


class GlossaryOut(BaseModel):
    terms: list[TermOut] = items(5, 3)


class SessionOut(BaseModel):
    session: str = text(16)
    audience: str = text(12)
    teaches: str = text(24)
    format: str = text(16)


class TrainingOut(BaseModel):
    sessions: list[SessionOut] = items(3, 2)


class RolesOut(BaseModel):
    executive_sponsor: str = text(20)
    owners: list[Annotated[str, cap(40)]] = items(6, 1)


class PhaseOut(BaseModel):
    days: Literal[30, 60, 90]
    goals: list[Annotated[str, cap(40)]] = items(4, 1)


class RolloutOut(BaseModel):
    phases: list[PhaseOut] = items(3, 3)


NO_EVIDENCE = Evidence()
_STEP_MARK = re.compile(r"^\s*(?:\d+[.)．、]|[-*・•]|\(\d+\)|ステップ\s*\d+[:：]?|step\s*\d+[:.]?)\s*", re.I)


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(x.strip() for x in items if x and x.strip()))


def clean_step(step: str) -> str:
    """Steps are numbered by the renderer: drop the model's own numbers, bullets and bold marks."""
    s = step.replace("**", "").strip()
    while _STEP_MARK.match(s):
        s = _STEP_MARK.sub("", s, count=1).strip()
    return s


def procedure(
    ctx: StageContext,
    uc: UseCase,
    feedback: str = "",
    current: Procedure | None = None,
) -> Made[Procedure]:
    """A use case adapted from a library pattern gets the pattern's procedure in its own words, with no
    model call; the model writes only a procedure for a ``new`` use case, or rewrites one a reviewer
    sent back (starting from the current steps, not from zero)."""
    log = StageLog()
    pat = ctx.catalog().patterns.get(uc.pattern) if uc.pattern and uc.pattern != NEW else None
    if pat is not None and not feedback.strip():
        return procedure_from(pat, uc, ctx.lang), log
    ev = evidence_for(
        ctx, [f"{uc.department} {uc.workflow_step} {uc.title}"], log, department=department_of(uc.department)
    )

    documents = [p.text for p in ev.passages.values()]

    def check(out: ProcedureOut) -> list[str]:
        steps = unique([clean_step(x) for x in out.steps])
        return sections.procedure_problems(out.title, steps, out.prompt_template, uc, ctx.lang, documents)

    desc = (
        f"{uc.title}（{uc.department}）/ who: {uc.who} / when: {uc.when} / how: {' → '.join(uc.how)} / "
        f"{uc.input} → {uc.output}"
    )
    start = current or (procedure_from(pat, uc, ctx.lang) if pat is not None else None)
    if start is not None:
        desc += f" / current steps: {' → '.join(start.steps)} / current template: {start.prompt_template}"
    out: ProcedureOut = ask(
        ctx,
        log,
        role="playbook",
        schema=ProcedureOut,
        prompt="procedure",
        evidence=ev,
        feedback=feedback,
        check=check,
        use_case=desc,
        max_tokens=500,
    )
    citations, support = cite(
        ev, out.evidence, log, f"procedure[{uc.id}]", claim=f"{out.title} {' '.join(out.steps)} {desc}"
    )
    found = list(dict.fromkeys(m.strip() for m in _PLACEHOLDER.findall(out.prompt_template)))
    steps = unique([clean_step(x) for x in out.steps])
    notes = {k: v for k, v in (start.placeholder_notes if start else {}).items() if k in found}
    proc = Procedure(
        use_case_id=uc.id,
        title=out.title,
        steps=steps,
        prompt_template=out.prompt_template,
        placeholders=found,
        citations=citations,
        support=support,
        pattern=pat.id if pat is not None else NEW,
        placeholder_notes=notes,
    )
    return sections.repair_procedure(proc, uc, ctx.lang, log, documents), log


def weekly_review(
    ctx: StageContext,
    theme: Theme,
    kpis: list[KPI],
    ucs: list[UseCase],
    feedback: str = "",
) -> Made[WeeklyReview]:
    log = StageLog()
    if not feedback.strip():  # the method's weekly review filled with this workshop's KPIs and owners
        return method_weekly_review(ctx.catalog(), kpis, ucs, ctx.lang), log
    owners = [k.owner for k in kpis]

    def check(out: WeeklyReviewOut) -> list[str]:
        joined = " ".join(out.attendees)
        probs = [] if any(o and o in joined for o in owners) else [f"attendees must include the KPI owners {owners}"]
        return probs + sections.review_problems(out.cadence, list(out.decision_rules), kpis)

    out: WeeklyReviewOut = ask(
        ctx,
        log,
        role="playbook",
        schema=WeeklyReviewOut,
        prompt="weekly_review",
        evidence=NO_EVIDENCE,
        feedback=feedback,
        check=check,
        theme=theme.title,
        kpis=kpi_lines(kpis),
        use_cases=use_case_lines(ucs),
        max_tokens=450,
    )
    attendees = list(out.attendees) + [o for o in owners if o and o not in " ".join(out.attendees)]
    data: dict[str, Any] = {k: (unique(v) if isinstance(v, list) else v) for k, v in out.model_dump().items()}
    return sections.repair_review(WeeklyReview(**{**data, "attendees": unique(attendees)}), kpis, ctx.lang, log), log


def glossary(
    ctx: StageContext,
    theme: Theme,
    kpis: list[KPI],
    ucs: list[UseCase],
    feedback: str = "",
) -> Made[list[GlossaryTerm]]:
    text = " ".join(
        [theme.title, theme.problem, theme.outcome]
        + [f"{k.name} {k.method}" for k in kpis]
        + [f"{u.title} {u.workflow_step} {u.input} {u.output} {' '.join(u.how)}" for u in ucs]
    )
    if not feedback.strip():  # the company's own definitions and the method's words, no model call
        return glossary_from_documents(ctx, theme, kpis, ucs, text)
    log = StageLog()

    def check(out: GlossaryOut) -> list[str]:
        return sections.glossary_problems([x.term for x in out.terms], text)

    out: GlossaryOut = ask(
        ctx,
        log,
        role="playbook",
        schema=GlossaryOut,
        prompt="glossary",
        evidence=NO_EVIDENCE,
        feedback=feedback,
        check=check,
        theme=theme.title,
        kpis=kpi_lines(kpis),
        use_cases=use_case_lines(ucs),
        max_tokens=450,
    )
    terms: dict[str, GlossaryTerm] = {}
    for x in out.terms:
        terms.setdefault(
            x.term.strip(),
            GlossaryTerm(term=x.term.strip(), definition=x.definition, used_by=x.used_by, origin="model"),
        )
    return sections.repair_glossary(list(terms.values()), text, ctx.lang, log), log


def training(
    ctx: StageContext, theme: Theme, procedures: list[Procedure], feedback: str = "", ucs: list[UseCase] | None = None
) -> Made[list[TrainingItem]]:
    log = StageLog()
    if not feedback.strip():  # one session per audience, one per 型 for the people who run it
        return method_training(ctx.catalog(), procedures, ucs or [], ctx.lang), log
    out: TrainingOut = ask(
        ctx,
        log,
        role="playbook",
        schema=TrainingOut,
        prompt="training",
        evidence=NO_EVIDENCE,
        feedback=feedback,
        theme=theme.title,
        procedures="\n".join(f"- {p.title}" for p in procedures),
        max_tokens=400,
    )
    seen: set[tuple[str, str]] = set()
    sessions = []
    for x in out.sessions:  # a small model repeats itself: one session per (title, what it teaches)
        key = (x.session.strip(), x.teaches.strip())
        if key not in seen:
            seen.add(key)
            sessions.append(TrainingItem(**x.model_dump()))
    return sessions, log


def default_roles(kpis: list[KPI], ucs: list[UseCase], handoffs: list[HandOff], lang: str) -> Roles:
    sponsor = kpis[0].owner if kpis else t("doc.default_sponsor", lang)
    owners = [f"{k.owner}: {k.name}" for k in kpis[1:]]
    owners += [f"{u.who}（{u.department}）: {u.title}" for u in ucs]
    owners += [f"{h.receiving_owner}: {h.what}" for h in handoffs if h.receiving_owner]
    return Roles(executive_sponsor=sponsor, owners=list(dict.fromkeys(owners)))


def default_rollout(ucs: list[UseCase], kpis: list[KPI], lang: str) -> list[RolloutPhase]:
    ranked = sorted(ucs, key=lambda u: -u.priority)
    by_dept: dict[str, UseCase] = {}
    for u in ranked:
        by_dept.setdefault(u.department, u)
    pilots = list(by_dept.values())
    rest = [u for u in ranked if u not in pilots]
    p30 = [t("doc.rollout_pilot", lang, title=u.title, department=u.department) for u in pilots]
    p30 += [t("doc.rollout_baselines", lang)]
    p60 = [t("doc.rollout_extend", lang, title=u.title, department=u.department) for u in rest]
    p60 += [t("doc.rollout_revise", lang)]
    p90 = [t("doc.rollout_spread", lang)]
    p90 += [t("doc.rollout_judge", lang, name=k.name, target=target_words(k.target, k.unit, lang)) for k in kpis]
    return [RolloutPhase(days=30, goals=p30), RolloutPhase(days=60, goals=p60), RolloutPhase(days=90, goals=p90)]


def rewrite_roles(ctx: StageContext, current: Roles, kpis: list[KPI], feedback: str) -> Made[Roles]:
    log = StageLog()
    out: RolesOut = ask(
        ctx,
        log,
        role="playbook",
        schema=RolesOut,
        prompt="roles",
        evidence=NO_EVIDENCE,
        feedback=feedback,
        current=current.model_dump_json(),
        kpis=kpi_lines(kpis),
        max_tokens=300,
    )
    return Roles(executive_sponsor=out.executive_sponsor, owners=list(out.owners)), log


def rewrite_rollout(
    ctx: StageContext,
    current: list[RolloutPhase],
    ucs: list[UseCase],
    feedback: str,
) -> Made[list[RolloutPhase]]:
    log = StageLog()

    def check(out: RolloutOut) -> list[str]:
        return [] if sorted(p.days for p in out.phases) == [30, 60, 90] else ["phases must be days 30, 60 and 90"]

    out: RolloutOut = ask(
        ctx,
        log,
        role="playbook",
        schema=RolloutOut,
        prompt="rollout",
        evidence=NO_EVIDENCE,
        feedback=feedback,
        check=check,
        current="\n".join(f"{p.days}: {'; '.join(p.goals)}" for p in current),
        use_cases=use_case_lines(ucs),
        max_tokens=400,
    )
    return [RolloutPhase(days=p.days, goals=list(p.goals)) for p in sorted(out.phases, key=lambda p: p.days)], log


# -- the method's fixed forms, filled with this workshop's KPIs, owners and 型 -------------------------------
def method_weekly_review(lib, kpis: list[KPI], ucs: list[UseCase], lang: str) -> WeeklyReview:
    """The method's weekly KPI / PDCA review (the library's ``method.yaml``) with this workshop's KPIs and
    owners filled in: the model is not asked, since the form is the method's own."""
    m = lib.method.weekly_review.ja if lang == "ja" else lib.method.weekly_review.en
    heads = [m.attendee_head.format(department=d) for d in dict.fromkeys(u.department for u in ucs)]
    attendees = list(dict.fromkeys([k.owner for k in kpis if k.owner] + heads))
    rules = [t("doc.rule_target", lang, name=k.name, target=target_words(k.target, k.unit, lang)) for k in kpis] + list(
        m.rules
    )
    return WeeklyReview(
        cadence=m.cadence,
        attendees=attendees,
        inputs=list(m.inputs),
        agenda=list(m.agenda),
        decision_rules=rules,
        exec_ai_hour=m.exec_ai_hour,
    )


def method_training(lib, procedures: list[Procedure], ucs: list[UseCase], lang: str) -> list[TrainingItem]:
    """One session for executives, one for department heads, one per 型 for the people who run it."""
    by_id = {u.id: u for u in ucs}
    out: list[TrainingItem] = []
    for tpl in lib.method.training:
        x = tpl.ja if lang == "ja" else tpl.en
        if "{title}" not in x.session:
            out.append(TrainingItem(session=x.session, audience=x.audience, teaches=x.teaches, format=x.format))
            continue
        for p in procedures:
            u = by_id.get(p.use_case_id)
            who = f"{u.who}（{u.department}）" if u else ""
            out.append(
                TrainingItem(
                    session=x.session.format(title=p.title),
                    audience=x.audience.format(who=who),
                    teaches=x.teaches.format(title=p.title),
                    format=x.format,
                )
            )
    return out
