"""The weekly review pack: KPI status and stuck use cases (computed), hypotheses, decisions and the
executives' prompts for the coming week (generated, grounded), rendered as Markdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from katachi.core.i18n import domain, t
from katachi.exports.outputs import md_text


def labels(lang: str) -> dict[str, str]:
    return domain("pack", lang)


def state_label(k: dict, lab: dict) -> str:
    if k["hit"]:
        return lab["hit"]
    if k["reaches"] is None:
        return lab["unknown"]
    return lab["reach"] if k["reaches"] else lab["miss"]


def kpi_lines(summary: dict, lab: dict) -> list[str]:
    out = []
    for k in summary["kpis"]:
        last = "-" if k["last"] is None else f"{k['last']:g}"
        proj = "" if k["projected"] is None else f", {k['deadline']}: {k['projected']:.3g}"
        out.append(
            f"{k['id']} {k['name']}: {k['baseline']} → {last} / {k['target']} {k['unit']}{proj} — {state_label(k, lab)}"
        )
    return out


def build_pack(
    ctx, thread: str, values: dict, summary: dict, recent: list[dict], week: dt.date, feedback: str = ""
) -> dict[str, Any]:
    """The pack of ``week`` from values: the playbook, the tracker's summary, the latest check-ins."""
    from katachi.agents.pdca import weekly_pack
    from katachi.exports.readable import status

    lab = labels(values["lang"])
    stuck = [
        f"{u['id']} {u['title']} ({u['department']}): {status(u['status'], values['lang'])} {u['blockers']}".strip()
        for u in summary["use_cases"]
        if u["status"] in ("stuck", "not_started")
    ]
    lines = kpi_lines(summary, lab)
    generated, log = weekly_pack(
        ctx,
        values["theme"],
        "\n".join(lines),
        "\n".join(stuck),
        recent,
        values["playbook"].get("procedures") or [],
        feedback=feedback,
    )
    # Decisions the numbers call for anyway, when the model offered none of its own.
    if not generated["decisions"]:
        generated["decisions"] = default_decisions(summary, lab, values["lang"])
    if not generated["exec_prompts"]:
        generated["exec_prompts"] = default_prompts(summary, values["lang"])
    return {
        "thread": thread,
        "week": week.isoformat(),
        "lang": values["lang"],
        "title": values["theme"]["title"],
        "kpis": lines,
        "stuck": stuck,
        **generated,
        "findings": summary["findings"],
        "usage": log.usage,
        "citation_log": log.citations,
    }


def default_decisions(summary: dict, lab: dict, lang: str) -> list[str]:
    out = []
    for u in summary["use_cases"]:
        if u["status"] == "stuck":
            out.append(t("pack.decide_blocker", lang, title=u["title"], blockers=u["blockers"] or "-"))
    for k in summary["kpis"]:
        if k["reaches"] is False or k["last"] is None:
            out.append(t("pack.decide_move", lang, name=k["name"]))
    return out[:3] or [t("pack.decide_spread", lang)]


def default_prompts(summary: dict, lang: str) -> list[str]:
    return [
        t("pack.prompt_ten_changes", lang, name=k["name"], target=k["target"], unit=k["unit"]) for k in summary["kpis"]
    ][:3]


def pack_markdown(pack: dict) -> str:
    """The pack as Markdown; sources are numbered notes ``[1]`` (the page would show ``[^1]`` as typed)."""
    from katachi.exports.readable import finding

    lang = pack.get("lang", "ja")
    lab = labels(lang)
    notes: list[dict] = []
    out = [f"# {lab['title']} — {pack['title']} ({pack['week']})", "", f"## {lab['kpis']}", ""]
    out += [f"- {x}" for x in pack["kpis"]] + ["", f"## {lab['stuck']}", ""]
    out += [f"- {x}" for x in pack["stuck"]] or [f"- {lab['none']}"]
    out += ["", f"## {lab['hyp']}", ""]
    for i, h in enumerate(pack["hypotheses"], 1):
        marks = ""
        for c in h.get("citations") or []:
            notes.append(c)
            marks += f"[{len(notes)}]"
        out.append(f"{i}. {h['text']}{marks}")
    out += ["", f"## {lab['decisions']}", ""] + [f"- [ ] {d}" for d in pack["decisions"]]
    out += ["", f"## {lab['prompts']}", ""] + [f"- {p}" for p in pack["exec_prompts"]]
    if pack.get("findings"):
        out += ["", f"## {lab['findings']}", ""] + [f"- {finding(f, lang)}" for f in pack["findings"]]
    if notes:
        out += ["", f"## {lab['sources']}", ""] + [f"{i}. {note(c, lang)}" for i, c in enumerate(notes, 1)]
    # data's markup shown as text: this Markdown makes no use of '<', '>' or a backslash itself (see md_text)
    return md_text("\n".join(out).rstrip()) + "\n"


def note(c: dict, lang: str) -> str:
    """Where a hypothesis's source is, in words: a document (file § heading), a check-in (its week and
    item) or the playbook's 型, then the quote."""
    cid = c.get("chunk_id") or ""
    if cid.startswith("checkin:"):
        _, week, item = (c.get("rel") or "check-in - -").split(" ", 2)
        where = t("pack.note_checkin", lang, week=week, item=item)
    elif cid.startswith("playbook:"):
        where = t("doc.title", lang) + (f" § {c['heading']}" if c.get("heading") else "")
    else:
        where = f"{c.get('rel') or c.get('source', '')}" + (f" § {c['heading']}" if c.get("heading") else "")
    return f"{where} — “{' '.join(c['quote'].split())}”"
