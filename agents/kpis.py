"""KPIs for the chosen theme, written in code from what the participants said and the KPI catalogue.

The theme already names the catalogue KPI that measures its pain group (the model chose it from a
shortlist). Each other pain group that states a number gets the KPI that can take that number as its
baseline, so no participant's 「2日」 is lost and none is pinned to another group's KPI. Name, unit,
direction, measurement and owner come from the catalogue; the baseline is the group's own number
(else 「要測定」); the target is a believable first step; the deadline six months out. The model is
asked only when someone sends the KPIs back with a comment: it then chooses KPIs and the pain points
they measure from the same shortlists, and code writes them the same way.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from katachi.agents.common import Made, StageContext, StageLog, ask, cite, evidence_for, finding, items
from katachi.agents.grounding import readable, relevant
from katachi.agents.groups import PARTICIPANTS, GroupView, group_line, own_name, view_groups
from katachi.agents.linter import is_exec
from katachi.agents.numbers import fmt, lower_is_better
from katachi.agents.quantities import family
from katachi.agents.said import too_little
from katachi.agents.schemas import KPI, Finding, PainGroup, Theme
from katachi.agents.targets import baseline_of, first_step
from katachi.core.i18n import t

MAX_KPIS = 6  # the theme's KPI and every other number the room stated (a workshop brings up to ~6)
DEADLINE_MONTHS = 6


class KPIPick(BaseModel):
    kpi: str  # a shortlisted catalogue KPI id, or "participants"
    group: str  # the pain group it measures
    evidence: list[str] = items(2)


class KPIPicks(BaseModel):
    kpis: list[KPIPick] = Field(min_length=1, json_schema_extra={"maxItems": 3})


def months_after(today: str, months: int) -> str:
    d = date.fromisoformat(today)
    y, m = divmod(d.month - 1 + months, 12)
    return f"{d.year + y:04d}-{m + 1:02d}"


def write_kpi(
    ctx: StageContext, kid: str, kpi_id: str, view: GroupView | None, ev, log: StageLog, cited: list[str] | None = None
) -> tuple[KPI, list[Finding]]:
    """One KPI record: the catalogue's words (or the participants' own measure), the group's own number
    as its baseline when the KPI's unit can take it, a first-step target, six months, an executive."""
    lib = ctx.catalog()
    cat = lib.kpis.get(kpi_id)
    stated = view.stated if view is not None else None
    findings: list[Finding] = []
    if cat is not None:
        tx = cat.text(ctx.lang)
        name, unit, method, owner, better = tx.name, tx.unit, tx.measure, tx.owner, cat.better
        # the member's number this KPI measures; none of its kind (a count, not days): measured first
        stated = view.stated_for(cat, lib, ctx.lang, ctx.embed) if view is not None else None
    else:
        name = own_name(stated, view.words if view else "", ctx.lang)
        unit = stated.unit if stated is not None else ("件" if ctx.lang == "ja" else "cases")
        method, owner = (
            t("kpi.said", ctx.lang, said=view.texts[0][:80]) if view else "",
            t("doc.default_owner", ctx.lang),
        )
        better = "higher" if stated is not None and too_little(stated) else "lower"
    if not is_exec(owner):
        owner = t("doc.default_owner", ctx.lang)
    lower = better == "lower" if better else lower_is_better(name, unit)
    if stated is not None:
        value, unit_shown = baseline_of(stated, unit, ctx.lang)
        if cat is not None and unit_shown != unit and family(unit) != family(unit_shown.split("/")[0]):
            findings.append(
                finding("kpi_unit_from_participants", "kpis", kid, ctx.lang, f"{unit} → {unit_shown}", severity="info")
            )
        baseline, target, said = fmt(value), fmt(first_step(value, lower, family(unit_shown))), stated.said
    else:  # measured first; the target is a first step from whatever today's value turns out to be
        unit_shown, baseline, said = unit, t("doc.to_be_measured", ctx.lang), ""
        target = t("kpi.target_relative.lower" if lower else "kpi.target_relative.higher", ctx.lang)
    claim = f"{name} {method} {view.words if view else ''}"
    ids = (
        cited
        if cited is not None
        else [sid for sid, (_, s) in ev.sentences.items() if relevant(claim, readable(s))][:2]
    )
    citations, support = cite(ev, ids, log, f"kpi[{kid}]", claim=claim)
    how = method if stated is None else ""  # how today's value will be measured, when nobody said it
    return KPI(
        id=kid,
        name=name,
        unit=unit_shown,
        baseline=baseline,
        baseline_how=how,
        target=target,
        deadline=months_after(ctx.today, DEADLINE_MONTHS),
        owner=owner,
        method=method,
        citations=citations,
        support=support,
        catalog_id=cat.id if cat is not None else "",
        better=better or ("lower" if lower else "higher"),
        pain_points=list(view.group.members) if view is not None else [],
        said=said,
    ), findings


def _theme_kpi(theme: Theme) -> str:
    return next((m for m in theme.measures if m), PARTICIPANTS)


def plan(theme: Theme, views: list[GroupView]) -> list[tuple[str, GroupView | None]]:
    """(KPI id, the group it measures) in order: the theme's KPI for its own group, then one KPI for each
    other group that stated a number (its best shortlisted KPI that takes the number), without repeats."""
    mine = [v for v in views if v.id in theme.pain_groups]
    out: list[tuple[str, GroupView | None]] = [(_theme_kpi(theme), mine[0] if mine else None)]
    for v in views:
        if v in mine or v.stated is None or len(out) >= MAX_KPIS:
            continue
        out.append((v.offered()[0], v))
    seen: set[str] = set()
    kept: list[tuple[str, GroupView | None]] = []
    for kpi_id, g in out:
        key = kpi_id if kpi_id != PARTICIPANTS else f"{PARTICIPANTS}:{g.id if g else ''}"
        if key not in seen:
            seen.add(key)
            kept.append((kpi_id, g))
    return kept


def _pick_lines(views: list[GroupView], lib, lang: str) -> str:
    return "\n".join(group_line(v, lib, lang) for v in views)


def generate_kpis(
    ctx: StageContext,
    theme: Theme,
    groups: list[PainGroup],
    points: dict[str, str],
    feedback: str = "",
    business: set[str] | None = None,
) -> Made[list[KPI]]:
    """``groups``: the workshop's pain groups; ``business``: the ids of those that name a business problem
    (failure patterns and talk about AI itself measure nothing); None: all of them. Like every stage's
    generator, it returns what it made and the log (usage, citations, passages, the checks' findings)."""
    log = StageLog()
    ev = evidence_for(ctx, [f"{theme.title} {theme.problem}", f"{theme.outcome} KPI 指標 目標"], log)
    mine = [g for g in groups if g.id in theme.pain_groups]
    others = [g for g in groups if g.id not in theme.pain_groups and (business is None or g.id in business)]
    views = view_groups(ctx, mine + others, points)
    if feedback.strip():
        chosen = _ask(ctx, log, theme, views, ev, feedback)
    else:
        chosen = [(kpi_id, v, None) for kpi_id, v in plan(theme, views)]
    kpis = []
    for i, (kpi_id, v, cited) in enumerate(chosen, 1):
        k, found = write_kpi(ctx, f"K{i}", kpi_id, v, ev, log, cited)
        kpis.append(k)
        log.findings += found
    return kpis, log


def _ask(
    ctx: StageContext, log: StageLog, theme: Theme, views: list[GroupView], ev, feedback: str
) -> list[tuple[str, GroupView | None, list[str] | None]]:
    """KPIs sent back with a comment: the model chooses from the groups' shortlists (and the theme's
    wider catalogue neighbours) which KPIs, for which pain points; code writes each as in ``plan``."""
    lib = ctx.catalog()
    offered = {v.id: v.offered() for v in views}
    ids = list(dict.fromkeys([i for o in offered.values() for i in o] + list(theme.measures) + [PARTICIPANTS]))
    ids = [i for i in ids if i in lib.kpis or i == PARTICIPANTS]
    out: KPIPicks = ask(
        ctx,
        log,
        role="kpis",
        schema=KPIPicks,
        prompt="kpis",
        evidence=ev,
        feedback=feedback,
        enums={"kpi": ids, "group": [v.id for v in views]},
        theme=theme.title,
        problem=theme.problem,
        pain_points=_pick_lines(views, lib, ctx.lang),
        max_tokens=160,
    )
    by_id = {v.id: v for v in views}
    chosen: list[tuple[str, GroupView | None, list[str] | None]] = []
    seen = set()
    for p in out.kpis:
        v = by_id.get(p.group)
        key = (p.kpi, p.group if p.kpi == PARTICIPANTS else "")
        if key in seen or (p.kpi == PARTICIPANTS and v is None):
            continue
        seen.add(key)
        chosen.append((p.kpi, v, list(p.evidence)))
    return chosen or [(kpi_id, v, None) for kpi_id, v in plan(theme, views)]
