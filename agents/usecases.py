"""Department use cases (one call per department) and the hand-offs between departments."""
from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge.metadata import department_of

from agents.common import Short, StageContext, StageLog, ask, cite, evidence_for, items, text
from agents.schemas import KPI, HandOff, Score, Theme, UseCase


class ScoreOut(BaseModel):
    value: int = Field(ge=1, le=5)
    reason: str = text(16, default="")


class UseCaseOut(BaseModel):
    title: str = text(20, 2)
    who: str = text(12)
    when: str = text(16)
    how: list[Short(24)] = items(3, 1)
    workflow_step: str = text(12)
    input: str = text(16)
    output: str = text(16)
    kpi_id: str
    impact: ScoreOut
    feasibility: ScoreOut
    risks: list[Short(20)] = items(1)
    evidence: list[str] = items(2)


class UseCasesOut(BaseModel):
    use_cases: list[UseCaseOut] = Field(min_length=1, json_schema_extra={"maxItems": 3})


class HandOffOut(BaseModel):
    from_department: str
    to_department: str
    what: str = text(30, 2)
    when: str = text(20)
    receiving_owner: str = text(16, default="")
    evidence: list[str] = items(2)


class HandOffsOut(BaseModel):
    handoffs: list[HandOffOut] = items(2)


def kpi_lines(kpis: list[KPI]) -> str:
    return "\n".join(f"{k.id}: {k.name}（{k.baseline} → {k.target} {k.unit}, {k.deadline}）" for k in kpis)


def use_case_lines(use_cases: list[UseCase]) -> str:
    return "\n".join(f"- [{u.department}] {u.title}: {u.input} → {u.output}" for u in use_cases)


def generate_department(ctx: StageContext, theme: Theme, kpis: list[KPI], department: str, start: int,
                        n: int = 2, feedback: str = "", pains: list[str] | None = None,
                        ) -> tuple[list[UseCase], StageLog]:
    """``pains``: what this department's own people said; it steers which of its documents are shown."""
    log = StageLog()
    queries = [f"{department} {theme.title}", f"{department} 業務 プロセス {theme.problem}"]
    queries += [f"{department} {p}" for p in (pains or [])[:2]]
    ev = evidence_for(ctx, queries, log, department=department_of(department))
    kpi_ids = [k.id for k in kpis]

    def check(out: UseCasesOut) -> list[str]:
        return [f"use case '{u.title}': kpi_id must be one of {kpi_ids}" for u in out.use_cases if u.kpi_id not in kpi_ids]

    out: UseCasesOut = ask(ctx, log, role="usecases", schema=UseCasesOut, prompt="usecases", evidence=ev,
                           feedback=feedback, check=check, enums={"kpi_id": kpi_ids}, theme=theme.title,
                           kpis=kpi_lines(kpis), department=department, n=n, max_tokens=700)
    result = []
    for i, u in enumerate(out.use_cases[:n]):
        uid = f"U{start + i}"
        citations, support = cite(ev, u.evidence, log, f"use_case[{uid}]",
                                  claim=f"{department} {u.title} {u.workflow_step} {u.input} {u.output}")
        result.append(UseCase(
            id=uid, department=department, title=u.title, who=u.who, when=u.when, how=u.how,
            workflow_step=u.workflow_step, input=u.input, output=u.output,
            kpi_id=u.kpi_id if u.kpi_id in kpi_ids else kpi_ids[0],
            impact=Score(value=u.impact.value, reason=u.impact.reason),
            feasibility=Score(value=u.feasibility.value, reason=u.feasibility.reason),
            risks=u.risks, citations=citations, support=support))
    return result, log


def generate_handoffs(ctx: StageContext, departments: list[str], use_cases: list[UseCase], feedback: str = "",
                      ) -> tuple[list[HandOff], StageLog]:
    log = StageLog()
    if len(departments) < 2:
        return [], log
    ev = evidence_for(ctx, [f"{' '.join(departments)} 引き継ぎ 連携", use_case_lines(use_cases)[:300]], log)

    def check(out: HandOffsOut) -> list[str]:
        return [f"hand-off '{h.what}': from and to must be two different departments" for h in out.handoffs
                if h.from_department == h.to_department]

    out: HandOffsOut = ask(ctx, log, role="usecases", schema=HandOffsOut, prompt="handoffs", evidence=ev,
                           feedback=feedback, check=check,
                           enums={"from_department": departments, "to_department": departments},
                           departments="、".join(departments), use_cases=use_case_lines(use_cases), max_tokens=400)
    result = []
    for h in out.handoffs:
        if h.from_department == h.to_department or {h.from_department, h.to_department} - set(departments):
            continue
        hid = f"H{len(result) + 1}"
        citations, support = cite(ev, h.evidence, log, f"handoff[{hid}]",
                                  claim=f"{h.from_department} {h.to_department} {h.what} {h.when}")
        result.append(HandOff(id=hid, from_department=h.from_department, to_department=h.to_department, what=h.what,
                              when=h.when, receiving_owner=h.receiving_owner, citations=citations, support=support))
    return result, log
