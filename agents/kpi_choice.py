"""Which catalogue KPIs could measure what participants said: a shortlist made in code.

A KPI is offered for a pain group when it is about the same work (rare shared words, and the meaning
of the participants' sentence next to the KPI's definition in multilingual-e5) and when its unit can
take the number they gave (「2日」 is the baseline of a KPI counted in days, never of one in %). The
model then chooses from this short list; it never names a KPI itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from katachi.agents.numbers import Stated
from katachi.agents.quantities import TIME_FAMILIES, family

# Scores, each in about [0, 1], then summed. e5-small puts a pain point and the definition of the KPI
# that measures it at cosine 0.84-0.90 and unrelated definitions at 0.76-0.83, so the useful range
# starts at 0.80. Chosen on evals/datasets/kpi-choice-dev.yaml (benchmarks/kpi_shortlist.py): on its
# first 45 items, top-1 40/45 and top-3 44/45 with e5 (33/45 and 38/45 lexical alone); a grid over the
# floor (0.78-0.82), span (0.06-0.12), unit bonus (0.3-0.6) and lexical span (1-2.5) found at best 41/45.
SEM_FLOOR, SEM_SPAN = 0.80, 0.08
LEX_SPAN = 1.5  # a lexical score of 1.5 (two rare shared words, one in the name) counts as a full match
SAME_UNIT, TIME_UNIT, OTHER_UNIT = 0.6, 0.3, -0.6
COUNT_UNIT = 0.3
# A Japanese KPI whose name shares no word with what was said reads to the room as someone else's KPI
# (勤務表の作成時間 for 「原稿を仕上げるのに10時間」): ranked below one that does.
NAME_APART = 0.3
OWN_FUNCTION = 0.2
# Below this, no catalogue KPI is about the work: the participants' own measure is offered instead.
MIN_SCORE = 0.7
# What the KPI is about (words and meaning, before its unit and function count): a KPI that merely takes
# the same unit is not about the work (「与信チェックは年1回」 would be offered 有効リード数 for its count).
# On all 61 development items (16 of them noisy: a cause and its consequence, 毎月, a rule beside the
# measure), 0.4 kept top-1 at 52/61 and top-3 at 58/61 (59/61 with no floor); with a count's weaker
# unit bonus (COUNT_UNIT), the Japanese name check (NAME_APART) and REL_VAGUE, 50/61 and 57/61 (ja 30/33
# and 32/33): the English misses are vague sentences now given the room's own measure.
REL_MIN = 0.4
# English scores lower on both counts (no Sudachi normalisation; e5-small's English similarities to the
# definitions sit lower): at 0.4 the development set's English first choice was wrong 5 times in 28,
# at 0.8 3 times (top-1 20 → 18, 7 left to the room's own measure), and on unseen handbooks it picked
# 'Supplier review effort' for subject access requests. A wrong catalogue KPI is worse than the room's
# own measure named in their words.
REL_MIN_EN = 0.8
# A pain point with no number has nothing to confirm the kind of KPI: its words and meaning must both
# say so. Unrelated matches of vague sentences on one generic word ("customer list" → stock-out rate,
# "match" → invoice matching) scored 0.65-0.8; the vague development items' accepted KPIs score over 1.2.
REL_VAGUE = 1.0
REL_WEAK = 0.8


@dataclass(frozen=True)
class Candidate:
    kpi: Any  # knowledge.library.schema.CatalogKPI
    score: float


def unit_fit(kpi_unit: str, stated: Stated | None) -> float:
    """Can the KPI take the stated number as its baseline (same family; another unit of time converts)?"""
    if stated is None:
        return 0.0
    fam = family(kpi_unit)
    if fam == stated.family:
        # anything can be counted or be a share: a count or a percentage is weak evidence of the same measure
        # (「記事を月4本」 is no lead count; "half our key roles" no lead-to-meeting rate)
        return COUNT_UNIT if fam in ("count", "percent") else SAME_UNIT
    if fam in TIME_FAMILIES and stated.family in TIME_FAMILIES:
        return TIME_UNIT
    return OTHER_UNIT


@functools.lru_cache(maxsize=8)
def _catalogue_vectors(embed: Callable, lang: str, entries: tuple[tuple[str, str], ...]):
    """The catalogue's definitions as e5 passages, once per embedder, language and catalogue."""
    return embed([text for _, text in entries], passage=True)


def _meaning(lib, words: str, lang: str, embed: Callable | None) -> dict[str, float]:
    """Each catalogue KPI's e5 score for ``words`` against its name and definition, in [0, 1] (0 without
    an embedder or words)."""
    if embed is None or not words.strip():
        return {}
    import numpy as np

    entries = tuple((x.id, f"{x.text(lang).name}: {x.text(lang).definition}") for x in lib.kpis.values())
    sims = _catalogue_vectors(embed, lang, entries) @ embed([words])[0]
    return {kid: float(v) for (kid, _), v in zip(entries, np.clip((sims - SEM_FLOOR) / SEM_SPAN, 0.0, 1.0))}


def shortlist(
    lib,
    words: str,
    lang: str,
    stated: Stated | None = None,
    functions: set[str] | frozenset = frozenset(),
    embed: Callable | None = None,
    k: int = 3,
) -> list[Candidate]:
    """The ``k`` catalogue KPIs that best measure ``words`` (what the participants said), best first,
    only those scoring at least ``MIN_SCORE``. Usage counts are never candidates (the catalogue holds
    outcome KPIs only)."""
    meaning = _meaning(lib, words, lang, embed)
    out = []
    for x in lib.kpis.values():
        s = meaning.get(x.id, 0.0)
        lex = min(lib.kpi_score(words, x, lang) / LEX_SPAN, 1.0)
        score = (
            lex + s + unit_fit(x.text(lang).unit, stated) + (OWN_FUNCTION if set(x.functions) & set(functions) else 0.0)
        )
        if lang == "ja" and not _shares(x.text(lang).name, words):
            score -= NAME_APART
        if stated is None and (lex <= 0 or lex + s < REL_VAGUE):
            continue  # no number to confirm the kind: e5 alone matches 「メルマガのネタ切れ」 to 月次決算日数
        if stated is not None and stated.family in ("count", "percent") and lex + s < REL_WEAK:
            continue  # a count or a share hardly confirms it: 「社内報は年4回発行」 would get rule inquiries
        if lex + s >= (REL_MIN if lang == "ja" else REL_MIN_EN) and score >= MIN_SCORE:
            out.append(Candidate(x, round(score, 3)))
    out.sort(key=lambda c: -c.score)
    return out[:k]


def relevance(lib, kpi, words: str, lang: str, embed: Callable | None = None) -> float:
    """How much ``words`` talk about ``kpi``: the shortlist's words-and-meaning score (before unit and
    function), used to tell which of a group's sentences a chosen KPI measures."""
    lex = min(lib.kpi_score(words, kpi, lang) / LEX_SPAN, 1.0)
    return lex + _meaning(lib, words, lang, embed).get(kpi.id, 0.0)


def _shares(name: str, words: str) -> bool:
    """Do a KPI's name and what was said share a content bigram (units and particles aside)?"""
    import re

    strip = lambda t: re.sub(r"[\sのをがにはでとや、。・「」時間日数件数率分]", "", t)  # noqa: E731
    a, b = strip(name), strip(words)
    return any(a[i : i + 2] in b for i in range(len(a) - 1))
