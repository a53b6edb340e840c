"""The design linter: the method's failure patterns, checked in code on every stage's output.

Rules (ids from the method): junior_delegation (若手任せ), prompt_training_only (プロンプト研修止まり),
executive_absent (経営層不在), usage_as_goal (目的化), unmeasured (KPI欠落), point_solution (部分最適),
plus handoff_no_owner, glossary_inconsistent and no_cadence. Each finding says why it matters and the
design-led fix, in the workshop's language. Findings inform; they never block the flow.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from katachi.agents.schemas import Finding, Severity
from katachi.core.i18n import t

JUNIOR = (
    "若手",
    "有志",
    "詳しい人",
    "新人",
    "新入社員",
    "インターン",
    "得意な人",
    "junior",
    "volunteer",
    "intern",
    "enthusiast",
    "whoever is interested",
    "tech-savvy",
)
TRAINING = (
    "研修",
    "勉強会",
    "講座",
    "セミナー",
    "ハンズオン",
    "eラーニング",
    "training",
    "workshop",
    "course",
    "webinar",
    "lunch and learn",
)
PROMPT_TOOL = ("プロンプト", "ツールの使い方", "操作", "chatgpt", "prompt", "tool", "how to use")
WORKFLOW = ("型", "手順", "業務", "kpi", "レビュー", "pdca", "仮説", "procedure", "workflow", "review", "hypothes")
EXEC = (
    "役員",
    "取締役",
    "社長",
    "部長",
    "本部長",
    "執行",
    "責任者",
    "cxo",
    "ceo",
    "coo",
    "cfo",
    "cto",
    "cmo",
    "cro",
    "vp",
    "vice president",
    "head of",
    "chief",
    "director",
    "owner",
    "経営",
)
TRY_IT = (
    "とりあえず",
    "まずは使って",
    "使ってみる",
    "触ってみる",
    "試しに",
    "try it out",
    "just try",
    "experiment with ai",
    "play with",
)
USAGE = (
    "利用回数",
    "利用率",
    "使用回数",
    "利用者数",
    "プロンプト数",
    "ai活用率",
    "ai で作成",
    "aiで作成",
    "導入率",
    "ログイン",
    "usage",
    "adoption rate",
    "number of prompts",
    "prompts per",
    "active users",
    "logins",
    "documents made with ai",
    "ai-generated",
)
AI_GOAL = (
    "ai導入",
    "aiの導入",
    "ai活用",
    "aiの活用",
    "生成aiを使",
    "aiを使う",
    "ai adoption",
    "adopt ai",
    "use ai",
    "using ai",
    "roll out ai",
)
VAGUE_WHEN = ("随時", "必要に応じて", "適宜", "いつでも", "as needed", "anytime", "ad hoc", "whenever")

SEVERITY: dict[str, Severity] = {
    "junior_delegation": "warning",
    "prompt_training_only": "warning",
    "executive_absent": "error",
    "usage_as_goal": "error",
    "unmeasured": "error",
    "point_solution": "warning",
    "handoff_no_owner": "warning",
    "glossary_inconsistent": "info",
    "no_cadence": "warning",
}


def _n(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).lower()


def has_any(text: Any, words: tuple[str, ...]) -> bool:
    t = _n(text)
    return any(w in t for w in words)


def finding(
    rule: str,
    stage: str,
    item: str,
    lang: str,
    detail: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding in the workshop's language (texts: ``lint.<rule>.why`` / ``.fix``); the linter's own
    rules and the quality checks build theirs here."""
    why, fix = t(f"lint.{rule}.why", lang), t(f"lint.{rule}.fix", lang)
    message = t("lint.with_detail", lang, why=why, detail=detail) if detail else why
    return Finding(
        rule=rule, severity=severity or SEVERITY.get(rule, "warning"), stage=stage, item=item, message=message, fix=fix
    )


def is_exec(owner: str) -> bool:
    return has_any(owner, EXEC) and not has_any(owner, JUNIOR)


# -- per stage ----------------------------------------------------------------------------------------
def lint_intake(pain_points: list[dict], lang: str) -> list[Finding]:
    out = []
    for p in pain_points:
        if has_any(p["text"], JUNIOR):
            out.append(finding("junior_delegation", "intake", p["id"], lang, p["text"][:60]))
        if has_any(p["text"], TRY_IT):
            out.append(finding("executive_absent", "intake", p["id"], lang, p["text"][:60]))
        if has_any(p["text"], TRAINING) and has_any(p["text"], PROMPT_TOOL):
            out.append(finding("prompt_training_only", "intake", p["id"], lang, p["text"][:60]))
        if has_any(p["text"], USAGE):
            out.append(finding("usage_as_goal", "intake", p["id"], lang, p["text"][:60]))
    return out


def lint_theme(theme: dict, lang: str) -> list[Finding]:
    out = []
    text = f"{theme.get('title', '')} {theme.get('outcome', '')}"
    if has_any(theme.get("title"), AI_GOAL) or has_any(theme.get("outcome"), USAGE):
        out.append(finding("usage_as_goal", "themes", theme.get("title", ""), lang, text[:60]))
    if not str(theme.get("problem", "")).strip() or has_any(theme.get("problem"), TRY_IT):
        out.append(finding("executive_absent", "themes", theme.get("title", ""), lang))
    return out


def _anti_examples(lang: str) -> str:
    """The 型 library's usage counts that look like KPIs, cited beside a usage KPI."""
    from katachi.knowledge.library.catalog import load_library

    return "、".join(getattr(a, lang) for a in load_library().anti_examples[:3])


def lint_kpis(kpis: list[dict], lang: str) -> list[Finding]:
    out = []
    if not kpis:
        return [finding("unmeasured", "kpis", "", lang)]
    for k in kpis:
        missing = [f for f in ("baseline", "target", "deadline", "owner") if not str(k.get(f, "")).strip()]
        if missing:
            out.append(finding("unmeasured", "kpis", k.get("id", ""), lang, ", ".join(missing)))
        if (
            has_any(k.get("name"), USAGE)
            or has_any(k.get("unit"), USAGE)
            or has_any(k.get("method"), ("利用ログ", "usage log"))
        ):
            out.append(
                finding(
                    "usage_as_goal",
                    "kpis",
                    k.get("id", ""),
                    lang,
                    t("lint.usage_examples", lang, name=k.get("name", ""), examples=_anti_examples(lang)),
                )
            )
        if has_any(k.get("owner"), JUNIOR):
            out.append(finding("junior_delegation", "kpis", k.get("id", ""), lang, k.get("owner", "")))
    if not any(is_exec(k.get("owner", "")) for k in kpis):
        out.append(finding("executive_absent", "kpis", "", lang, ", ".join(k.get("owner", "") for k in kpis)))
    return out


def lint_usecases(
    use_cases: list[dict], handoffs: list[dict], departments: list[str], kpi_ids: list[str], lang: str
) -> list[Finding]:
    out = []
    for u in use_cases:
        uid = u.get("id", "")
        if has_any(u.get("title"), TRAINING) or has_any(u.get("workflow_step"), TRAINING):
            out.append(finding("prompt_training_only", "usecases", uid, lang, u.get("title", "")))
        if has_any(u.get("who"), JUNIOR):
            out.append(finding("junior_delegation", "usecases", uid, lang, u.get("who", "")))
        when = str(u.get("when", "")).strip()
        if not when or has_any(when, VAGUE_WHEN):
            out.append(finding("no_cadence", "usecases", uid, lang, when or "-"))
        if u.get("kpi_id") not in kpi_ids:
            out.append(finding("unmeasured", "usecases", uid, lang, f"kpi_id={u.get('kpi_id')}"))
    depts = {u.get("department") for u in use_cases}
    if use_cases and (len(depts) < 2 or not handoffs):
        out.append(finding("point_solution", "usecases", "", lang, ", ".join(sorted(d for d in depts if d))))
    for h in handoffs:
        if not str(h.get("receiving_owner", "")).strip():
            out.append(
                finding(
                    "handoff_no_owner",
                    "usecases",
                    h.get("id", ""),
                    lang,
                    f"{h.get('from_department')} → {h.get('to_department')}",
                )
            )
    return out


def _variant_pattern(term: str) -> re.Pattern | None:
    chars = [c for c in _n(term) if c not in " ・-ー_"]
    if len(chars) < 2:
        return None
    return re.compile(r"[ ・\-ー_]{0,2}".join(re.escape(c) for c in chars))


def _canon(text: str) -> str:
    return "".join(c for c in _n(text) if c not in " ・-ー_")


def lint_playbook(playbook: dict, lang: str) -> list[Finding]:
    out = []
    training = playbook.get("training") or []
    if training:
        about_tools = [t for t in training if has_any(f"{t.get('session')} {t.get('teaches')}", PROMPT_TOOL)]
        about_work = [
            t for t in training if has_any(f"{t.get('session')} {t.get('teaches')} {t.get('format')}", WORKFLOW)
        ]
        if about_tools and not about_work:
            out.append(finding("prompt_training_only", "playbook", "training", lang))
    if not playbook.get("weekly_review") and training:
        out.append(finding("prompt_training_only", "playbook", "weekly_review", lang))
    roles = playbook.get("roles") or {}
    if roles and not is_exec(roles.get("executive_sponsor", "")):
        out.append(finding("executive_absent", "playbook", "roles", lang, roles.get("executive_sponsor", "") or "-"))
    for o in roles.get("owners", []) if roles else []:
        if has_any(o, JUNIOR):
            out.append(finding("junior_delegation", "playbook", "roles", lang, o))
    wr = playbook.get("weekly_review") or {}
    if wr and not any(is_exec(a) for a in wr.get("attendees", [])):
        out.append(finding("executive_absent", "playbook", "weekly_review", lang))
    # one spelling per term: glossary duplicates, and variant spellings in the rest of the playbook
    terms = [g.get("term", "") for g in playbook.get("glossary") or []]
    seen: dict[str, str] = {}
    for term in terms:
        c = _canon(term)
        if c in seen and seen[c] != term:
            out.append(finding("glossary_inconsistent", "playbook", "glossary", lang, f"{seen[c]} / {term}"))
        seen.setdefault(c, term)
    # the values only: field names (``prompt_template``) would read as a variant of the term 'Prompt template'
    body = _n(" ".join(_texts({k: v for k, v in playbook.items() if k != "glossary"})))
    for term in terms:
        pat = _variant_pattern(term)
        if not pat:
            continue
        variants = {m.group(0) for m in pat.finditer(body)} - {_n(term)}
        if variants:
            out.append(
                finding("glossary_inconsistent", "playbook", term, lang, f"{term} / {', '.join(sorted(variants))}")
            )
    return out


def _texts(v) -> list[str]:
    if isinstance(v, dict):
        return [x for item in v.values() for x in _texts(item)]
    if isinstance(v, list):
        return [x for item in v for x in _texts(item)]
    return [str(v)]


def lint_all(values: dict) -> dict[str, list[dict]]:
    """Every stage's findings for a whole workshop state (JSON values), keyed by stage."""
    lang = values.get("lang", "ja")
    kpis = values.get("kpis") or []
    res = {
        "intake": lint_intake(values.get("pain_points") or [], lang),
        "themes": lint_theme(values["theme"], lang) if values.get("theme") else [],
        "kpis": lint_kpis(kpis, lang) if values.get("theme") else [],
        "usecases": lint_usecases(
            values.get("use_cases") or [],
            values.get("handoffs") or [],
            values.get("departments") or [],
            [k.get("id") for k in kpis],
            lang,
        )
        if values.get("use_cases")
        else [],
        "playbook": lint_playbook(values.get("playbook") or {}, lang) if values.get("playbook") else [],
    }
    return {k: [f.model_dump() for f in v] for k, v in res.items()}
