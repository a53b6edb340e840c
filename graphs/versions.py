"""Reviewable sections of a playbook, its numbered versions, and diffs between them.

A version's content is everything a reviewer signs off: the theme, the KPIs, the use cases, the
hand-offs and the playbook sections. Section names address one piece of it:

    theme · kpis:K1 · usecases:<department> · handoffs · procedures:U1 · weekly_review · glossary ·
    training · roles · rollout
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from pydantic import TypeAdapter

from katachi.agents.schemas import KPI, PLAYBOOK_SECTIONS, HandOff, Playbook, Theme, UseCase

UPSTREAM = ("theme", "kpis", "usecases", "handoffs")
SECTION_KINDS = UPSTREAM + tuple(PLAYBOOK_SECTIONS)


def content_of(values: dict[str, Any]) -> dict[str, Any]:
    pb = Playbook.model_validate(values.get("playbook") or {}).model_dump()
    return {
        "theme": values.get("theme") or {},
        "kpis": values.get("kpis") or [],
        "use_cases": values.get("use_cases") or [],
        "handoffs": values.get("handoffs") or [],
        "playbook": pb,
        # the stages drawn by the generic view (graphs.stages), when there are any: stage → its items
        **({"outputs": values["outputs"]} if values.get("outputs") else {}),
    }


def valid_section(name: str) -> bool:
    kind, _, key = name.partition(":")
    if kind not in SECTION_KINDS:
        return False
    return bool(key) if kind in ("kpis", "usecases") else (not key or kind == "procedures")


def sections_of(content: dict[str, Any]) -> dict[str, Any]:
    """Section name → its value, in reading order."""
    out: dict[str, Any] = {"theme": content.get("theme") or {}}
    for k in content.get("kpis") or []:
        out[f"kpis:{k['id']}"] = k
    depts: dict[str, list] = {}
    for u in content.get("use_cases") or []:
        depts.setdefault(u["department"], []).append(u)
    for d, ucs in depts.items():
        out[f"usecases:{d}"] = ucs
    out["handoffs"] = content.get("handoffs") or []
    pb = content.get("playbook") or {}
    for p in pb.get("procedures") or []:
        out[f"procedures:{p['use_case_id']}"] = p
    for name in PLAYBOOK_SECTIONS:
        if name != "procedures":
            out[name] = pb.get(name)
    for stage, items in (content.get("outputs") or {}).items():
        out[stage] = items
    return out


def section_text(value: Any) -> str:
    """A stable, readable text of a section for text-level diffs (citations reduced to their files)."""

    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: (sorted({c.get("rel") or c.get("chunk_id") for c in x}) if k == "citations" else strip(x))
                for k, x in v.items()
                if k not in ("support",)
            }
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    return _yamlish(strip(value)).rstrip() + "\n"


def _yamlish(v: Any, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{k}:\n{_yamlish(x, indent + 1)}")
            else:
                lines.append(f"{pad}{k}: {json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x}")
        return "\n".join(lines)
    if isinstance(v, list):
        return "\n".join(f"{pad}- " + _yamlish(x, indent + 1).lstrip() for x in v)
    return f"{pad}{v}"


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Section by section: added / removed / changed (with a unified text diff) / same."""
    sa, sb = sections_of(a), sections_of(b)
    out = []
    for name in list(sa) + [n for n in sb if n not in sa]:
        if name not in sb:
            out.append({"section": name, "status": "removed", "lines": []})
        elif name not in sa:
            out.append({"section": name, "status": "added", "lines": section_text(sb[name]).splitlines()})
        elif sa[name] == sb[name]:
            out.append({"section": name, "status": "same", "lines": []})
        else:
            lines = list(
                difflib.unified_diff(
                    section_text(sa[name]).splitlines(), section_text(sb[name]).splitlines(), lineterm="", n=1
                )
            )[2:]
            out.append({"section": name, "status": "changed", "lines": lines})
    return out


def apply_section(content: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """A copy of ``content`` with one section replaced by ``value`` (validated). Raises ValueError."""
    kind, _, key = name.partition(":")
    c = json.loads(json.dumps(content))
    if kind == "theme":
        c["theme"] = Theme.model_validate(value).model_dump()
    elif kind == "kpis":
        k = KPI.model_validate({**value, "id": key}).model_dump()
        ids = [x["id"] for x in c["kpis"]]
        if key not in ids:
            raise ValueError(f"no KPI {key}")
        c["kpis"][ids.index(key)] = k
    elif kind == "usecases":
        ucs = TypeAdapter(list[UseCase]).validate_python(value)
        if any(u.department != key for u in ucs):
            raise ValueError(f"use cases of {key} must keep the department {key}")
        keep = [u for u in c["use_cases"] if u["department"] != key]
        c["use_cases"] = keep + [u.model_dump() for u in ucs]
    elif kind == "handoffs":
        c["handoffs"] = [h.model_dump() for h in TypeAdapter(list[HandOff]).validate_python(value)]
    elif kind == "procedures" and key:
        procs = c["playbook"].get("procedures") or []
        ids = [p["use_case_id"] for p in procs]
        if key not in ids:
            raise ValueError(f"no procedure for {key}")
        procs[ids.index(key)] = {**value, "use_case_id": key}
        c["playbook"] = Playbook.model_validate({**c["playbook"], "procedures": procs}).model_dump()
    elif kind in PLAYBOOK_SECTIONS:
        c["playbook"] = Playbook.model_validate({**c["playbook"], kind: value}).model_dump()
    else:
        raise ValueError(f"unknown section {name}")
    return c


def version_record(
    existing: list[dict], content: dict[str, Any], by: str, reason: str, at: str, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    changed = [d["section"] for d in diff(previous, content) if d["status"] != "same"] if previous else []
    return {"n": len(existing) + 1, "by": by, "at": at, "reason": reason, "changed": changed, "content": content}
