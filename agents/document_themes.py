"""Themes proposed from the company's documents, built in code, when the participants named no
business problem (every pain point is about AI itself or a failure pattern).

No model writes these: for the workshop's departments, the catalogue's outcome KPIs are matched
against what the documents say about the same work, and the best-supported ones become theme proposals
— a business result as the title, the document's sentence quoted (cited) as the problem, labelled as
coming from the documents. Asked to write themes from document sentences in that situation, the
embedded model titles them around AI (3 of 3 tries on the Japanese sample: 「AI導入の加速」) and in
English turns a status label ("On Backlog - we know we want to do this…") into a theme.
"""

from __future__ import annotations

import logging
import re

from katachi.agents.common import Made, StageContext, StageLog, cite, retrieve
from katachi.agents.grounding import Evidence, is_prose, readable
from katachi.agents.numbers import stated_numbers
from katachi.agents.schemas import Theme
from katachi.agents.themes import about_ai, ai_mentions, kpi_words, result_title
from katachi.core.i18n import t
from katachi.knowledge.chunker import split_sentences

logger = logging.getLogger(__name__)

# A sentence must share more than one ordinary word with the KPI's name and definition: measured on the
# two sample handbooks, unrelated best matches scored 0.2–0.6 (one common word such as 時間 / time),
# matches a reviewer accepted 0.9 and above.
MIN_SCORE = 0.8
_MAX_QUOTE = 90
# What a complaint looks like in a handbook: time taken, delays, rework, backlog. 「待」 alone would
# also match 期待 (expected).
_PROBLEM_WORDS = (
    "かか",
    "遅",
    "手戻り",
    "負担",
    "残業",
    "待ち",
    "待た",
    "漏れ",
    "不足",
    "追いつ",
    "above",
    "take",
    "slow",
    "delay",
    "late",
    "backlog",
    "rework",
    "wait",
    "not always",
    "overtime",
)
_LIST_MARK = re.compile(r"^\s*(?:[-*+・]|\d+[.)])\s+")


def _ai_passage(heading: str, text: str) -> bool:
    """A section about AI itself (its heading names AI, or AI comes up more than once): its numbers
    are AI's, e.g. 「手動で 1 時間かかるところを 10 分で」 under 「AI ビジョンと戦略」."""
    return about_ai(heading) or ai_mentions(text) >= 2


def document_themes(ctx: StageContext, n: int = 3) -> Made[list[Theme]]:
    """Up to ``n`` themes, each a catalogue KPI of the departments' functions that a document sentence
    talks about; none when nothing in the documents is close enough (the question to the executives
    stands alone then)."""
    log = StageLog()
    lib = ctx.catalog()
    functions = ctx.functions()
    kpis = [k for k in lib.kpis.values() if functions & set(k.functions)] or list(lib.kpis.values())
    found = []  # (score, kpi, passage, verbatim sentence)
    for k in kpis:
        kt = k.text(ctx.lang)
        best = None
        for p in retrieve(ctx, [f"{kt.name} {kt.definition}"], k=3):
            if _ai_passage(p.heading, p.text):
                continue
            for a, b in split_sentences(p.text):
                raw = p.text[a:b]
                sent = readable(raw)
                if not is_prose(raw) or about_ai(sent):
                    continue
                score = lib.kpi_score(sent, k, ctx.lang)
                if score >= MIN_SCORE:  # about this KPI's work: a stated quantity or a complaint ranks it up
                    score += 0.3 * bool(stated_numbers([sent])) + 0.3 * any(w in sent.lower() for w in _PROBLEM_WORDS)
                if best is None or score > best[0]:
                    best = (score, k, p, raw)
        if best and best[0] >= MIN_SCORE:
            found.append(best)
        logger.debug("document theme %s: %s %s", k.id, best and round(best[0], 2), best and best[3][:70])
    found.sort(key=lambda f: -f[0])
    themes: list[Theme] = []
    quoted: set[str] = set()
    for _score, k, p, raw in found:
        if raw in quoted:
            continue
        quoted.add(raw)
        ev = Evidence(passages={p.chunk_id: p}, sentences={"S1": (p.chunk_id, raw)})
        citations, support = cite(ev, ["S1"], log, f"theme[{len(themes)}]")  # checked and logged as any citation
        log.passages[p.chunk_id] = p.model_dump()
        kt = k.text(ctx.lang)
        quote = _LIST_MARK.sub("", readable(raw))
        quote = quote if len(quote) <= _MAX_QUOTE else quote[:_MAX_QUOTE].rstrip() + "…"
        others = [x.id for x in lib.kpi_candidates(quote, ctx.lang, functions, k=2) if x.id != k.id]
        name = kpi_words(kt.name, ctx.lang)
        themes.append(
            Theme(
                title=result_title(name, k.better, kt.unit, ctx.lang),
                problem=t("theme.problem", ctx.lang, quote=quote, name=name),
                outcome=t(f"theme.outcome.{k.better}", ctx.lang, name=name),
                citations=citations,
                support=support,
                origin="documents",
                measures=[k.id, *others][:2],
            )
        )
        if len(themes) >= n:
            break
    return themes, log
