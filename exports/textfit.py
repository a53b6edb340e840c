"""Measure text the way a slide or page will set it, wrap it, and find the largest size that fits a box.

Japanese has no spaces: a line may break between any two characters, except before closing marks
(、。」）…) and after opening ones (「（). Widths come from real fonts: IPAexGothic for Japanese (every
Japanese font sets kanji and kana one em wide) and DejaVu Sans for Latin text, which is wider than the
Latin of Calibri, Yu Gothic or Noto, so text measured to fit here fits in the fonts a reader has.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_NO_START = set("、。，．,.)）」』】〕〉》・ーぁぃぅぇぉっゃゅょァィゥェォッャュョ！？!?：:；;…")
_NO_END = set("(（「『【〔〈《")
_UNIT = re.compile(r"[A-Za-z0-9\-_/.@%'’]+[ \t]*|[ \t]+|.", re.S)
_REF = 100  # measure at 100 pt and scale: PIL's widths are in pixels at the size asked


@functools.lru_cache(maxsize=4)
def _fonts(bold: bool):
    import matplotlib
    from PIL import ImageFont

    from katachi.exports.fonts import japanese_font

    mpl = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    latin = mpl / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(japanese_font()), _REF), ImageFont.truetype(str(latin), _REF)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") or "\u3000" <= ch <= "\u30ff"


def width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of ``text`` at ``size`` points, in points."""
    ja, latin = _fonts(bold)
    total = 0.0
    for run in re.findall(
        r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u30ff]+|[^\u2e80-\u9fff\uff00-\uffef\u3000-\u30ff]+", text
    ):
        font = ja if _wide(run[0]) else latin
        total += font.getlength(run)
    # the Japanese font has one weight: bold is drawn a little wider than it measures
    return total * size / _REF * (1.06 if bold else 1.0)


def wrap(text: str, size: float, box_width: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``box_width`` points (its own newlines kept)."""
    out: list[str] = []
    for para in (text or "").split("\n"):
        out += _wrap_line(para, size, box_width, bold)
    return out


def _wrap_line(text: str, size: float, box_width: float, bold: bool) -> list[str]:
    lines: list[str] = []
    line = ""
    for unit in _UNIT.findall(text):
        if width(line + unit.rstrip(), size, bold) <= box_width:
            line += unit
            continue
        if not line.strip():  # one word wider than the box: broken by characters
            for ch in unit:
                if width(line + ch, size, bold) > box_width and line:
                    lines.append(line)
                    line = ""
                line += ch
            continue
        carry = ""
        if unit[0] in _NO_START and len(line) > 1:  # 「。」 never starts a line: its word goes down with it
            carry, line = line[-1], line[:-1]
        while line and line[-1] in _NO_END:  # 「（」 never ends one
            carry, line = line[-1] + carry, line[:-1]
        lines.append(line.rstrip())
        line = carry + unit.lstrip()
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


@dataclass
class Fitted:
    size: float
    lines: list[list[str]]  # per paragraph
    height: float  # points, at the line spacing asked

    @property
    def count(self) -> int:
        return sum(len(x) for x in self.lines)


def measure(
    paragraphs: list[str], size: float, box_width: float, spacing: float = 1.2, bold: bool = False, gap: float = 0.0
) -> Fitted:
    """``gap``: space after each paragraph, in lines."""
    lines = [wrap(p, size, box_width, bold) for p in paragraphs]
    n = sum(len(x) for x in lines) + gap * max(len(paragraphs) - 1, 0)
    return Fitted(size, lines, n * size * spacing)


def fit(
    paragraphs: list[str],
    box_width: float,
    box_height: float,
    largest: float,
    smallest: float,
    spacing: float = 1.2,
    bold: bool = False,
    gap: float = 0.0,
) -> Fitted | None:
    """The largest size (half-point steps) at which the paragraphs fit the box, or None below ``smallest``."""
    size = largest
    while size >= smallest:
        f = measure(paragraphs, size, box_width, spacing, bold, gap)
        if f.height <= box_height:
            return f
        size -= 0.5
    return None


def shorten(
    text: str, size: float, box_width: float, box_height: float, spacing: float = 1.2, bold: bool = False
) -> str:
    """As much of ``text`` as fits, ending in '…' (the whole text goes to the slide's notes)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure([text[:mid] + "…"], size, box_width, spacing, bold).height <= box_height:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
