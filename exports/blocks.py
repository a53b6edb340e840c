"""The playbook as a list of blocks (headings, fields, lists, tables, code, sources), built once and
rendered to Markdown, DOCX and PDF, so the three say the same thing in the same order.

Citations become numbered notes; a block carries the note numbers of the claims it makes (as ``[^n]``
inside its text, which every renderer turns into its own note mark). Each block names the ``part`` of
the playbook it belongs to, and tables name their columns (``keys``), so the deck can pick what a
slide needs from the same blocks. Nothing internal is printed: no workshop id, rule id or catalogue id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from katachi.agents.schemas import KPI, HandOff, Playbook, Theme, UseCase
from katachi.core.i18n import domain, t

_REF = re.compile(r"\[\^(\d+)\]")


@dataclass
class Block:
    kind: str  # title | meta | h1 | h2 | h3 | field | list | olist | table | code | sources | label
    text: str = ""
    label: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    part: str = ""  # title | theme | endorsement | pain | kpis | usecases | handoffs | procedures | weekly | ...
    keys: list[str] = field(default_factory=list)  # a table's column keys
    data: dict = field(default_factory=dict)  # what a heading stands for (a use case's id, department...)


class Notes:
    def __init__(self) -> None:
        self.items: list[dict] = []
        self.index: dict[tuple[str, str], int] = {}

    def refs(self, item: dict) -> list[int]:
        out = []
        for c in item.get("citations") or []:
            key = (c["chunk_id"], c["quote"])
            if key not in self.index:
                self.items.append(c)
                self.index[key] = len(self.items)
            out.append(self.index[key])
        return out


def build(values: dict[str, Any], version: dict | None = None) -> list[Block]:
    """``values``: the workshop state (or a playbook JSON); ``version``: show that version's content.

    The parts are built in the order they are printed: note numbers follow the first citation of each
    source, so the order of the calls is the order of the notes."""
    if version is not None:
        values = {**values, **version["content"]}
    lang = values.get("lang", "ja")
    lab = domain("doc", lang)  # headings and field names of the documents
    notes = Notes()
    td = values["theme"]
    theme = Theme.model_validate(td)
    B = _tag("title", _title(values, theme, lab, version))
    B += _tag("theme", _theme(theme, td, lab, lang, notes))
    B += _tag("endorsement", _endorsement(values, lab))
    B += _tag("pain", _pain(values, lab))
    B += _tag("kpis", _kpis(values, lab, lang, notes))
    B += _tag("usecases", _use_cases(values, lab, lang, notes))
    B += _stage_items(values, lang, notes)
    B += _tag("handoffs", _handoffs(values, lab, notes))
    B += _playbook(values, lab, notes)
    B += _tag("findings", _findings(values, lang, lab))
    B += _tag("sources", _sources(notes, lab))  # last: every other part has cited what it cites
    return B


def _title(values: dict, theme: Theme, lab: dict, version: dict | None) -> list[Block]:
    meta = f"{values.get('company', '')} · {values.get('today', '')}"
    if version is not None:
        meta += f" · v{version['n']}"
    return [Block("title", f"{lab['title']}: {theme.title}", data={"title": theme.title}), Block("meta", meta)]


def _pain(values: dict, lab: dict) -> list[Block]:
    return [Block("h2", lab["pain"]), Block("list", items=[p["text"] for p in values.get("pain_points") or []])]


def _kpis(values: dict, lab: dict, lang: str, notes: Notes) -> list[Block]:
    rows = []
    for kd in values.get("kpis") or []:
        k = KPI.model_validate(kd)
        base = _amount(k.baseline, k.unit) + (_paren(t("kpi.said", lang, said=k.said), lang) if k.said else "")
        base += _paren(k.baseline_how, lang) if k.baseline_how and _number(k.baseline) is None else ""
        method = k.method + (_paren(lab["from_catalog"], lang) if k.catalog_id else "")
        rows.append(
            [k.id, k.name + _marks(notes.refs(kd)), base, _amount(k.target, k.unit), k.deadline, k.owner, method]
        )
    return [
        Block("h1", lab["kpis"]),
        Block(
            "table",
            headers=[
                "ID",
                lab["name"],
                lab["baseline"],
                lab["target"],
                lab["deadline"],
                lab["owner"],
                lab["method"],
            ],
            rows=rows,
            keys=["id", "name", "baseline", "target", "deadline", "owner", "method"],
        ),
    ]


def _handoffs(values: dict, lab: dict, notes: Notes) -> list[Block]:
    hand = values.get("handoffs") or []
    if not hand:
        return []
    rows, flows = [], []
    for hd in hand:
        h = HandOff.model_validate(hd)
        rows.append(
            [
                h.id,
                f"{h.from_department} → {h.to_department}",
                h.what + _marks(notes.refs(hd)),
                h.when,
                h.receiving_owner,
            ]
        )
        flows.append({"from": h.from_department, "to": h.to_department, "what": h.what})
    return [
        Block("h2", lab["handoffs"]),
        Block(
            "table",
            headers=["ID", lab["flow"], lab["what"], lab["when"], lab["owner"]],
            rows=rows,
            keys=["id", "flow", "what", "when", "owner"],
            data={"flows": flows},
        ),
    ]


def _sources(notes: Notes, lab: dict) -> list[Block]:
    if not notes.items:
        return []
    return [Block("h1", lab["sources"]), Block("sources", notes=notes.items)]


def _tag(part: str, blocks: list[Block]) -> list[Block]:
    for b in blocks:
        b.part = b.part or part
    return blocks


def _theme(theme: Theme, td: dict, lab: dict, lang: str, notes: Notes) -> list[Block]:
    B = [
        Block("h1", lab["theme"]),
        Block("field", theme.problem, label=lab["problem"], refs=notes.refs(td)),
        Block("field", theme.outcome, label=lab["outcome"]),
    ]
    if theme.why_now:
        B.append(Block("field", theme.why_now, label=lab["why"], data={"key": "why"}))
    if theme.origin == "documents":
        B.append(Block("meta", lab["from_documents"]))
    if theme.measures:
        from katachi.knowledge.library.catalog import load_library

        cat = load_library().kpis
        B.append(
            Block(
                "field",
                ("、" if lang == "ja" else ", ").join(cat[i].text(lang).name for i in theme.measures if i in cat),
                label=lab["theme_measures"],
            )
        )
    return B


def _use_cases(values: dict, lab: dict, lang: str, notes: Notes) -> list[Block]:
    B = [Block("h1", lab["ucs"])]
    for dept in values.get("departments") or []:
        B.append(Block("h2", dept, data={"department": dept}))
        for ud in (u for u in values.get("use_cases") or [] if u["department"] == dept):
            u = UseCase.model_validate(ud)
            B += [
                Block(
                    "h3",
                    f"{u.id}. {u.title}",
                    refs=notes.refs(ud),
                    data={"id": u.id, "title": u.title, "department": dept},
                ),
                Block("field", u.who, label=lab["who"]),
                Block("field", u.when, label=lab["when"]),
                Block("field", u.workflow_step, label=lab["step"]),
                Block("field", f"{u.input} → {u.output}", label=lab["io"]),
                Block("field", u.kpi_id, label="KPI"),
                Block(
                    "field",
                    f"{u.impact.value} × {u.feasibility.value} = {u.priority}"
                    + (
                        f" — {u.impact.reason} / {u.feasibility.reason}"
                        if u.impact.reason or u.feasibility.reason
                        else ""
                    ),
                    label=lab["prio"],
                ),
            ]
            rated = room_voice(values)[1].get(u.id)
            if rated:  # the room's own view beside the model's
                B.append(
                    Block(
                        "field",
                        f"{rated['a']} × {rated['b']} = {rated['a'] * rated['b']:.1f}"
                        + _paren(t("doc.rated_by", lang, n=rated["n"]), lang),
                        label=lab["room_rating"],
                    )
                )
            B += [Block("label", label=lab["how"]), Block("olist", items=list(u.how))]
            if u.pattern:
                B.append(Block("field", lineage(u.pattern, lang), label=lab["pattern_label"]))
            if u.risks:
                B.append(Block("field", "; ".join(u.risks), label=lab["risks"]))
    return B


def room_voice(values: dict) -> tuple[dict | None, dict]:
    """What the room said, from the audit trail: the last endorsement recorded with a decision (of the
    theme the playbook has), and the last ratings of the use cases."""
    theme = (values.get("theme") or {}).get("title")
    endorsement, ratings = None, {}
    for d in values.get("decisions") or []:
        room = d.get("room") or {}
        if (room.get("endorsement") or {}).get("theme") == theme:
            endorsement = room["endorsement"]
        if d.get("gate") == "usecases" and room.get("ratings"):
            ratings = room["ratings"]
    return endorsement, ratings


def _endorsement(values: dict, lab: dict) -> list[Block]:
    """The executives' endorsement of the theme and the dissent, as recorded in the room (the method:
    management sets the theme — a theme the room does not stand behind is visible as such)."""
    end, _ = room_voice(values)
    if not end:
        return []
    lang = values.get("lang", "ja")
    B = [
        Block("h2", lab["endorsement"]),
        Block(
            "field",
            t("doc.endorsement_line", lang, mean=end["mean"], n=end["n"], agree=end["agree"]),
            label=lab["endorsement_score"],
        ),
    ]
    said = lambda r: f"{r['value']}: {r['text'] or '—'}" + (f" ({r['by']})" if r.get("by") else "")  # noqa: E731
    if end.get("dissent"):
        B += [Block("label", label=lab["dissent"]), Block("list", items=[said(r) for r in end["dissent"]])]
    if end.get("support"):
        B += [Block("label", label=lab["support"]), Block("list", items=[said(r) for r in end["support"]])]
    return B


def _playbook(values: dict, lab: dict, notes: Notes) -> list[Block]:
    pbd = values.get("playbook") or {}
    book = Playbook.model_validate(pbd)
    lang = values.get("lang", "ja")
    ucs = {u["id"]: u for u in values.get("use_cases") or []}
    B: list[Block] = []
    if book.procedures:
        B += _tag("procedures", [Block("h1", lab["procs"])])
    for p, pd in zip(book.procedures, pbd.get("procedures", [])):
        B += _tag("procedures", _procedure(p, pd, ucs.get(p.use_case_id) or {}, lab, lang, notes))
    B += _tag("weekly", _weekly(book, lab, lang))
    B += _tag("glossary", _glossary(book, pbd, lab, notes))
    B += _tag("training", _training(book, lab, lang))
    B += _tag("roles", _roles(book, lab))
    B += _tag("rollout", _rollout(book, lab))
    return B


def _weekly(book: Playbook, lab: dict, lang: str) -> list[Block]:
    w = book.weekly_review
    if not w:
        return []
    W = [
        Block("h1", lab["weekly"]),
        Block("field", w.cadence, label=lab["cadence"], data={"key": "cadence"}),
        Block(
            "field",
            "、".join(w.attendees) if lang == "ja" else ", ".join(w.attendees),
            label=lab["attendees"],
            data={"key": "attendees"},
        ),
        Block("field", "; ".join(w.inputs), label=lab["inputs"], data={"key": "inputs"}),
        Block("label", label=lab["agenda"]),
        Block("olist", items=list(w.agenda), data={"key": "agenda"}),
        Block("label", label=lab["rules"]),
        Block("list", items=list(w.decision_rules), data={"key": "rules"}),
    ]
    if w.exec_ai_hour:
        W.append(Block("field", w.exec_ai_hour, label=lab["ai_hour"], data={"key": "ai_hour"}))
    return W


def _glossary(book: Playbook, pbd: dict, lab: dict, notes: Notes) -> list[Block]:
    if not book.glossary:
        return []
    return [
        Block("h1", lab["glossary"]),
        Block(
            "table",
            headers=[lab["term"], lab["definition"], lab["used_by"]],
            keys=["term", "definition", "used_by"],
            rows=[
                [g.term, g.definition + _marks(notes.refs(gd)), g.used_by]
                for g, gd in zip(book.glossary, pbd.get("glossary", []))
            ],
        ),
    ]


def _training(book: Playbook, lab: dict, lang: str) -> list[Block]:
    if not book.training:
        return []
    return [
        Block("h1", lab["training"]),
        Block(
            "olist",
            items=[f"**{x.session}** — {x.audience}: {x.teaches}" + _paren(x.format, lang) for x in book.training],
        ),
    ]


def _roles(book: Playbook, lab: dict) -> list[Block]:
    if not book.roles:
        return []
    return [
        Block("h1", lab["roles"]),
        Block("field", book.roles.executive_sponsor, label=lab["sponsor"]),
        Block("list", items=list(book.roles.owners)),
    ]


def _rollout(book: Playbook, lab: dict) -> list[Block]:
    if not book.rollout:
        return []
    R = [Block("h1", lab["rollout"])]
    for ph in book.rollout:  # a label and a list per phase: the deck draws them as three columns
        R += [
            Block("label", label=f"{ph.days} {lab['days']}", data={"days": ph.days}),
            Block("list", items=list(ph.goals), data={"days": ph.days}),
        ]
    return R


def _procedure(p, pd: dict, uc: dict, lab: dict, lang: str, notes: Notes) -> list[Block]:
    """One 型: who runs it and when (from its use case), the steps with their check points, the template."""
    steps = [s + (_paren(lab["check_point"], lang) if i in p.checks else "") for i, s in enumerate(p.steps, 1)]
    B = [
        Block(
            "h2",
            f"{p.use_case_id}. {p.title}",
            refs=notes.refs(pd),
            data={"id": p.use_case_id, "title": p.title, "department": uc.get("department", "")},
        )
    ]
    if uc.get("who"):
        B.append(Block("field", uc["who"], label=lab["who"], data={"key": "who"}))
    if uc.get("when"):
        B.append(Block("field", uc["when"], label=lab["when"], data={"key": "when"}))
    if p.pattern:
        B.append(Block("field", lineage(p.pattern, lang), label=lab["pattern_label"], data={"key": "pattern"}))
    B += [
        Block("olist", items=steps, data={"key": "steps"}),
        Block("label", label=lab["prompt"]),
        Block("code", p.prompt_template, data={"key": "prompt"}),
    ]
    if p.placeholder_notes:
        B += [
            Block("label", label=lab["placeholder_notes"]),
            Block(
                "list", items=[f"{{{k}}}: {v}" for k, v in p.placeholder_notes.items()], data={"key": "placeholders"}
            ),
        ]
    return B


def _number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def _amount(value: str, unit: str) -> str:
    """「2 日」, "1 day" for a number; a word (要測定, 現状から4割減) stands without the unit."""
    from katachi.agents.targets import amount

    if _number(value) is None:
        return value
    money = unit[:1] in ("$", "£", "€")  # "£8,000 per month" (not "8000 £ per month")
    return amount(value, unit, "en") if money or (unit.isascii() and unit not in ("%", "％")) else f"{value} {unit}"


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "ja" else f" ({text})"


def lineage(pattern_id: str, lang: str) -> str:
    """Where a use case or procedure came from: a 型 library pattern (named) or new."""
    from katachi.agents.patterns import NEW
    from katachi.knowledge.library.catalog import load_library

    if pattern_id == NEW:
        return t("doc.pattern_new", lang)
    p = load_library().patterns.get(pattern_id)  # named by its title; the id stays in the JSON
    return t("doc.pattern_named", lang, title=p.text(lang).title if p else t("doc.pattern_own", lang))


def _findings(values: dict, lang: str, lab: dict) -> list[Block]:
    from katachi.exports.readable import finding

    found = [f for fs in (values.get("findings") or {}).values() for f in fs]
    if not found:
        return []
    return [Block("h1", lab["findings"]), Block("list", items=[finding(f, lang) for f in found])]


def _marks(refs: list[int]) -> str:
    return "".join(f"[^{n}]" for n in refs)


def note_text(c: dict) -> str:
    """A numbered note's text: the file, its heading and the quote (the chunk id stays in the JSON)."""
    where = f"{c.get('rel') or c.get('source')}" + (f" § {c['heading']}" if c.get("heading") else "")
    return f"{where} — “{' '.join(c['quote'].split())}”"


def note_marks(text: str, fmt: str = "[{n}]") -> str:
    """``[^n]`` marks inside a block's text in a renderer's own form."""
    return _REF.sub(lambda m: fmt.format(n=m.group(1)), text)


def plain(text: str) -> str:
    """Text without Markdown marks, for DOCX and PDF."""
    return text.replace("**", "").replace("`", "")


def _stage_items(values: dict[str, Any], lang: str, notes: Notes) -> list[Block]:
    """The stages drawn by the generic view (their items under ``outputs``): the stage's name and a table
    of the fields its spec names, sources as notes on the first column."""
    from katachi.graphs.stages import SPECS

    out: list[Block] = []
    for spec in SPECS:
        items = (values.get("outputs") or {}).get(spec.name) or []
        if not items or not spec.fields:
            continue
        rows = [
            [str(it.get(f, "")) + (_marks(notes.refs(it)) if i == 0 else "") for i, f in enumerate(spec.fields)]
            for it in items
        ]
        table = Block(
            "table", headers=[t(f"stage.{spec.name}_{f}", lang) for f in spec.fields], rows=rows, keys=list(spec.fields)
        )
        out += _tag(spec.name, [Block("h2", t(f"stage.{spec.name}", lang)), table])
    return out
