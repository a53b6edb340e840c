"""After the workshop: the weekly review pack and the adaptation of a proven 型 to another department.

The pack's hypotheses cite sentences from three kinds of source, all checked the same way as in the
workshop (offered id, verbatim quote, related to the claim): the week's check-in notes, the playbook's
procedures, and the company's documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, create_model

from katachi.agents.common import Made, StageContext, StageLog, ask, cap, cite, items, retrieve, text
from katachi.agents.grounding import Evidence, build_evidence
from katachi.agents.prompts import user_prompt
from katachi.agents.schemas import Citation, Procedure
from katachi.core.i18n import t
from katachi.knowledge.metadata import department_of
from katachi.knowledge.passages import Passage


class HypothesisOut(BaseModel):
    # Two halves, not one sentence: a small model asked for "a hypothesis" about an item copies the item.
    change: str = text(45)  # what to change in the 型 or the work
    effect: str = text(45)  # how the KPI (or the stuck work) should move
    evidence: list[str] = items(3)

    def sentence(self, lang: str) -> str:
        c, e = self.change.strip().rstrip("。."), self.effect.strip().rstrip("。.")
        return t("pack.hypothesis", lang, change=c[:1].lower() + c[1:], effect=e)


class Hypothesis(BaseModel):
    text: str
    citations: list[Citation] = []
    support: str = "unsupported"


class AdaptOut(BaseModel):
    title: str = text(30)
    steps: list[Annotated[str, cap(60)]] = items(5, min_items=3)
    prompt_template: str = text(200)
    evidence: list[str] = items(3)


def note_passages(company: str, checkins: list[dict]) -> list[Passage]:
    """Check-in notes as citable passages: a hypothesis may rest on what people reported."""
    out = []
    for c in checkins:
        body = " ".join(x for x in (c.get("note"), c.get("blockers"), c.get("ai_tried")) if x)
        if body.strip():
            out.append(
                Passage(
                    chunk_id=f"checkin:{c['id']}",
                    company=company,
                    source="check-in",
                    rel=f"check-in {c['week']} {c['item']}",
                    heading=c.get("by") or "",
                    text=body,
                )
            )
    return out


def procedure_passages(company: str, procedures: list[dict]) -> list[Passage]:
    return [
        Passage(
            chunk_id=f"playbook:procedures:{p['use_case_id']}",
            company=company,
            source="playbook",
            rel="playbook",
            heading=p["title"],
            text="。".join(p["steps"]) + "。",
        )
        for p in procedures
    ]


def seeds(kpi_lines: str, stuck_lines: str, checkins: list[dict], procedures: list[dict]) -> list[str]:
    """What the hypotheses are about, one each: stuck use cases, blockers, KPIs, then the 型 themselves.
    A small model asked for "4 hypotheses" writes one four times; one named slot per subject it does not."""
    out = [x for x in stuck_lines.splitlines() if x.strip()]
    out += [f"{c['item']}: {c['blockers']}" for c in checkins if (c.get("blockers") or "").strip()]
    out += [x for x in kpi_lines.splitlines() if x.strip()]
    out += [f"{p['use_case_id']} {p['title']}" for p in procedures]
    return list(dict.fromkeys(out))[:5]


def pack_schema(n: int) -> type[BaseModel]:
    fields: dict = {f"h{i}": (HypothesisOut, ...) for i in range(1, n + 1)}
    fields["decisions"] = (list[Annotated[str, cap(60)]], items(3, min_items=1))
    fields["exec_prompts"] = (list[Annotated[str, cap(80)]], items(3, min_items=1))
    return create_model("PackOut", **fields)


def weekly_pack(
    ctx: StageContext,
    theme: dict,
    kpi_lines: str,
    stuck_lines: str,
    checkins: list[dict],
    procedures: list[dict],
    feedback: str = "",
) -> Made[dict]:
    log = StageLog()
    ev = _pack_evidence(ctx, theme, stuck_lines, checkins, procedures, log)
    about = seeds(kpi_lines, stuck_lines, checkins, procedures) or [theme.get("title", "")]
    schema = pack_schema(len(about))
    values = dict(
        theme=theme.get("title", ""),
        kpis=kpi_lines or "-",
        stuck=stuck_lines or "-",
        notes=_note_lines(checkins),
        slots="\n".join(f"h{i}: {a}" for i, a in enumerate(about, 1)),
    )
    shown = user_prompt("weekly_pack", ctx.lang, feedback=feedback, documents=ev.prompt_block(), **values)
    copied = _copy_test(shown, about)
    out = ask(
        ctx,
        log,
        role="pack",
        schema=schema,
        prompt="weekly_pack",
        evidence=ev,
        feedback=feedback,
        check=_pack_problems(ctx.lang, len(about), copied),
        max_tokens=200 + 120 * len(about),
        **values,
    )
    hyps, seen = _hypotheses(ctx.lang, out, about, ev, log, copied)
    decisions = [d.strip() for d in out.decisions if d.strip() and d.strip() not in seen and not copied(d)]
    prompts = [p.strip() for p in out.exec_prompts if p.strip() and p.strip() not in seen and not copied(p)]
    return {
        "hypotheses": hyps,
        "decisions": list(dict.fromkeys(decisions)),
        "exec_prompts": list(dict.fromkeys(prompts)),
    }, log


def _pack_evidence(
    ctx: StageContext, theme: dict, stuck_lines: str, checkins: list[dict], procedures: list[dict], log: StageLog
) -> Evidence:
    """The sentences a hypothesis may cite: the week's check-in notes, the playbook's procedures, and the
    company's documents on the theme and the blockers."""
    notes = note_passages(ctx.company, checkins)
    queries = [f"{theme.get('title', '')} {theme.get('problem', '')}"]
    queries += [c.get("blockers") or c.get("note") or "" for c in checkins if c.get("blockers") or c.get("note")][:3]
    passages = notes + procedure_passages(ctx.company, procedures) + retrieve(ctx, queries)
    ev = build_evidence(passages, " ".join(queries) + " " + stuck_lines, max_sentences=8)
    for cid, p in ev.passages.items():
        log.passages[cid] = p.model_dump()
    return ev


def _note_lines(checkins: list[dict]) -> str:
    return (
        "\n".join(
            f"- {c['week']} {c['item']}: {c.get('value') if c.get('value') is not None else ''} "
            f"{c.get('status', '')} {c.get('note', '')} {c.get('blockers', '')}".strip()
            for c in checkins
        )
        or "-"
    )


def _copy_test(shown: str, about: list[str]) -> Callable[[str], bool]:
    """Text lifted from the prompt (an input line, a document, the format example) is not an answer."""

    def copied(text: str) -> bool:
        s = text.strip()
        return len(s) >= 8 and (s in shown or any(s in a or a in s for a in about))

    return copied


def _pack_problems(lang: str, n: int, copied: Callable[[str], bool]) -> Callable[[Any], list[str]]:
    """What is named back to the model: hypotheses that repeat each other, and anything copied."""

    def check(out: Any) -> list[str]:
        hs = [getattr(out, f"h{i}") for i in range(1, n + 1)]
        hyps = [h.sentence(lang) for h in hs]
        problems = [] if len(set(hyps)) == len(hyps) else ["each hypothesis must be different"]
        if any(copied(h.change) or copied(h.effect) for h in hs):
            problems.append("change: what to do differently; effect: what the KPI does then; do not copy the item")
        if any(copied(x) for x in out.decisions + out.exec_prompts) or set(hyps) & set(
            out.decisions + out.exec_prompts
        ):
            problems.append("write new decisions and exec_prompts for this company; do not copy the example")
        return problems

    return check


def _hypotheses(
    lang: str, out: Any, about: list[str], ev: Evidence, log: StageLog, copied: Callable[[str], bool]
) -> tuple[list[dict], set[str]]:
    """The hypotheses that survived, cited, each with what it is about; and their sentences."""
    hyps = []
    seen: set[str] = set()
    for i, subject in enumerate(about, 1):
        h = getattr(out, f"h{i}")
        text_ = h.sentence(lang)
        if not h.change.strip() or text_ in seen or copied(h.change) or copied(h.effect):
            continue  # a repeat or an echo even after the retries: left out, not shown as a hypothesis
        seen.add(text_)
        cits, support = cite(ev, h.evidence, log, f"hypothesis[{i}]", claim=text_)
        hyps.append({**Hypothesis(text=text_, citations=cits, support=support).model_dump(), "about": subject})
    return hyps, seen


def adapt(
    ctx: StageContext, procedure: dict, source_department: str, department: str, result: str, feedback: str = ""
) -> Made[Procedure]:
    log = StageLog()
    dept_id = department_of(department)
    passages = retrieve(ctx, [f"{department} {procedure['title']}", f"{department} 業務 手順"], department=dept_id)
    ev = build_evidence(passages, f"{department} {procedure['title']}", max_sentences=ctx.sentences_per_call)
    for cid, p in ev.passages.items():
        log.passages[cid] = p.model_dump()
    body = (
        "\n".join(f"{i}. {s}" for i, s in enumerate(procedure["steps"], 1))
        + f"\nprompt: {procedure['prompt_template']}"
    )

    def check(out: AdaptOut) -> list[str]:
        problems = []
        if len({s.strip() for s in out.steps}) < 3:
            problems.append("give 4-5 different steps, not the same sentence repeated")
        if "→" in out.title or out.title.strip() in result:
            problems.append(f"title is the name of the 型 for {department}, not the result")
        return problems

    out: AdaptOut = ask(
        ctx,
        log,
        role="adapt",
        schema=AdaptOut,
        prompt="adapt",
        evidence=ev,
        feedback=feedback,
        check=check,
        source_department=source_department,
        procedure=f"{procedure['title']}\n{body}",
        department=department,
        max_tokens=600,
    )
    cits, support = cite(ev, out.evidence, log, "adaptation", claim=f"{department} {out.title} {' '.join(out.steps)}")
    steps = list(dict.fromkeys(s.strip() for s in out.steps if s.strip()))
    title = out.title.strip()
    if not title or "→" in title or title in result:  # still the result after retries: name it in code
        title = t("pack.adapted_title", ctx.lang, department=department, title=procedure["title"])
    return Procedure(
        use_case_id=procedure["use_case_id"],
        title=title,
        steps=steps,
        prompt_template=out.prompt_template,
        citations=cits,
        support=support,
    ), log
