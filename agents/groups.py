"""The participants' pain groups as themes and KPIs see them: their sentences, the number they stated,
and the catalogue KPIs that could measure them (a shortlist made in code, see agents.kpi_choice)."""

from __future__ import annotations

from dataclasses import dataclass, field

from katachi.agents.kpi_choice import Candidate, relevance, shortlist, unit_fit
from katachi.agents.numbers import Stated
from katachi.agents.own_names import own_name
from katachi.agents.said import clause, primary, subject
from katachi.agents.schemas import PainGroup

PARTICIPANTS = "participants"  # the participants' own measure, named from their words (no catalogue KPI fits)


@dataclass
class GroupView:
    group: PainGroup
    texts: list[str]  # its members' sentences, whole
    stated: Stated | None  # the number it is about (「2日」), if anyone gave one
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.group.id

    @property
    def words(self) -> str:
        return " ".join(self.texts)

    def stated_for(self, kpi, lib, lang: str, embed=None) -> Stated | None:
        """The number a chosen catalogue KPI takes as its baseline: of the members whose number its unit can
        take, the one whose sentence the KPI measures. E.g. where members state different numbers ("a
        standard NDA sits in the legal queue for a week" beside "new agents need 8 weeks before they take
        calls alone"), taking the first number would give "Time to productivity" the NDA's week."""
        said = [(text, x) for text in self.texts if (x := primary(text)) is not None]
        fits = [(text, x) for text, x in said if unit_fit(kpi.text(lang).unit, x) > 0]
        if len(fits) <= 1:
            return fits[0][1] if fits else None
        best = max(fits, key=lambda tx: relevance(lib, kpi, f"{subject(tx[1], lang)} {clause(tx[1])}", lang, embed))
        return best[1]

    def offered(self) -> list[str]:
        """The KPI ids the model may choose for this group: catalogue KPIs that can take its number as a
        baseline, and the participants' own measure when none can (or nothing in the catalogue fits)."""
        fit = [
            c.kpi.id for c in self.candidates if self.stated is None or unit_fit(c.kpi.text("en").unit, self.stated) > 0
        ]
        return fit if fit else [c.kpi.id for c in self.candidates if self.stated is None] + [PARTICIPANTS]


def view_groups(ctx, groups: list[PainGroup], points: dict[str, str], k: int = 3) -> list[GroupView]:
    """Each group with its sentences, its stated number and its KPI shortlist (the workshop's functions
    and the functions of the departments the participants named rank first)."""
    lib = ctx.catalog()
    out = []
    for g in groups:
        texts = list(dict.fromkeys(points.get(m, "") for m in g.members if points.get(m))) or [g.summary]
        stated = next((x for x in (primary(s) for s in texts) if x is not None), None)
        cands = shortlist(lib, about(stated, texts, ctx.lang), ctx.lang, stated, ctx.functions(), ctx.embed, k=k)
        out.append(GroupView(g, texts, stated, cands))
    return out


def about(stated: Stated | None, texts: list[str], lang: str) -> str:
    """What a group's KPI should measure: the work its number is said of and that number's clause
    (「…見積書づくりに毎回2日かかり」, not the consequence 「営業が新規開拓に時間を割けない」), or everything
    said when there is no number or its clause says too little ("30 times a week")."""
    if stated is None:
        return " ".join(texts)
    part = clause(stated)
    if len(part) < (12 if lang == "ja" else 20):
        return " ".join(texts)
    return f"{subject(stated, lang)} {part}"


def group_line(v: GroupView, lib, lang: str) -> str:
    """A group as the model sees it: its sentences, its number, the KPIs it may choose."""
    said = "」「".join(x[:120] for x in v.texts[:2])
    more = (
        (f"（×{len(v.group.members)}）" if lang == "ja" else f" (x{len(v.group.members)})")
        if len(v.group.members) > 1
        else ""
    )
    number = (f"（数値: {v.stated.said}）" if lang == "ja" else f" (number: {v.stated.said})") if v.stated else ""
    options = []
    for kid in v.offered():
        if kid == PARTICIPANTS:
            options.append(f"{PARTICIPANTS}={own_name(v.stated, v.words, lang)}")
        else:
            tx = lib.kpis[kid].text(lang)
            options.append(f"{kid}={tx.name}（{tx.unit}）" if lang == "ja" else f"{kid}={tx.name} ({tx.unit})")
    head = "KPI候補" if lang == "ja" else "KPI options"
    return f"{v.id}: 「{said}」{more}{number}\n   {head}: " + " / ".join(options)
