"""Quantities as people say them: 「2日」「二日がかり」「半日」「2〜3時間」「1件あたり15分」「3割」「40万円」,
"3 weeks", "half a day", "an hour", "two years", "40 a month", "$120k", "from 32% to 19%".

Each quantity keeps where it stands in the text (so the words around it can say what it measures),
the unit as written, its family, and what qualifies it: a limit or rule (「48時間以内」), a per-item
denominator (「1件あたり」 qualifies the 15分 after it), the period of a count (「月に20件」), or a
value it was before (「32%から19%に」: 19 % is today's).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Unit families: the same quantity written in different words (日 / days / 営業日 …).
FAMILIES = {
    "days": ("営業日", "日間", "日", "working days", "business days", "days", "day"),
    "hours": ("時間", "hours", "hour", "hrs", "hr", "h"),
    "minutes": ("分間", "分", "minutes", "minute", "mins", "min"),
    "weeks": ("週間", "週", "weeks", "week", "fortnight"),
    "months": ("か月", "ヶ月", "カ月", "ヵ月", "months", "month"),
    "years": ("年間", "年", "years", "year"),
    "percent": ("%", "パーセント", "percent", "pct", "割"),
    "count": (
        "件",
        "回",
        "個",
        "人",
        "名",
        "本",
        "通",
        "枚",
        "台",
        "社",
        "店",
        "冊",
        "箇所",
        "項目",
        "品目",
        "便",
        "往復",
        "ページ",
        "種類",
        "アカウント",
        "cases",
        "case",
        "items",
        "emails",
        "calls",
        "times",
        "people",
        "count",
    ),
    "yen": ("億円", "万円", "千円", "円", "yen", "jpy"),
    "usd": ("$", "usd", "dollars"),
    "gbp": ("£", "gbp", "pounds"),
    "eur": ("€", "eur", "euros"),
}
TIME_FAMILIES = ("days", "hours", "minutes", "weeks", "months", "years")
_UNITS = sorted({u for us in FAMILIES.values() for u in us if u not in ("$", "£", "€")}, key=len, reverse=True)
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_SCALE = {"十": 10, "百": 100, "千": 1000}
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
    "a couple of": 2,
    "a dozen": 12,
}
# After these words "a day" / "an hour" is an amount (takes an hour); elsewhere it is a period (60 a day).
_AMOUNT_VERBS = re.compile(
    r"(?:takes?|took|taking|spends?|spent|lose|loses|lost|costs?|waits?|waited|eats?|ate|burns?|"
    r"wastes?|adds?|for|about|around|nearly|almost|over|under|than|only|just|extra|another)"
    r"(?:\s+(?:me|us|them|him|her|you|people|staff|everyone))?\s+$",
    re.I,
)
_NUM = (
    r"(?P<num>\d+(?:[.,]\d+)*"
    r"|[〇二三四五六七八九十百千][〇一二三四五六七八九十百千]*(?=(?:日|時間|週間|か月|ヶ月|カ月|割|件|人|名|回|本|通))"
    r"|一(?=(?:日|時間|週間|か月|ヶ月|カ月))"
    r"|(?<![a-z])(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?=\s)"
    r"|半(?=(?:日|時間|年))|(?<![a-z])half(?: an?| a)?(?=\s)|(?<![a-z])an?(?=\s))"
)
_MULT = r"(?P<mult>k|m|bn|千|万|億)?"
_UNIT = r"(?P<unit>" + "|".join(re.escape(u) for u in _UNITS) + r")"
_QUANTITY = re.compile(
    r"(?P<cur>[$£€])?\s?"
    + _NUM
    + _MULT
    + r"\s*(?:(?:full|whole|entire|solid)\s+)?"
    + _UNIT
    + r"?(?![a-z])(?P<half>\s+and a half|半)?",
    re.I,
)
# 「2年」 is two years, 「2026年」「10年前」「2年目」 are not
_NOT_YEARS = re.compile(r"^(?:前|後|度|生|目|次|月|頃|ぶり|代|分|以来)")
_PLURAL = re.compile(
    r"\s*((?!(?:the|our|my|their|your|his|her|its|these|those|of)\b)(?:[a-z-]*[a-rt-z-] )?[a-z-]{3,}s|"
    r"people|staff)\b",
    re.I,
)  # "3 phone calls", "12 people"; not "half our processes"
_PERIOD_AFTER = re.compile(r"^\s*(?:a|an|per|each|every)\s+(day|week|month|year|shift|night|quarter)\b", re.I)
_PERIOD_BEFORE = re.compile(r"(毎日|毎週|毎月|毎年|毎晩|日に|週に|月に|年に|年間|1日|一日|日|週|月|年)\s*$")
_PER_ITEM = re.compile(r"^\s*(?:あたり|当たり|につき|ごと|毎)")
# A number framed as a rule or a limit is not a measurement of today: 「48時間以内に回答」, 「最低 5 営業日」,
# "once an invoice reaches 30 days outstanding" (a rule, not the DSO baseline).
_RULE_AFTER = re.compile(
    r"^\s*(?:以内|以上|以下|未満|超|を超え|まで(?!に.{0,6}(?:かか|要し|平均))|"
    r"[^、。]{0,8}(?:ことになって|決まって|ことになっ|決めた|予定|目標|はず|べき|したい|ほしい))"
)
_RULE_BEFORE = re.compile(
    r"(?:最低|最大|最長|上限|下限|目標[はを][^、。]{0,8}|目標|"
    r"within|at least|at most|up to|no more than|no later than|"
    r"reaches|exceeds|more than|less than|after|over|every|each|supposed to \w+|target of|"
    r"aim for|goal of)\s*$",
    re.I,
)
_FROM_TO = re.compile(r"^\s*(?:(?:から|→|->)[^、。0-9]{0,6}|to)\s*$", re.I)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # as written (日, hours, %, 件, 万円, $); "" for a bare number
    family: str
    start: int  # span in the NFKC-normalised text
    end: int
    said: str  # the words as written: 「半日」, "two days", "$120k"
    rule: bool = False  # a limit or a rule, not how things are
    per: str = ""  # the period of a count or an amount: 「月」, "day"
    before: bool = False  # the value it was before the one that follows (「32%から19%に」)


def family(unit: str) -> str:
    u = unicodedata.normalize("NFKC", unit or "").strip().lower()
    if u.startswith("per "):
        return "count"  # "40 a month"
    if "/" in u or " per " in u:
        u = re.split(r"/| per ", u)[0].strip()  # 「件/月」, "cases per month": a count, per month
    for fam, words in FAMILIES.items():
        if u in words or any(u.endswith(w) for w in words if len(w) > 1):
            return fam
    if re.fullmatch(r"[a-z-]+(?: [a-z-]+)?", u):
        return "count"  # "renewals", "phone calls": things counted
    return u


def _kanji(s: str) -> float | None:
    total, digit = 0, 0
    for ch in s:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[ch]
        elif ch in _KANJI_SCALE:
            total += (digit or 1) * _KANJI_SCALE[ch]
            digit = 0
        else:
            return None
    return float(total + digit)


def _value(raw: str) -> float | None:
    r = raw.lower().strip()
    if r[0].isdigit():
        try:
            return float(r.replace(",", ""))
        except ValueError:
            return None
    if r == "半" or r.startswith("half"):
        return 0.5
    if r in ("a", "an"):
        return 1.0
    return _WORDS.get(r, _kanji(r))


_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9, "千": 1e3, "万": 1e4, "億": 1e8}


def quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` (NFKC-normalised; spans refer to that form). Bare numbers keep unit ""
    (years, dates and list markers are left out)."""
    t = unicodedata.normalize("NFKC", text or "").replace("ひと月", "1か月")  # same length: spans hold
    out: list[Quantity] = _shares(t)
    for m in _QUANTITY.finditer(t):
        found = _read(t, m)
        if found is not None:
            out.append(found)
    out.sort(key=lambda q: q.start)
    return _mark_before(t, out)


def _read(t: str, m: re.Match) -> Quantity | None:
    """One match as a quantity, or None when it is not one (a date, a per-item denominator, "an idea")."""
    raw, unit, cur = m.group("num"), m.group("unit") or "", m.group("cur") or ""
    value = _value(raw)
    if value is None:
        return None
    s0 = m.start("cur") if cur else m.start("num")
    value, unit = _spoken(raw, value, unit, m)
    if unit is None or (
        raw.lower() in ("a", "an") and not (m.group("unit") and _AMOUNT_VERBS.search(t[max(0, s0 - 12) : s0]))
    ):
        return None  # "takes an hour" is an amount; "60 a day", "once a week", "a report" are not
    if unit == "年" and (value >= 100 or _NOT_YEARS.match(t[m.end() : m.end() + 2])):
        return None
    end, mult = m.end(), m.group("mult") or ""
    if mult and (unit in ("円",) or cur):
        unit = mult + unit if unit else unit
        value = value * _SCALE[mult.lower()] if cur else value
    elif mult and not unit:
        return None  # 「3千」 alone: not a quantity we can name
    if cur:
        unit = cur
    after = t[end : end + 1]
    if unit and unit[0].isascii() and unit[-1:].isalpha() and after.isalpha():
        return None  # "2 min" vs "2 minimum": a word that goes on is not a unit
    if not unit:
        named = _counted(t, end, raw, value, after)
        if named is None:
            return None
        unit, end = named
    if unit and after.isdigit() and unit[0] not in "$£€":
        return None  # 「1日70分」「1件45分」: "per day", "per case" qualify the next number
    if _PER_ITEM.match(t[end : end + 4]) or (value == 1 and t[end : end + 1] in ("に", "で")):
        return None  # 「1件あたり15分」「1件に半日」: the denominator of the next quantity
    rule = bool(_RULE_AFTER.match(t[end : end + 12]) or _RULE_BEFORE.search(t[max(0, s0 - 14) : s0]))
    pa, pb = _PERIOD_AFTER.match(t[end:]), _PERIOD_BEFORE.search(t[max(0, s0 - 4) : s0])
    per = pa.group(1).lower() if pa else (pb.group(1) if pb else "")
    return Quantity(value, unit, family(unit) if unit else "", s0, end, t[s0:end].strip(), rule, per)


def _spoken(raw: str, value: float, unit: str, m: re.Match) -> tuple[float, str | None]:
    """What a spoken form means: 「1時間半」, 半年 (six months), a fortnight; "half a shift" is no amount."""
    if m.group("half"):
        value += 0.5  # "a day and a half", 「1時間半」
    if raw.lower().startswith("half") and family(unit) not in TIME_FAMILIES:
        return value, None  # "half our processes", "half a shift": a share, not an amount of time
    if raw == "半" and unit == "年":
        return 6.0, "か月"  # 半年: six months, said that way
    if unit == "fortnight":
        return value * 2, "weeks"
    return value, unit


def _counted(t: str, end: int, raw: str, value: float, after: str) -> tuple[str, int] | None:
    """A number with no unit after it: what it counts ("3 phone calls"), a period ("40 a month"), a bare
    number (unit ""), or None for a year, a date or a word number that counts nothing ("one of")."""
    plural, per = _PLURAL.match(t[end:]), _PERIOD_AFTER.match(t[end:])
    if raw[0].isalpha() and raw.lower() not in ("a couple of", "a dozen") and not plural:
        return None  # "one of", "an idea": a word number needs a unit
    if plural and not per:
        return plural.group(1).lower(), end + plural.end()
    if per:
        return f"per {per.group(1).lower()}", end  # "40 a month": things counted in a period
    if value >= 1900 or after in "年月/-.:":
        return None  # 2026年, 2027-06, 3月, list numbers
    return "", end


_RATIO = re.compile(
    r"(?<![a-z])(one|1)\s+in\s+(two|three|four|five|six|ten|\d+)\b"
    r"|(\d+)\s*(?:人|件|回|社|店|本)に\s*1\s*(?:人|件|回|社|店|本)",
    re.I,
)
_SHARE = re.compile(
    r"(?<![a-z])(?:(?:a|one)\s+(half|third|quarter|fifth|tenth)\s+of|(半分)|"
    r"(half)(?=\s+(?:of\s+)?(?:the|our|all|its|their|them)\b))",
    re.I,
)
_FRACTION = {"half": 50.0, "third": 33.0, "quarter": 25.0, "fifth": 20.0, "tenth": 10.0, "半分": 50.0}


def _shares(t: str) -> list[Quantity]:
    """「半分くらい」, "about a fifth of the team's time", "one in three new hires", 「4件に1件」: a share of
    something, in percent."""
    out = []
    for m in _RATIO.finditer(t):
        n = _value(m.group(2) or m.group(3) or "")
        if n and n > 1:
            out.append(Quantity(round(100 / n, 1), "%", "percent", m.start(), m.end(), m.group(0)))
    for m in _SHARE.finditer(t):
        word = (m.group(1) or m.group(2) or m.group(3)).lower()
        out.append(Quantity(_FRACTION[word], "%", "percent", m.start(), m.end(), m.group(0)))
    return out


def _mark_before(t: str, qs: list[Quantity]) -> list[Quantity]:
    """「32%から19%に」 / "from 32% to 19%": the first is what it was, the second what it is."""
    out = list(qs)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.family and a.family == b.family and _FROM_TO.match(t[a.end : b.start]):
            ja = not t[a.end : b.start].strip().lower().startswith("to")
            if ja or re.search(r"\bfrom\s*$", t[max(0, a.start - 6) : a.start], re.I):
                out[i] = Quantity(**{**a.__dict__, "before": True})
    return out
