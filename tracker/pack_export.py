"""The weekly review pack as slides (pptx) and as an A4 PDF, with each KPI's trend plot: the same
content as :func:`tracker.pack.pack_markdown`, for the meeting room's screen and for the file."""

from __future__ import annotations

import io
from pathlib import Path

from pptx.enum.dml import MSO_THEME_COLOR

from katachi.exports.readable import finding
from katachi.exports.slides import Deck, Para
from katachi.tracker.pack import labels, note

Plot = tuple[str, str, bytes]  # the KPI's name, its status line, the PNG


def _hypotheses(pack: dict, lang: str) -> tuple[list[str], list[str]]:
    """The hypotheses with their note numbers, and the notes in order."""
    notes: list[str] = []
    lines = []
    for h in pack["hypotheses"]:
        marks = ""
        for c in h.get("citations") or []:
            notes.append(note(c, lang))
            marks += f"[{len(notes)}]"
        lines.append(h["text"] + marks)
    return lines, notes


def pack_pptx(pack: dict, plots: list[Plot], template: Path | None = None) -> bytes:
    lang = pack.get("lang", "ja")
    lab = labels(lang)
    d = Deck(template, lang)
    d.title_slide(f"{lab['title']} — {pack['title']}", pack["week"])
    p = d.page(lab["kpis"])
    p.text(p.left, p.top, p.width, p.height, [Para(x, "•") for x in pack["kpis"]], 20, 10)
    for name, line, png in plots:  # one KPI a slide: its trend, the line under it
        p = d.page(name)
        foot = p.height // 6
        p.image(png, p.left, p.top, p.width, p.height - foot)
        p.text(p.left, p.top + p.height - foot, p.width, foot, [Para(line)], 18, 10)
    hyps, notes = _hypotheses(pack, lang)
    p = d.page(lab["hyp"])
    half = (p.width - p.width // 40) // 2
    right = p.left + p.width - half
    p.text(p.left, p.top, half, p.height, [Para(h, f"{i}.") for i, h in enumerate(hyps, 1)], 18, 9)
    p.text(
        right,
        p.top,
        half,
        p.height,
        [Para(lab["stuck"], bold=True, accent=True)] + [Para(s, "•") for s in pack["stuck"] or [lab["none"]]],
        18,
        9,
        fill=MSO_THEME_COLOR.ACCENT_1,
    )
    p = d.page(lab["decisions"])
    p.text(p.left, p.top, half, p.height, [Para(x, "□") for x in pack["decisions"]], 20, 10)
    p.text(
        right,
        p.top,
        half,
        p.height,
        [Para(lab["prompts"], bold=True, accent=True)] + [Para(q, "•") for q in pack["exec_prompts"]],
        18,
        9,
        fill=MSO_THEME_COLOR.ACCENT_1,
    )
    if notes:
        p = d.page(lab["sources"])
        p.text(p.left, p.top, p.width, p.height, [Para(n, f"[{i}]") for i, n in enumerate(notes, 1)], 14, 8)
    return d.save()


def pack_pdf(pack: dict, plots: list[Plot]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from katachi.exports.fonts import japanese_font

    lang = pack.get("lang", "ja")
    lab = labels(lang)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    font = str(japanese_font())
    pdf.add_font("ipaexg", "", font)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10.5, gap: float = 1.2) -> None:
        pdf.set_font("ipaexg", size=size)
        pdf.multi_cell(width, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    def heading(text: str) -> None:
        pdf.ln(2)
        line(text, 14, 2)

    line(f"{lab['title']} — {pack['title']} ({pack['week']})", 18, 3)
    heading(lab["kpis"])
    for x in pack["kpis"]:
        line(f"・{x}")
    for _name, status, png in plots:
        if pdf.get_y() + 95 > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=width * 0.8)
        line(status, 9.5, 2)
    hyps, notes = _hypotheses(pack, lang)
    heading(lab["stuck"])
    for s in pack["stuck"] or [lab["none"]]:
        line(f"・{s}")
    heading(lab["hyp"])
    for i, h in enumerate(hyps, 1):
        line(f"{i}. {h}")
    heading(lab["decisions"])
    for x in pack["decisions"]:
        line(f"□ {x}")
    heading(lab["prompts"])
    for q in pack["exec_prompts"]:
        line(f"・{q}")
    if pack.get("findings"):
        heading(lab["findings"])
        for f in pack["findings"]:
            line(f"・{finding(f, lang)}", 9.5)
    if notes:
        heading(lab["sources"])
        for i, n in enumerate(notes, 1):
            line(f"[{i}] {n}", 8.5, 0.5)
    return bytes(pdf.output())
