"""Themes: 2-4 candidate themes from the grouped pain points, grounded in the company's documents."""
from __future__ import annotations

from pydantic import BaseModel, Field

from agents.common import StageContext, StageLog, ask, cite, evidence_for, items, text
from agents.schemas import PainGroup, Theme


class ThemeOut(BaseModel):
    title: str = text(16, 2)
    problem: str = text(36, 4)
    outcome: str = text(36, 4)
    why_now: str = text(24, default="")
    pain_groups: list[str] = items(2)
    evidence: list[str] = items(2)


class ThemesOut(BaseModel):
    themes: list[ThemeOut] = Field(min_length=1, json_schema_extra={"maxItems": 4})


_AI_GOAL = ("ai導入", "aiの導入", "ai の導入", "ai活用", "aiの活用", "ai を活用", "生成ai", "ai adoption", "adopt ai",
            "use ai", "using ai", "ai usage", "ai を使")


def is_ai_goal(title: str) -> bool:
    t = title.lower()
    return any(w in t for w in _AI_GOAL)


def pain_lines(groups: list[PainGroup]) -> str:
    return "\n".join(f"{g.id}: {g.summary}" + (f"（×{len(g.members)}）" if len(g.members) > 1 else "") for g in groups)


def generate_themes(ctx: StageContext, groups: list[PainGroup], n: int = 3, feedback: str = "",
                    ) -> tuple[list[Theme], StageLog]:
    log = StageLog()
    ev = evidence_for(ctx, [g.summary for g in groups][:6], log, k=2)
    group_ids = [g.id for g in groups]

    def usable(out: ThemesOut) -> list[ThemeOut]:
        seen: set[str] = set()
        keep = []
        for t in out.themes:
            if t.title.strip() not in seen and not is_ai_goal(t.title):
                seen.add(t.title.strip())
                keep.append(t)
        return keep

    def check(out: ThemesOut) -> list[str]:
        # Code drops repeated and AI-as-goal candidates itself; another call is worth it only when
        # fewer than two usable candidates are left.
        if len(usable(out)) >= min(2, n):
            return []
        bad = [t.title for t in out.themes if is_ai_goal(t.title)]
        return [f"give {n} different themes that name business results"
                + (f"; these make AI the goal: {bad}" if bad else "")]

    out: ThemesOut = ask(ctx, log, role="themes", schema=ThemesOut, prompt="themes", evidence=ev, feedback=feedback,
                         check=check, enums={"pain_groups": group_ids}, pain_points=pain_lines(groups), n=n,
                         max_tokens=700)
    themes = []
    kept = usable(out) or out.themes[:1]  # all AI-as-goal even after retries: keep one, the linter flags it
    for i, t in enumerate(kept):
        citations, support = cite(ev, t.evidence, log, f"theme[{i}]", claim=f"{t.title} {t.problem} {t.outcome}")
        themes.append(Theme(title=t.title.strip(), problem=t.problem, outcome=t.outcome, why_now=t.why_now,
                            pain_groups=[g for g in t.pain_groups if g in group_ids], citations=citations,
                            support=support))
    return themes, log
