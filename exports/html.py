"""The playbook as one readable web page, from the same blocks as the Markdown, DOCX and PDF exports:
a table of contents, footnote marks that link to their source, the sources as a numbered list (file,
heading, the verbatim quote), prompt templates that wrap. Everything is escaped: the content comes from
a model and from documents."""

from __future__ import annotations

import html
import re

from jinja2 import Environment
from markupsafe import Markup

from katachi.exports.blocks import Block

_REF = re.compile(r"\[\^(\d+)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> Markup:
    """Escaped text with the Markdown the blocks use: **bold**, `code`, and footnote marks as links.
    (Quotes stay as typed: they are text here, never inside an attribute.)"""
    t = html.escape(str(text), quote=False)
    t = _BOLD.sub(r"<b>\1</b>", t)
    t = _CODE.sub(r"<code>\1</code>", t)
    return Markup(_REF.sub(r'<sup class="k-ref"><a href="#k-src-\1">\1</a></sup>', t))


# Autoescaped: whatever a block holds (a model's words, a document's sentence) is text unless inline()
# made it markup. One template a block kind; the whitespace control keeps the page one line.
_ENV = Environment(autoescape=True, keep_trailing_newline=False)
_ENV.globals["inline"] = inline
_MARKS = (
    '{%- macro marks(refs) -%}{%- for n in refs -%}<sup class="k-ref"><a href="#k-src-{{ n }}">{{ n }}</a></sup>'
    "{%- endfor -%}{%- endmacro -%}"
)
_BLOCK = {
    "title": "<h2>{{ inline(b.text) }}</h2>",
    "meta": '<p class="k-meta">{{ inline(b.text) }}</p>',
    "heading": '<h{{ level + 2 }} id="{{ anchor }}">{{ inline(b.text) }}{{ marks(b.refs) }}</h{{ level + 2 }}>',
    "field": "<p><b>{{ inline(b.label) }}</b>: {{ inline(b.text) }}{{ marks(b.refs) }}</p>",
    "label": "<p><b>{{ inline(b.label) }}</b></p>",
    "list": "<ul>{% for i in b.items %}<li>{{ inline(i) }}</li>{% endfor %}</ul>",
    "olist": "<ol>{% for i in b.items %}<li>{{ inline(i) }}</li>{% endfor %}</ol>",
    "table": (
        '<div class="k-table"><table><thead><tr>{% for h in b.headers %}<th>{{ inline(h) }}</th>{% endfor %}'
        "</tr></thead><tbody>{% for r in b.rows %}<tr>{% for c in r %}<td>{{ inline(c) }}</td>{% endfor %}</tr>"
        "{% endfor %}</tbody></table></div>"
    ),
    "code": '<pre class="k-template">{{ b.text }}</pre>',
    "sources_heading": '<h3 id="k-sources">{{ sources }}</h3>',
    "sources": (
        '<ol class="k-sources">{% for c in b.notes %}<li id="k-src-{{ loop.index }}"><span class="k-src-where">'
        '{{ c.get("rel") or c.get("source", "") }} § {{ c.get("heading", "") }}</span>'
        '<blockquote>{{ c["quote"].split() | join(" ") }}</blockquote></li>{% endfor %}</ol>'
    ),
}
_TEMPLATES = {k: _ENV.from_string(_MARKS + v) for k, v in _BLOCK.items()}
_PAGE = _ENV.from_string(
    '<div class="k-pb"><nav class="k-toc"><b>{{ contents }}</b><ul>{% for level, anchor, text in toc %}'
    '<li class="k-toc-{{ level }}"><a href="#{{ anchor }}">{{ inline(text) }}</a></li>{% endfor %}</ul></nav>'
    "<article>{{ body }}</article></div>"
)


def blocks_to_html(blocks: list[Block], contents: str = "Contents", sources: str = "Sources") -> str:
    body, toc = _render(blocks, sources)
    return _PAGE.render(contents=contents, toc=toc, body=Markup("".join(body)))


def blocks_fragment(blocks: list[Block]) -> str:
    """Some blocks as HTML without the table of contents (one section on the review page)."""
    return "".join(_render(blocks, "")[0])


def _render(blocks: list[Block], sources: str) -> tuple[list[str], list[tuple[int, str, str]]]:
    body: list[str] = []
    toc: list[tuple[int, str, str]] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            level = int(b.kind[1])
            anchor = f"k-sec-{len(toc) + 1}"
            if level <= 2:
                toc.append((level, anchor, b.text))
            body.append(_TEMPLATES["heading"].render(b=b, level=level, anchor=anchor))
            continue
        if b.kind == "sources" and not (body and body[-1].startswith("<h")):
            # the blocks gave the list no heading of its own: the page gives it one, in the contents too
            toc.append((1, "k-sources", sources))
            body.append(_TEMPLATES["sources_heading"].render(sources=sources))
        if b.kind in _TEMPLATES:
            body.append(_TEMPLATES[b.kind].render(b=b))
    return body, toc


CSS = """
.k-pb{display:flex;gap:1.5rem;align-items:flex-start}
.k-pb article{flex:1;min-width:0}
.k-toc{position:sticky;top:.5rem;min-width:12rem;max-width:16rem;font-size:.9rem}
.k-toc ul{list-style:none;padding-left:0}.k-toc .k-toc-2{padding-left:1rem}
.k-template{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.6rem;border-radius:.3rem}
.k-table{overflow-x:auto}.k-table table{border-collapse:collapse}.k-table td,.k-table th{border:1px solid #ddd;padding:.3rem}
.k-ref a{text-decoration:none}
.k-sources blockquote{margin:.2rem 0 .6rem 1rem;color:#444}
@media (max-width: 700px){.k-pb{display:block}.k-toc{position:static;max-width:none}}
"""
