"""Final outputs: ``playbook.md`` (readable, footnoted citations) and ``playbook.json`` (the full dump)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graphs.documents.blocks import Block, build, note_text


def blocks_to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        marks = "".join(f"[^{n}]" for n in b.refs)
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
            out += [f"[^{i}]: {note_text(c)}" for i, c in enumerate(b.notes, 1)]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "／").replace("\n", " ")


def render_markdown(values: dict[str, Any], version: dict | None = None) -> str:
    return blocks_to_markdown(build(values, version))


def playbook_json(values: dict[str, Any]) -> dict[str, Any]:
    keys = ("thread_id", "company", "lang", "today", "departments", "pain_points", "pain_groups", "theme", "kpis",
            "use_cases", "handoffs", "playbook", "findings", "decisions", "usage", "citation_log", "versions")
    return {k: values.get(k) for k in keys}


def write_outputs(values: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "playbook.md", out_dir / "playbook.json"
    md.write_text(render_markdown(values), encoding="utf-8")
    js.write_text(json.dumps(playbook_json(values), ensure_ascii=False, indent=2), encoding="utf-8")
    return md, js
