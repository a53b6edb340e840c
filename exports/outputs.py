"""Final outputs: ``playbook.md`` (readable, citations as numbered notes) and ``playbook.json`` (the full dump)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from katachi.exports.blocks import Block, build, note_marks, note_text


def blocks_to_markdown(blocks: list[Block]) -> str:
    """Notes are plain numbers in brackets, ``[1]``, not Markdown footnotes: a reader opening the file in
    a text editor (or a viewer without footnotes) would see ``[^1]``."""
    out: list[str] = []
    for b in map(_escaped, blocks):  # what data says is shown as text, never as markup (see md_text)
        marks = "".join(f"[{n}]" for n in b.refs)
        if b.kind == "title":
            out += [f"# {b.text}", ""]
        elif b.kind == "meta":
            out += [b.text, ""]
        elif b.kind in ("h1", "h2", "h3"):
            out += ["", "#" * (int(b.kind[1]) + 1) + f" {b.text}{marks}", ""]
        elif b.kind == "field":
            out.append(f"- **{b.label}**: {b.text}{marks}")
        elif b.kind == "label":
            out += ["", f"**{b.label}**", ""]
        elif b.kind == "list":
            out += [f"- {i}" for i in b.items] + [""]
        elif b.kind == "olist":
            out += [f"{n}. {i}" for n, i in enumerate(b.items, 1)] + [""]
        elif b.kind == "table":
            out += ["| " + " | ".join(b.headers) + " |", "|" + "---|" * len(b.headers)]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in b.rows] + [""]
        elif b.kind == "code":
            out += ["```text", b.text, "```", ""]
        elif b.kind == "sources":
            out += [f"[{i}] {note_text(c)}  " for i, c in enumerate(b.notes, 1)]
    text = note_marks("\n".join(out))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "／").replace("\n", " ")


_MARKUP = re.compile(r"[\\<>]")
_CLOSING_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(\s*)$", re.M)


def md_text(text: Any) -> str:
    """Data in Markdown as text: a backslash, '<' and '>' are backslash-escaped, so no tag or HTML block
    can start — e.g. ``<img src=x onerror=…>`` in pain points, department names, edits, reasons or
    document headings would otherwise reach the export live. It reads the same once rendered; entities
    such as ``&lt;`` render as text anyway."""
    return _MARKUP.sub(lambda m: "\\" + m.group(0), str(text))


def _escaped(b: Block) -> Block:
    if b.kind == "code":  # literal inside its fence: only a line that would close the fence moves right
        return replace(b, text=_CLOSING_FENCE.sub(r"    \1\2\3", b.text))
    note = ("rel", "source", "heading", "quote")
    return replace(
        b,
        text=md_text(b.text),
        label=md_text(b.label),
        items=[md_text(i) for i in b.items],
        headers=[md_text(h) for h in b.headers],
        rows=[[md_text(c) for c in r] for r in b.rows],
        notes=[{**c, **{k: md_text(c[k]) for k in note if c.get(k)}} for c in b.notes],
    )


def render_markdown(values: dict[str, Any], version: dict | None = None) -> str:
    return blocks_to_markdown(build(values, version))


def playbook_json(values: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "thread_id",
        "company",
        "lang",
        "today",
        "departments",
        "pain_points",
        "pain_groups",
        "theme",
        "kpis",
        "use_cases",
        "handoffs",
        "playbook",
        "findings",
        "decisions",
        "usage",
        "citation_log",
        "versions",
    )
    return {k: values.get(k) for k in keys}


def write_outputs(values: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "playbook.md", out_dir / "playbook.json"
    md.write_text(render_markdown(values), encoding="utf-8")
    js.write_text(json.dumps(playbook_json(values), ensure_ascii=False, indent=2), encoding="utf-8")
    return md, js
