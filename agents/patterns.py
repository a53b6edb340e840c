"""From a 型 library pattern to this company's use case and procedure.

The model chooses a pattern and rewrites its slots (who, when, input, output) in the company's words;
code assembles the rest from the pattern: the steps, the prompt template, the check points, the risks
and the KPI it moves. A small model is reliable at choosing and filling, not at inventing procedures.
"""

from __future__ import annotations

from katachi.agents.schemas import KPI, Procedure, UseCase
from katachi.core.i18n import t
from katachi.knowledge.library.catalog import Library
from katachi.knowledge.library.schema import SLOTS, Pattern

NEW = "new"


def pattern_line(p: Pattern, lib: Library, lang: str, workshop_kpis: list[KPI] | None = None) -> str:
    """One candidate as the model sees it; the workshop's own KPI ids it moves are named, so the choice
    follows the KPIs the executives approved."""
    x = p.text(lang)
    mine = {k.catalog_id: k.id for k in workshop_kpis or [] if k.catalog_id}
    kpis = "、".join(
        lib.kpis[k].text(lang).name + (f"={mine[k]}" if k in mine else "") for k in p.kpis if k in lib.kpis
    )
    label = "KPI" if lang == "en" else "動かすKPI"
    return f"- {p.id}: {x.title}（{x.step}）/ {x.when} / {x.who} / {x.input} → {x.output} / {label}: {kpis}"


# An English value that opens with one of these words is a phrase, not a name: inside a sentence it
# starts in lower case ("lays out the document index", not "lays out The document index").
_PHRASE_OPENERS = {
    "The",
    "A",
    "An",
    "Our",
    "Their",
    "Its",
    "What",
    "Where",
    "Each",
    "Every",
    "All",
    "Any",
    "This",
    "That",
    "These",
    "Those",
    "When",
    "Which",
    "How",
    "Who",
    "Some",
}


def fill(text: str, uc: UseCase) -> str:
    values = {"who": uc.who, "when": uc.when, "input": uc.input, "output": uc.output}
    for slot in SLOTS:
        value, key = values[slot] or slot, "{" + slot + "}"
        while key in text:
            at = text.index(key)
            inside = at > 0 and text[:at].rstrip()[-1:] not in (".", ":", "!", "?", "")
            first = value.split(" ", 1)[0]
            shown = value[:1].lower() + value[1:] if inside and first in _PHRASE_OPENERS else value
            text = text[:at] + shown + text[at + len(key) :]
    return text


def kpi_for(p: Pattern, chosen: str, kpis: list[KPI]) -> str:
    """The workshop KPI the use case moves: the model's choice when the pattern moves it, else the
    workshop KPI that is one of the pattern's catalogue KPIs, else the model's choice."""
    mine = next((k for k in kpis if k.id == chosen), None)
    if mine is not None and (not mine.catalog_id or mine.catalog_id in p.kpis):
        return chosen
    other = next((k.id for k in kpis if k.catalog_id and k.catalog_id in p.kpis), None)
    return other or chosen


def risks_of(p: Pattern, lang: str) -> list[str]:
    return [t("doc.risk_control", lang, risk=r.risk, control=r.control) for r in p.text(lang).risks]


def procedure_from(p: Pattern, uc: UseCase, lang: str) -> Procedure:
    """The pattern's procedure in this use case's words; its citations are the use case's (they
    ground the company-specific slots)."""
    x = p.text(lang)
    notes = dict(x.placeholders)
    if notes and uc.input and uc.input != x.input:  # the first input, in this company's words
        first = next(iter(notes))
        notes[first] = f"{uc.input}（{notes[first]}）" if lang == "ja" else f"{uc.input} ({notes[first]})"
    return Procedure(
        use_case_id=uc.id,
        title=t("doc.procedure_title", lang, title=uc.title),
        steps=[fill(s, uc) for s in x.steps],
        prompt_template=fill(x.template, uc),
        placeholders=list(x.placeholders),
        placeholder_notes=notes,
        checks=list(p.checks),
        pattern=p.id,
        citations=list(uc.citations),
        support=uc.support,
    )
