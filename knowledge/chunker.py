"""Split Markdown / plain text into chunks that respect headings and sentence ends.

Chunks never cross a heading. Inside a section, text is cut only between sentences (。！？!? or a
full stop followed by a space, or a line break), packed to ``max_chars``; a sentence longer than
``max_chars`` is the only thing ever cut inside. Consecutive chunks share whole trailing sentences
up to ``overlap`` characters. The chunk text is a verbatim slice of the source, so quotes from it
can be checked against the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_TITLE = re.compile(r"^title:\s*[\"']?(.+?)[\"']?\s*$", re.M)
# A sentence ends after 。！？!? (plus closing brackets/quotes), or after a full stop and a space.
_SENT_END = re.compile(r"(?<=[。！？!?])[」』）)\"'”]*|(?<=\.)(?=\s)")


@dataclass(frozen=True)
class Chunk:
    text: str
    heading: str  # "Title > H2 > H3"
    position: int  # order within the document
    start: int  # character offset in the source text

    def chunk_id(self, source: str) -> str:
        h = hashlib.sha256(f"{source}\x00{self.heading}\x00{self.text}".encode()).hexdigest()
        return h[:24]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of sentences/lines in ``text``; whitespace-only spans dropped."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        ls, le = line.span()
        start = ls
        for m in _SENT_END.finditer(text, ls, le):
            end = m.end()
            if end > start:
                spans.append((start, end))
                start = end
        if start < le:
            spans.append((start, le))
    return [(a, b) for a, b in (_trim(text, s, e) for s, e in spans) if b > a]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _sections(text: str, title: str) -> list[tuple[str, int, int]]:
    """(heading path, start, end) for each heading-delimited section."""
    stack: list[tuple[int, str]] = []
    out: list[tuple[str, int, int]] = []
    cur_start, cur_path = 0, title
    in_fence = False
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line.rstrip("\n"))
        if m:
            out.append((cur_path, cur_start, pos))
            level = len(m.group(1))
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, m.group(2).strip())]
            parts = [title] if title and (not stack or stack[0][1] != title) else []
            cur_path = " > ".join(parts + [h for _, h in stack])
            cur_start = pos + len(line)
        pos += len(line)
    out.append((cur_path, cur_start, len(text)))
    return [(p, s, e) for p, s, e in out if text[s:e].strip()]


def chunk_text(
    text: str, *, title: str = "", max_chars: int = 500, min_chars: int = 300, overlap: int = 60, markdown: bool = True
) -> list[Chunk]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    offset = 0
    if markdown:
        fm = _FRONT.match(text)
        if fm:
            t = _TITLE.search(fm.group(1))
            title = title or (t.group(1).strip() if t else "")
            offset = fm.end()
    body = text[offset:]
    sections = _sections(body, title) if markdown else [(title, 0, len(body))]
    chunks: list[Chunk] = []
    for heading, s, e in sections:
        for a, b in _pack(body, s, e, max_chars, min_chars, overlap):
            chunks.append(Chunk(body[a:b], heading, len(chunks), offset + a))
    return chunks


def _pack(text: str, s: int, e: int, max_chars: int, min_chars: int, overlap: int) -> list[tuple[int, int]]:
    sents: list[tuple[int, int]] = []
    for a, b in split_sentences(text[s:e]):
        a, b = a + s, b + s
        while b - a > max_chars:  # a single over-long sentence: the only cut inside a sentence
            sents.append((a, a + max_chars))
            a += max_chars
        sents.append((a, b))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(sents):
        j = i
        while j + 1 < len(sents) and sents[j + 1][1] - sents[i][0] <= max_chars:
            j += 1
        out.append((sents[i][0], sents[j][1]))
        if j + 1 >= len(sents):
            break
        # Start the next chunk with whole trailing sentences up to `overlap` characters.
        k = j + 1
        while k - 1 > i and sents[j][1] - sents[k - 1][0] <= overlap:
            k -= 1
        i = k
    # A tiny tail is folded into the previous chunk when that stays near the limit.
    if len(out) >= 2 and out[-1][1] - out[-1][0] < min_chars // 3 and out[-1][1] - out[-2][0] <= max_chars + overlap:
        out[-2:] = [(out[-2][0], out[-1][1])]
    return out
