"""Turn files into text segments. Each loader returns a :class:`LoadedDoc` or raises ``KatachiError``
with a per-file reason, so one bad file never stops a batch.

A document is a list of segments (a PDF page, a sheet, a slide, or the whole text) so that page
numbers, sheet names and slide titles reach the chunks' metadata and the citations.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.core.files import read_limited
from katachi.knowledge.encodings import decode_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted Office files are OLE containers, not zips
MAX_UNZIPPED = 300 * 2**20
MAX_RATIO = 200
MAX_ENTRIES = 20000


@dataclass
class Segment:
    text: str
    heading: str = ""  # prefix for the heading path: "p.3", "Sheet1", slide title
    meta: dict[str, str | int] = field(default_factory=dict)


@dataclass
class LoadedDoc:
    segments: list[Segment]
    markdown: bool
    title: str = ""
    meta: dict[str, str | int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.segments)


def _rows_as_text(rows: list[list[str]]) -> str:
    """Tables keep their rows readable: each row as 'header: value' pairs."""
    rows = [[(c or "").strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return ""
    header, body = rows[0], rows[1:]
    if not body:
        return " / ".join(c for c in header if c)
    lines = []
    for r in body:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(r), r) if v]
        if pairs:
            lines.append("; ".join(pairs) + "。")
    return "\n".join(lines)


def load_markdown(data: bytes, path: Path) -> LoadedDoc:
    text, enc = decode_text(data)
    return LoadedDoc([Segment(text)], markdown=True, meta={"encoding": enc})


def load_text(data: bytes, path: Path) -> LoadedDoc:
    text, enc = decode_text(data)
    return LoadedDoc([Segment(text)], markdown=False, title=path.stem, meta={"encoding": enc})


def load_csv(data: bytes, path: Path) -> LoadedDoc:
    text, enc = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return LoadedDoc([Segment(_rows_as_text(rows))], markdown=False, title=path.stem, meta={"encoding": enc})


def load_html(data: bytes, path: Path) -> LoadedDoc:
    from bs4 import BeautifulSoup

    text, enc = decode_text(data)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "nav", "footer"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else path.stem
    lines: list[str] = []
    body = soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "pre", "blockquote", "dt", "dd"]):
        if el.find_parent(["table", "li"]) and el.name != "table":
            continue  # table cells and nested items are read with their container
        if el.name == "table":
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in el.find_all("tr")]
            lines.append(_rows_as_text(rows))
        elif el.name[0] == "h":
            lines.append("#" * int(el.name[1]) + " " + el.get_text(" ", strip=True))
        else:
            lines.append(el.get_text(" ", strip=True))
    out = "\n\n".join(x for x in lines if x.strip())
    if not out.strip():
        out = body.get_text("\n", strip=True)
    return LoadedDoc([Segment(out)], markdown=True, title=title, meta={"encoding": enc})


def check_zip(data: bytes, path: Path) -> None:
    """Office files are zips: refuse encrypted ones (OLE) and zip bombs before any parser sees them."""
    if data.startswith(OLE_MAGIC):
        raise KatachiError("file_encrypted")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(sum(i.compress_size for i in infos), 1)
    except zipfile.BadZipFile as exc:
        raise KatachiError("file_corrupt", detail="not a valid Office (zip) file") from exc
    if len(infos) > MAX_ENTRIES or total > MAX_UNZIPPED or (total > 20 * 2**20 and total / packed > MAX_RATIO):
        raise KatachiError("file_zip_bomb", size_mb=total / 2**20)


def load_docx(data: bytes, path: Path) -> LoadedDoc:
    check_zip(data, path)
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types on broken files
        raise KatachiError("file_corrupt", detail=type(exc).__name__) from exc
    lines: list[str] = []
    body = d.element.body
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, d)
            text = p.text.strip()
            if not text:
                continue
            style = (p.style.name if p.style is not None else "") or ""
            level = _heading_level(style)
            lines.append(("#" * level + " " + text) if level else text)
        elif tag == "tbl":
            t = Table(child, d)
            lines.append(_rows_as_text([[c.text for c in row.cells] for row in t.rows]))
    title = (d.core_properties.title or "").strip() or path.stem
    return LoadedDoc([Segment("\n\n".join(lines))], markdown=True, title=title)


def _heading_level(style: str) -> int:
    s = style.lower().replace("見出し", "heading ")
    if s.startswith("title"):
        return 1
    if s.startswith("heading"):
        digits = "".join(ch for ch in s if ch.isdigit())
        return min(int(digits), 6) if digits else 1
    return 0


def load_xlsx(data: bytes, path: Path) -> LoadedDoc:
    check_zip(data, path)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise KatachiError("file_corrupt", detail=type(exc).__name__) from exc
    segments = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        text = _rows_as_text(rows)
        if text.strip():
            segments.append(Segment(text, heading=ws.title, meta={"sheet": ws.title}))
    wb.close()
    return LoadedDoc(segments, markdown=False, title=path.stem)


def load_pptx(data: bytes, path: Path) -> LoadedDoc:
    check_zip(data, path)
    from pptx import Presentation

    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as exc:
        raise KatachiError("file_corrupt", detail=type(exc).__name__) from exc
    segments = []
    for n, slide in enumerate(prs.slides, 1):
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None and title_shape.has_text_frame else ""
        parts = []
        for shape in slide.shapes:
            if shape is title_shape:
                continue
            if shape.has_text_frame and shape.text_frame.text.strip():
                parts.append(shape.text_frame.text.strip())
            elif getattr(shape, "has_table", False) and shape.has_table:
                parts.append(_rows_as_text([[c.text for c in r.cells] for r in shape.table.rows]))
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text.strip()
            if notes:
                parts.append(notes)
        text = "\n".join(p for p in parts if p)
        if text or title:
            heading = f"{n}. {title}" if title else f"{n}"
            segments.append(Segment(text or title, heading=heading, meta={"slide": n, "slide_title": title}))
    return LoadedDoc(segments, markdown=False, title=path.stem)


def load_pdf(data: bytes, path: Path) -> LoadedDoc:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to restrict printing.
            if not reader.decrypt(""):
                raise KatachiError("file_encrypted")
        pages = []
        for n, page in enumerate(reader.pages, 1):
            text = (page.extract_text() or "").strip()
            if text:
                pages.append(Segment(text, heading=f"p.{n}", meta={"page": n}))
    except KatachiError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise KatachiError("file_corrupt", detail=type(exc).__name__) from exc
    except Exception as exc:  # pypdf has no single error base for every malformed file
        raise KatachiError("file_corrupt", detail=type(exc).__name__) from exc
    if not pages:
        raise KatachiError("file_no_text")
    title = ""
    try:
        title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:  # broken metadata must not cost us the text
        title = ""
    return LoadedDoc(pages, markdown=False, title=title.strip() or path.stem)


LOADERS: dict[str, Callable[[bytes, Path], LoadedDoc]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".csv": load_csv,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
    ".xlsx": load_xlsx,
    ".pptx": load_pptx,
    ".pdf": load_pdf,
}


def _stated_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def supported_extensions() -> list[str]:
    return sorted(LOADERS)


def load_file(path: Path, max_bytes: int) -> LoadedDoc:
    ext = path.suffix.lower()
    loader = LOADERS.get(ext)
    if loader is None:
        raise KatachiError("file_unsupported", ext=ext or "(none)", supported=" ".join(supported_extensions()))
    try:  # what is read, not the size the file states (a device states 0 and never ends)
        data = read_limited(path, max_bytes)
    except OSError as exc:
        raise KatachiError("file_unreadable", detail=exc.strerror or str(exc)) from exc
    if not data:
        raise KatachiError("file_empty")
    if len(data) > max_bytes:
        size = max(len(data), _stated_size(path))
        raise KatachiError("file_too_large", size_mb=size / 2**20, limit_mb=max_bytes / 2**20)
    doc = loader(data, path)
    if not any(s.text.strip() for s in doc.segments):
        raise KatachiError("file_empty")
    return doc
