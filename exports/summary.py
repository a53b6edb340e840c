"""The one-page executive summary (A4, PDF and DOCX) from the playbook's blocks: the theme, why now, the
KPIs, the first three 型 with who runs them, and the date of the first weekly review.

One page is a promise: the PDF is set again a half point smaller until it fits one page; the DOCX size
is chosen by measuring its text against the page (Word sets it), with room to spare.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from katachi.core.i18n import domain, t
from katachi.exports import textfit
from katachi.exports.blocks import build, note_marks
from katachi.exports.cadence import first_review, weekly_slot
from katachi.exports.deck import parts

log = logging.getLogger(__name__)
A4_W, A4_H, MARGIN_MM = 210, 297, 18


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    meta: str
    sections: list[Section]


def content(values: dict[str, Any], version: dict | None = None) -> Summary:
    lang = values.get("lang", "ja")
    lab = domain("doc", lang)  # headings and field names of the documents
    by = parts(build(values, version))
    theme = {b.label: b.text for b in by.get("theme", []) if b.kind == "field"}
    title = by["title"][0].data.get("title", "")
    S = [
        Section(
            lab["theme"],
            [title] + [f"{k}: {note_marks(v, '')}" for k, v in theme.items() if k in (lab["problem"], lab["outcome"])],
        )
    ]
    S.append(Section(lab["why"], [theme.get(lab["why"]) or theme.get(lab["problem"], "")]))
    table = next((b for b in by.get("kpis", []) if b.kind == "table"), None)
    if table is not None and table.rows:
        cols = [table.keys.index(k) for k in ("name", "baseline", "target", "deadline", "owner")]
        S.append(
            Section(
                lab["kpis"],
                headers=[table.headers[c] for c in cols],
                rows=[[note_marks(str(r[c]), "") for c in cols] for r in table.rows],
            )
        )
    S.append(Section(t("doc.summary_first_types", lang), _first_types(by, lab, lang)))
    S.append(Section(t("doc.summary_first_review", lang), [_first_review(values, lang)]))
    meta = by["title"][1].text
    return Summary(t("doc.summary_title", lang, title=title), meta, S)


def _first_types(by: dict, lab: dict, lang: str) -> list[str]:
    out = []
    procs = [b for b in by.get("procedures", []) if b.kind in ("h2", "field")]
    heads = [i for i, b in enumerate(procs) if b.kind == "h2"][:3]
    for n, i in enumerate(heads, 1):
        head = procs[i]
        who = next((b.text for b in procs[i + 1 : i + 4] if b.data.get("key") == "who"), "")
        dept = head.data.get("department", "")
        owner = f"{who}（{dept}）" if lang == "ja" and dept else f"{who} ({dept})" if dept else who
        out.append(t("doc.summary_type_line", lang, n=n, title=head.data.get("title", head.text), owner=owner or "-"))
    return out


def _first_review(values: dict, lang: str) -> str:
    review = (values.get("playbook") or {}).get("weekly_review") or {}
    slot = weekly_slot(review.get("cadence", ""))
    day = first_review(dt.date.fromisoformat(values.get("today") or dt.date.today().isoformat()), slot)
    end = (dt.datetime.combine(day, slot.start) + dt.timedelta(minutes=slot.minutes)).time()
    weekday = t("doc.weekdays", lang).split(",")[day.weekday()]
    sep = "、" if lang == "ja" else ", "
    return t(
        "doc.summary_review_line",
        lang,
        date=day.isoformat(),
        weekday=weekday,
        start=slot.start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
        attendees=sep.join(review.get("attendees") or []) or "-",
    )


# -- PDF ------------------------------------------------------------------------------------------------------
def summary_pdf(values: dict[str, Any], version: dict | None = None) -> bytes:
    s = content(values, version)
    size = 11.0
    while True:
        pdf = _pdf(s, size)
        if pdf.page_no() == 1 or size <= 7:
            if pdf.page_no() > 1:
                log.warning("the executive summary needs %d pages even at %.1f pt", pdf.page_no(), size)
            return bytes(pdf.output())
        size -= 0.5


def _pdf(s: Summary, size: float):
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from katachi.exports.fonts import japanese_font

    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    font = str(japanese_font())
    pdf.add_font("ipaexg", "", font)
    pdf.add_font("ipaexg", "B", font)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN_MM
    mm = size * 0.3528  # one point in millimetres

    def para(text: str, pts: float, gap: float = 0.6, color=(0, 0, 0)) -> None:
        pdf.set_font("ipaexg", size=pts)
        pdf.set_text_color(*color)
        pdf.multi_cell(width, pts * 0.3528 * 1.35, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap * mm)

    para(s.title, size * 1.7, 1.0)
    para(s.meta, size * 0.85, 2.0, (90, 90, 90))
    for sec in s.sections:
        para(sec.heading, size * 1.25, 0.8, (31, 78, 160))
        for line in sec.lines:
            para(line, size)
        if sec.rows:
            pdf.set_font("ipaexg", size=size * 0.9)
            with pdf.table(
                line_height=size * 0.9 * 0.3528 * 1.35, text_align="LEFT", col_widths=(30, 24, 16, 12, 18)
            ) as table:
                row = table.row()
                for h in sec.headers:
                    row.cell(h)
                for r in sec.rows:
                    row = table.row()
                    for c in r:
                        row.cell(c)
        pdf.ln(1.5 * mm)
    return pdf


# -- DOCX -----------------------------------------------------------------------------------------------------
def summary_docx(values: dict[str, Any], version: dict | None = None) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    s = content(values, version)
    lang = values.get("lang", "ja")
    size = _docx_size(s)
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(A4_W), Mm(A4_H)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Mm(MARGIN_MM)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    normal.paragraph_format.space_after = Pt(size * 0.3)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), t("doc.docx_font", lang))

    def para(text: str, pts: float, bold: bool = False, color: RGBColor | None = None) -> None:
        run = doc.add_paragraph().add_run(text)
        run.font.size, run.bold = Pt(pts), bold
        if color is not None:
            run.font.color.rgb = color

    para(s.title, size * 1.7, bold=True)
    para(s.meta, size * 0.85, color=RGBColor(90, 90, 90))
    for section in s.sections:
        para(section.heading, size * 1.25, bold=True, color=RGBColor(31, 78, 160))
        for line in section.lines:
            para(line, size)
        if section.rows:
            table = doc.add_table(rows=1, cols=len(section.headers))
            table.style = "Table Grid"
            for row, values_ in enumerate([section.headers, *section.rows]):
                cells = table.rows[0].cells if row == 0 else table.add_row().cells
                for cell, text in zip(cells, values_):
                    run = cell.paragraphs[0].add_run(text)
                    run.font.size, run.bold = Pt(size * 0.9), row == 0
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_size(s: Summary) -> float:
    """The largest size (half points, 11 down to 7) at which the text measures to 85 % of the page."""
    width = (A4_W - 2 * MARGIN_MM) / 25.4 * 72
    height = (A4_H - 2 * MARGIN_MM) / 25.4 * 72 * 0.85
    size = 11.0
    while size > 7:
        total = textfit.measure([s.title], size * 1.7, width).height + textfit.measure([s.meta], size, width).height
        for sec in s.sections:
            total += textfit.measure([sec.heading], size * 1.25, width).height * 1.3
            total += textfit.measure(sec.lines, size, width, gap=0.3).height
            cell = width / max(len(sec.headers), 1)
            for row in ([sec.headers] + sec.rows) if sec.rows else []:
                total += max(textfit.measure([c], size * 0.9, cell - 8).height for c in row) + 4
        if total <= height:
            return size
        size -= 0.5
    return size
