"""The participants' own measure, named from their words when no catalogue KPI fits.

The name is the work their number is said of (:func:`agents.said.subject`) in a template per kind
(「シフト作成にかかる日数」, "Time for cash application"). A subject that does not read as the name of a
piece of work — a clause cut at a verb or a particle ("Days for which", "Cost of auto-renewed a",
「まにかかる日数」), a bare word ("Number of times"), a number ("Time for 5 people") — is not
used: the measure is then named by the participants' clause, quoted whole (「「…」にかかる時間」,
"Time taken: “…”"). Of the pain-point bank's sentences that state a number (evals/datasets/pains: 100
English, 105 Japanese) this changed 52 English and 68 Japanese names; both lists are in
evals/reports/2026-12-06-content/own-kpi-names.md."""

from __future__ import annotations

import re
import unicodedata

from katachi.agents.numbers import Stated
from katachi.agents.said import clause, subject
from katachi.core.i18n import t

_NAME_KIND = {
    "days": "days",
    "weeks": "days",
    "months": "days",
    "years": "days",
    "hours": "hours",
    "minutes": "hours",
    "percent": "percent",
    "count": "count",
    "yen": "money",
    "usd": "money",
    "gbp": "money",
    "eur": "money",
}

# A subject that is already a measure is the name itself (「コールセンターの平均待ち時間」, "Win rate on
# enterprise deals"): a template around it says it twice ("Time for average handle time").
_JA_MEASURE = re.compile(r"(?:時間|日数|件数|割合|率|費|コスト|金額|額|期間|リードタイム|予算)$")
_EN_MEASURE = re.compile(r"\b(?:rates?|time|costs?|bill|spend)\b", re.I)
# Japanese: a phrase that ends in a particle, a conjunctive or past form or a bare verb form is a cut
# clause (「手が回らなくて」「待ちになった」「まで」→「ま」), not a name.
_JA_CUT = re.compile(r"(?:[てでとにがはをもやかへたっな]|[一-龯]{2}し|ない|だけ|あと|ま|なの|って|前|後|向け|内容)$")
_JA_VERB = re.compile(r"[うくすつぬむぶぐる]$")
_EN_FUNCTION = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "for",
    "and",
    "but",
    "or",
    "with",
    "in",
    "on",
    "at",
    "by",
    "from",
    "which",
    "that",
    "who",
    "some",
    "last",
    "even",
    "simple",
    "its",
    "their",
    "our",
    "my",
    "your",
    "it",
    "them",
    "this",
    "these",
    "those",
    "so",
    "because",
    "up",
    "down",
    "out",
    "no",
    "own",
}
_EN_VERBS = {
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "get",
    "gets",
    "got",
    "go",
    "goes",
    "went",
    "come",
    "comes",
    "came",
    "run",
    "runs",
    "ran",
    "lose",
    "loses",
    "lost",
    "keep",
    "keeps",
    "kept",
    "take",
    "takes",
    "took",
    "need",
    "needs",
    "sit",
    "sits",
    "wait",
    "waits",
    "pile",
    "piles",
    "exist",
    "exists",
    "retire",
    "retires",
    "produce",
    "produces",
    "tie",
    "ties",
    "knew",
    "know",
    "knows",
    "eat",
    "eats",
    "add",
    "adds",
    "make",
    "makes",
    "bounce",
    "bounces",
    "spend",
    "spends",
    "hit",
    "hits",
    "handwrite",
    "type",
    "fell",
    "rose",
    "dropped",
    "leave",
    "leaves",
    "stay",
    "stays",
    "land",
    "lands",
    "auto-renewed",
    "renewed",
    "bought",
    "approved",
    "sent",
    "used",
    "use",
    "uses",
    "retype",
    "retypes",
    "retyped",
    "sort",
    "sorts",
    "talk",
    "talks",
}
# one word that names no work (who, or how often): "Number of times", "Days for staff"
_EN_BARE = {
    "times",
    "people",
    "staff",
    "patients",
    "consultants",
    "kitchen",
    "work",
    "team",
    "everyone",
    "someone",
    "nobody",
    "levels",
    "calls",
    "ones",
    "cases",
    "things",
    "days",
    "weeks",
    "hours",
    "minutes",
    "spending",
}


def own_quote(stated: Stated | None, words: str, lang: str) -> str | None:
    """The participants' clause when their measure is named by quoting it (a theme's title then quotes
    it too: "Cut the time: “…”", not "Cut days taken: “…”"); ``None`` when the work has a name."""
    if stated is None:
        return None
    what = subject(stated, lang).strip()
    kind = _NAME_KIND.get(stated.family, "count")
    if what and (
        _is_measure(what, kind, lang)
        or _reads_as_name(what, lang)
        or (lang == "ja" and _JA_VERB.search(what) and kind in ("days", "hours"))
    ):
        return None
    return _said(stated, words, lang)


def own_name(stated: Stated | None, words: str, lang: str) -> str:
    """The participants' own measure: 「換算と突合の日数」, "Time for month-end close", or their clause
    quoted when the work cannot be named from it."""
    if stated is None:  # a vague pain point: how often what they said happens, in their words, whole
        return t("kpi.own.vague", lang, said=_first_clause(words))
    what = subject(stated, lang).strip()
    kind = _NAME_KIND.get(stated.family, "count")
    quote = own_quote(stated, words, lang)
    if quote is not None:
        return t(f"kpi.own.{kind}_quoted", lang, said=quote)
    if _is_measure(what, kind, lang):
        return what[:1].upper() + what[1:] if lang == "en" else what
    if lang == "ja" and _JA_VERB.search(what) and kind in ("days", "hours"):
        what += "の"  # 「営業日報を書くのにかかる時間」
    if lang == "en":
        what = what if what[1:2].isupper() else what[:1].lower() + what[1:]
    name = t(f"kpi.own.{kind}", lang, subject=what)
    return name[:1].upper() + name[1:] if lang == "en" else name


def _is_measure(what: str, kind: str, lang: str) -> bool:
    if lang == "ja":
        return bool(_JA_MEASURE.search(what)) and not _JA_CUT.search(what)
    words = what.lower().split()
    if not _reads_as_name(what, lang):
        return False
    return any(w.startswith("rate") for w in words) or (
        kind in ("hours", "days", "money") and bool(_EN_MEASURE.search(words[-1]))
    )


def _reads_as_name(what: str, lang: str) -> bool:
    if any(ch.isdigit() or ch in ":：×%" for ch in what):  # 「×5人」, "Audit prep: two people"
        return False
    if lang == "ja":
        return len(what) >= 3 and not _JA_CUT.search(what) and not _JA_VERB.search(what)
    words = [w.strip("'’\"“”,.").lower() for w in what.split()]
    if words and words[0] in ("a", "an", "the") and len(words) > 1:
        words = words[1:]  # "A proposal", "The board pack": a noun phrase
    if not words or words[0] in _EN_FUNCTION or words[-1] in _EN_FUNCTION:
        return False
    if len(words) == 1 and words[0] in _EN_BARE:
        return False
    return not any(w in _EN_VERBS for w in words)


def _said(stated: Stated, words: str, lang: str) -> str:
    """The clause the number stands in when it says enough, else the sentence's first clause."""
    part = unicodedata.normalize("NFKC", clause(stated)).strip(" 、。,.;")
    part = re.sub(r"^(?:and|so|but|which|then)\s+", "", part, flags=re.I)  # "and staff wait a fortnight"
    enough = len(part) >= 8 if lang == "ja" else len(part.split()) >= 5
    part = part if enough else _first_clause(words)
    return part[:1].upper() + part[1:] if lang == "en" else part


def _first_clause(words: str) -> str:
    return re.split(r"[、。,;.]|\s(?:so|because|but)\s", words.strip())[0].strip()
