"""The playbook as one readable web page, from the same blocks as the Markdown, DOCX and PDF exports:
a table of contents, footnote marks that link to their source, the sources as a numbered list (file,
heading, the verbatim quote), prompt templates that wrap. Everything is escaped: the content comes from
a model and from documents."""

from __future__ import annotations

import html
import re

from katachi.exports.blocks import Block

_REF = re.compile(r"\[\^(\d+)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Escaped text with the Markdown the blocks use: **bold**, `code`, and footnote marks as links."""
    t = html.escape(str(text), quote=False)
    t = _BOLD.sub(r"<b>\1</b>", t)
    t = _CODE.sub(r"<code>\1</code>", t)
    return _REF.sub(r'<sup class="k-ref"><a href="#k-src-\1">\1</a></sup>', t)


def _marks(refs: list[int]) -> str:
    return "".join(f'<sup class="k-ref"><a href="#k-src-{n}">{n}</a></sup>' for n in refs)


def blocks_to_html(blocks: list[Block], contents: str = "Contents", sources: str = "Sources") -> str:
    body, toc = _render(blocks, sources)
    nav = "".join(f'<li class="k-toc-{lv}"><a href="#{a}">{inline(t)}</a></li>' for lv, a, t in toc)
    return (
        f'<div class="k-pb"><nav class="k-toc"><b>{html.escape(contents)}</b><ul>{nav}</ul></nav>'
        f"<article>{''.join(body)}</article></div>"
    )


def blocks_fragment(blocks: list[Block]) -> str:
    """Some blocks as HTML without the table of contents (one section on the review page)."""
    return "".join(_render(blocks, "")[0])


def _render(blocks: list[Block], sources: str) -> tuple[list[str], list[tuple[int, str, str]]]:
    body: list[str] = []
    toc: list[tuple[int, str, str]] = []
    for b in blocks:
        if b.kind == "title":
            body.append(f"<h2>{inline(b.text)}</h2>")
        elif b.kind == "meta":
            body.append(f'<p class="k-meta">{inline(b.text)}</p>')
        elif b.kind in ("h1", "h2", "h3"):
            level = int(b.kind[1])
            anchor = f"k-sec-{len(toc) + 1}"
            if level <= 2:
                toc.append((level, anchor, b.text))
            body.append(f'<h{level + 2} id="{anchor}">{inline(b.text)}{_marks(b.refs)}</h{level + 2}>')
        elif b.kind == "field":
            body.append(f"<p><b>{inline(b.label)}</b>: {inline(b.text)}{_marks(b.refs)}</p>")
        elif b.kind == "label":
            body.append(f"<p><b>{inline(b.label)}</b></p>")
        elif b.kind in ("list", "olist"):
            tag = "ul" if b.kind == "list" else "ol"
            body.append(f"<{tag}>" + "".join(f"<li>{inline(i)}</li>" for i in b.items) + f"</{tag}>")
        elif b.kind == "table":
            head = "".join(f"<th>{inline(h)}</th>" for h in b.headers)
            rows = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in b.rows)
            body.append(
                f'<div class="k-table"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
            )
        elif b.kind == "code":
            body.append(f'<pre class="k-template">{html.escape(b.text)}</pre>')
        elif b.kind == "sources":
            items = "".join(
                f'<li id="k-src-{i}"><span class="k-src-where">{html.escape(str(c.get("rel") or c.get("source", "")))}'
                f" § {html.escape(c.get('heading', ''))}</span><blockquote>{html.escape(' '.join(c['quote'].split()))}"
                f"</blockquote></li>"
                for i, c in enumerate(b.notes, 1)
            )
            titled = bool(body) and body[-1].startswith("<h")  # the blocks gave the list its own heading
            if not titled:
                toc.append((1, "k-sources", sources))
                body.append(f'<h3 id="k-sources">{html.escape(sources)}</h3>')
            body.append(f'<ol class="k-sources">{items}</ol>')
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
