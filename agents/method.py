"""The weekly KPI / PDCA review and the training plan, assembled from the method's 型 (the library's
``method.yaml``) and this workshop's KPIs, owners and procedures. The model is not asked: these are
the method's own fixed forms, and what makes them this company's is the KPIs and 型 filled in."""

from __future__ import annotations

from katachi.agents.schemas import KPI, Procedure, TrainingItem, UseCase, WeeklyReview
from katachi.agents.targets import target_words
from katachi.core.i18n import t


def weekly_review(lib, kpis: list[KPI], ucs: list[UseCase], lang: str) -> WeeklyReview:
    m = lib.method.weekly_review.ja if lang == "ja" else lib.method.weekly_review.en
    heads = [m.attendee_head.format(department=d) for d in dict.fromkeys(u.department for u in ucs)]
    attendees = list(dict.fromkeys([k.owner for k in kpis if k.owner] + heads))
    rules = [t("doc.rule_target", lang, name=k.name, target=target_words(k.target, k.unit, lang)) for k in kpis] + list(
        m.rules
    )
    return WeeklyReview(
        cadence=m.cadence,
        attendees=attendees,
        inputs=list(m.inputs),
        agenda=list(m.agenda),
        decision_rules=rules,
        exec_ai_hour=m.exec_ai_hour,
    )


def training(lib, procedures: list[Procedure], ucs: list[UseCase], lang: str) -> list[TrainingItem]:
    """One session for executives, one for department heads, one per 型 for the people who run it."""
    by_id = {u.id: u for u in ucs}
    out: list[TrainingItem] = []
    for tpl in lib.method.training:
        x = tpl.ja if lang == "ja" else tpl.en
        if "{title}" not in x.session:
            out.append(TrainingItem(session=x.session, audience=x.audience, teaches=x.teaches, format=x.format))
            continue
        for p in procedures:
            u = by_id.get(p.use_case_id)
            who = f"{u.who}（{u.department}）" if u else ""
            out.append(
                TrainingItem(
                    session=x.session.format(title=p.title),
                    audience=x.audience.format(who=who),
                    teaches=x.teaches.format(title=p.title),
                    format=x.format,
                )
            )
    return out
