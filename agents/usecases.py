"""Department use cases (one call per department) and the hand-offs between departments."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from knowledge.metadata import department_of

from agents.common import Short, StageContext, StageLog, ask, cite, evidence_for, finding, items, text
from agents.intake import similarity
from agents.patterns import NEW, fill, kpi_for, pattern_line, risks_of
from agents.prompts import example_fields
from agents.sections import NEAR_COPY, copied_from_example, copies_document
from agents.themes import about_ai
from core.i18n import t
from agents.schemas import KPI, HandOff, Score, Theme, UseCase


class ScoreOut(BaseModel):
    value: int = Field(ge=1, le=5)
    reason: str = text(16, default="")


class UseCaseOut(BaseModel):
    pattern: str  # a candidate pattern id, or "new"
    title: str = text(20, 2)
    who: str = text(12)
    when: str = text(16)
    workflow_step: str = text(12)
    input: str = text(16)
    output: str = text(16)
    how: list[Short(24)] = items(3)  # only for "new": the pattern's steps are used otherwise
    kpi_id: str
    impact: ScoreOut
    feasibility: ScoreOut
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
                        n: int = 2, feedback: str = "", pains: list[str] | None = None, avoid: list[str] | None = None,
                        taken: list[str] | None = None) -> tuple[list[UseCase], StageLog]:
    """``pains``: what this department's own people said; it steers which of its documents and which
    library patterns are shown. ``avoid``: titles other departments' use cases already have (each
    department does its own work). ``taken``: patterns other departments already adapted."""
    log = StageLog()
    lib = ctx.catalog()
    queries = [f"{department} {theme.title}", f"{department} 業務 プロセス {theme.problem}"]
    queries += [f"{department} {p}" for p in (pains or [])[:2]]
    ev = evidence_for(ctx, queries, log, department=department_of(department))
    kpi_ids = [k.id for k in kpis]
    query = " ".join([theme.title, theme.problem, *(pains or [])[:3], *[k.name for k in kpis]])
    wanted = [k.catalog_id for k in kpis if k.catalog_id]
    candidates = [p for p in lib.pattern_candidates(department, query, ctx.lang, wanted, k=4 + len(taken or []))
                  if p.id not in (taken or [])][:4]
    by_id = {p.id: p for p in candidates}

    def check(out: UseCasesOut) -> list[str]:
        probs = [f"use case '{u.title}': kpi_id must be one of {kpi_ids}" for u in out.use_cases if u.kpi_id not in kpi_ids]
        # fields copied from the format example are repaired below (the pattern's words), not retried:
        # measured on the English demo, two retries each changed nothing and cost ~150 s
        for u in out.use_cases:
            copied = copied_from_example(f"{u.title} {u.input}", "usecases", ctx.lang)
            if copied:
                probs.append(f"use case '{u.title}' copies the format example ('{copied}'); use {department}'s own work")
        for u in out.use_cases:
            if about_ai(u.title):
                probs.append(f"use case '{u.title}': name the work and its output, not AI")
            how = [h for h in u.how if h.strip()]
            if u.pattern == NEW and len(how) < 2:
                probs.append(f"use case '{u.title}' fits no pattern: give its 3 steps in how")
            if any(similarity(h, o) >= NEAR_COPY for i, h in enumerate(how) for o in how[:i]):
                probs.append(f"use case '{u.title}': the how steps repeat each other; say what changes at each step")
        probs += [f"use case '{u.title}' is another department's ('{x}'); use {department}'s own work"
                  for u in out.use_cases for x in (avoid or []) if similarity(u.title, x) >= NEAR_COPY]
        titles = [u.title for u in out.use_cases]
        probs += [f"use cases '{a}' and '{b}' are the same; make them different workflow steps"
                  for i, a in enumerate(titles) for b in titles[:i] if similarity(a, b) >= NEAR_COPY]
        chosen = [u.pattern for u in out.use_cases if u.pattern != NEW]
        probs += [f"pattern {p} is used twice; choose a different pattern for the second use case"
                  for p in {p for p in chosen if chosen.count(p) > 1}]
        return probs

    out: UseCasesOut = ask(ctx, log, role="usecases", schema=UseCasesOut, prompt="usecases", evidence=ev,
                           feedback=feedback, check=check, enums={"kpi_id": kpi_ids, "pattern": [*by_id, NEW]},
                           theme=theme.title, kpis=kpi_lines(kpis), department=department, n=n,
                           patterns="\n".join(pattern_line(p, lib, ctx.lang, kpis) for p in candidates) or "-",
                           max_tokens=600)
    result = []
    documents = [p.text for p in ev.passages.values()]
    for i, u in enumerate(out.use_cases[:n]):
        uid = f"U{start + i}"
        pat = by_id.get(u.pattern)
        u = repair_example_copies(u, pat, ctx.lang, log, f"U{start + i}")
        if pat is not None and copies_document(u.input, documents, min_len=12):
            # an input names an artefact (「見積依頼メール」), not a document's sentence about the work
            log.findings.append(finding("input_is_output", "usecases", f"U{start + i}", ctx.lang,
                                        f"{u.input[:30]} → {pat.text(ctx.lang).input}", severity="info"))
            u = u.model_copy(update={"input": pat.text(ctx.lang).input})
        if pat is not None and similarity(u.input, u.output) >= NEAR_COPY:
            # 「受注時の引き継ぎシート → 受注後の引き継ぎシート」: the input is what the work starts from
            log.findings.append(finding("input_is_output", "usecases", f"U{start + i}", ctx.lang,
                                        f"{u.input} → {pat.text(ctx.lang).input}", severity="info"))
            u = u.model_copy(update={"input": pat.text(ctx.lang).input})
        citations, support = cite(ev, u.evidence, log, f"use_case[{uid}]",
                                  claim=f"{department} {u.title} {u.workflow_step} {u.input} {u.output}")
        kpi_id = u.kpi_id if u.kpi_id in kpi_ids else kpi_ids[0]
        uc = UseCase(
            id=uid, department=department, title=u.title, who=u.who, when=u.when, how=list(u.how),
            workflow_step=u.workflow_step, input=u.input, output=u.output, kpi_id=kpi_id,
            impact=Score(value=u.impact.value, reason=u.impact.reason),
            feasibility=Score(value=u.feasibility.value, reason=u.feasibility.reason),
            citations=citations, support=support, pattern=pat.id if pat else NEW)
        if pat is not None:
            moved = kpi_for(pat, kpi_id, kpis)
            if moved != kpi_id:
                log.findings.append(finding("kpi_from_pattern", "usecases", uid, ctx.lang, f"{kpi_id} → {moved}",
                                            severity="info"))
            x = pat.text(ctx.lang)
            uc = uc.model_copy(update={"how": [fill(s, uc) for s in x.steps], "risks": risks_of(pat, ctx.lang),
                                       "kpi_id": moved})
        result.append(uc)
    return result, log


def example_copies(u: UseCaseOut, lang: str) -> dict[str, str]:
    """Fields that repeat the format example's value for the same field (「作業計画」「台帳が紙」)."""
    ex = example_fields("usecases", lang)
    values = {"title": u.title, "who": u.who, "when": u.when, "workflow_step": u.workflow_step, "input": u.input,
              "output": u.output, "impact.reason": u.impact.reason, "feasibility.reason": u.feasibility.reason}
    return {f: v for f, v in values.items() if v and f in ex and similarity(v, ex[f]) >= 0.8}


def repair_example_copies(u: UseCaseOut, pat, lang: str, log: StageLog, uid: str) -> UseCaseOut:
    """What survived the retry: the pattern's words where there is a pattern, else the field is emptied
    (a reason) or left to the reviewer with a finding."""
    copies = example_copies(u, lang)
    if not copies:
        return u
    x = pat.text(lang) if pat is not None else None
    update: dict = {}
    for f in copies:
        if f in ("impact.reason", "feasibility.reason"):
            key = f.split(".")[0]
            update[key] = getattr(u, key).model_copy(update={"reason": ""})
        elif x is not None:
            update[f] = {"workflow_step": x.step}.get(f, getattr(x, f, getattr(u, f)))
    log.findings.append(finding("example_copied", "usecases", uid, lang, ", ".join(copies)))
    return u.model_copy(update=update)


_AI_PREFIX = re.compile(r"^\s*(?:生成\s*AI|AI)\s*(?:による|を使った|を活用した|を使って|で|が)\s*|^\s*AI[- ](?:powered|driven|based|assisted)\s+",
                        re.I)


def work_title(title: str) -> str:
    """「AIによる顧客評価」→「顧客評価」: a use case is named by its work, not by the tool."""
    rest = _AI_PREFIX.sub("", title).strip()
    return rest[:1].upper() + rest[1:] if rest and rest[0].isascii() else (rest or title)


def repeats_title(what: str, title: str) -> bool:
    """A hand-off that is a use case's title (not a short artefact name that appears inside one). A
    use case's output is an artefact even when the title is named after it: callers accept it."""
    return similarity(what, title) >= NEAR_COPY and len(what) >= 0.6 * len(title)


def tidy_use_cases(ucs: list[UseCase], departments: list[str], lang: str, log: StageLog) -> list[UseCase]:
    """No two near-identical use cases (the later goes, unless it is its department's only one), and
    each actor belongs to the use case's own department."""
    kept: list[UseCase] = []
    for u in ucs:
        if work_title(u.title) != u.title:
            log.findings.append(finding("use_case_retitled", "usecases", u.id, lang,
                                        f"{u.title} → {work_title(u.title)}", severity="info"))
            u = u.model_copy(update={"title": work_title(u.title)})
        twin = next((k for k in kept if similarity(f"{u.title} {u.workflow_step}", f"{k.title} {k.workflow_step}")
                     >= NEAR_COPY), None)
        alone = sum(x.department == u.department for x in ucs) == 1
        if twin is not None:
            log.findings.append(finding("duplicate_use_case", "usecases", u.id, lang, f"{u.title} ≈ {twin.title}"))
            if not alone:  # a department's only use case stays (flagged): dropping it would leave the department out
                continue
        others = [d for d in departments if d != u.department and d and d in u.who]
        if others and u.department not in u.who:
            who = t("doc.actor_of", lang, department=u.department)
            log.findings.append(finding("actor_repaired", "usecases", u.id, lang, f"{u.who} → {who}", severity="info"))
            u = u.model_copy(update={"who": who})
        if u.pattern and u.pattern != "new":  # a pattern's steps are curated: kept as they are
            kept.append(u)
            continue
        how = [h for i, h in enumerate(u.how) if all(similarity(h, o) < NEAR_COPY for o in u.how[:i])]
        kept.append(u.model_copy(update={"how": how}) if len(how) < len(u.how) else u)
    return kept


def generate_handoffs(ctx: StageContext, departments: list[str], use_cases: list[UseCase], feedback: str = "",
                      ) -> tuple[list[HandOff], StageLog]:
    log = StageLog()
    if len(departments) < 2:
        return [], log
    ev = evidence_for(ctx, [f"{' '.join(departments)} 引き継ぎ 連携", use_case_lines(use_cases)[:300]], log)

    titles = [u.title for u in use_cases]

    def check(out: HandOffsOut) -> list[str]:
        probs = [f"hand-off '{h.what}': from and to must be two different departments" for h in out.handoffs
                 if h.from_department == h.to_department]
        # a hand-off that repeats a use-case title is repaired below (the sender's output), not retried
        return probs

    out: HandOffsOut = ask(ctx, log, role="usecases", schema=HandOffsOut, prompt="handoffs", evidence=ev,
                           feedback=feedback, check=check,
                           enums={"from_department": departments, "to_department": departments},
                           departments="、".join(departments), use_cases=use_case_lines(use_cases), max_tokens=400)
    result = []
    for h in out.handoffs:
        if h.from_department == h.to_department or {h.from_department, h.to_department} - set(departments):
            continue
        hid = f"H{len(result) + 1}"
        what = h.what
        outputs = [u.output for u in use_cases]
        if what not in outputs and any(repeats_title(what, x) for x in titles):
            sender = next((u for u in use_cases if u.department == h.from_department), None)
            if sender is not None and sender.output:
                log.findings.append(finding("handoff_artifact_repaired", "usecases", hid, ctx.lang,
                                            f"{what} → {sender.output}", severity="info"))
                what = sender.output
        when = h.when
        if "→" in when or any(similarity(when, f"{u.input} → {u.output}") >= NEAR_COPY for u in use_cases):
            # the model copied a use case's "input → output" line into when: the sender's own trigger
            sender = next((u for u in use_cases if u.department == h.from_department), None)
            when = sender.when if sender is not None else ""
        citations, support = cite(ev, h.evidence, log, f"handoff[{hid}]",
                                  claim=f"{h.from_department} {h.to_department} {h.what} {h.when}")
        result.append(HandOff(id=hid, from_department=h.from_department, to_department=h.to_department, what=what,
                              when=when, receiving_owner=h.receiving_owner, citations=citations, support=support))
    return result, log
