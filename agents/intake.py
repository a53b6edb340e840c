"""Intake: normalise pain points and group near-duplicates (in code: no model call needed)."""
from __future__ import annotations

import re
import unicodedata

from agents.schemas import PainGroup, PainPoint

_PUNCT = re.compile(r"[\s、。,.!！?？・「」『』（）()\"'“”]+")


def normalise(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def _grams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i:i + 2] for i in range(max(len(t) - 1, 1))}


def similarity(a: str, b: str) -> float:
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


def group_pain_points(points: list[PainPoint], threshold: float = 0.6) -> list[PainGroup]:
    """Single-link grouping on character-bigram overlap (the same for Japanese and English), within
    a department when the participants named one."""
    groups: list[list[PainPoint]] = []
    for p in points:
        for g in groups:
            if any(similarity(p.text, q.text) >= threshold and _same_place(p, q) for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    return [PainGroup(id=f"P{i}", summary=max(g, key=lambda x: len(x.text)).text, members=[x.id for x in g])
            for i, g in enumerate(groups, 1)]
