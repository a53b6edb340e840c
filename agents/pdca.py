"""After the workshop: the weekly review pack and the adaptation of a proven 型 to another department.

The pack's hypotheses cite sentences from three kinds of source, all checked the same way as in the
workshop (offered id, verbatim quote, related to the claim): the week's check-in notes, the playbook's
procedures, and the company's documents.
"""
from __future__ import annotations

from pydantic import BaseModel

from knowledge.metadata import department_of
from knowledge.passages import Passage

from .common import StageContext, StageLog, Short, ask, cite, items, retrieve, text
from .grounding import build_evidence
from .schemas import Citation, Procedure


class HypothesisOut(BaseModel):
    text: str = text(90)
    evidence: list[str] = items(3)


class PackOut(BaseModel):
    hypotheses: list[HypothesisOut] = items(5, min_items=1)
    decisions: list[Short(60)] = items(3, min_items=1)
    exec_prompts: list[Short(80)] = items(3, min_items=1)


class Hypothesis(BaseModel):
    text: str
    citations: list[Citation] = []
    support: str = "unsupported"


class AdaptOut(BaseModel):
    title: str = text(30)
    steps: list[Short(60)] = items(5, min_items=3)
    prompt_template: str = text(200)
    evidence: list[str] = items(3)


def note_passages(company: str, checkins: list[dict]) -> list[Passage]:
    """Check-in notes as citable passages: a hypothesis may rest on what people reported."""
    out = []
    for c in checkins:
        body = " ".join(x for x in (c.get("note"), c.get("blockers"), c.get("ai_tried")) if x)
        if body.strip():
            out.append(Passage(chunk_id=f"checkin:{c['id']}", company=company, source="check-in",
                               rel=f"check-in {c['week']} {c['item']}", heading=c.get("by") or "", text=body))
    return out


def procedure_passages(company: str, procedures: list[dict]) -> list[Passage]:
    return [Passage(chunk_id=f"playbook:procedures:{p['use_case_id']}", company=company, source="playbook",
                    rel="playbook", heading=p["title"], text="。".join(p["steps"]) + "。") for p in procedures]


def weekly_pack(ctx: StageContext, theme: dict, kpi_lines: str, stuck_lines: str, checkins: list[dict],
                procedures: list[dict], n: int = 4, feedback: str = "") -> tuple[dict, StageLog]:
    log = StageLog()
    notes = note_passages(ctx.company, checkins)
    queries = [f"{theme.get('title', '')} {theme.get('problem', '')}"]
    queries += [c.get("blockers") or c.get("note") or "" for c in checkins if c.get("blockers") or c.get("note")][:3]
    passages = notes + procedure_passages(ctx.company, procedures) + retrieve(ctx, queries)
    ev = build_evidence(passages, " ".join(queries) + " " + stuck_lines, max_sentences=8)
    for cid, p in ev.passages.items():
        log.passages[cid] = p.model_dump()
    note_lines = "\n".join(f"- {c['week']} {c['item']}: {c.get('value') if c.get('value') is not None else ''} "
                           f"{c.get('status', '')} {c.get('note', '')} {c.get('blockers', '')}".strip()
                           for c in checkins) or "-"

    def check(out: PackOut) -> list[str]:
        return [] if len(out.hypotheses) >= min(3, n) else [f"give {n} hypotheses"]

    out: PackOut = ask(ctx, log, role="pack", schema=PackOut, prompt="weekly_pack", evidence=ev, feedback=feedback,
                       check=check, theme=theme.get("title", ""), kpis=kpi_lines or "-", stuck=stuck_lines or "-",
                       notes=note_lines, n=n, max_tokens=700)
    hyps = []
    seen: set[str] = set()
    for i, h in enumerate(out.hypotheses[:5]):
        if h.text.strip() in seen:
            continue
        seen.add(h.text.strip())
        cits, support = cite(ev, h.evidence, log, f"hypothesis[{i}]", claim=h.text)
        hyps.append(Hypothesis(text=h.text.strip(), citations=cits, support=support).model_dump())
    return {"hypotheses": hyps, "decisions": list(dict.fromkeys(d.strip() for d in out.decisions if d.strip())),
            "exec_prompts": list(dict.fromkeys(p.strip() for p in out.exec_prompts if p.strip()))}, log


def adapt(ctx: StageContext, procedure: dict, source_department: str, department: str, result: str,
          feedback: str = "") -> tuple[Procedure, StageLog]:
    log = StageLog()
    dept_id = department_of(department)
    passages = retrieve(ctx, [f"{department} {procedure['title']}", f"{department} 業務 手順"], department=dept_id)
    ev = build_evidence(passages, f"{department} {procedure['title']}", max_sentences=ctx.sentences_per_call)
    for cid, p in ev.passages.items():
        log.passages[cid] = p.model_dump()
    body = "\n".join(f"{i}. {s}" for i, s in enumerate(procedure["steps"], 1)) + f"\nprompt: {procedure['prompt_template']}"
    out: AdaptOut = ask(ctx, log, role="adapt", schema=AdaptOut, prompt="adapt", evidence=ev, feedback=feedback,
                        source_department=source_department, procedure=f"{procedure['title']}\n{body}",
                        result=result, department=department, max_tokens=600)
    cits, support = cite(ev, out.evidence, log, "adaptation", claim=f"{department} {out.title} {' '.join(out.steps)}")
    steps = list(dict.fromkeys(s.strip() for s in out.steps if s.strip()))
    return Procedure(use_case_id=procedure["use_case_id"], title=out.title.strip(), steps=steps,
                     prompt_template=out.prompt_template, citations=cits, support=support), log
