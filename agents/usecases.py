"""Department use cases (one call per department) and the hand-offs between departments."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, Field

from katachi.agents.common import Made, StageContext, StageLog, ask, cap, cite, evidence_for, finding, items, text
from katachi.agents.grounding import Evidence
from katachi.agents.intake import similarity
from katachi.agents.patterns import NEW, fill, kpi_for, pattern_line, risks_of
from katachi.agents.schemas import KPI, HandOff, PainPoint, Score, Theme, UseCase
from katachi.agents.sections import NEAR_COPY
from katachi.agents.slots import check_slots, loops
from katachi.agents.targets import amount
from katachi.agents.themes import about_ai
from katachi.core.i18n import t
from katachi.knowledge.library.catalog import Library
from katachi.knowledge.library.schema import Pattern
from katachi.knowledge.metadata import department_of


class ScoreOut(BaseModel):
    value: int = Field(ge=1, le=5)


class UseCaseOut(BaseModel):
    pattern: str  # a candidate pattern id ("new" only when the library offers none)
    title: str = text(20, 2)
    who: str = text(12)
    when: str = text(16)
    workflow_step: str = text(12)
    input: str = text(16)
    output: str = text(16)
    how: list[Annotated[str, cap(24)]] = items(3)  # only for "new": the pattern's steps are used otherwise
    kpi_id: str
    impact: ScoreOut
    feasibility: ScoreOut
    evidence: list[str] = items(2)


class UseCasesOut(BaseModel):
    use_cases: list[UseCaseOut] = Field(min_length=1, json_schema_extra={"maxItems": 3})


class HandOffOut(BaseModel):
    from_department: str
    to_department: str
    use_case: str  # the sending department's use case whose output is handed over
    evidence: list[str] = items(2)


class HandOffsOut(BaseModel):
    handoffs: list[HandOffOut] = items(2)


def kpi_lines(kpis: list[KPI]) -> str:
    return "\n".join(f"{k.id}: {k.name}（{k.baseline} → {k.target} {k.unit}, {k.deadline}）" for k in kpis)


def use_case_lines(use_cases: list[UseCase]) -> str:
    return "\n".join(f"- [{u.department}] {u.title}: {u.input} → {u.output}" for u in use_cases)


def department_pains(department: str, points: list[PainPoint], kpis: list[KPI], lib, function: str | None) -> list[str]:
    """What hurts in this department: the pain points its people raised, those that name it, and those
    measured by a KPI of its function (「経費精算の問い合わせが総務に集中」 is 総務's)."""
    measured = {
        p
        for k in kpis
        if k.catalog_id in lib.kpis and function in lib.kpis[k.catalog_id].functions
        for p in k.pain_points
    }
    name = department.removesuffix("部").removesuffix("課")
    return [p.text for p in points if p.department == department or (name and name in p.text) or p.id in measured]


def use_case_problems(out: UseCasesOut, kpi_ids: list[str], avoid: list[str], department: str) -> list[str]:
    """What is named back to the model: a KPI or pattern it may not use, AI as the title, a new use case
    without steps, steps or use cases that repeat each other, another department's work. A slot that
    loops, copies the format example, names a department as its actor or a stage as its input is repaired
    from the pattern's words (agents.slots), not retried: measured on the English demo, two retries each
    changed nothing and cost ~150 s."""
    probs = [f"use case '{u.title}': kpi_id must be one of {kpi_ids}" for u in out.use_cases if u.kpi_id not in kpi_ids]
    for u in out.use_cases:
        if about_ai(u.title):
            probs.append(f"use case '{u.title}': name the work and its output, not AI")
        how = [h for h in u.how if h.strip()]
        if u.pattern == NEW and len(how) < 2:
            probs.append(f"use case '{u.title}' fits no pattern: give its 3 steps in how")
        if any(similarity(h, o) >= NEAR_COPY for i, h in enumerate(how) for o in how[:i]):
            probs.append(f"use case '{u.title}': the how steps repeat each other; say what changes at each step")
    probs += [
        f"use case '{u.title}' is another department's ('{x}'); use {department}'s own work"
        for u in out.use_cases
        for x in avoid
        if similarity(u.title, x) >= NEAR_COPY
    ]
    titles = [u.title for u in out.use_cases]
    probs += [
        f"use cases '{a}' and '{b}' are the same; make them different workflow steps"
        for i, a in enumerate(titles)
        for b in titles[:i]
        if similarity(a, b) >= NEAR_COPY
    ]
    chosen = [u.pattern for u in out.use_cases if u.pattern != NEW]
    return probs + [
        f"pattern {p} is used twice; choose a different pattern for the second use case"
        for p in {p for p in chosen if chosen.count(p) > 1}
    ]


def generate_department(
    ctx: StageContext,
    theme: Theme,
    kpis: list[KPI],
    department: str,
    start: int,
    n: int = 2,
    feedback: str = "",
    pains: list[str] | None = None,
    avoid: list[str] | None = None,
    taken: list[str] | None = None,
    departments: list[str] | None = None,
    points: dict[str, str] | None = None,
) -> Made[list[UseCase]]:
    """``pains``: what this department's own people said; it steers which of its documents and which
    library patterns are shown. ``avoid``: titles other departments' use cases already have (each
    department does its own work). ``taken``: patterns other departments already adapted.
    ``departments``: the workshop's (no use case names one of them as its actor); ``points``: pain
    point id → text (a reason quotes what was said)."""
    log = StageLog()
    lib = ctx.catalog()
    queries = [f"{department} {theme.title}", f"{department} 業務 プロセス {theme.problem}"]
    queries += [f"{department} {p}" for p in (pains or [])[:2]]
    ev = evidence_for(ctx, queries, log, department=department_of(department))
    candidates = _pattern_candidates(ctx, lib, theme, kpis, department, pains or [], taken or [])
    by_id = {p.id: p for p in candidates}
    out = _ask_use_cases(ctx, log, ev, lib, theme, kpis, department, n, feedback, avoid or [], candidates)
    documents = " ".join(p.text for p in ev.passages.values())
    said = " ".join([*(pains or []), documents])
    result = [
        _use_case(
            ctx,
            u,
            f"U{start + i}",
            by_id.get(u.pattern),
            kpis,
            department,
            departments or [department],
            ev,
            documents,
            said,
            pains or [],
            points or {},
            log,
        )
        for i, u in enumerate(out.use_cases[:n])
    ]
    return result, log


def _pattern_candidates(
    ctx: StageContext, lib: Library, theme: Theme, kpis: list[KPI], department: str, pains: list[str], taken: list[str]
) -> list[Pattern]:
    """The library patterns offered to the department: up to 4 closest to the theme, its pains and KPIs,
    none that another department already adapted."""
    query = " ".join([theme.title, theme.problem, *pains[:3], *[k.name for k in kpis]])
    wanted = [k.catalog_id for k in kpis if k.catalog_id]
    return [
        p
        for p in lib.pattern_candidates(
            department, query, ctx.lang, wanted, k=4 + len(taken), function=ctx.function_of(department)
        )
        if p.id not in taken
    ][:4]


def _ask_use_cases(
    ctx: StageContext,
    log: StageLog,
    ev: Evidence,
    lib: Library,
    theme: Theme,
    kpis: list[KPI],
    department: str,
    n: int,
    feedback: str,
    avoid: list[str],
    candidates: list[Pattern],
) -> UseCasesOut:
    """The model picks a pattern and a KPI for each of the department's use cases and writes its slots."""
    kpi_ids = [k.id for k in kpis]
    return ask(
        ctx,
        log,
        role="usecases",
        schema=UseCasesOut,
        prompt="usecases",
        evidence=ev,
        feedback=feedback,
        check=lambda o: use_case_problems(o, kpi_ids, avoid, department),
        enums={"kpi_id": kpi_ids, "pattern": list(dict.fromkeys(p.id for p in candidates)) or [NEW]},
        theme=theme.title,
        kpis=kpi_lines(kpis),
        department=department,
        n=n,
        patterns="\n".join(pattern_line(p, lib, ctx.lang, kpis) for p in candidates) or "-",
        max_tokens=450,
    )


def _use_case(
    ctx: StageContext,
    u: UseCaseOut,
    uid: str,
    pat,
    kpis: list[KPI],
    department: str,
    departments: list[str],
    ev,
    documents: str,
    said: str,
    pains: list[str],
    points: dict[str, str],
    log: StageLog,
) -> UseCase:
    """One use case written from the model's pick: slots checked, its KPI, reasons in the room's terms,
    the pattern's steps and risks."""
    kpi_ids = [k.id for k in kpis]
    u = _checked(u, pat, department, departments, documents, said, ctx.lang, log, uid)
    citations, support = cite(
        ev, u.evidence, log, f"use_case[{uid}]", claim=f"{department} {u.title} {u.workflow_step} {u.input} {u.output}"
    )
    work = " ".join([u.title, u.input, u.output, pat.text(ctx.lang).title if pat else ""])
    kpi_id = _kpi_of(
        u.kpi_id if u.kpi_id in kpi_ids else kpi_ids[0],
        pat,
        kpis,
        ctx.function_of(department),
        ctx.catalog(),
        pains,
        work,
        points,
    )
    if kpi_id != u.kpi_id and u.kpi_id in kpi_ids:
        log.findings.append(
            finding("kpi_from_pattern", "usecases", uid, ctx.lang, f"{u.kpi_id} → {kpi_id}", severity="info")
        )
    kpi = next(k for k in kpis if k.id == kpi_id)
    uc = UseCase(
        id=uid,
        department=department,
        title=u.title,
        who=u.who,
        when=u.when,
        how=list(u.how),
        workflow_step=u.workflow_step,
        input=u.input,
        output=u.output,
        kpi_id=kpi_id,
        impact=Score(value=u.impact.value, reason=impact_reason(kpi, pains, points, ctx.lang)),
        feasibility=Score(value=u.feasibility.value, reason=feasibility_reason(pat, ctx.lang)),
        citations=citations,
        support=support,
        pattern=pat.id if pat else NEW,
    )
    return _with_steps(uc, pat, ctx.lang, log) if pat is not None else uc


def _with_steps(uc: UseCase, pat, lang: str, log: StageLog) -> UseCase:
    """The pattern's steps in the use case's words; where a slot's words loop once placed in a step
    ("… puts the variance explanations for the management meeting in the management meeting pack"), that
    slot takes the pattern's own words."""
    x = pat.text(lang)
    steps = [fill(s, uc) for s in x.steps]
    if any(loops(s, lang) for s in steps):
        words = {"who": x.who, "when": x.when, "input": x.input, "output": x.output}
        uc = uc.model_copy(update=words)
        log.findings.append(
            finding("slot_repaired", "usecases", uc.id, lang, ", ".join(words.values())[:80], severity="info")
        )
        steps = [fill(s, uc) for s in x.steps]
    return uc.model_copy(update={"how": steps, "risks": risks_of(pat, lang)})


def _checked(
    u: UseCaseOut,
    pat,
    department: str,
    departments: list[str],
    documents: str,
    said: str,
    lang: str,
    log: StageLog,
    uid: str,
) -> UseCaseOut:
    """Each slot checked on its own (agents.slots); a failing one takes the pattern's words, said in a finding."""
    if pat is None:
        return u
    x = pat.text(lang)
    words = {
        "title": x.title,
        "who": x.who,
        "when": x.when,
        "workflow_step": x.step,
        "input": x.input,
        "output": x.output,
    }
    values = {f: getattr(u, f) for f in words}
    fixed, failed = check_slots(values, words, department, departments, documents, said, lang)
    if not failed:
        return u
    log.findings.append(
        finding(
            "slot_repaired",
            "usecases",
            uid,
            lang,
            ", ".join(f"{f}: {values[f][:24]} → {fixed[f]}" for f, _ in failed),
            severity="info",
        )
    )
    return u.model_copy(update=fixed)


def _kpi_of(
    chosen: str,
    pat,
    kpis: list[KPI],
    function: str | None,
    lib,
    pains: list[str],
    work: str = "",
    points: dict[str, str] | None = None,
) -> str:
    """The workshop KPI a use case moves: the pattern's own KPI among the workshop's; else the KPI whose
    pain points speak of the same work (a variance commentary moves the KPI of 「予実の差異の理由を聞いて回る」,
    not onboarding time); else one that measures this department's own pain points or its function's
    work; else the model's choice."""
    if pat is not None:
        moved = kpi_for(pat, chosen, kpis)
        if moved != chosen or any(k.id == chosen and k.catalog_id in pat.kpis for k in kpis):
            return moved
    if work:
        from katachi.knowledge.library.catalog import content_words

        mine_words = content_words(work)
        shared = [
            (
                len(
                    mine_words & content_words(" ".join([k.name, *[(points or {}).get(p, "") for p in k.pain_points]]))
                ),
                k.id,
            )
            for k in kpis
        ]
        best = max(shared, default=(0, ""))
        if best[0] >= 2:
            return best[1]
    own = [k.id for k in kpis if k.said and any(k.said in p for p in pains)]
    own += [k.id for k in kpis if k.catalog_id and function in lib.kpis[k.catalog_id].functions]
    mine = next((k for k in kpis if k.id == chosen), None)
    if mine is not None and (mine.id in own or not own):
        return chosen
    return own[0] if own else chosen


def impact_reason(kpi: KPI, pains: list[str], points: dict[str, str], lang: str) -> str:
    """Why it matters, in the participants' terms: the KPI it moves and their number, else their words."""
    if kpi.said:
        return t("kpi.impact_reason", lang, name=kpi.name, now=amount(kpi.baseline, kpi.unit, lang), said=kpi.said)
    pain = next((points[p] for p in kpi.pain_points if p in points), pains[0] if pains else "")
    said = first_clause(pain, lang)
    if not said or said.lower()[:20] in kpi.name.lower():  # the room's own measure already says it in their words
        return t("kpi.impact_reason_name", lang, name=kpi.name)
    return t("kpi.impact_reason_unmeasured", lang, name=kpi.name, pain=said)


def first_clause(text: str, lang: str, cap: int = 50) -> str:
    """What a participant said, as much of it as reads well in a reason: the whole sentence when short,
    else its clauses up to ``cap`` characters (ja) or a third of that in words (en); never cut mid-word."""
    text = text.strip().rstrip("。.")
    if (len(text) if lang == "ja" else len(text.split()) * 3) <= cap:
        return text
    parts = re.split(r"(?<=[、,;])\s*|\s(?=so\b|because\b|but\b)", text)
    out = parts[0]
    for p in parts[1:]:
        if (len(out + p) if lang == "ja" else len((out + " " + p).split()) * 3) > cap:
            break
        out = out + p if lang == "ja" else f"{out} {p}"
    return out.rstrip("、,; ")


def feasibility_reason(pat, lang: str) -> str:
    """What it needs before it works: the pattern's prerequisites (the library's ``needs``)."""
    if pat is None or not pat.text(lang).needs:
        return t("kpi.feasibility_reason_none", lang)
    return t("kpi.feasibility_reason", lang, needs=("、" if lang == "ja" else ", ").join(pat.text(lang).needs[:2]))


_AI_PREFIX = re.compile(
    r"^\s*(?:生成\s*AI|AI)\s*(?:による|を使った|を活用した|を使って|で|が)\s*"
    r"|^\s*AI[- ](?:powered|driven|based|assisted)\s+",
    re.I,
)


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
            log.findings.append(
                finding(
                    "use_case_retitled", "usecases", u.id, lang, f"{u.title} → {work_title(u.title)}", severity="info"
                )
            )
            u = u.model_copy(update={"title": work_title(u.title)})
        twin = next(
            (
                k
                for k in kept
                if similarity(f"{u.title} {u.workflow_step}", f"{k.title} {k.workflow_step}") >= NEAR_COPY
            ),
            None,
        )
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


def generate_handoffs(
    ctx: StageContext,
    departments: list[str],
    use_cases: list[UseCase],
    feedback: str = "",
) -> Made[list[HandOff]]:
    """Hand-offs between departments: the model picks which department hands which use case's output to
    which other; code writes what is handed over (that use case's output), when (its trigger) and who
    receives it (the receiving department's own actor). Asked to write them, the model names use-case
    titles as the artefact and pastes 「入力 → 出力」 lines as the moment."""
    log = StageLog()
    if len(departments) < 2 or not use_cases:
        return [], log
    ev = evidence_for(ctx, [f"{' '.join(departments)} 引き継ぎ 連携", use_case_lines(use_cases)[:300]], log)
    out: HandOffsOut = ask(
        ctx,
        log,
        role="usecases",
        schema=HandOffsOut,
        prompt="handoffs",
        evidence=ev,
        feedback=feedback,
        enums={"from_department": departments, "to_department": departments, "use_case": [u.id for u in use_cases]},
        departments="、".join(departments),
        use_cases=handoff_lines(use_cases),
        max_tokens=160,
    )
    result: list[HandOff] = []
    seen: set[tuple[str, str]] = set()
    for h in out.handoffs:
        pair = (h.from_department, h.to_department)
        if h.from_department == h.to_department or set(pair) - set(departments) or pair in seen:
            continue
        sent = [u for u in use_cases if u.department == h.from_department]
        sender = next((u for u in sent if u.id == h.use_case), sent[0] if sent else None)
        if sender is None:
            continue
        seen.add(pair)
        result.append(_handoff(ctx, h, f"H{len(result) + 1}", sender, use_cases, ev, log))
    return result, log


def _handoff(
    ctx: StageContext,
    h: HandOffOut,
    hid: str,
    sender: UseCase,
    use_cases: list[UseCase],
    ev: Evidence,
    log: StageLog,
) -> HandOff:
    """One hand-off written in code: the sender's output and trigger, the receiving department's actor."""
    receiver = next((u for u in use_cases if u.department == h.to_department), None)
    owner = receiver.who if receiver is not None else t("doc.actor_of", ctx.lang, department=h.to_department)
    citations, support = cite(
        ev,
        h.evidence,
        log,
        f"handoff[{hid}]",
        claim=f"{h.from_department} {h.to_department} {sender.output} {sender.when}",
    )
    return HandOff(
        id=hid,
        from_department=h.from_department,
        to_department=h.to_department,
        what=sender.output,
        when=sender.when,
        receiving_owner=owner,
        citations=citations,
        support=support,
    )


def handoff_lines(use_cases: list[UseCase]) -> str:
    return "\n".join(f"- {u.id} [{u.department}] {u.title}: {u.output}" for u in use_cases)
