"""The content checks written for what fell apart on handbooks nobody had tuned to: an outcome that is
the problem again or a tool, a prompt example's value or shape in a field, a field that loops, an empty
slot or an identifier for a name, a title cut mid-word, a number on another pain point's KPI, a theme
problem not in the participants' words, a department as the actor, a stage as the input, a reason
that names nothing the participants said, a なぜ今 nobody can open.

Each scores a finished workshop's values in [0, 1] (None: does not apply) with the same code the
stages use to write and check them (agents.slots, agents.said), so the rubric measures what the
stages promise; it reads only the saved values (an older run can be scored again).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from katachi.agents.grounding import readable, same_subject
from katachi.agents.linter import USAGE, has_any
from katachi.agents.numbers import family
from katachi.agents.said import primary
from katachi.agents.slots import example_copy, is_artifact, is_person, loops
from katachi.agents.themes import about_ai
from katachi.evals.evaluators import Result


def _float(x: Any) -> float | None:
    try:
        return float(str(x).replace(",", ""))
    except (TypeError, ValueError):
        return None


def _norm(text: str) -> str:
    return re.sub(r"[\s、。,.!！?？「」『』]", "", unicodedata.normalize("NFKC", text or ""))


def business_points(values: dict) -> list[dict]:
    """The pain points that name a business problem: not a failure pattern the intake flagged, not AI itself."""
    flagged = {f["item"] for f in (values.get("findings") or {}).get("intake", [])}
    return [
        p
        for p in values.get("pain_points") or []
        if p["id"] not in flagged and not about_ai(p["text"]) and not has_any(p["text"], USAGE)
    ]


def _said(values: dict) -> str:
    """What participants and documents said: their words are never a copy of a prompt's example."""
    texts = [p["text"] for p in values.get("pain_points") or []]
    texts += [p.get("text", "") for p in (values.get("passages") or {}).values()]
    return " ".join(texts)


def _fields(values: dict) -> list[tuple[str, str, str]]:
    """(where, field name, text) of every field a model or code wrote (not quotes, not the pain points)."""
    out: list[tuple[str, str, str]] = []
    theme = values.get("theme") or {}
    out += [("theme", f, str(theme.get(f, ""))) for f in ("title", "outcome", "why_now")]
    for k in values.get("kpis") or []:
        out += [(k["id"], f, str(k.get(f, ""))) for f in ("name", "owner", "method")]
    for u in values.get("use_cases") or []:
        out += [(u["id"], f, str(u.get(f, ""))) for f in ("title", "who", "when", "workflow_step", "input", "output")]
        out += [(u["id"], "reason", str((u.get(s) or {}).get("reason", ""))) for s in ("impact", "feasibility")]
    for h in values.get("handoffs") or []:
        out += [(h["id"], f, str(h.get(f, ""))) for f in ("what", "when", "receiving_owner")]
    return out


def _steps(values: dict) -> list[tuple[str, str, str]]:
    """Each use case's steps, its slots filled in (a slot that repeats a step's own words loops there)."""
    return [(u["id"], "how", h) for u in values.get("use_cases") or [] for h in u.get("how") or []]


class OutcomeIsAnOutcome:
    """The theme's outcome is a measurable result: not the problem again, not a tool to build."""

    name = "outcome_is_outcome"
    _TOOL = re.compile(
        r"^\s*(?:implement|establish|build|deploy|introduce|create|develop|launch|set up|roll out)\b|"
        r"(?:を導入する|を構築する|を導入し|を構築し|を作る|を整備する)",
        re.I,
    )
    _DIRECTION = re.compile(
        r"\d|短縮|削減|減ら|減少|半減|ゼロ|増や|上げ|高め|下げ|以内|から.+に|reduce|cut|halve|lower|raise|"
        r"increase|faster|within|from .+ to|down|up",
        re.I,
    )

    def __call__(self, values: dict, expect: dict) -> Result:
        theme = values.get("theme") or {}
        if not theme:
            return Result(self.name, None)
        out, prob = theme.get("outcome", ""), theme.get("problem", "")
        a, b = set(_grams(out)), set(_grams(prob))
        restated = bool(a) and len(a & b) / len(a) >= 0.8
        why = (
            "empty"
            if not out.strip()
            else "restates the problem"
            if restated
            else "a tool, not an outcome"
            if self._TOOL.search(out)
            else "no measurable change"
            if not self._DIRECTION.search(out)
            else ""
        )
        return Result(self.name, 0.0 if why else 1.0, f"{why}: {out[:50]}" if why else "")


def _share(text: str, said: str) -> float:
    """How much of ``text`` (its character bigrams) comes from ``said``."""
    a = set(_grams(text))
    return len(a & set(_grams(said))) / len(a) if a else 0.0


def _grams(text: str) -> list[str]:
    t = _norm(text).lower()
    return [t[i : i + 2] for i in range(len(t) - 1)]


class NoExampleCopies:
    """No field holds a prompt format example's value or keeps its shape with another noun (the
    examples are read from the prompts themselves)."""

    name = "no_example_copies"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang, said = values.get("lang", "ja"), _said(values)
        fields = _fields(values)
        proc = (values.get("playbook") or {}).get("procedures") or []
        fields += [(p["use_case_id"], "steps", s) for p in proc for s in p.get("steps", [])]
        bad = [f"{w}.{f}: {v[:30]}" for w, f, v in fields if v and example_copy(v, f, lang, said)]
        return Result(self.name, 0.0 if bad else 1.0, "; ".join(bad[:3]))


class NoLoops:
    """No field repeats a phrase (「営業部の営業担当者と営業部の営業部の…」)."""

    name = "no_loops"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang = values.get("lang", "ja")
        written = [x for x in _fields(values) + _steps(values) if x[1] != "why_now"]  # なぜ今 quotes a document
        bad = [f"{w}.{f}: {v[:30]}" for w, f, v in written if v and loops(v, lang)]
        return Result(self.name, 0.0 if bad else 1.0, "; ".join(bad[:3]))


class NoEmptySlots:
    """Every use case says who, when, the step, input and output and both reasons; KPIs have names made
    of words (not ``billing_and_hour_tracking_errors``)."""

    name = "no_empty_slots"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang = values.get("lang", "ja")
        bad = [
            f"{u['id']}.{f}"
            for u in values.get("use_cases") or []
            for f in ("title", "who", "when", "workflow_step", "input", "output")
            if not str(u.get(f, "")).strip()
        ]
        bad += [
            f"{u['id']}.{s}.reason"
            for u in values.get("use_cases") or []
            for s in ("impact", "feasibility")
            if not str((u.get(s) or {}).get("reason", "")).strip()
        ]
        for k in values.get("kpis") or []:
            name = str(k.get("name", "")).strip()
            if (
                not name
                or re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)+", name)
                or (lang == "ja" and re.fullmatch(r"[A-Za-z_ ]+", name))
            ):
                bad.append(f"{k['id']}.name={name}")
        return Result(self.name, 0.0 if bad else 1.0, ", ".join(bad[:6]))


class NoCutTitles:
    """No title is a pain point or a sentence cut short (「…受注後の開」), and none ends on a particle."""

    name = "no_cut_titles"
    _DANGLING = re.compile(r"[のをがにはでとや、・]$|\b(?:and|or|of|the|to|for|with|a|an)$")  # not 「社内規程Q&A」

    def __call__(self, values: dict, expect: dict) -> Result:
        said = [_norm(p["text"]) for p in values.get("pain_points") or []]
        said += [_norm(p.get("text", "")) for p in (values.get("passages") or {}).values()]
        titles = [("theme", (values.get("theme") or {}).get("title", ""))]
        titles += [(u["id"], u.get("title", "")) for u in values.get("use_cases") or []]
        bad = []
        for where, title in titles:
            t = _norm(title)
            cut = len(t) >= 8 and any(s.startswith(t) and len(s) > len(t) + 3 for s in said)
            if cut or self._DANGLING.search(title.strip()):
                bad.append(f"{where}: {title}")
        return Result(self.name, 0.0 if bad else 1.0, "; ".join(bad[:3]))


# A unit of time in a shorter one (calendar facts, not the product's table).
TIME_IN = {
    ("weeks", "days"): 7,
    ("months", "weeks"): 4,
    ("months", "days"): 30,
    ("years", "months"): 12,
    ("hours", "minutes"): 60,
    ("days", "hours"): 24,
}


def converted(k: dict, x) -> bool:
    """Is KPI ``k``'s baseline the stated number ``x`` converted explicitly: a shorter unit of time, with the
    words said kept beside it (7 days for "a week")?"""
    base = _float(k.get("baseline"))
    factor = TIME_IN.get((x.family, family(str(k.get("unit", "")))))
    return base is not None and factor is not None and k.get("said") == x.said and abs(base - x.value * factor) < 1e-9


def conversions(values: dict) -> list[dict]:
    """The KPIs whose baseline is a participant's number converted explicitly (see :func:`converted`): the
    number as read in the sentence that says it ("a week" alone reads as a period, not an amount)."""
    stated = [x for p in values.get("pain_points") or [] for x in [primary(p.get("text", ""))] if x is not None]
    return [k for k in values.get("kpis") or [] if k.get("said") and any(converted(k, x) for x in stated)]


class NumbersOnTheirKPI:
    """Every number a participant gave about a business problem is the baseline of a KPI that measures
    that pain point: the same value, a unit of the same kind (their unit of time kept; 「3割」 as 3 割 or 30 %),
    or converted explicitly: one week as 7 days, one hour as 60 minutes, with their words kept beside it."""

    name = "numbers_on_their_kpi"

    def _same(self, k: dict, x) -> bool:
        base, fam = _float(k.get("baseline")), family(str(k.get("unit", "")))
        if base is None:
            return False
        values_ = (x.value, x.value * 10) if x.unit == "割" else (x.value,)  # 3割 as 3 割 or as 30 %
        if fam == x.family and any(abs(base - v) < 1e-9 for v in values_):
            return True
        return converted(k, x)  # converted, and saying so: the participants' words are kept

    def __call__(self, values: dict, expect: dict) -> Result:
        wanted = [(p, x) for p in business_points(values) for x in [primary(p["text"])] if x is not None]
        if not wanted:
            return Result(self.name, None, "no numbers stated")
        kpis = values.get("kpis") or []
        missing = []
        for p, x in wanted:
            ok = any(
                self._same(k, x)
                and (
                    p["id"] in (k.get("pain_points") or [])
                    or (not k.get("pain_points") and same_subject(k.get("name", ""), p["text"]))
                )
                for k in kpis
            )
            if not ok:
                missing.append(f"{x.said} ({p['id']})")
        return Result(
            self.name, 1 - len(missing) / len(wanted), f"not a baseline of its KPI: {missing}" if missing else ""
        )


class ThemeProblemIsTheirs:
    """The theme's problem is what the participants said, in their words: at least one of its pain
    groups' sentences, whole (not a document's sentence, not the consequence alone)."""

    name = "theme_problem_is_theirs"

    def __call__(self, values: dict, expect: dict) -> Result:
        theme = values.get("theme") or {}
        if not theme or theme.get("origin") == "documents":
            return Result(self.name, None)
        members = {
            m for g in values.get("pain_groups") or [] if g["id"] in theme.get("pain_groups", []) for m in g["members"]
        }
        said = [p["text"] for p in values.get("pain_points") or [] if not members or p["id"] in members]
        prob = _norm(theme.get("problem", ""))
        ok = any(_norm(s) and _norm(s) in prob for s in said)
        return Result(
            self.name, 1.0 if ok else 0.0, "" if ok else f"not their sentence: {theme.get('problem', '')[:50]}"
        )


class ActorsArePeople:
    """Who does the work is a person's role (the pattern's, the documents', or a role word), never a department."""

    name = "actors_are_people"

    def __call__(self, values: dict, expect: dict) -> Result:
        from katachi.knowledge.library.catalog import load_library

        ucs = values.get("use_cases") or []
        if not ucs:
            return Result(self.name, None)
        lib, lang = load_library(), values.get("lang", "ja")
        docs = " ".join(p.get("text", "") for p in (values.get("passages") or {}).values())
        depts = values.get("departments") or []
        bad = []
        for u in ucs:
            pat = lib.patterns.get(u.get("pattern", ""))
            if not is_person(u.get("who", ""), pat.text(lang).who if pat else "\0", docs, depts):
                bad.append(f"{u['id']}: {u.get('who', '')}")
        return Result(self.name, 1 - len(bad) / len(ucs), "; ".join(bad))


class InputsAreArtifacts:
    """A use case starts from a thing and makes a thing: no stage (「商談準備の段階」), no pasted sentence,
    not its own output again."""

    name = "inputs_are_artifacts"

    def __call__(self, values: dict, expect: dict) -> Result:
        ucs = values.get("use_cases") or []
        if not ucs:
            return Result(self.name, None)
        docs = " ".join(p.get("text", "") for p in (values.get("passages") or {}).values())
        bad = [
            f"{u['id']}: {u.get('input', '')} → {u.get('output', '')}"
            for u in ucs
            if not is_artifact(u.get("input", ""), u.get("output", ""), docs)
            or not is_artifact(u.get("output", ""), "", docs)
        ]
        return Result(self.name, 1 - len(bad) / len(ucs), "; ".join(bad[:3]))


class ReasonsNameThePain:
    """Each use case's impact reason names what the participants said: their number, their words, or the
    KPI that measures their pain point."""

    name = "reasons_name_the_pain"

    def __call__(self, values: dict, expect: dict) -> Result:
        ucs = values.get("use_cases") or []
        if not ucs:
            return Result(self.name, None)
        kpis = {k["id"]: k for k in values.get("kpis") or []}
        points = [p["text"] for p in values.get("pain_points") or []]
        bad = []
        for u in ucs:
            reason = str((u.get("impact") or {}).get("reason", ""))
            k = kpis.get(u.get("kpi_id", ""), {})
            ok = bool(reason) and (
                (k.get("said") and k["said"] in reason)
                or (k.get("name") and k["name"] in reason)
                or any(_share(reason, p) >= 0.5 for p in points)
            )
            if not ok:
                bad.append(f"{u['id']}: {reason[:30]}")
        return Result(self.name, 1 - len(bad) / len(ucs), "; ".join(bad[:3]))


class WhyNowIsCited:
    """なぜ今 is a sentence of the company's documents that the theme cites, or left empty."""

    name = "why_now_cited"

    def __call__(self, values: dict, expect: dict) -> Result:
        theme = values.get("theme") or {}
        why = _norm(theme.get("why_now", ""))
        if not theme:
            return Result(self.name, None)
        if not why:
            return Result(self.name, 1.0, "empty")
        ok = any(why and why in _norm(readable(c.get("quote", ""))) for c in theme.get("citations") or [])
        return Result(
            self.name, 1.0 if ok else 0.0, "" if ok else f"not a cited sentence: {theme.get('why_now', '')[:40]}"
        )


CHECKS: list[Any] = [
    OutcomeIsAnOutcome(),
    NoExampleCopies(),
    NoLoops(),
    NoEmptySlots(),
    NoCutTitles(),
    NumbersOnTheirKPI(),
    ThemeProblemIsTheirs(),
    ActorsArePeople(),
    InputsAreArtifacts(),
    ReasonsNameThePain(),
    WhyNowIsCited(),
]
