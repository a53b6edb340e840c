"""Baselines and targets as people say them: the participants' number in the KPI's terms (their unit of
time and 「割」 kept, a count per month is 「件/月」), and a first-step target in a step people use."""

from __future__ import annotations

import math

from katachi.agents.numbers import Stated, fmt
from katachi.agents.quantities import TIME_FAMILIES
from katachi.core.i18n import t

_PERIODS = {
    "日": "day",
    "毎日": "day",
    "日に": "day",
    "1日": "day",
    "一日": "day",
    "day": "day",
    "night": "day",
    "毎晩": "day",
    "毎朝": "day",
    "週": "week",
    "週に": "week",
    "毎週": "week",
    "week": "week",
    "月": "month",
    "月に": "month",
    "毎月": "month",
    "month": "month",
    "年": "year",
    "年に": "year",
    "年間": "year",
    "毎年": "year",
    "year": "year",
}


def _step(x: float) -> float:
    """A step people use for a value this size: 0.1 under 1, 0.5 under 10, 1 under 20, 5 under 100, 10
    under 1,000."""
    if x < 1:
        return 0.1
    if x < 10:
        return 0.5
    if x < 20:
        return 1.0  # 12 working days → 7, not 5
    if x < 100:
        return 5.0
    return 10 ** (math.floor(math.log10(x)) - 1)


def first_step(baseline: float, lower: bool, fam: str) -> float:
    """A target a team believes in half a year: 40 % better for a lower-is-better measure (2日 → 1日,
    45分 → 25分), 30 % better for a higher one, halfway to 100 for a high percentage; rounded to a
    step people say, and never equal to the baseline."""
    if lower:
        raw = baseline * 0.6
    elif fam == "percent":
        raw = min(baseline * 1.3, baseline + (100 - baseline) * 0.5)
    else:
        raw = baseline * 1.3
    step = _step(baseline) if fam != "percent" or baseline < 10 else 1.0
    if baseline >= 2 and float(baseline).is_integer() and step == 0.5:
        step = 1.0  # whole days stay whole: 2日 → 1日, 5日 → 3日
    target = round(round(raw / step) * step, 6)
    if (lower and target >= baseline) or (not lower and target <= baseline) or target <= 0:
        target = round(baseline - step if lower else baseline + step, 6)
    if target <= 0:
        target = round(baseline / 2, 3)
    return target


def _per(stated: Stated, lang: str) -> str:
    key = _PERIODS.get(stated.per.strip().lower(), "")
    return t(f"kpi.per.{key}", lang) if key else ""


# One of a long unit of time, counted in a shorter one (a month in days, as the own measure names it): a
# first step from "a week" would otherwise read "0.5 week". The participants' words stay beside the
# baseline: "7 days (“a week”)".
_SHORTER = {
    "weeks": (7, "日", "days"),
    "months": (30, "日", "days"),
    "years": (12, "か月", "months"),
    "hours": (60, "分", "minutes"),
}


def baseline_of(stated: Stated, unit: str, lang: str) -> tuple[float, str]:
    """The stated number in the KPI's terms: 「3割」 is 30 %, a count said per month is 「件/月」; another
    unit of time is kept as the participants said it (their unit wins over the catalogue's), except one
    week, month, year or hour, which is counted in the next shorter unit so that its target is whole."""
    value, said_unit = stated.value, stated.unit
    if said_unit == "割":
        return value, "割"  # 「3割から2割に」: the room's own measure reads better than 30 %
    if stated.family in _SHORTER and value <= 1 and not stated.per:
        factor, ja, en = _SHORTER[stated.family]
        return value * factor, ja if lang == "ja" else en
    if stated.family in TIME_FAMILIES and unit != said_unit:
        unit = said_unit  # 「5営業日」 stays working days, 「3 weeks」 stays weeks
    per = _per(stated, lang) if stated.family in ("count", "yen", "usd", "gbp", "eur") else ""
    if unit.startswith("per ") or not unit:
        unit = said_unit if not said_unit.startswith("per ") else ("件" if lang == "ja" else "cases")
    return value, t("kpi.unit_per", lang, unit=unit, per=per) if per else unit


def target_words(target: str, unit: str, lang: str) -> str:
    """A KPI's target inside a sentence: "$700,000 per year" (not '700000 $ per year'), 「1時間」; a
    word (要測定, 現状から4割減) stands without the unit."""
    try:
        float(str(target).replace(",", ""))
    except ValueError:
        return str(target)
    return amount(str(target), unit, lang)


def amount(value: float | str, unit: str, lang: str) -> str:
    """「2日」, "2 days", "1 day", "20%": a number with its unit as people write it."""
    v = value if isinstance(value, str) else fmt(value)
    if unit[:1] in ("$", "£", "€"):  # "$30,000 per month"
        number = float(v.replace(",", "")) if v.replace(",", "").replace(".", "", 1).isdigit() else None
        shown = f"{number:,.0f}" if number is not None and number >= 1000 else v
        return f"{unit[:1]}{shown}{unit[1:]}"
    if lang == "ja" or unit in ("%", "％"):
        return f"{v}{unit}"
    words = unit.split()
    plural = next((i for i, w in enumerate(words) if w.endswith("s") and not w.endswith("ss")), None)
    if v == "1" and plural is not None:  # "1 case per week", "1 working day"
        words[plural] = words[plural][:-1]
    return f"{v} {' '.join(words)}"
