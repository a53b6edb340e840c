"""The glossary as the common language: this playbook's own words, defined where the company defines them.

Candidates are the artefacts and steps the use cases and KPIs name (「商談メモ」「見積台帳」…). A term is
kept when one of the company's documents defines it (a sentence such as 「〇〇とは…」 or "X is …",
cited) or when it is one of the method's words (型, 週次PDCA, ベースライン …, from the 型 library's
vocabulary). Generic words and terms nobody defines are left out. No model call: the model is used
only when a reviewer sends the glossary back with a comment.
"""

from __future__ import annotations

import re

from katachi.agents.common import Made, StageContext, StageLog
from katachi.agents.grounding import MAX_SENTENCE, is_prose, readable
from katachi.agents.schemas import KPI, Citation, GlossaryTerm, Theme, UseCase
from katachi.agents.sections import from_method, generic
from katachi.knowledge.chunker import split_sentences
from katachi.knowledge.library.catalog import split_terms

MAX_TERMS = 8
MIN_DOCUMENT_TERMS_LEN = 2


def _defines(sentence: str, term: str, lang: str) -> bool:
    s = readable(sentence)
    t = re.escape(term)
    if lang == "ja" or re.search(r"[\u3040-\u30ff\u3400-\u9fff]", term):
        return (
            bool(
                re.search(
                    rf"「?{t}」?(?:とは|は、?[^。]*(?:をいう|を指す|のこと|のことです|です|である|です。))|{t}[:：]", s
                )
            )
            and s.find(term) <= 12
        )
    return (
        bool(re.search(rf"\b{t}\b\s*(?:\([^)]*\)\s*)?(?:is|are|means|refers to|:)\s", s, re.I))
        and s.lower().find(term.lower()) <= 20
    )


def candidates(theme: Theme, kpis: list[KPI], ucs: list[UseCase], lang: str) -> list[tuple[str, str]]:
    """(term, who uses it), in the order the playbook introduces them."""
    out: dict[str, str] = {}
    for u in ucs:
        for raw in [*split_terms(u.input), *split_terms(u.output), u.workflow_step]:
            term = raw.strip(" 「」\"'")
            if 2 <= len(term) <= (16 if lang == "ja" else 40) and not generic(term):
                out.setdefault(term, u.who or u.department)
    for k in kpis:
        out.setdefault(k.name, k.owner)
    return list(out.items())


def from_documents(ctx: StageContext, terms: list[tuple[str, str]], log: StageLog) -> list[GlossaryTerm]:
    found: list[GlossaryTerm] = []
    for term, used_by in terms:
        if len(found) >= MAX_TERMS - 2:
            break
        for p in ctx.retriever.search(term, k=3):
            hit = next(
                (
                    p.text[a:b]
                    for a, b in split_sentences(p.text)
                    if term in p.text[a:b]
                    and len(p.text[a:b]) <= MAX_SENTENCE
                    and is_prose(p.text[a:b])
                    and _defines(p.text[a:b], term, ctx.lang)
                ),
                None,
            )
            if hit:
                log.passages[p.chunk_id] = p.model_dump()
                found.append(
                    GlossaryTerm(
                        term=term,
                        definition=readable(hit),
                        used_by=used_by,
                        origin="documents",
                        citations=[
                            Citation(chunk_id=p.chunk_id, quote=hit, source=p.source, rel=p.rel, heading=p.heading)
                        ],
                    )
                )
                break
    return found


def build(
    ctx: StageContext,
    theme: Theme,
    kpis: list[KPI],
    ucs: list[UseCase],
    playbook_text: str,
) -> Made[list[GlossaryTerm]]:
    log = StageLog()
    terms = from_documents(ctx, candidates(theme, kpis, ucs, ctx.lang), log)
    have = {g.term for g in terms}
    terms += from_method(ctx.catalog().vocabulary, ctx.lang, playbook_text, have, max(3, MAX_TERMS - len(terms)))
    return terms[:MAX_TERMS], log
