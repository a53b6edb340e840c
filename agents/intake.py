"""Intake: normalise pain points and group near-duplicates (in code: no model call needed)."""

from __future__ import annotations

import re
import unicodedata

from katachi.agents.schemas import PainGroup, PainPoint

_PUNCT = re.compile(r"[\s、。,.!！?？・「」『』（）()\"'“”]+")


def normalise(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def _grams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i : i + 2] for i in range(max(len(t) - 1, 1))}


_WORD = re.compile(r"[a-z0-9]+")
_EN_STOP = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "by",
    "at",
    "it",
    "is",
    "are",
    "its",
    "their",
    "from",
    "as",
    "be",
    "this",
    "that",
}


def _words(text: str) -> set[str]:
    """English content words, lightly stemmed ('proposals take' ~ 'proposal takes')."""
    out = set()
    for w in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        if w in _EN_STOP:
            continue
        out.add(re.sub(r"(?:ing|ed|es|s)$", "", w) if len(w) > 4 else w)
    return out


def _english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) / len(letters) > 0.7


def similarity(a: str, b: str) -> float:
    """Overlap of the shorter text with the longer: character bigrams for Japanese, content words for
    English (two English steps that share only their actor, 'Account executive …', share most of
    their character bigrams and would read as copies)."""
    if _english(a) and _english(b):
        wa, wb = _words(a), _words(b)
        if wa and wb:
            return len(wa & wb) / min(len(wa), len(wb))
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


def make_pain_points(items: list[str | dict]) -> list[PainPoint]:
    out: list[PainPoint] = []
    seen: set[str] = set()
    for raw in items:
        text = raw.get("text", "") if isinstance(raw, dict) else str(raw)
        who = raw.get("participant", "") if isinstance(raw, dict) else ""
        dept = (raw.get("department") or "").strip() if isinstance(raw, dict) else ""
        text = " ".join(text.split())
        key = f"{dept}\t{normalise(text)}"  # the same words from two departments are two problems
        if not text or key in seen:
            continue
        seen.add(key)
        out.append(PainPoint(id=f"pp{len(out) + 1}", text=text, participant=who, department=dept))
    return out


def _same_place(a: PainPoint, b: PainPoint) -> bool:
    """Two departments' versions of a similar sentence are two problems; unknown departments match any."""
    return not a.department or not b.department or a.department == b.department


# Cosine (multilingual-e5-small query vectors) above which two pain points say the same thing in other
# words. Measured: 「提案書作成に時間がかかる」/「提案書を作るのが遅い」 0.973, while different problems
# reach 0.90 (「提案書の作成に平均2日かかる」/「見積の回答に5日かかる」) and related ones 0.86
# (「議事録がばらばら」/「引き継ぎで情報が抜ける」) — e5-small cannot tell related from different, so
# meaning only adds paraphrases to what shared characters already group.
PARAPHRASE = 0.95


def _features(text: str) -> tuple[frozenset[str], frozenset[str] | None]:
    """(bigrams, English content words or None): computed once per point, not once per pair."""
    return frozenset(_grams(text)), (frozenset(_words(text)) or None) if _english(text) else None


def _overlap(a: tuple, b: tuple) -> float:
    """:func:`similarity` on precomputed features."""
    if a[1] is not None and b[1] is not None:
        return len(a[1] & b[1]) / min(len(a[1]), len(b[1]))
    if not a[0] or not b[0]:
        return 0.0
    return len(a[0] & b[0]) / min(len(a[0]), len(b[0]))


def group_pain_points(points: list[PainPoint], threshold: float = 0.6, vectors=None) -> list[PainGroup]:
    """Single-link grouping on character-bigram overlap (the same for Japanese and English), or on
    meaning when ``vectors`` (unit-length embeddings, one per point) are given, within a department
    when the participants named one. Each point joins the first group holding a point like it.

    Features are computed once per point and the cosines in one matrix product: the pairwise version
    took 25 s for 2,000 points (benchmarks/intake_grouping.py prints both)."""
    feats = [_features(p.text) for p in points]
    close = None
    if vectors is not None and len(points) > 1:
        import numpy as np

        v = np.asarray(vectors, dtype=np.float32)
        close = (v @ v.T) >= PARAPHRASE
    group_of: list[int] = []
    groups: list[list[int]] = []
    for i, p in enumerate(points):
        best = None
        for j in range(i):
            if best is not None and group_of[j] >= best:
                continue
            if _same_place(p, points[j]) and (
                (close is not None and close[i, j]) or _overlap(feats[i], feats[j]) >= threshold
            ):
                best = group_of[j]
        if best is None:
            group_of.append(len(groups))
            groups.append([i])
        else:
            group_of.append(best)
            groups[best].append(i)
    return [
        PainGroup(
            id=f"P{n}",
            summary=max((points[i] for i in g), key=lambda x: len(x.text)).text,
            members=[points[i].id for i in g],
        )
        for n, g in enumerate(groups, 1)
    ]
