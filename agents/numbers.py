"""Numbers with their units, where they came from, and which way is better.

An executive who sees one invented baseline stops trusting every other number, so a number in a
theme or a KPI baseline must be one a participant said or a cited document states (same value, same
kind of unit); code checks it, and what fails becomes 「要測定」/"to be measured".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Unit families: the same quantity written in different words (日 / days / 営業日 …).
FAMILIES = {
    "days": ("営業日", "日", "days", "day", "working days", "business days"),
    "hours": ("時間", "hours", "hour", "h", "hrs"),
    "minutes": ("分", "minutes", "minute", "min", "mins"),
    "weeks": ("週間", "週", "weeks", "week"),
    "months": ("か月", "ヶ月", "カ月", "months", "month"),
    "percent": ("%", "％", "パーセント", "percent", "pct"),
    "count": ("件", "回", "個", "人", "名", "cases", "case", "items", "emails", "calls", "times", "people", "count"),
    "yen": ("万円", "円", "yen", "jpy"),
}
_UNIT_WORDS = sorted({u for us in FAMILIES.values() for u in us}, key=len, reverse=True)
_NUM = re.compile(r"(\d+(?:[.,]\d+)*)\s*(" + "|".join(re.escape(u) for u in _UNIT_WORDS) + r")?", re.I)
# Lower is better for time, waiting, errors, rework, waste, overtime, incidents; higher for the rest.
LOWER_BETTER = ("時間", "日数", "待ち", "遅れ", "不適合", "クレーム", "手戻り", "ミス", "誤り", "ヒヤリ", "残業", "廃棄",
                "ロス", "事故", "漏れ", "抜け", "リードタイム", "回答まで", "time", "wait", "delay", "error",
                "defect", "rework", "waste", "overtime", "incident", "complaint", "lead time", "miss", "cost")


@dataclass(frozen=True)
class Stated:
    value: float
    unit: str  # as written
    family: str
    text: str  # the sentence it came from


def family(unit: str) -> str:
    u = unicodedata.normalize("NFKC", unit or "").strip().lower()
    for fam, words in FAMILIES.items():
        if u in words or any(u.endswith(w) for w in words if len(w) > 1):
            return fam
    return u


# A number framed as a rule or a limit is not a measurement of today: 「48時間以内に回答」, 「最低 5 営業日」,
# "once an invoice reaches 30 days outstanding" (an English eval run took that as the DSO baseline).
_RULE_AFTER = re.compile(r"^\s*(?:以内|以上|以下|未満|超|を超え|まで(?!に.{0,6}(?:かか|要し|平均)))")
_RULE_BEFORE = re.compile(r"(?:最低|最大|最長|上限|下限|within|at least|at most|up to|no more than|no later than|"
                          r"reaches|exceeds|more than|less than|after|over|every|each)\s*$", re.I)


def numbers_in(text: str, rules: bool = True) -> list[tuple[float, str]]:
    """(value, unit) for each number in the text; years, dates and list markers are not quantities.
    ``rules=False`` leaves out numbers framed as a rule or a limit (see ``_RULE_AFTER``)."""
    t = unicodedata.normalize("NFKC", text or "")
    out = []
    for m in _NUM.finditer(t):
        if not rules and (_RULE_AFTER.match(t[m.end():m.end() + 12])
                          or _RULE_BEFORE.search(t[max(0, m.start() - 14):m.start()])):
            continue
        raw, unit = m.group(1), m.group(2) or ""
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        after = t[m.end():m.end() + 1]
        if not unit and (value >= 1900 or after in "年月/-."):  # 2026年, 2027-06, list numbers
            continue
        if unit and after.isdigit():  # 「1日70分」「1件45分」: "per day", "per case" qualify the next number
            continue
        out.append((value, unit))
    return out


def stated_numbers(texts: list[str]) -> list[Stated]:
    """The quantities participants gave, with units (「2日」, 「62%」, "31 hours")."""
    out: list[Stated] = []
    for text in texts:
        for value, unit in numbers_in(text):
            if unit:
                out.append(Stated(value, unit, family(unit), text))
    return out


def measured_numbers(text: str) -> list[tuple[float, str]]:
    """The numbers of ``text`` that describe how things are, not a rule or a limit."""
    return numbers_in(text, rules=False)


def supported(value: float, unit: str, sources: list[str], measured: bool = False) -> bool:
    """The value (in the unit's family) appears in one of the source texts. ``measured``: only as a
    description of today, not as a rule or a limit (what a baseline needs)."""
    fam = family(unit)
    for src in sources:
        for v, u in (measured_numbers(src) if measured else numbers_in(src)):
            if abs(v - value) < 1e-9 and (not u or not unit or family(u) == fam):
                return True
    return False


def unsupported_in(text: str, sources: list[str]) -> list[str]:
    """Numbers with a unit in ``text`` that no source states."""
    return [f"{v:g}{u}" for v, u in numbers_in(text) if u and not supported(v, u, sources)]


def lower_is_better(name: str, unit: str, better: str = "") -> bool:
    """``better``: the catalogue's direction when the KPI comes from the 型 library; else guessed."""
    if better:
        return better == "lower"
    n = unicodedata.normalize("NFKC", f"{name} {unit}").lower()
    if family(unit) in ("days", "hours", "minutes", "weeks", "months"):
        return True
    return any(w in n for w in LOWER_BETTER)


def plausible_target(baseline: float, target: float, name: str, unit: str, better: str = "") -> str | None:
    """None when the target moves the right way by a believable step, else why not."""
    lower = lower_is_better(name, unit, better)
    if lower and target >= baseline:
        return "lower is better: the target must be below the baseline"
    if not lower and target <= baseline:
        return "higher is better: the target must be above the baseline"
    if family(unit) == "percent" and target >= 100 and baseline < 95:
        return "100 % is not a plan"
    if lower and target <= 0 < baseline and family(unit) != "percent":
        return "zero is not a plan"
    return None


def repaired_target(baseline: float, name: str, unit: str, better: str = "") -> float:
    """A believable first step: 30 % better (halfway to 100 for a higher-is-better percentage)."""
    if lower_is_better(name, unit, better):
        return round(baseline * 0.7, 1 if baseline < 10 else 0)
    if family(unit) == "percent":
        return round(baseline + (100 - baseline) * 0.5, 1)
    return round(baseline * 1.3, 1 if baseline < 10 else 0)


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
