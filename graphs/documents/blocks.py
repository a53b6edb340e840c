"""The playbook as a list of blocks (headings, fields, lists, tables, code, sources), built once and
rendered to Markdown, DOCX and PDF, so the three say the same thing in the same order.

Citations become numbered notes; a block carries the note numbers of the claims it makes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.schemas import KPI, HandOff, Playbook, Theme, UseCase

from graphs.documents.labels import labels


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
    """``values``: the workshop state (or a playbook JSON); ``version``: show that version's content."""
    if version is not None:
        values = {**values, **version["content"]}
    lang = values.get("lang", "ja")
    lab = labels(lang)
    notes = Notes()
    td = values["theme"]
    theme = Theme.model_validate(td)
    B: list[Block] = []
    meta = f"{values.get('company', '')} · {values.get('today', '')} · thread `{values.get('thread_id', '')}`"
    if version is not None:
        meta += f" · v{version['n']}"
    B += [Block("title", f"{lab['title']}: {theme.title}"), Block("meta", meta), Block("h1", lab["theme"]),
          Block("field", theme.problem, label=lab["problem"], refs=notes.refs(td)),
          Block("field", theme.outcome, label=lab["outcome"])]
    if theme.why_now:
        B.append(Block("field", theme.why_now, label=lab["why"]))
    if theme.origin == "documents":
        B.append(Block("meta", lab["from_documents"]))
    if theme.measures:
        from knowledge.library.catalog import load_library

        cat = load_library().kpis
        B.append(Block("field", ("、" if lang == "ja" else ", ").join(cat[i].text(lang).name for i in theme.measures if i in cat),
                       label=lab["theme_measures"]))
    B += _endorsement(values, lab)
    B += [Block("h2", lab["pain"]), Block("list", items=[p["text"] for p in values.get("pain_points") or []])]
    rows = []
    for kd in values.get("kpis") or []:
        k = KPI.model_validate(kd)
        base = k.baseline + (_paren(k.baseline_how, lang) if k.baseline_how else "")
        method = k.method + (_paren(f"{lab['kpi_catalog']}: {k.catalog_id}", lang) if k.catalog_id else "")
        rows.append([k.id, k.name + _marks(notes.refs(kd)), f"{base} {k.unit}", f"{k.target} {k.unit}", k.deadline,
                     k.owner, method])
    B += [Block("h1", lab["kpis"]), Block("table", headers=["ID", lab["name"], lab["baseline"], lab["target"],
                                                           lab["deadline"], lab["owner"], lab["method"]], rows=rows),
          Block("h1", lab["ucs"])]
    for dept in values.get("departments") or []:
        B.append(Block("h2", dept))
        for ud in (u for u in values.get("use_cases") or [] if u["department"] == dept):
            u = UseCase.model_validate(ud)
            B += [Block("h3", f"{u.id}. {u.title}", refs=notes.refs(ud)),
                  Block("field", u.who, label=lab["who"]), Block("field", u.when, label=lab["when"]),
                  Block("field", u.workflow_step, label=lab["step"]),
                  Block("field", f"{u.input} → {u.output}", label=lab["io"]), Block("field", u.kpi_id, label="KPI"),
                  Block("field", f"{u.impact.value} × {u.feasibility.value} = {u.priority}" + (
                      f" — {u.impact.reason} / {u.feasibility.reason}" if u.impact.reason or u.feasibility.reason else ""),
                      label=lab["prio"])]
            rated = room_voice(values)[1].get(u.id)
            if rated:  # the room's own view beside the model's
                B.append(Block("field", f"{rated['a']} × {rated['b']} = {rated['a'] * rated['b']:.1f}"
                               + _paren(f"n={rated['n']}", lang), label=lab["room_rating"]))
            B += [Block("label", label=lab["how"]), Block("olist", items=list(u.how))]
            if u.pattern:
                B.append(Block("field", lineage(u.pattern, lang), label=lab["pattern_label"]))
            if u.risks:
                B.append(Block("field", "; ".join(u.risks), label=lab["risks"]))
    hand = values.get("handoffs") or []
    if hand:
        B.append(Block("h2", lab["handoffs"]))
        rows = []
        for hd in hand:
            h = HandOff.model_validate(hd)
            rows.append([h.id, f"{h.from_department} → {h.to_department}", h.what + _marks(notes.refs(hd)), h.when,
                         h.receiving_owner])
        B.append(Block("table", headers=["ID", lab["flow"], lab["what"], lab["when"], lab["owner"]], rows=rows))
    B += _playbook(values, lab, notes)
    B += _findings(values, lab)
    if notes.items:
        B += [Block("h1", lab["sources"]), Block("sources", notes=notes.items)]
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
    from core.i18n import t

    lang = values.get("lang", "ja")
    B = [Block("h2", lab["endorsement"]),
         Block("field", t("doc.endorsement_line", lang, mean=end["mean"], n=end["n"], agree=end["agree"]),
               label=lab["endorsement_score"])]
    said = lambda r: f"{r['value']}: {r['text'] or '—'}" + (f" ({r['by']})" if r.get("by") else "")  # noqa: E731
    if end.get("dissent"):
        B += [Block("label", label=lab["dissent"]), Block("list", items=[said(r) for r in end["dissent"]])]
    if end.get("support"):
        B += [Block("label", label=lab["support"]), Block("list", items=[said(r) for r in end["support"]])]
    return B


def _playbook(values: dict, lab: dict, notes: Notes) -> list[Block]:
    pbd = values.get("playbook") or {}
    book = Playbook.model_validate(pbd)
    B: list[Block] = []
    if book.procedures:
        B.append(Block("h1", lab["procs"]))
        lang = values.get("lang", "ja")
        for p, pd in zip(book.procedures, pbd.get("procedures", [])):
            steps = [s + (_paren(lab["check_point"], lang) if i in p.checks else "") for i, s in enumerate(p.steps, 1)]
            B += [Block("h2", f"{p.use_case_id}. {p.title}", refs=notes.refs(pd))]
            if p.pattern:
                B.append(Block("field", lineage(p.pattern, lang), label=lab["pattern_label"]))
            B += [Block("olist", items=steps), Block("label", label=lab["prompt"]), Block("code", p.prompt_template)]
            if p.placeholder_notes:
                B += [Block("label", label=lab["placeholder_notes"]),
                      Block("list", items=[f"{{{k}}}: {v}" for k, v in p.placeholder_notes.items()])]
    if book.weekly_review:
        w = book.weekly_review
        B += [Block("h1", lab["weekly"]), Block("field", w.cadence, label=lab["cadence"]),
              Block("field", "、".join(w.attendees), label=lab["attendees"]),
              Block("field", "; ".join(w.inputs), label=lab["inputs"]),
              Block("label", label=lab["agenda"]), Block("olist", items=list(w.agenda)),
              Block("label", label=lab["rules"]), Block("list", items=list(w.decision_rules))]
        if w.exec_ai_hour:
            B.append(Block("field", w.exec_ai_hour, label=lab["ai_hour"]))
    if book.glossary:
        B += [Block("h1", lab["glossary"]), Block("table", headers=[lab["term"], lab["definition"], lab["used_by"]],
                                                  rows=[[t.term, t.definition + _marks(notes.refs(gd)), t.used_by]
                                                        for t, gd in zip(book.glossary, pbd.get("glossary", []))])]
    if book.training:
        B += [Block("h1", lab["training"]),
              Block("olist", items=[f"**{t.session}** — {t.audience}: {t.teaches}（{t.format}）" for t in book.training])]
    if book.roles:
        B += [Block("h1", lab["roles"]), Block("field", book.roles.executive_sponsor, label=lab["sponsor"]),
              Block("list", items=list(book.roles.owners))]
    if book.rollout:
        B += [Block("h1", lab["rollout"]),
              Block("list", items=[f"**{ph.days} {lab['days']}**: " + "; ".join(ph.goals) for ph in book.rollout])]
    return B


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "ja" else f" ({text})"


def lineage(pattern_id: str, lang: str) -> str:
    """Where a use case or procedure came from: a 型 library pattern (named) or new."""
    from agents.patterns import NEW
    from core.i18n import t
    from knowledge.library.catalog import load_library

    if pattern_id == NEW:
        return t("doc.pattern_new", lang)
    p = load_library().patterns.get(pattern_id)
    return t("doc.pattern_from", lang, title=p.text(lang).title if p else pattern_id, id=pattern_id)


def _findings(values: dict, lab: dict) -> list[Block]:
    found = [f for fs in (values.get("findings") or {}).values() for f in fs]
    if not found:
        return []
    return [Block("h1", lab["findings"]),
            Block("list", items=[f"[{f['severity']}] `{f['rule']}` {f.get('stage', '')} {f.get('item', '')}: "
                                 f"{f['message']}" + (f" → {f['fix']}" if f.get("fix") else "") for f in found])]


def _marks(refs: list[int]) -> str:
    return "".join(f"[^{n}]" for n in refs)


def note_text(c: dict) -> str:
    where = f"{c.get('rel') or c.get('source')} § {c.get('heading', '')}"
    return f"{where} — “{' '.join(c['quote'].split())}” (`{c['chunk_id']}`)"


def plain(text: str) -> str:
    """Text without Markdown marks, for DOCX and PDF."""
    return text.replace("**", "").replace("`", "")
