"""The optional model-judged linter pass: fuzzy cases the keyword rules cannot see (a use case that is
really a training course, a theme that is "use AI" in other words). Off by default
(``KATACHI_LINT_JUDGE=1``); its findings are labelled ``by="model"`` and never replace the rules."""

from __future__ import annotations

import json
from typing import Literal, get_args

from pydantic import BaseModel, Field

from katachi.agents.linter import SEVERITY
from katachi.agents.schemas import Finding
from katachi.core.i18n import t
from katachi.core.llm import structured_call

# The failure patterns the model may name: one list, the answer's schema and the prompts read it.
JudgedRule = Literal[
    "junior_delegation", "prompt_training_only", "executive_absent", "usage_as_goal", "unmeasured", "point_solution"
]
RULES: tuple[str, ...] = get_args(JudgedRule)

PROMPT = {
    "ja": (
        "生成AI活用の設計をレビューします。次の失敗パターンに当てはまる項目だけを挙げてください。"
        "junior_delegation=若手任せ, prompt_training_only=研修止まり, executive_absent=経営層不在, "
        "usage_as_goal=AIを使うこと自体が目的, unmeasured=成果を測れない, point_solution=一部署だけ。"
        "当てはまらなければ空の配列。\n段階: {stage}\n内容: {content}"
    ),
    "en": (
        "Review this gen-AI adoption design. List only items that match a failure pattern: "
        "junior_delegation, prompt_training_only, executive_absent, usage_as_goal (using AI is the goal), "
        "unmeasured, point_solution (one department alone). Empty list if none.\nStage: {stage}\nContent: {content}"
    ),
}


class Judged(BaseModel):
    rule: JudgedRule
    item: str = Field(default="", json_schema_extra={"x-cap": 20})
    reason: str = Field(default="", json_schema_extra={"x-cap": 60})


class Judgement(BaseModel):
    findings: list[Judged] = Field(default_factory=list, json_schema_extra={"maxItems": 4})


def judge(model, stage: str, content: dict, lang: str) -> list[Finding]:
    text = PROMPT.get(lang, PROMPT["en"]).format(stage=stage, content=json.dumps(content, ensure_ascii=False)[:3000])
    out = structured_call(model, Judgement, [("user", text)], role="judge", retries=1).value
    res = []
    for j in out.findings:
        why, fix = t(f"lint.{j.rule}.why", lang), t(f"lint.{j.rule}.fix", lang)
        label = t("lint.model_judged", lang)
        res.append(
            Finding(
                rule=j.rule,
                severity="info" if SEVERITY[j.rule] == "info" else "warning",
                stage=stage,
                item=j.item,
                message=f"{why}{label} {j.reason}".strip(),
                fix=fix,
                by="model",
            )
        )
    return res
