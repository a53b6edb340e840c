"""Slides with python-pptx that never overflow: every text box, table and diagram box is measured
(:mod:`exports.textfit`), wrapped and set at the largest size that fits; what still does not
fit at the smallest size is cut with '…' and given whole in the slide's notes.

A consultancy's template (.pptx) brings its masters, fonts and colours: its slides are dropped, its
'Title Only' and title layouts are used, fonts are left to its theme and colours are theme colours
(accents), so the deck looks like the consultancy's. Without one, a plain 16:9 deck.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from katachi.exports import textfit

log = logging.getLogger(__name__)

SPACING = 1.2  # line height / font size, set exactly on every paragraph so the measure holds
MARGIN = Inches(0.06)
GAP = 0.35  # space after a paragraph, in lines


def pt(emu: int) -> float:
    return emu / 12700


@dataclass
class Para:
    text: str
    bullet: str = ""  # "•", "1." …: drawn before the text with a hanging indent
    bold: bool = False
    accent: bool = False  # in the template's accent colour (check points, headings inside a box)


class Deck:
    def __init__(self, template: Path | None, lang: str) -> None:
        self.lang, self.templated = lang, template is not None
        self.prs = _open(template)
        if template:
            self._drop_slides()
        else:
            self.prs.slide_width, self.prs.slide_height = Inches(13.333), Inches(7.5)
        self.title_layout = self._layout(PP_PLACEHOLDER.CENTER_TITLE) or self.prs.slide_layouts[0]
        self.body_layout = (
            self._layout(PP_PLACEHOLDER.TITLE, alone=True)
            or self._layout(PP_PLACEHOLDER.TITLE)
            or self.prs.slide_layouts[-1]
        )

    # -- the template --------------------------------------------------------------------------------------
    def _drop_slides(self) -> None:
        """A template's own sample slides do not go to the client."""
        ids = self.prs.slides._sldIdLst
        for sld in list(ids):
            self.prs.part.drop_rel(sld.rId)
            ids.remove(sld)

    def _layout(self, kind, alone: bool = False):
        for layout in self.prs.slide_layouts:
            kinds = {ph.placeholder_format.type for ph in layout.placeholders}
            others = kinds - {kind, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
            if kind in kinds and (not alone or not others):
                return layout
        return None

    # -- slides ---------------------------------------------------------------------------------------------
    def title_slide(self, title: str, subtitle: str) -> None:
        slide = self.prs.slides.add_slide(self.title_layout)
        W, H = self.prs.slide_width, self.prs.slide_height
        for ph in list(slide.placeholders):
            t = ph.placeholder_format.type
            if t in (PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE):
                if not self.templated:
                    ph.left, ph.top, ph.width, ph.height = Inches(0.8), Inches(2.2), W - Inches(1.6), Inches(1.8)
                self._set(ph, [Para(title, bold=True)], 40, 20)
            elif t == PP_PLACEHOLDER.SUBTITLE:
                if not self.templated:
                    ph.left, ph.top, ph.width, ph.height = Inches(0.8), Inches(4.2), W - Inches(1.6), Inches(1.0)
                self._set(ph, [Para(subtitle)], 20, 12)
            else:
                ph._element.getparent().remove(ph._element)
        if H and not slide.shapes.title:  # a layout without a title placeholder: a text box instead
            Page(self, slide).text(
                Inches(0.8), Inches(2.2), W - Inches(1.6), Inches(1.8), [Para(title, bold=True)], 40, 20
            )

    def page(self, title: str) -> Page:
        slide = self.prs.slides.add_slide(self.body_layout)
        W, H = self.prs.slide_width, self.prs.slide_height
        for ph in list(slide.placeholders):  # only the title is ours; an unfilled placeholder shows "Click to add"
            if ph.placeholder_format.type not in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
                ph._element.getparent().remove(ph._element)
        head = slide.shapes.title
        if head is None:
            head_box = (Inches(0.5), Inches(0.3), W - Inches(1.0), Inches(0.9))
            Page(self, slide).text(*head_box, [Para(title, bold=True)], 28, 14)
        else:
            if not self.templated:
                head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.3), W - Inches(1.0), Inches(0.9)
            self._set(head, [Para(title, bold=True)], 28, 14)
            head_box = (head.left, head.top, head.width, head.height)
        left = head_box[0]
        top = head_box[1] + head_box[3] + Inches(0.15)
        return Page(self, slide, left, top, W - 2 * left, H - top - Inches(0.45))

    def _set(self, shape, paras: list[Para], largest: float, smallest: float) -> None:
        Page(self, None).fill(shape, paras, largest, smallest)

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def _open(template: Path | None):
    """The template's presentation, or python-pptx's own; a file that is no .pptx is a clear error."""
    from zipfile import BadZipFile

    from pptx.exc import PackageNotFoundError

    from katachi.core.errors import KatachiError

    if template is None:
        return Presentation()
    try:
        return Presentation(str(template))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError) as exc:
        raise KatachiError("template_bad", path=str(template), detail=str(exc)[:200]) from exc


class Page:
    """One slide's body: ``left``, ``top``, ``width``, ``height`` in EMU."""

    def __init__(self, deck: Deck, slide, left: int = 0, top: int = 0, width: int = 0, height: int = 0) -> None:
        self.deck, self.slide = deck, slide
        self.left, self.top, self.width, self.height = left, top, width, height
        self.cut: list[str] = []  # texts shortened to fit: they go to the notes whole

    # -- text --------------------------------------------------------------------------------------------
    def text(
        self, x: int, y: int, w: int, h: int, paras: list[Para], largest: float = 18, smallest: float = 10, fill=None
    ):
        box = self.slide.shapes.add_textbox(Emu(x), Emu(y), Emu(w), Emu(h))
        if fill is not None:
            box.fill.solid()
            box.fill.fore_color.theme_color = fill
            box.fill.fore_color.brightness = 0.85
        self.fill(box, paras, largest, smallest)
        return box

    def fill(self, shape, paras: list[Para], largest: float, smallest: float) -> float:
        """Set ``paras`` into the shape's text frame at the largest size that fits it; returns the size."""
        tf = shape.text_frame
        tf.word_wrap, tf.auto_size = True, MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, MARGIN)
        inner_w, inner_h = pt(shape.width - 2 * MARGIN), pt(shape.height - 2 * MARGIN)
        bold = any(p.bold for p in paras)
        texts = [self._line(p) for p in paras]
        fitted = textfit.fit(texts, inner_w * 0.97, inner_h, largest, smallest, SPACING, bold, GAP)
        size = fitted.size if fitted else smallest
        if fitted is None:  # still too long at the smallest size: cut the longest paragraph until it fits
            texts, paras = self._cut(texts, paras, inner_w * 0.97, inner_h, size, bold)
        tf.clear()
        for i, (p, text) in enumerate(zip(paras, texts)):
            par = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            par.line_spacing = Pt(size * SPACING)
            par.space_after = Pt(size * SPACING * GAP) if i < len(paras) - 1 else Pt(0)
            if p.bullet:  # hanging indent: wrapped lines start under the text, not under the bullet
                ind = int(Pt(textfit.width(p.bullet + " ", size)))
                par._p.get_or_add_pPr().set("marL", str(ind))
                par._p.get_or_add_pPr().set("indent", str(-ind))
            run = par.add_run()
            run.text = text
            self._font(run, size, p.bold, p.accent)
        return size

    def _line(self, p: Para) -> str:
        return f"{p.bullet} {p.text}" if p.bullet else p.text

    def _cut(self, texts: list[str], paras: list[Para], w: float, h: float, size: float, bold: bool):
        while textfit.measure(texts, size, w, SPACING, bold, GAP).height > h and texts:
            i = max(range(len(texts)), key=lambda k: len(texts[k]))
            if len(texts[i]) <= 8:  # nothing long left: drop the last paragraph
                self.cut.append(texts.pop())
                paras = paras[:-1]
                continue
            self.cut.append(texts[i])
            others = textfit.measure(texts[:i] + texts[i + 1 :], size, w, SPACING, bold, GAP).height
            room = max(h - others - size * SPACING * GAP, size * SPACING)
            texts[i] = textfit.shorten(texts[i], size, w, room, SPACING, bold)
        log.info("cut to fit a box at %.1f pt: %d texts (whole in the notes)", size, len(self.cut))
        return texts, [
            Para(t.removeprefix(p.bullet + " ") if p.bullet else t, p.bullet, p.bold, p.accent)
            for t, p in zip(texts, paras)
        ]

    def _font(self, run, size: float, bold: bool = False, accent: bool = False) -> None:
        run.font.size = Pt(size)
        run.font.bold = bold or None
        if accent:
            run.font.color.theme_color = MSO_THEME_COLOR.ACCENT_1
        if not self.deck.templated and self.deck.lang == "ja":  # a template's theme names its own fonts
            rpr = run._r.get_or_add_rPr()
            ea = rpr.find(qn("a:ea"))
            if ea is None:
                ea = rpr.makeelement(qn("a:ea"), {})
                rpr.append(ea)
            ea.set("typeface", "Yu Gothic")

    # -- tables ------------------------------------------------------------------------------------------
    def table(
        self,
        x: int,
        y: int,
        w: int,
        h: int,
        headers: list[str],
        rows: list[list[str]],
        weights: list[float],
        largest: float = 14,
        smallest: float = 9,
    ) -> list[list[str]]:
        """As many rows as fit at the largest size that fits; returns the rows left for the next slide."""
        widths = [int(w * k / sum(weights)) for k in weights]
        for size in [largest - 0.5 * i for i in range(int((largest - smallest) * 2) + 1)]:
            heights = [self._row_height([headers, *rows][r], widths, size, r == 0) for r in range(len(rows) + 1)]
            if sum(heights) <= h or size == smallest:
                break
        n = len(rows)
        while n > 1 and sum(heights[: n + 1]) > h:
            n -= 1
        shape = self.slide.shapes.add_table(n + 1, len(headers), Emu(x), Emu(y), Emu(w), Emu(sum(heights[: n + 1])))
        table = shape.table
        for c, cw in enumerate(widths):
            table.columns[c].width = Emu(cw)
        for r, row in enumerate([headers, *rows[:n]]):
            table.rows[r].height = Emu(heights[r])
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = MARGIN
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                cell.vertical_anchor = MSO_ANCHOR.TOP
                cell.text_frame.word_wrap = True
                par = cell.text_frame.paragraphs[0]
                par.line_spacing = Pt(size * SPACING)
                run = par.add_run()
                run.text = str(text)
                self._font(run, size, bold=r == 0)
        return rows[n:]

    def _row_height(self, row: list[str], widths: list[int], size: float, bold: bool) -> int:
        lines = max(len(textfit.wrap(str(t), size, pt(cw - 2 * MARGIN) * 0.97, bold)) for t, cw in zip(row, widths))
        return int(Pt(lines * size * SPACING)) + int(Inches(0.06)) + int(Pt(size * 0.3))

    # -- diagrams ------------------------------------------------------------------------------------------
    def box(
        self,
        x: int,
        y: int,
        w: int,
        h: int,
        paras: list[Para],
        strong: bool = False,
        largest: float = 14,
        smallest: float = 9,
    ):
        shape = self.slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Emu(x), Emu(y), Emu(w), Emu(h))
        shape.adjustments[0] = 0.12
        shape.fill.solid()
        shape.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        if not strong:
            shape.fill.fore_color.brightness = 0.8
        shape.line.color.theme_color = MSO_THEME_COLOR.ACCENT_1
        shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        self.fill(shape, paras, largest, smallest)
        for par in shape.text_frame.paragraphs:
            par.alignment = PP_ALIGN.CENTER
            for run in par.runs:
                run.font.color.theme_color = MSO_THEME_COLOR.BACKGROUND_1 if strong else MSO_THEME_COLOR.TEXT_1
        return shape

    def arrow(self, x1: int, y1: int, x2: int, y2: int) -> None:
        line = self.slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(x1), Emu(y1), Emu(x2), Emu(y2))
        line.line.width = Pt(2)
        line.line.color.theme_color = MSO_THEME_COLOR.ACCENT_2
        ln = line.line._get_or_add_ln()
        ln.append(ln.makeelement(qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"}))

    def image(self, png: bytes, x: int, y: int, w: int, h: int) -> None:
        """A picture scaled to fit the box, its proportions kept."""
        from PIL import Image

        iw, ih = Image.open(io.BytesIO(png)).size
        scale = min(w / iw, h / ih)
        pw, ph = int(iw * scale), int(ih * scale)
        self.slide.shapes.add_picture(io.BytesIO(png), Emu(x + (w - pw) // 2), Emu(y + (h - ph) // 2), Emu(pw), Emu(ph))

    def notes(self, text: str) -> None:
        whole = "\n\n".join([text] + self.cut if text else self.cut)
        if whole:
            self.slide.notes_slide.notes_text_frame.text = whole
