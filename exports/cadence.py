"""When the weekly review meets, read from the playbook's cadence (「毎週月曜 9:00〜9:30（30 分）」,
"Every Monday, 9:00-9:30 (30 min)"), and the date of the first one after the workshop.

A cadence a reviewer rewrote may name no day or time: the method's default (Monday 9:00, 30 minutes)
is taken then, and the caller is told so (``found``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_JA_DAYS = "月火水木金土日"
_EN_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Slot:
    weekday: int  # Monday 0
    start: dt.time
    minutes: int
    found: bool  # False: the cadence named no day; the default was taken
    interval: int = 1  # weeks between meetings (隔週 / every other week: 2)


def weekly_slot(cadence: str) -> Slot:
    text = unicodedata.normalize("NFKC", cadence or "")
    day = None
    m = re.search(r"([月火水木金土日])(?:曜|$|\s|[、,）)])", text)
    if m:
        day = _JA_DAYS.index(m.group(1))
    else:
        m = re.search(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*", text.lower())
        day = _EN_DAYS.index(m.group(1)) if m else None
    times = [(int(h), int(mi)) for h, mi in re.findall(r"(\d{1,2}):(\d{2})", text) if int(h) < 24 and int(mi) < 60]
    start = dt.time(*times[0]) if times else dt.time(9, 0)
    minutes = 30
    if len(times) >= 2:
        minutes = (times[1][0] * 60 + times[1][1]) - (times[0][0] * 60 + times[0][1])
    else:
        m = re.search(r"(\d{1,3})\s*(?:分|min)", text)
        minutes = int(m.group(1)) if m else minutes
    minutes = minutes if 5 <= minutes <= 240 else 30
    every_other = re.search(r"隔週|every other|fortnight|bi-?weekly", text.lower())
    return Slot(0 if day is None else day, start, minutes, day is not None, 2 if every_other else 1)


def first_review(after: dt.date, slot: Slot) -> dt.date:
    """The first meeting day strictly after the workshop: the review starts the week after it decided."""
    ahead = (slot.weekday - after.weekday()) % 7 or 7
    return after + dt.timedelta(days=ahead)
