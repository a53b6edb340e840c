"""Themes: 2-4 candidate themes from the grouped pain points, grounded in the company's documents."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agents.common import StageContext, StageLog, ask, cite, evidence_for, finding, items, text
from agents.grounding import same_subject
from agents.numbers import unsupported_in
from agents.schemas import PainGroup, Theme
from core.i18n import t as text_of


class ThemeOut(BaseModel):
    title: str = text(16, 2)
    problem: str = text(36, 4)
    outcome: str = text(36, 4)
    why_now: str = text(24, default="")
    pain_groups: list[str] = items(2)
    evidence: list[str] = items(2)


class ThemesOut(BaseModel):
    # At least two candidates (the grammar enforces minItems): with one, the embedded model was asked
    # again for "different themes" in 2 of 3 demo runs, ~45 s a time.
    themes: list[ThemeOut] = Field(min_length=2, json_schema_extra={"maxItems": 4})


_AI_GOAL = ("ai導入", "aiの導入", "ai の導入", "ai活用", "aiの活用", "ai を活用", "生成ai", "ai adoption", "adopt ai",
            "use ai", "using ai", "ai usage", "ai を使")


def is_ai_goal(title: str) -> bool:
    t = title.lower()
    return any(w in t for w in _AI_GOAL)


_AI_WORD = re.compile(r"(?<![a-z])(?:ai|gpt|llm|copilot|chatgpt)(?![a-z])")


def about_ai(text: str) -> bool:
    """Talks about AI itself ('AI', 'ChatGPT', 'prompts'); 'email' or 'training' do not count."""
    t = text.lower()
    return bool(_AI_WORD.search(t)) or any(w in t for w in ("プロンプト", "prompt"))


def ai_mentions(text: str) -> int:
    """How often ``text`` names AI (a section about AI names it again and again)."""
    return len(_AI_WORD.findall(text.lower()))


def business_groups(groups: list[PainGroup], points: dict[str, str], flagged: set[str]) -> list[PainGroup]:
    """The groups that name a business problem: not every member is a flagged failure pattern
    (若手任せ, 研修止まり, 目的化…) or talk about AI itself."""
    return [g for g in groups
            if not all(m in flagged or about_ai(points.get(m, g.summary)) for m in (g.members or [g.id]))]


_TIME_UNITS = ("日", "時間", "分", "週", "day", "hour", "minute", "week")


def kpi_words(name: str, lang: str) -> str:
    """A KPI's name inside a sentence: English loses its capital ('Days sales…' → 'days sales…')."""
    return name if lang == "ja" or name[1:2].isupper() else name[:1].lower() + name[1:]


def result_title(name: str, better: str, unit: str, lang: str) -> str:
    """A theme title that is a business result: 「見積回答日数の短縮」, "Cut quote turnaround"."""
    if better == "higher":
        return text_of("theme.title.higher", lang, name=name)
    timed = any(u in unit.lower() for u in _TIME_UNITS)
    return text_of("theme.title.lower_time" if timed else "theme.title.lower", lang, name=name)


def themes_from_groups(ctx: StageContext, groups: list[PainGroup], points: dict[str, str], ev, log: StageLog,
                       n: int) -> list[Theme]:
    """When every candidate the model wrote made AI the goal, even after the retries: one theme per
    pain group, built in code — the catalogue KPI that measures the group's problem as the title, the
    participants' own words as the problem (measured: ja-prompt-training-only kept 「AI導入」 as its theme
    before this)."""
    from agents.grounding import readable, relevant

    lib = ctx.catalog()
    out: list[Theme] = []
    for i, g in enumerate(groups[:n]):
        said = " ".join([g.summary] + [points.get(m, "") for m in g.members])
        k = next(iter(lib.kpi_candidates(said, ctx.lang, ctx.functions(), k=1)), None)
        if k is None:
            continue
        kt = k.text(ctx.lang)
        name = kpi_words(kt.name, ctx.lang)
        ids = [sid for sid, (_, sent) in ev.sentences.items() if relevant(g.summary, readable(sent))][:2]
        citations, support = cite(ev, ids, log, f"theme[{i}]", claim=g.summary)
        out.append(Theme(title=result_title(name, k.better, kt.unit, ctx.lang), problem=g.summary,
                         outcome=text_of(f"theme.outcome.{k.better}", ctx.lang, name=name), pain_groups=[g.id],
                         citations=citations, support=support, measures=[k.id]))
    if out:
        log.findings.append(finding("theme_from_groups", "themes", "", ctx.lang, severity="info"))
    return out


def pain_lines(groups: list[PainGroup]) -> str:
    return "\n".join(f"{g.id}: {g.summary}" + (f"（×{len(g.members)}）" if len(g.members) > 1 else "") for g in groups)


def _words_of(t: ThemeOut, groups: list[PainGroup], points: dict[str, str]) -> str:
    """What the participants said in the groups a theme answers (every group when it names none)."""
    chosen = [g for g in groups if g.id in t.pain_groups] or groups
    return " ".join([g.summary for g in chosen] + [points.get(m, "") for g in chosen for m in g.members])


def theme_problems(t: ThemeOut, groups: list[PainGroup], points: dict[str, str], sources: list[str]) -> list[str]:
    """A theme a reviewer would refuse: a problem nobody raised, or numbers nobody stated."""
    p = []
    said = _words_of(t, groups, points)
    if not same_subject(t.problem, said):
        p.append(f"theme '{t.title}': write the problem from the participants' own words in its pain groups "
                 f"({[g.id for g in groups if g.id in t.pain_groups] or [g.id for g in groups]})")
    for field in ("problem", "outcome"):
        bad = unsupported_in(getattr(t, field), sources + [said])
        if bad:
            p.append(f"theme '{t.title}': {field} has numbers nobody stated {bad}; leave them out")
    return p


def repair_theme(t: ThemeOut, groups: list[PainGroup], points: dict[str, str], sources: list[str], lang: str,
                 log: StageLog) -> ThemeOut:
    """What survived the retries is repaired from the participants' words: the problem becomes their
    group summaries; clauses with unstated numbers are dropped."""
    said = _words_of(t, groups, points)
    update = {}
    if not same_subject(t.problem, said):
        chosen = [g for g in groups if g.id in t.pain_groups] or groups[:1]
        update["problem"] = "、".join(g.summary for g in chosen[:2]) if lang == "ja" else "; ".join(
            g.summary for g in chosen[:2])
        log.findings.append(finding("theme_problem_repaired", "themes", t.title, lang, update["problem"][:60],
                                    severity="info"))
    for field in ("problem", "outcome"):
        text = update.get(field, getattr(t, field))
        bad = unsupported_in(text, sources + [said])
        if bad:
            kept = [c for c in re.split(r"(?<=[、,;。])\s*", text) if c and not unsupported_in(c, sources + [said])]
            update[field] = "".join(kept).strip(" 、,;") or (said[:40] if field == "problem" else t.title)
            log.findings.append(finding("number_unsupported", "themes", t.title, lang, ", ".join(bad)))
    return t.model_copy(update=update) if update else t


def generate_themes(ctx: StageContext, groups: list[PainGroup], n: int = 3, feedback: str = "",
                    points: dict[str, str] | None = None) -> tuple[list[Theme], StageLog]:
    """``points``: pain point id → text, so a theme's problem can be checked against its groups' words.
    (Themes from the company's documents are made in code: agents.document_themes.)"""
    log = StageLog()
    points = points or {}
    ev = evidence_for(ctx, [g.summary for g in groups][:6], log, k=2)
    group_ids = [g.id for g in groups]
    sources = list(points.values()) + [g.summary for g in groups] + [sent for _, sent in ev.sentences.values()]

    def usable(out: ThemesOut) -> list[ThemeOut]:
        seen: set[str] = set()
        keep = []
        for t in out.themes:
            if t.title.strip() not in seen and not is_ai_goal(t.title) and not about_ai(t.title):
                seen.add(t.title.strip())
                keep.append(t)
        return keep

    def check(out: ThemesOut) -> list[str]:
        # Code drops repeated and AI-as-goal candidates itself; another call is worth it only when
        # fewer than two usable candidates are left.
        # A problem nobody raised and unstated numbers are repaired from the groups' words below (with a
        # finding) rather than retried: the repair is what a retry is asked to do, at no model cost.
        probs: list[str] = []
        if len(usable(out)) >= min(2, n):
            return probs
        bad = [t.title for t in out.themes if is_ai_goal(t.title) or about_ai(t.title)]
        return probs + [f"give {n} different themes that name business results"
                        + (f"; these make AI the goal: {bad}" if bad else "")]

    shown: set[str] = set()

    def draft(field: str, item: dict) -> None:
        """A candidate for the room as soon as the model has written it, through the same repairs as the
        final ones (a draft that makes AI the goal, repeats one or is not in the language is not shown)."""
        from pydantic import ValidationError

        from agents import script

        try:
            t = ThemeOut.model_validate(item)
        except ValidationError:
            return
        title = t.title.strip()
        if field != "themes" or title in shown or is_ai_goal(title) or about_ai(title):
            return
        t, bad = script.repair_model(t, ctx.lang, pain_lines(groups) + ev.prompt_block())
        if bad:
            return
        t = repair_theme(t, groups, points, sources, ctx.lang, StageLog())
        shown.add(title)
        citations, support = cite(ev, t.evidence, StageLog(), "draft", claim=f"{t.title} {t.problem} {t.outcome}")
        ctx.show("themes", Theme(title=title, problem=t.problem, outcome=t.outcome, why_now=t.why_now,
                                 citations=citations, support=support).model_dump())

    out: ThemesOut = ask(ctx, log, role="themes", schema=ThemesOut, prompt="themes", evidence=ev, feedback=feedback,
                         check=check, enums={"pain_groups": group_ids}, pain_points=pain_lines(groups), n=n,
                         max_tokens=700, on_item=draft)
    themes = []
    kept = usable(out)
    if not kept:  # every candidate made AI the goal, even after the retries: built from the groups instead
        built = themes_from_groups(ctx, groups, points, ev, log, n)
        if built:
            return built, log
        kept = out.themes[:1]  # nothing to build from: keep one, the linter flags it
    for i, t in enumerate(kept):
        t = repair_theme(t, groups, points, sources, ctx.lang, log)
        for prob in theme_problems(t, groups, points, sources):  # what the repair could not fix
            log.findings.append(finding("theme_check", "themes", t.title, ctx.lang, prob))
        citations, support = cite(ev, t.evidence, log, f"theme[{i}]", claim=f"{t.title} {t.problem} {t.outcome}")
        measures = [k.id for k in ctx.catalog().kpi_candidates(f"{t.title} {t.problem} {t.outcome}", ctx.lang,
                                                               ctx.functions(), k=2)]
        themes.append(Theme(title=t.title.strip(), problem=t.problem, outcome=t.outcome, why_now=t.why_now,
                            pain_groups=[g for g in t.pain_groups if g in group_ids], citations=citations,
                            support=support, measures=measures))
    return themes, log
