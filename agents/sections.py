"""Quality checks for the playbook's sections: what a consultant would send back, checked in code.

Each ``*_problems`` function names what is wrong (fed back to the model for one more try); each
``repair_*`` function fixes what survives, in code, and says so with a finding. Nothing here calls
a model.
"""

from __future__ import annotations

import re

from katachi.agents.common import StageLog, finding
from katachi.agents.grounding import same_subject
from katachi.agents.intake import similarity
from katachi.agents.prompts import example_phrases
from katachi.agents.schemas import KPI, GlossaryTerm, Procedure, UseCase, WeeklyReview
from katachi.agents.targets import target_words
from katachi.core.i18n import t

NEAR_COPY = 0.75  # bigram overlap (of the shorter) above which two steps say the same thing
_FRAGMENT = re.compile(r"https?://|www\.|\[S\d+\]|\bS\d+\b|evidence|\bU\d+\b|\bK\d+\b|\{\{|\}\}|→|\bwho:|\bwhen:", re.I)
_WS = re.compile(r"\s+")


def _flat(text: str) -> str:
    return _WS.sub("", text or "")


def copies_document(text: str, documents: list[str], min_len: int = 15) -> bool:
    """A step or template that is a document's sentence: the documents state facts, a procedure says
    what someone does (a sentence of 15+ characters found verbatim in a passage)."""
    flat = _flat(text)
    if len(flat) < min_len:
        return False
    if any(flat in _flat(d) for d in documents):
        return True
    return any(len(_flat(s)) >= 20 and _flat(s) in flat for d in documents for s in re.split(r"(?<=[。.!?！？])", d))


_PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")
_WEEKDAY = re.compile(
    r"[月火水木金]曜|monday|tuesday|wednesday|thursday|friday|\bmon\b|\btue\b|\bwed\b|\bthu\b|\bfri\b", re.I
)
_WEEKEND = re.compile(r"[土日]曜|週末|休日|saturday|sunday|weekend", re.I)
_TIME = re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2}\s*時|\d{1,2}\s*(?:am|pm)", re.I)
GENERIC_TERMS = {
    "ai",
    "人工知能",
    "生成ai",
    "chatgpt",
    "gpt",
    "llm",
    "dx",
    "it",
    "ict",
    "デジタル",
    "digital",
    "データ",
    "data",
    "システム",
    "system",
    "ツール",
    "tool",
    "クラウド",
    "cloud",
}


def is_title(step: str, title: str) -> bool:
    """A step that is the title again (「AIが会議の議題を整理する」 under 「会議の議題の整理」), not a step
    that names the title's artefact as the thing it works on (「…経緯まとめをつけて上位担当に渡し、顧客に
    次の連絡時期を伝える」): the step must be mostly the title."""
    return similarity(step, title) >= NEAR_COPY and len(step) <= 2 * len(title.removesuffix("の型").removesuffix(" 型"))


def copied_from_example(text: str, prompt: str, lang: str) -> str | None:
    """The example phrase a text repeats, if any."""
    for phrase in example_phrases(prompt, lang):
        if phrase in text or (len(text) >= 6 and similarity(text, phrase) >= 0.8 and len(phrase) >= 6):
            return phrase
    return None


def step_problems(title: str, steps: list[str], lang: str, documents: list[str] | None = None) -> list[str]:
    p = []
    if _FRAGMENT.search(title) or len(title) > 40:
        p.append(f"title '{title[:40]}' is not a name; call it after the work (e.g. '…の型')")
    if not 4 <= len(steps) <= 6:
        p.append(f"give 4-6 steps (got {len(steps)})")
    for i, s in enumerate(steps):
        if _FRAGMENT.search(s):
            p.append(f"step {i + 1} '{s}' contains an id, URL or evidence marker; write plain work")
        if is_title(s, title):
            p.append(f"step {i + 1} '{s}' repeats the title; say who does what")
        if any(similarity(s, o) >= NEAR_COPY for o in steps[:i]):
            p.append(f"step {i + 1} '{s}' repeats an earlier step")
        copied = copied_from_example(s, "procedure", lang)
        if copied:
            p.append(f"step {i + 1} copies the format example ('{copied}'); write this use case's own work")
        if copies_document(s, documents or []):
            p.append(f"step {i + 1} copies a document sentence; say what someone does")
    return p


def template_problems(
    template: str, uc: UseCase, lang: str, documents: list[str] | None = None, notes: dict[str, str] | None = None
) -> list[str]:
    p = []
    if copies_document(template, documents or [], min_len=40):
        p.append("prompt_template copies a document; write the request to the AI")
    if not _PLACEHOLDER.search(template):
        p.append("prompt_template needs {placeholders} in braces for this use case's inputs")
    names = " ".join(_PLACEHOLDER.findall(template))
    # what a placeholder takes is its name and, for a library template, the note that explains it
    said = names + " " + " ".join((notes or {}).values())
    explained = bool(notes) and all(n.strip() in (notes or {}) for n in _PLACEHOLDER.findall(template))
    # a library template whose every placeholder its note explains is curated work, not a guess
    if names and not explained and not same_subject(said, f"{uc.input} {uc.title} {uc.workflow_step} {uc.output}"):
        p.append(f"prompt_template placeholders {{{names}}} are not this work's input; use {{{uc.input}}}")
    copied = copied_from_example(template, "procedure", lang)
    example_names = {n for ph in example_phrases("procedure", lang) for n in _PLACEHOLDER.findall(ph)}
    if copied or set(_PLACEHOLDER.findall(template)) & example_names:
        p.append(f"prompt_template copies the format example; use {uc.input} as the input")
    return p


def procedure_problems(
    title: str,
    steps: list[str],
    template: str,
    uc: UseCase,
    lang: str,
    documents: list[str] | None = None,
    notes: dict[str, str] | None = None,
) -> list[str]:
    return step_problems(title, steps, lang, documents) + template_problems(template, uc, lang, documents, notes)


def repair_procedure(
    proc: Procedure, uc: UseCase, lang: str, log: StageLog, documents: list[str] | None = None
) -> Procedure:
    """Drop steps that are fragments, copies or repeats; fill up from the use case's own steps; a
    template that is no template is written from the use case's input and output."""
    kept: list[str] = []
    for s in proc.steps:
        s = _FRAGMENT.sub("", s).strip(" :：-")
        if (
            len(s) < 4
            or is_title(s, proc.title)
            or any(similarity(s, o) >= NEAR_COPY for o in kept)
            or copied_from_example(s, "procedure", lang)
            or copies_document(s, documents or [])
        ):
            continue
        kept.append(s)
    dropped = len(proc.steps) - len(kept)
    skeleton = [
        t(f"doc.step_{k}", lang, who=uc.who, input=uc.input, output=uc.output)
        for k in ("prepare", "draft", "check", "share")
    ]
    for s in [*uc.how, *skeleton]:
        if len(kept) >= 4:
            break
        if s and all(similarity(s, o) < NEAR_COPY for o in kept):
            kept.append(s)
    template = proc.prompt_template
    if template_problems(template, uc, lang, documents):
        template = t("doc.template_default", lang, input=uc.input or uc.workflow_step, output=uc.output)
        log.findings.append(finding("template_rewritten", "playbook", uc.id, lang, severity="info"))
    if dropped:
        log.findings.append(finding("procedure_steps_dropped", "playbook", uc.id, lang, str(dropped)))
    found = list(dict.fromkeys(m.strip() for m in _PLACEHOLDER.findall(template)))
    title = proc.title
    if _FRAGMENT.search(title) or len(title) > 40:
        title = t("doc.procedure_title", lang, title=uc.title)
    return proc.model_copy(
        update={"title": title, "steps": kept[:6], "prompt_template": template, "placeholders": found}
    )


def review_problems(cadence: str, rules: list[str], kpis: list[KPI]) -> list[str]:
    p = []
    if not _WEEKDAY.search(cadence) or _WEEKEND.search(cadence) or not _TIME.search(cadence):
        p.append(f"cadence '{cadence}' must name a working day and a time (e.g. Monday 9:00, 30 min)")
    for k in kpis:
        shown = {k.target, target_words(k.target, k.unit, "en"), target_words(k.target, k.unit, "ja")}
        if not any(x in r for r in rules for x in shown):
            p.append(f"add a decision rule that compares {k.name} with its target {k.target} {k.unit}")
    return p


def repair_review(wr: WeeklyReview, kpis: list[KPI], lang: str, log: StageLog) -> WeeklyReview:
    cadence = wr.cadence
    if not _WEEKDAY.search(cadence) or _WEEKEND.search(cadence) or not _TIME.search(cadence):
        cadence = t("doc.default_cadence", lang)
        log.findings.append(finding("cadence_repaired", "playbook", "weekly_review", lang, wr.cadence, severity="info"))
    baselines = {k.baseline for k in kpis} - {k.target for k in kpis}
    rules = [
        r for r in wr.decision_rules if not any(re.search(rf"(?<![\d.]){re.escape(b)}(?![\d.])", r) for b in baselines)
    ]
    for k in kpis:
        target = target_words(k.target, k.unit, lang)
        if not any(k.target in r or target in r for r in rules):
            rules.append(t("doc.rule_target", lang, name=k.name, target=target))
    if rules != wr.decision_rules:
        log.findings.append(finding("decision_rules_repaired", "playbook", "weekly_review", lang, severity="info"))
    return wr.model_copy(update={"cadence": cadence, "decision_rules": rules})


def generic(term: str) -> bool:
    return term.strip().lower().replace(" ", "") in GENERIC_TERMS


def repair_glossary(terms: list[GlossaryTerm], playbook_text: str, lang: str, log: StageLog) -> list[GlossaryTerm]:
    """Only terms this playbook uses and that are not generic words; the method's own words fill up."""
    kept = [g for g in terms if not generic(g.term) and _used(g.term, playbook_text)]
    dropped = [g.term for g in terms if g not in kept]
    if dropped:
        log.findings.append(finding("glossary_generic", "playbook", "glossary", lang, "、".join(dropped)))
    from katachi.knowledge.library.catalog import load_library

    have = {g.term for g in kept}
    return kept + from_method(load_library().vocabulary, lang, playbook_text, have, max(0, 4 - len(kept)))


METHOD_TERMS = {"型", "kpi", "pdca", "週次pdca", "ベースライン", "baseline", "横展開", "テーマ", "theme", "kata"}


def _used(term: str, playbook_text: str) -> bool:
    x = term.strip()
    return bool(x) and (x in playbook_text or x.lower().replace(" ", "") in METHOD_TERMS)


def glossary_problems(terms: list[str], playbook_text: str) -> list[str]:
    bad = [x for x in terms if generic(x) or not _used(x, playbook_text)]
    return [f"glossary: use terms that appear in this playbook (not generic words): drop {bad}"] if bad else []


ALWAYS = ("kata", "weekly_pdca", "baseline")  # every playbook has 型 procedures, a weekly review, baselines


def from_method(vocabulary, lang: str, playbook_text: str, have: set[str], room: int) -> list[GlossaryTerm]:
    """The method's words this playbook uses."""
    out: list[GlossaryTerm] = []
    low = playbook_text.lower()
    for v in sorted(vocabulary, key=lambda v: v.id not in ALWAYS):
        if len(out) >= room:
            break
        x = v.ja if lang == "ja" else v.en
        used = v.id in ALWAYS or any(a.lower() in low for a in [x.term, *v.aliases])
        if used and x.term not in have:
            out.append(GlossaryTerm(term=x.term, definition=x.definition, used_by=x.used_by, origin="method"))
    return out
