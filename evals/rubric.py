"""The content rubric: what a consultant checks before a playbook goes to the client. One small
evaluator per check, each scoring a finished workshop's values in [0, 1] (None: does not apply), and
a per-scenario score ``passed / applicable`` (a check passes at 1.0).

The checks use the same code as the quality checks (agents.numbers, agents.script, agents.sections,
agents.grounding), so the rubric measures what the checks promise; it reads only the saved values, so
an older run's outputs can be scored again with today's rubric (``katachi eval --rescore DIR``).
"""

from __future__ import annotations

from typing import Any

from katachi.agents import script
from katachi.agents.grounding import is_prose, same_subject
from katachi.agents.intake import similarity
from katachi.agents.linter import USAGE, has_any
from katachi.agents.numbers import family, numbers_in, supported
from katachi.agents.schemas import KPI, UseCase
from katachi.agents.sections import NEAR_COPY, copied_from_example, generic, procedure_problems, review_problems
from katachi.agents.themes import about_ai, is_ai_goal
from katachi.agents.usecases import repeats_title
from katachi.evals import content_checks
from katachi.evals.evaluators import Result, _claims


def _float(x: Any) -> float | None:
    try:
        return float(str(x).replace(",", ""))
    except (TypeError, ValueError):
        return None


def _theme_points(values: dict) -> list[str]:
    theme = values.get("theme") or {}
    members = {
        m for g in values.get("pain_groups") or [] if g["id"] in theme.get("pain_groups", []) for m in g["members"]
    }
    points = values.get("pain_points") or []
    return [p["text"] for p in points if p["id"] in members] or [p["text"] for p in points]


class NoInventedBaselines:
    """Every numeric KPI baseline is a number participants said or a cited quote states."""

    name = "no_invented_baselines"

    def __call__(self, values: dict, expect: dict) -> Result:
        seeded = set(expect.get("seeded") or [])
        kpis = [k for k in values.get("kpis") or [] if _float(k.get("baseline")) is not None and k["id"] not in seeded]
        if not kpis:
            return Result(self.name, 1.0, "no numeric baselines")
        said = [p["text"] for p in values.get("pain_points") or []]
        conv = {k["id"] for k in content_checks.conversions(values)}  # "a week" as 7 days, saying so
        bad = [
            k["id"]
            for k in kpis
            if k["id"] not in conv
            and not supported(_float(k["baseline"]), k["unit"], said + [c["quote"] for c in k.get("citations", [])])
        ]
        return Result(self.name, 1 - len(bad) / len(kpis), f"invented: {bad}" if bad else f"{len(kpis)} supported")


class StatedNumbersUsed:
    """The number each of the theme's pain points is about (「2日」 in 「提案書の作成に2日かかる」, not the size of
    a team beside it) is a KPI baseline, in a unit of the same kind."""

    name = "stated_numbers_used"

    def __call__(self, values: dict, expect: dict) -> Result:
        from katachi.agents.said import primary

        theme = values.get("theme") or {}
        if not theme or theme.get("origin") == "documents":
            return Result(self.name, None, "no participant theme")
        stated = [x for x in (primary(t) for t in _theme_points(values)) if x is not None]
        if not stated:
            return Result(self.name, None, "no numbers stated")
        kpis = values.get("kpis") or []
        base = [(_float(k.get("baseline")), family(k.get("unit", ""))) for k in kpis]
        used = [
            x
            for x in stated
            if any(b is not None and abs(b - x.value) < 1e-9 and f == x.family for b, f in base)
            or any(content_checks.converted(k, x) for k in kpis)
        ]
        return Result(self.name, len(used) / len(stated), f"{len(used)}/{len(stated)} used")


class ThemeFromPainPoints:
    """The theme's problem is written from its pain groups' words, with no number nobody stated."""

    name = "theme_from_pain_points"

    def __call__(self, values: dict, expect: dict) -> Result:
        theme = values.get("theme") or {}
        if not theme:
            return Result(self.name, None)
        if theme.get("origin") == "documents":
            return Result(self.name, 1.0, "from documents, labelled")
        said = " ".join(_theme_points(values))
        quotes = [c["quote"] for c in theme.get("citations", [])]
        ok = same_subject(theme.get("problem", ""), said)
        # the outcome may name the KPI's first-step target (「2日から1日に」): a number code set, not one invented
        # … as the playbook prints it: "$700,000 per year" (the check once read only '700000 $ per year' and
        # called the outcome's own target unstated)
        from katachi.agents.targets import target_words

        lang = values.get("lang", "ja")
        targets = [
            x
            for k in values.get("kpis") or []
            for x in (
                f"{k.get('target', '')} {k.get('unit', '')}",
                target_words(str(k.get("target", "")), k.get("unit", ""), lang),
            )
        ]
        # and a baseline converted from their words, saying so ("from 7 days" for "a week")
        targets += [f"{k.get('baseline', '')} {k.get('unit', '')}" for k in content_checks.conversions(values)]
        nums = [
            f"{v:g}{u}"
            for fld in ("problem", "outcome")
            for v, u in numbers_in(theme.get(fld, ""))
            if u and not supported(v, u, [said] + quotes + (targets if fld == "outcome" else []))
        ]
        return Result(
            self.name,
            1.0 if ok and not nums else 0.0,
            ("drifts; " if not ok else "") + (f"unstated numbers {nums}" if nums else ""),
        )


class CleanLanguage:
    """No Chinese in Japanese output, no CJK in English output."""

    name = "clean_language"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang = values.get("lang", "ja")
        allowed = " ".join([p["text"] for p in values.get("pain_points") or []] + list(values.get("departments") or []))
        content = {k: values.get(k) for k in ("theme", "kpis", "use_cases", "handoffs", "playbook")}
        bad = script.scan(content, lang, allowed)
        return Result(self.name, 0.0 if bad else 1.0, "; ".join(bad)[:200])


class ProseCitations:
    """Every citation quotes prose, never markup."""

    name = "prose_citations"

    def __call__(self, values: dict, expect: dict) -> Result:
        quotes = [c["quote"] for _, item in _claims(values) for c in item.get("citations", [])]
        if not quotes:
            return Result(self.name, None, "no citations")
        bad = [q for q in quotes if not is_prose(q)]
        return Result(self.name, 1 - len(bad) / len(quotes), f"markup: {bad[:2]}" if bad else f"{len(quotes)} prose")


class RealProcedures:
    """Procedures with 4-6 real steps and a template on the work's own input, nothing from the example."""

    name = "real_procedures"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang = values.get("lang", "ja")
        procs = (values.get("playbook") or {}).get("procedures") or []
        ucs = {u["id"]: UseCase.model_validate(u) for u in values.get("use_cases") or []}
        if not procs:
            return Result(self.name, None)
        documents = [p.get("text", "") for p in (values.get("passages") or {}).values()]
        bad = [
            p["use_case_id"]
            for p in procs
            if p["use_case_id"] in ucs
            and procedure_problems(
                p["title"],
                p["steps"],
                p["prompt_template"],
                ucs[p["use_case_id"]],
                lang,
                documents,
                p.get("placeholder_notes"),
            )
        ]
        return Result(self.name, 1 - len(bad) / len(procs), f"vacuous or copied: {bad}" if bad else "")


class NoAIAsGoal:
    """The theme is a business result, and no two use cases are the same."""

    name = "no_ai_as_goal"

    def __call__(self, values: dict, expect: dict) -> Result:
        theme = values.get("theme") or {}
        ucs = values.get("use_cases") or []
        dup = [
            (a["id"], b["id"])
            for i, a in enumerate(ucs)
            for b in ucs[:i]
            if similarity(f"{a['title']} {a['workflow_step']}", f"{b['title']} {b['workflow_step']}") >= NEAR_COPY
        ]
        head = f"{theme.get('title', '')} {theme.get('outcome', '')}"
        ai = bool(theme) and (
            is_ai_goal(theme.get("title", "")) or about_ai(theme.get("title", "")) or has_any(head, USAGE)
        )
        seeded = set(expect.get("seeded") or [])  # a usage KPI a scripted human edit put there on purpose
        usage = [
            k["id"]
            for k in values.get("kpis") or []
            if has_any(f"{k['name']} {k['unit']}", USAGE) and k["id"] not in seeded
        ]
        bad = ai or dup or usage
        return Result(
            self.name,
            0.0 if bad else 1.0,
            ("AI is the goal; " if ai else "")
            + (f"dup {dup}; " if dup else "")
            + (f"usage KPIs {usage}" if usage else ""),
        )


class MeaningfulSections:
    """Weekly review on a working day at a time with rules against the targets; glossary without generic
    words; actors in their department; hand-offs naming an artefact, not a use-case title."""

    name = "meaningful_sections"

    def __call__(self, values: dict, expect: dict) -> Result:
        lang = values.get("lang", "ja")
        pb = values.get("playbook") or {}
        kpis = [KPI.model_validate(k) for k in values.get("kpis") or []]
        checks: dict[str, bool] = {}
        wr = pb.get("weekly_review")
        if wr:
            checks["weekly_review"] = not review_problems(wr.get("cadence", ""), wr.get("decision_rules", []), kpis)
        if pb.get("glossary"):
            checks["glossary"] = not any(generic(g["term"]) for g in pb["glossary"])
        depts = values.get("departments") or []
        ucs = values.get("use_cases") or []
        checks["actors"] = all(
            not [d for d in depts if d != u["department"] and d in u["who"]] or u["department"] in u["who"] for u in ucs
        )
        titles = [u["title"] for u in ucs]
        outputs = [u["output"] for u in ucs]
        checks["handoffs"] = all(
            not any(repeats_title(h["what"], x) for x in titles) or h["what"] in outputs
            for h in values.get("handoffs") or []
        )
        checks["no_example_copies"] = not any(
            copied_from_example(f"{u['title']} {u['input']}", "usecases", lang) for u in ucs
        )
        failed = [k for k, ok in checks.items() if not ok]
        return Result(self.name, 1 - len(failed) / len(checks), f"failed: {failed}" if failed else "")


RUBRIC: list[Any] = [
    NoInventedBaselines(),
    StatedNumbersUsed(),
    ThemeFromPainPoints(),
    CleanLanguage(),
    ProseCitations(),
    RealProcedures(),
    NoAIAsGoal(),
    MeaningfulSections(),
    *content_checks.CHECKS,
]
CHECKS = tuple(r.name for r in RUBRIC)


def score(values: dict, expect: dict) -> tuple[list[Result], str]:
    """The rubric's results and the scenario's ``passed/applicable``."""
    results = [r(values, expect) for r in RUBRIC]
    applicable = [r for r in results if r.score is not None]
    passed = sum(1 for r in applicable if r.score >= 1.0)
    return results, f"{passed}/{len(applicable)}"
