"""Numbers with their units, where they came from, and which way is better.

An executive who sees one invented baseline stops trusting every other number, so a number in a
theme or a KPI baseline must be one a participant said or a cited document states (same value, same
kind of unit); code checks it, and what fails becomes 「要測定」/"to be measured".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from katachi.agents.quantities import FAMILIES, TIME_FAMILIES, family, quantities  # noqa: F401 - the families live there

# Lower is better for time, waiting, errors, rework, waste, overtime, incidents; higher for the rest.
LOWER_BETTER = (
    "時間",
    "日数",
    "待ち",
    "遅れ",
    "不適合",
    "クレーム",
    "手戻り",
    "ミス",
    "誤り",
    "ヒヤリ",
    "残業",
    "廃棄",
    "ロス",
    "事故",
    "漏れ",
    "抜け",
    "リードタイム",
    "回答まで",
    "time",
    "wait",
    "delay",
    "error",
    "defect",
    "rework",
    "waste",
    "overtime",
    "incident",
    "complaint",
    "lead time",
    "miss",
    "cost",
)


@dataclass(frozen=True)
class Stated:
    value: float
    unit: str  # as written
    family: str
    text: str  # the sentence it came from
    said: str = ""  # the words as written: 「半日」, "3 weeks"
    start: int = 0  # where it stands in the (NFKC-normalised) sentence
    end: int = 0
    per: str = ""  # the period of a count: 「月」, "month"
    rule: bool = False  # said as a limit or a wish (「48時間以内に」), not as how things are


def numbers_in(text: str, rules: bool = True) -> list[tuple[float, str]]:
    """(value, unit) for each number in the text; years, dates and list markers are not quantities.
    ``rules=False`` leaves out numbers framed as a rule or a limit (「48時間以内」)."""
    return [(q.value, q.unit) for q in quantities(text) if rules or not q.rule]


def stated_numbers(texts: list[str]) -> list[Stated]:
    """The quantities participants gave, with units (「2日」, 「半日」, "31 hours", "3 weeks"); a value
    they say it was before (「32%から19%に」) is not today's."""
    out: list[Stated] = []
    for text in texts:
        for q in quantities(text):
            if q.unit and not q.before:
                out.append(Stated(q.value, q.unit, q.family, text, q.said, q.start, q.end, q.per, q.rule))
    return out


def measured_numbers(text: str) -> list[tuple[float, str]]:
    """The numbers of ``text`` that describe how things are, not a rule or a limit."""
    return numbers_in(text, rules=False)


def supported(value: float, unit: str, sources: list[str], measured: bool = False) -> bool:
    """The value (in the unit's family) appears in one of the source texts. ``measured``: only as a
    description of today, not as a rule or a limit (what a baseline needs)."""
    fam = family(unit)
    for src in sources:
        for v, u in measured_numbers(src) if measured else numbers_in(src):
            if abs(v - value) < 1e-9 and (not u or not unit or family(u) == fam):
                return True
    return False


def lower_is_better(name: str, unit: str, better: str = "") -> bool:
    """``better``: the catalogue's direction when the KPI comes from the 型 library; else guessed."""
    if better:
        return better == "lower"
    n = unicodedata.normalize("NFKC", f"{name} {unit}").lower()
    if family(unit) in TIME_FAMILIES:
        return True
    return any(w in n for w in LOWER_BETTER)


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
