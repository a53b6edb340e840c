"""Themes: one candidate per pain group, written in code; the model ranks the groups and picks, for
each, the KPI that measures it from a shortlist, and a document sentence that says why now.

A theme's problem is the participants' sentences, whole (never cut, never another cause); its
outcome is its KPI moved from their number to a first-step target (「提案書作成リードタイムを2日から1日に」),
or the KPI's direction when they gave no number; its title is the KPI's phrase (「提案書作成リードタイムの
短縮」); ``why_now`` is a cited sentence of the company's documents, or empty. The model only picks from
what code offers: asked to write themes, the embedded model cuts titles mid-word, restates the problem
as the outcome and copies its prompt's example into なぜ今.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from katachi.agents.common import Made, StageContext, StageLog, ask, cite, evidence_for
from katachi.agents.grounding import readable, same_subject
from katachi.agents.groups import PARTICIPANTS, GroupView, group_line, own_name, view_groups
from katachi.agents.own_names import own_quote
from katachi.agents.schemas import PainGroup, Theme
from katachi.agents.targets import amount, baseline_of, first_step
from katachi.core.i18n import t as text_of

_AI_GOAL = (
    "ai導入",
    "aiの導入",
    "ai の導入",
    "ai活用",
    "aiの活用",
    "ai を活用",
    "生成ai",
    "ai adoption",
    "adopt ai",
    "use ai",
    "using ai",
    "ai usage",
    "ai を使",
)


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
    return [
        g for g in groups if not all(m in flagged or about_ai(points.get(m, g.summary)) for m in (g.members or [g.id]))
    ]


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


def quoted_title(said: str, better: str, unit: str, lang: str) -> str:
    """A theme title around the participants' own clause: "Cut the time: “A proposal takes 2 days”"."""
    timed = any(u in unit.lower() for u in _TIME_UNITS)
    kind = "higher" if better == "higher" else ("lower_time" if timed else "lower")
    return text_of(f"theme.title.quoted_{kind}", lang, said=said)


class ThemePick(BaseModel):
    group: str  # a pain group id
    kpi: str  # one of the KPIs offered for that group, or "participants"
    why_now: str = ""  # a document sentence id that says why now, or ""


class ThemePicks(BaseModel):
    themes: list[ThemePick] = Field(min_length=1, json_schema_extra={"maxItems": 4})


def write_theme(ctx: StageContext, v: GroupView, kpi_id: str, why_id: str, ev, log: StageLog, where: str) -> Theme:
    """A theme from one group and the KPI that measures it (see the module's docstring)."""
    from katachi.agents.said import too_little

    lib = ctx.catalog()
    cat = lib.kpis.get(kpi_id)
    stated = v.stated
    if cat is not None:
        tx = cat.text(ctx.lang)
        name, unit, better = tx.name, tx.unit, cat.better
        stated = v.stated_for(cat, lib, ctx.lang, ctx.embed)  # the member's number this KPI measures
    else:
        name = own_name(stated, v.words, ctx.lang)
        unit = stated.unit if stated is not None else ""
        better = "higher" if stated is not None and too_little(stated) else "lower"
    words = kpi_words(name, ctx.lang)
    if stated is not None:
        value, shown = baseline_of(stated, unit, ctx.lang)
        target = first_step(value, better == "lower", "percent" if shown.startswith("%") else "")
        outcome = text_of(
            "kpi.outcome.from_to" if better == "lower" else "kpi.outcome.from_to_up",
            ctx.lang,
            name=name if ctx.lang == "ja" else name[:1].upper() + name[1:],
            baseline=amount(value, shown, ctx.lang),
            target=amount(target, shown, ctx.lang),
        )
    else:
        outcome = text_of(f"kpi.outcome.{better}", ctx.lang, name=words)
    sentences = dict(ev.sentences)
    why = sentences.get(why_id)
    # about the same work in content words (English letter pairs overlap in any two sentences)
    why_now = readable(why[1]) if why and same_subject(readable(why[1]), v.words) else ""
    ids = ([why_id] if why_now else []) + [
        sid for sid, (_, s) in sentences.items() if sid != why_id and same_subject(readable(s), v.words)
    ]
    citations, support = cite(ev, ids[:2], log, where, claim=f"{v.words} {why_now}")
    others = [c.kpi.id for c in v.candidates if c.kpi.id != kpi_id][:1]
    sep = "" if ctx.lang == "ja" else " "
    quote = own_quote(stated, v.words, ctx.lang) if cat is None else None
    title = (
        result_title(words, better, unit, ctx.lang) if quote is None else quoted_title(quote, better, unit, ctx.lang)
    )
    return Theme(
        title=title,
        problem=sep.join(_sentence(x, ctx.lang) for x in v.texts),
        outcome=outcome,
        why_now=why_now,
        pain_groups=[v.id],
        citations=citations,
        support=support,
        measures=[kpi_id, *others],
    )


def _sentence(text: str, lang: str) -> str:
    """A participant's sentence as written, closed with a full stop when it has none."""
    s = text.strip()
    return s if re.search(r"[。．.!?！？」)]$", s) else s + ("。" if lang == "ja" else ".")


MAX_GROUPS = 5  # groups shown to the model to rank; the rest are vaguer or smaller


def _order(views: list[GroupView]) -> list[GroupView]:
    """Code's order of the groups: a stated number a catalogue KPI can take first, then a number, then a
    catalogue KPI; bigger groups and closer KPIs first within each. The model ranks them in this order
    (a 1.5B model keeps much of the order it is shown: shown first, a vague 「メルマガのネタ切れ」 stays
    ahead of two pain points of two weeks each) and the rest fills up in it."""

    def key(v: GroupView):
        fits = bool(v.candidates) and v.offered()[0] != PARTICIPANTS
        kind = 0 if v.stated is not None and fits else 1 if v.stated is not None else 2 if v.candidates else 3
        return (kind, -len(v.group.members), -(v.candidates[0].score if v.candidates else 0.0))

    return sorted(views, key=key)


def offered_groups(ordered: list[GroupView], n: int) -> list[GroupView]:
    """The groups the model ranks: those whose stated number a catalogue KPI takes, then the others in
    code's order (a catalogue KPI before none), only as many as ``n`` themes need (at most ``MAX_GROUPS``)."""
    strong = [v for v in ordered if v.stated is not None and v.candidates and v.offered()[0] != PARTICIPANTS]
    rest = [v for v in ordered if v not in strong]  # already in code's order: a KPI first, the vague last
    return (strong + rest)[: max(n, len(strong))][:MAX_GROUPS]


def generate_themes(
    ctx: StageContext, groups: list[PainGroup], n: int = 3, feedback: str = "", points: dict[str, str] | None = None
) -> Made[list[Theme]]:
    """Up to ``n`` candidate themes, one per pain group, in the order the model ranked the groups.
    (Themes from the company's documents are made in code: agents.document_themes.)"""
    log = StageLog()
    views = offered_groups(_order(view_groups(ctx, groups, points or {})), n)
    by_id = {v.id: v for v in views}
    ev = evidence_for(ctx, [v.words for v in views][:6], log, k=2)
    lib = ctx.catalog()
    shown: set[str] = set()

    def draft(field: str, item: dict) -> None:
        """A candidate for the room as soon as the model has picked it, written as the final ones are."""
        v = by_id.get(str(item.get("group", "")))
        if field != "themes" or v is None or v.id in shown:
            return
        picked = item.get("kpi")
        kpi = picked if isinstance(picked, str) and picked in v.offered() else v.offered()[0]
        shown.add(v.id)
        ctx.show("themes", write_theme(ctx, v, kpi, str(item.get("why_now", "")), ev, StageLog(), "draft").model_dump())

    out: ThemePicks = ask(
        ctx,
        log,
        role="themes",
        schema=ThemePicks,
        prompt="themes",
        evidence=ev,
        feedback=feedback,
        enums={
            "group": list(by_id),
            "kpi": list(dict.fromkeys(k for v in views for k in v.offered())),
            "why_now": [*ev.ids, ""],
        },
        pain_points="\n".join(group_line(v, lib, ctx.lang) for v in views),
        n=min(n, len(views)),
        max_tokens=60 + 40 * n,
        on_item=draft,
    )
    picks: list[tuple[GroupView, str, str]] = []
    for p in out.themes:
        v = by_id.get(p.group)
        if v is None or any(v is q for q, _, _ in picks):
            continue
        picks.append((v, p.kpi if p.kpi in v.offered() else v.offered()[0], p.why_now))
    for v in _order(views):  # fewer ranked than asked: the rest in code's order
        if len(picks) >= min(n, len(views)):
            break
        if all(v is not q for q, _, _ in picks):
            picks.append((v, v.offered()[0], ""))
    themes: list[Theme] = []
    for i, (v, kpi, why) in enumerate(picks[:n]):
        theme = write_theme(ctx, v, kpi, why, ev, log, f"theme[{i}]")
        if kpi == PARTICIPANTS or all(kpi != th.measures[0] for th in themes):  # one theme per KPI
            themes.append(theme)
    return themes, log
