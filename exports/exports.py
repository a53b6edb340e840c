"""Exports of a playbook (any version): Markdown, JSON, DOCX (python-docx) and PDF (fpdf2).

Citations become numbered endnotes in DOCX and PDF. Japanese needs a font that has it: the PDF embeds
IPAexGothic (shipped with the ``japanize-matplotlib`` package); the DOCX names Japanese fonts for
East Asian text so Word and LibreOffice pick one installed on the reader's machine.
The version history and the audit log go with every export.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from katachi.core.errors import KatachiError
from katachi.core.i18n import domain, t
from katachi.exports.blocks import Block, build, note_text, plain
from katachi.exports.fonts import japanese_font
from katachi.exports.outputs import blocks_to_markdown, playbook_json

# Every export format, the one list of them, in the order people are offered them: what it is (for its file
# name: the deck, the one-page summary, the invitation, the playbook), its extension, and whether the
# executive team is handed it when the workshop is done (Markdown and JSON are for consultants and tools).
_FORMATS = {
    "pptx": ("deck", "pptx", True),
    "summary-pdf": ("summary", "pdf", True),
    "summary-docx": ("summary", "docx", True),
    "ics": ("calendar", "ics", True),
    "pdf": ("playbook", "pdf", True),
    "docx": ("playbook", "docx", True),
    "md": ("playbook", "md", False),
    "json": ("playbook", "json", False),
}
FORMATS = tuple(_FORMATS)
FOR_EXECUTIVES = tuple(f for f, (_, _, handed) in _FORMATS.items() if handed)
KINDS = {f: (kind, ext) for f, (kind, ext, _) in _FORMATS.items()}
_REF = re.compile(r"\[\^(\d+)\]")


def pick_version(values: dict[str, Any], n: int | None) -> dict | None:
    versions = values.get("versions") or []
    if n is None:
        return versions[-1] if versions else None
    for v in versions:
        if v["n"] == n:
            return v
    raise KatachiError("version_unknown", version=n, have=", ".join(str(v["n"]) for v in versions) or "-")


def export(
    values: dict[str, Any],
    fmt: str,
    version: int | None = None,
    audit: list[dict] | None = None,
    template: Path | None = None,
    tracker_url: str = "",
    tz: str = "Asia/Tokyo",
) -> bytes:
    """The playbook in ``fmt``. ``audit``: events kept outside the graph (review comments, approvals);
    ``template``: the consultancy's .pptx for the deck; ``tracker_url`` and ``tz``: for the invitation."""
    if fmt not in FORMATS:
        raise KatachiError("export_format", fmt=fmt, formats=", ".join(FORMATS))
    if not values.get("theme"):
        raise KatachiError("export_not_ready", thread_id=values.get("thread_id", ""))
    ver = pick_version(values, version)
    if fmt in ("pptx", "summary-pdf", "summary-docx", "ics"):
        return _deliverable(values, fmt, ver, template, tracker_url, tz)
    blocks = build(values, ver) + _history(values, audit or [])
    if fmt == "md":
        return blocks_to_markdown(blocks).encode("utf-8")
    if fmt == "json":
        data = playbook_json({**values, **(ver["content"] if ver else {})})
        data["version"] = ver["n"] if ver else None
        data["audit"] = audit_rows(values, audit or [])
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "docx":
        return _docx(blocks, values.get("lang", "ja"))
    return _pdf(blocks)


def _deliverable(
    values: dict[str, Any], fmt: str, ver: dict | None, template: Path | None, tracker_url: str, tz: str
) -> bytes:
    """What the executive team gets: the deck, the one-page summary, the weekly review's invitation."""
    if fmt == "pptx":
        from katachi.exports.deck import deck

        if template is not None and not Path(template).is_file():
            raise KatachiError("template_missing", path=str(template))
        return deck(values, ver, template)
    if fmt == "ics":
        from katachi.exports.calendar import review_ics

        return review_ics({**values, **(ver["content"] if ver else {})}, tracker_url, tz)
    from katachi.exports.summary import summary_docx, summary_pdf

    return (summary_pdf if fmt == "summary-pdf" else summary_docx)(values, ver)


def file_name(values: dict[str, Any], fmt: str, version: int | None = None) -> str:
    from katachi.exports.readable import file_name as named

    kind, ext = KINDS[fmt]
    return named(values, kind, ext, version)


def audit_rows(values: dict[str, Any], extra: list[dict]) -> list[dict]:
    """Every gate decision (who, when, what) and the review events, oldest first."""
    rows = [
        {
            "at": d.get("at", ""),
            "by": d.get("by", ""),
            "what": f"{d.get('gate')}: {d.get('action')}",
            "detail": _detail(d),
        }
        for d in values.get("decisions") or []
    ]
    rows += [
        {"at": e.get("at", ""), "by": e.get("by", ""), "what": e.get("what", ""), "detail": e.get("detail", "")}
        for e in extra
    ]
    return sorted(rows, key=lambda r: r["at"] or "")


def _detail(d: dict) -> str:
    if d.get("sections"):
        return "; ".join(f"{k}: {v}" for k, v in d["sections"].items())
    if d.get("values"):
        return ", ".join(d["values"])
    if d.get("action") == "rollback":
        return f"v{d.get('version')}"
    return d.get("feedback") or d.get("reason") or ""


def _history(values: dict[str, Any], audit: list[dict]) -> list[Block]:
    """The versions and the audit log in words: 「ユースケース: 承認」, not ``usecases: approve`` (the JSON
    export keeps the codes)."""
    from katachi.exports import readable

    lang = values.get("lang", "ja")
    lab = domain("doc", lang)  # headings and field names of the documents
    out: list[Block] = []
    versions = values.get("versions") or []
    if versions:
        out += [
            Block("h1", lab["history"], part="history"),
            Block(
                "table",
                headers=[lab["version"], lab["at"], lab["by"], lab["reason"]],
                part="history",
                rows=[
                    [f"v{v['n']}", v.get("at", ""), v.get("by", ""), readable.reason(v.get("reason", ""), lang)]
                    for v in versions
                ],
            ),
        ]
    rows = audit_rows(values, audit)
    if rows:
        out += [
            Block("h1", lab["audit"], part="audit"),
            Block(
                "table",
                headers=[lab["at"], lab["by"], lab["action"], lab["reason"]],
                part="audit",
                rows=[
                    [r["at"], r["by"], readable.action(r["what"], lang), readable.detail(r["detail"], lang)]
                    for r in rows
                ],
            ),
        ]
    return out


# -- DOCX -------------------------------------------------------------------------------------------------
def _docx_fonts(doc, lang: str) -> None:
    """The language's East Asian font on every style the export uses (Word otherwise falls back to a
    font without kana on some machines)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    east = t("doc.docx_font", lang)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number"):
        rpr = doc.styles[name].element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), east)
    doc.styles["Normal"].font.size = Pt(10.5)


def _docx_text(par, text: str, bold_label: str = "") -> None:
    """``text`` into ``par`` with its source marks as superscript numbers."""
    if bold_label:
        par.add_run(bold_label + ": ").bold = True
    pos = 0
    for m in _REF.finditer(text):
        par.add_run(plain(text[pos : m.start()]))
        r = par.add_run(f"[{m.group(1)}]")
        r.font.superscript = True
        pos = m.end()
    par.add_run(plain(text[pos:]))


def _docx_table(doc, b: Block) -> None:
    table = doc.add_table(rows=1, cols=len(b.headers))
    table.style = "Table Grid"
    for cell, h in zip(table.rows[0].cells, b.headers, strict=False):
        cell.text = ""
        cell.paragraphs[0].add_run(h).bold = True
    for row in b.rows:
        for cell, val in zip(table.add_row().cells, row, strict=False):
            cell.text = ""
            _docx_text(cell.paragraphs[0], str(val))


def _docx_block(doc, b: Block) -> None:
    refs = "".join(f"[^{n}]" for n in b.refs)
    if b.kind == "title":
        doc.add_heading(plain(b.text), level=0)
    elif b.kind == "meta":
        doc.add_paragraph(plain(b.text))
    elif b.kind in ("h1", "h2", "h3"):
        _docx_text(doc.add_heading("", level=int(b.kind[1])), b.text + refs)
    elif b.kind == "field":
        _docx_text(doc.add_paragraph(style="List Bullet"), b.text + refs, b.label)
    elif b.kind == "label":
        doc.add_paragraph().add_run(b.label).bold = True
    elif b.kind in ("list", "olist"):
        for item in b.items:
            _docx_text(doc.add_paragraph(style="List Bullet" if b.kind == "list" else "List Number"), item)
    elif b.kind == "table":
        _docx_table(doc, b)
    elif b.kind == "code":
        doc.add_paragraph().add_run(b.text).font.name = "Consolas"
    elif b.kind == "sources":
        for i, c in enumerate(b.notes, 1):
            doc.add_paragraph(f"[{i}] " + plain(note_text(c)))


def _docx(blocks: list[Block], lang: str) -> bytes:
    from docx import Document

    doc = Document()
    _docx_fonts(doc, lang)
    for b in blocks:
        _docx_block(doc, b)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# -- PDF --------------------------------------------------------------------------------------------------
def _pdf(blocks: list[Block]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    font = str(japanese_font())
    pdf.add_font("ipaexg", "", font)
    pdf.add_font("ipaexg", "B", font)  # table headings are bold; IPAexGothic has one weight
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10.5, gap: float = 1.5, indent: float = 0) -> None:
        pdf.set_font("ipaexg", size=size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            width - indent, size * 0.5, _REF.sub(r"[\1]", plain(text)), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(gap)

    def refs(b: Block) -> str:
        return "".join(f"[{n}]" for n in b.refs)

    for b in blocks:
        if b.kind == "title":
            line(b.text, 18, 3)
        elif b.kind == "meta":
            line(b.text, 9, 3)
        elif b.kind in ("h1", "h2", "h3"):
            line(b.text + refs(b), {"h1": 15, "h2": 13, "h3": 11.5}[b.kind], 2)
        elif b.kind == "field":
            line(f"・{b.label}: {b.text}{refs(b)}", indent=3)
        elif b.kind == "label":
            line(b.label, 10.5, 0.5)
        elif b.kind in ("list", "olist"):
            for n, item in enumerate(b.items, 1):
                line(("・" if b.kind == "list" else f"{n}. ") + item, indent=4, gap=0.5)
            pdf.ln(1)
        elif b.kind == "table":
            pdf.set_font("ipaexg", size=8.5)
            with pdf.table(col_widths=None, line_height=4.5, text_align="LEFT") as t:
                row = t.row()
                for h in b.headers:
                    row.cell(plain(h))
                for r in b.rows:
                    row = t.row()
                    for c in r:
                        row.cell(_REF.sub(r"[\1]", plain(str(c))))
            pdf.ln(2)
        elif b.kind == "code":
            pdf.set_fill_color(245, 245, 245)
            line(b.text, 9, 2, indent=4)
        elif b.kind == "sources":
            for i, note in enumerate(b.notes, 1):
                line(f"[{i}] {note_text(note)}", 8.5, 0.5)
    return bytes(pdf.output())


def write(
    values: dict[str, Any],
    fmt: str,
    out: Path,
    version: int | None = None,
    audit: list[dict] | None = None,
    **options: Any,
) -> Path:
    """``out`` a folder: the file gets its readable name there. ``options``: see :func:`export`."""
    if out.is_dir():
        out = out / file_name(values, fmt, version)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(export(values, fmt, version, audit, **options))
    return out
