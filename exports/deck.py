"""The deck a consultant hands the executive team (python-pptx), from the same blocks as the playbook's
other exports, in the workshop's language:

the theme in the participants' words → the executives' endorsement and dissent → the KPIs as a table →
a use-case map by department with the hand-offs drawn → one slide per 型 (who, when, the steps with
their check points, the prompt template) → the weekly PDCA review → 30/60/90 → the sources as an appendix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pptx.enum.dml import MSO_THEME_COLOR
from pptx.util import Inches

from katachi.core.i18n import domain, t
from katachi.exports.blocks import Block, build, note_marks, note_text
from katachi.exports.slides import Deck, Para

log = logging.getLogger(__name__)
GUTTER = Inches(0.3)


def deck(values: dict[str, Any], version: dict | None = None, template: Path | None = None) -> bytes:
    blocks = build(values, version)
    lang = values.get("lang", "ja")
    lab = domain("doc", lang)  # headings and field names of the documents
    d = Deck(template, lang)
    by = parts(blocks)
    head = by["title"]
    d.title_slide(head[0].data.get("title", head[0].text), t("doc.deck_subtitle", lang, meta=head[1].text))
    _theme(d, by, lab, lang)
    if by.get("endorsement"):
        _voice(d, by["endorsement"], lang)
    _kpis(d, by.get("kpis", []), lang)
    _map(d, by.get("usecases", []), by.get("handoffs", []), lang)
    for proc in _split(by.get("procedures", []), "h2"):
        _procedure(d, proc, lab, lang)
    if by.get("weekly"):
        _weekly(d, by["weekly"], lab, lang)
    if by.get("rollout"):
        _rollout(d, by["rollout"], lang)
    for b in by.get("sources", []):
        if b.kind == "sources":
            _sources(d, b.notes, lang)
    return d.save()


def parts(blocks: list[Block]) -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = {}
    for b in blocks:
        out.setdefault(b.part, []).append(b)
    return out


def _split(blocks: list[Block], kind: str) -> list[list[Block]]:
    groups: list[list[Block]] = []
    for b in blocks:
        if b.kind == kind:
            groups.append([b])
        elif groups:
            groups[-1].append(b)
    return groups


def _field(b: Block) -> str:
    marks = "".join(f"[{n}]" for n in b.refs)
    return note_marks(f"{b.label}: {b.text}{marks}")


def _cont(lang: str) -> str:
    return t("doc.deck_continued", lang)


# -- the slides -----------------------------------------------------------------------------------------------
def _theme(d: Deck, by: dict, lab: dict, lang: str) -> None:
    p = d.page(lab["theme"])
    title = by["title"][0].data.get("title", "")
    fields = [Para(title, bold=True, accent=True)] if title else []
    fields += [Para(_field(b)) for b in by.get("theme", []) if b.kind == "field"]
    fields += [Para(b.text) for b in by.get("theme", []) if b.kind == "meta"]
    pains = [i for b in by.get("pain", []) if b.kind == "list" for i in b.items]
    if not pains:
        p.text(p.left, p.top, p.width, p.height, fields, 24, 11)
        return
    left = int(p.width * 0.58)
    p.text(p.left, p.top, left, p.height, fields, 24, 11)
    x = p.left + left + GUTTER
    p.text(
        x,
        p.top,
        p.width - left - GUTTER,
        p.height,
        [Para(lab["pain"], bold=True, accent=True)]
        + [Para(f"「{x}」" if lang == "ja" else f"“{x}”", "•") for x in pains],
        18,
        9,
        fill=MSO_THEME_COLOR.ACCENT_1,
    )
    p.notes("")


def _voice(d: Deck, blocks: list[Block], lang: str) -> None:
    p = d.page(blocks[0].text)
    score = [Para(_field(b), bold=True) for b in blocks if b.kind == "field"]
    p.text(p.left, p.top, p.width, Inches(0.8), score, 24, 12)
    columns = [
        (lbl.label, lst.items) for lbl, lst in zip(blocks, blocks[1:]) if lbl.kind == "label" and lst.kind == "list"
    ]
    if not columns:
        return
    top, w = p.top + Inches(0.95), (p.width - GUTTER * (len(columns) - 1)) // len(columns)
    for i, (label, items) in enumerate(columns):
        p.text(
            p.left + i * (w + GUTTER),
            top,
            w,
            p.height - Inches(0.95),
            [Para(label, bold=True, accent=True)] + [Para(x, "•") for x in items],
            20,
            10,
            fill=MSO_THEME_COLOR.ACCENT_1 if i == 0 else None,
        )
    p.notes("")


def _kpis(d: Deck, blocks: list[Block], lang: str) -> None:
    table = next((b for b in blocks if b.kind == "table"), None)
    if table is None or not table.rows:
        return
    keys = ["name", "baseline", "target", "deadline", "owner"]
    cols = [table.keys.index(k) for k in keys]
    rows = [[note_marks(str(r[c])) for c in cols] for r in table.rows]
    title = blocks[0].text
    while rows:
        p = d.page(title)
        rows = p.table(
            p.left, p.top, p.width, p.height, [table.headers[c] for c in cols], rows, [3, 2.4, 1.6, 1.2, 1.8], 18, 10
        )
        title = blocks[0].text + _cont(lang)


def _map(d: Deck, ucs: list[Block], hand: list[Block], lang: str) -> None:
    """Departments as columns of their use cases; each hand-off an arrow from one column to another."""
    depts = [(b.text, [x.data["title"] for x in grp if x.kind == "h3"]) for grp in _split(ucs, "h2") for b in grp[:1]]
    if not depts:
        return
    flows = next((b.data.get("flows") for b in hand if b.kind == "table"), None) or []
    p = d.page(t("doc.deck_map", lang))
    n, gap = len(depts), Inches(0.15)
    col_w = (p.width - GUTTER * (n - 1)) // n
    band = min(Inches(0.8) * len(flows), p.height // 3)
    head_h = Inches(0.6)
    area = p.height - band - head_h - Inches(0.25)
    xs = [p.left + i * (col_w + GUTTER) for i in range(n)]
    bottom = p.top + head_h
    for x, (name, titles) in zip(xs, depts):
        p.box(x, p.top, col_w, head_h, [Para(name, bold=True)], strong=True, largest=18, smallest=9)
        if not titles:
            continue
        each = min(Inches(1.1), (area - gap * (len(titles) - 1)) // len(titles))
        for k, title in enumerate(titles):
            y = p.top + head_h + gap + k * (each + gap)
            p.box(x, y, col_w, each, [Para(title)], largest=18, smallest=8)
            bottom = max(bottom, y + each)
    index = {name: i for i, (name, _) in enumerate(depts)}
    row = band // max(len(flows), 1)
    for k, f in enumerate(flows):  # the hand-offs right under the columns they join
        a, b = index.get(f["from"]), index.get(f["to"])
        if a is None or b is None or a == b:
            continue
        y = bottom + Inches(0.2) + k * row + row * 2 // 3
        x1, x2 = xs[a] + col_w // 2, xs[b] + col_w // 2
        p.arrow(x1, y, x2, y)
        lo = min(x1, x2)
        p.text(lo, y - row * 2 // 3, abs(x2 - x1), row * 2 // 3, [Para(f"{f['from']} → {f['to']}: {f['what']}")], 16, 8)
    p.notes("")


def _procedure(d: Deck, blocks: list[Block], lab: dict, lang: str) -> None:
    head = blocks[0]
    p = d.page(t("doc.deck_procedure", lang, title=head.data.get("title", head.text)))
    keyed = {b.data.get("key"): b for b in blocks[1:] if b.data.get("key")}
    facts = [Para(_field(keyed[k])) for k in ("who", "when", "pattern") if k in keyed]
    top = p.top
    if facts:
        p.text(p.left, top, p.width, Inches(1.2), facts, 16, 10)
        top += Inches(1.3)
    height = p.top + p.height - top
    left = int(p.width * 0.5)
    mark = lab["check_point"]
    steps = [
        Para(s, f"{i}.", accent=mark in s) for i, s in enumerate(keyed["steps"].items if "steps" in keyed else [], 1)
    ]
    p.text(p.left, top, left, height, steps, 18, 9)
    x, w = p.left + left + GUTTER, p.width - left - GUTTER
    template = keyed["prompt"].text if "prompt" in keyed else ""
    slots = keyed["placeholders"].items if "placeholders" in keyed else []
    body = [Para(lab["prompt"], bold=True, accent=True), Para(template)]
    if slots:
        body += [Para(lab["placeholder_notes"], bold=True, accent=True)] + [Para(s, "•") for s in slots]
    p.text(x, top, w, height, body, 16, 8, fill=MSO_THEME_COLOR.ACCENT_1)
    p.notes(f"{lab['prompt']}:\n{template}")  # the template whole, to copy from


def _weekly(d: Deck, blocks: list[Block], lab: dict, lang: str) -> None:
    p = d.page(t("doc.deck_weekly", lang))
    keyed = {b.data.get("key"): b for b in blocks if b.data.get("key")}
    facts = [Para(_field(keyed[k])) for k in ("cadence", "attendees", "inputs") if k in keyed]
    p.text(p.left, p.top, p.width, Inches(1.5), facts, 16, 10)
    top = p.top + Inches(1.6)
    foot = Inches(0.9) if "ai_hour" in keyed else 0
    height = p.top + p.height - top - foot
    half = (p.width - GUTTER) // 2
    agenda = keyed["agenda"].items if "agenda" in keyed else []
    rules = keyed["rules"].items if "rules" in keyed else []
    p.text(
        p.left,
        top,
        half,
        height,
        [Para(lab["agenda"], bold=True, accent=True)] + [Para(x, f"{i}.") for i, x in enumerate(agenda, 1)],
        18,
        9,
    )
    p.text(
        p.left + half + GUTTER,
        top,
        half,
        height,
        [Para(lab["rules"], bold=True, accent=True)] + [Para(x, "•") for x in rules],
        18,
        9,
        fill=MSO_THEME_COLOR.ACCENT_1,
    )
    if foot:
        p.text(p.left, top + height + Inches(0.1), p.width, foot - Inches(0.1), [Para(_field(keyed["ai_hour"]))], 16, 9)
    p.notes("")


def _rollout(d: Deck, blocks: list[Block], lang: str) -> None:
    p = d.page(blocks[0].text)
    phases = [
        (lbl.label, lst.items) for lbl, lst in zip(blocks, blocks[1:]) if lbl.kind == "label" and lst.kind == "list"
    ]
    if not phases:
        return
    w = (p.width - GUTTER * (len(phases) - 1)) // len(phases)
    for i, (label, goals) in enumerate(phases):
        x = p.left + i * (w + GUTTER)
        p.box(x, p.top, w, Inches(0.7), [Para(label, bold=True)], strong=True, largest=22, smallest=12)
        p.text(x, p.top + Inches(0.85), w, p.height - Inches(0.85), [Para(g, "•") for g in goals], 18, 9)
    p.notes("")


def _sources(d: Deck, notes: list[dict], lang: str) -> None:
    """Numbered as in the other slides' marks; as many slides as the notes need at a readable size."""
    items = [Para(note_text(c), f"[{i}]") for i, c in enumerate(notes, 1)]
    title = t("doc.deck_sources", lang)
    while items:
        p = d.page(title)
        n = _fitting(items)
        p.text(p.left, p.top, p.width, p.height, items[:n], 14, 10)
        p.notes("")
        items, title = items[n:], t("doc.deck_sources", lang) + _cont(lang)


def _fitting(items: list[Para], per_slide: int = 8) -> int:
    """How many notes go on one appendix slide: a fixed count keeps them readable; the box shrinks the rest."""
    return min(per_slide, len(items))
