"""Regenerate one upstream section of a playbook under review, keeping everything else as it is.

A reviewer may send back the theme, one KPI, one department's use cases or the hand-offs; each is
asked again of the same stage agent with the reviewer's comment as feedback, and slotted back in
under the same ids so that references (a use case's KPI, a procedure's use case) still hold.
"""

from __future__ import annotations

from katachi.agents.common import Made, StageContext
from katachi.agents.schemas import KPI, HandOff, PainGroup, Theme, UseCase


def theme(
    ctx: StageContext, current: Theme, groups: list[PainGroup], points: dict[str, str], feedback: str
) -> Made[Theme]:
    from katachi.agents.themes import generate_themes

    found, log = generate_themes(ctx, groups, n=2, feedback=_keep(feedback, current.title, ctx.lang), points=points)
    new = found[0]
    return new.model_copy(update={"pain_groups": new.pain_groups or current.pain_groups}), log


def kpi(
    ctx: StageContext,
    theme_: Theme,
    current: KPI,
    groups: list[PainGroup],
    points: dict[str, str],
    business: set[str],
    feedback: str,
) -> Made[KPI]:
    from katachi.agents.kpis import generate_kpis

    found, log = generate_kpis(
        ctx, theme_, groups, points, feedback=_keep(feedback, current.name, ctx.lang), business=business
    )
    return found[0].model_copy(update={"id": current.id}), log


def department(
    ctx: StageContext, theme_: Theme, kpis: list[KPI], dept: str, current: list[UseCase], taken: set[str], feedback: str
) -> Made[list[UseCase]]:
    from katachi.agents.usecases import generate_department

    n = max(1, len(current))
    found, log = generate_department(
        ctx, theme_, kpis, dept, start=1, n=n, feedback=feedback, departments=list(ctx.departments) or [dept]
    )
    ids = [u.id for u in current]
    out = []
    for i, u in enumerate(found):
        if i < len(ids):
            uid = ids[i]
        else:
            k = 1
            while f"U{k}" in taken:
                k += 1
            uid = f"U{k}"
            taken.add(uid)
        out.append(u.model_copy(update={"id": uid}))
    return out, log


def handoffs(ctx: StageContext, departments: list[str], use_cases: list[UseCase], feedback: str) -> Made[list[HandOff]]:
    from katachi.agents.usecases import generate_handoffs

    return generate_handoffs(ctx, departments, use_cases, feedback=feedback)


def _keep(feedback: str, subject: str, lang: str) -> str:
    """Tell the model which item it is rewriting, so the rewrite stays about the same thing."""
    head = f"「{subject}」を書き直す。" if lang == "ja" else f"Rewrite '{subject}'. "
    return head + feedback
