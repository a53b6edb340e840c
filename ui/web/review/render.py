"""HTML for the review workspace: the section list, one section with its sources, findings and
comment thread, and diffs between versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from katachi.core.i18n import t as tdoc
from katachi.exports.readable import severity
from katachi.ui.web.common import section_label, tr
from katachi.ui.web.room.render import citations, e

STATE_MARK = {"approved": "✔", "changes_requested": "✎", "open": "○"}


def audit(rows: list[dict], lang: str, tz: str) -> list[list[str]]:
    """The audit log as the reader reads it: local time, 「ユースケース: 承認」, section names (never English
    codes and UTC on a Japanese screen)."""
    from katachi.exports import readable

    return [
        [
            readable.local_time(r["at"], tz),
            r["by"],
            readable.action(r["what"], lang),
            readable.detail(r["detail"], lang),
        ]
        for r in rows
    ]


def overview(view, lang: str) -> str:
    rows = []
    for name in view.sections:
        st = view.states.get(name, "open")
        n = len(view.comments.get(name, []))
        rows.append(
            f'<li class="k-sec k-sec-{st}" data-section="{e(name)}" data-state="{st}" role="button" '
            f'tabindex="0">{STATE_MARK[st]} '
            f"{e(section_label(name, lang))} <small>{tr('state_' + st, lang)}"
            f"{' · ' + tr('n_comments', lang, n=n) if n else ''}</small></li>"
        )
    return f'<ul class="k-sections">{"".join(rows)}</ul>'


def header(view, lang: str) -> str:
    ws = view.workshop
    busy = f' <span class="k-job" data-state="running">{tr("regenerating", lang)}</span>' if view.busy else ""
    return (
        f'<h3 data-review="{e(ws["id"])}" data-status="{view.status}" data-version="{view.version}">'
        f"{e(ws['title'])} <small>({e(ws['company'])})</small></h3>"
        f'<p class="k-status k-status-{view.status}">{tr("status_" + view.status, lang)} · v{view.version}{busy}</p>'
    )


def section(view, name: str, lang: str) -> str:
    if name not in view.sections:
        return ""
    value = view.sections[name]
    passages = view.values.get("passages") or {}
    body = _body(name, value, passages, lang, view.values)
    stage = {"theme": "themes", "kpis": "kpis", "usecases": "usecases", "handoffs": "usecases"}.get(
        name.partition(":")[0], "playbook"
    )
    key = name.partition(":")[2]
    found = [
        f
        for f in (view.values.get("findings") or {}).get(stage, [])
        if not f.get("item") or not key or f.get("item") in (key,) or key in str(f.get("item"))
    ]
    fnd = "".join(
        f'<li class="k-finding k-{e(f["severity"])}" data-rule="{e(f["rule"])}">'
        f"<b>{e(severity(f['severity'], lang))}</b>: "
        f"{e(f['message'])}{'<br>→ ' + e(f['fix']) if f.get('fix') else ''}</li>"
        for f in found
    )
    thread = "".join(
        f'<li class="k-comment{" k-request" if c["request"] else ""}" data-resolved="{c["resolved"]}">'
        f"<b>{e(c['by'])}</b> <small>v{c['version']} · {dt.datetime.fromtimestamp(c['at']).strftime('%m-%d %H:%M')}"
        f"{' · ' + tr('change_request', lang) if c['request'] else ''}</small><br>{e(c['text'])}</li>"
        for c in view.comments.get(name, [])
    )
    return (
        f'<div class="k-section" data-section="{e(name)}"><h4>{e(section_label(name, lang))}</h4>{body}'
        + (f'<div class="k-findings"><h4>{tr("findings_head", lang)}</h4><ul>{fnd}</ul></div>' if fnd else "")
        + f'<div class="k-thread"><h4>{tr("comments", lang)}</h4><ul>{thread or "<li>-</li>"}</ul></div></div>'
    )


def _body(name: str, value: Any, passages: dict, lang: str, values: dict) -> str:
    kind = name.partition(":")[0]
    if kind == "theme":
        return (
            f"<p><b>{e(value.get('title', ''))}</b></p><p>{tr('problem', lang)}: {e(value.get('problem', ''))}</p>"
            f"<p>{tr('outcome', lang)}: {e(value.get('outcome', ''))}</p>{citations(value, passages, lang)}"
        )
    if kind == "kpis":
        return (
            f"<p><b>{e(value['name'])}</b>: {e(str(value['baseline']))} → {e(str(value['target']))} "
            f"{e(value['unit'])} ({e(value['deadline'])}) — {e(value['owner'])}</p><p>{e(value['method'])}</p>"
            f"{citations(value, passages, lang)}"
        )
    if kind == "usecases":
        return "".join(
            f'<div class="k-uc"><b>{e(u["id"])} {e(u["title"])}</b> — {e(u["who"])} / {e(u["when"])} / '
            f"{e(u['workflow_step'])} / {e(u['kpi_id'])}{_lineage(u, lang)}"
            f"<ol>{''.join(f'<li>{e(s)}</li>' for s in u['how'])}"
            f"</ol>{citations(u, passages, lang)}</div>"
            for u in value
        )
    if kind == "handoffs":
        return (
            "".join(
                f'<div class="k-handoff"><b>{e(h["id"])}</b> {e(h["from_department"])} → '
                f"{e(h['to_department'])}: {e(h['what'])} ({e(h['when'])}) {e(h.get('receiving_owner') or '')}"
                f"{citations(h, passages, lang)}</div>"
                for h in value
            )
            or "<p>-</p>"
        )
    if kind == "procedures":
        checks = set(value.get("checks") or [])
        mark = f' <span class="k-check">（{e(tdoc("doc.check_point", lang))}）</span>'
        steps = "".join(f"<li>{e(s)}{mark if i in checks else ''}</li>" for i, s in enumerate(value["steps"], 1))
        return (
            f"<p><b>{e(value['title'])}</b>{_lineage(value, lang)}</p><ol>{steps}</ol>"
            f'<pre class="k-prompt">{e(value["prompt_template"])}</pre>{citations(value, passages, lang)}'
        )
    if kind == "glossary":
        rows = "".join(
            f"<tr><td>{e(t['term'])}</td><td>{e(t['definition'])}{citations(t, passages, lang)}</td>"
            f"<td>{e(t['used_by'])}</td></tr>"
            for t in value or []
        )
        return f'<table class="k-table">{rows}</table>'
    return _as_in_the_playbook(name, values)


# Sections the review page shows as the playbook prints them (field names in words, not YAML keys such as
# ``decision_rules:``).
_PARTS = {"weekly_review": "weekly", "training": "training", "roles": "roles", "rollout": "rollout"}


def _as_in_the_playbook(name: str, values: dict) -> str:
    from katachi.exports.blocks import build
    from katachi.exports.html import blocks_fragment

    part = _PARTS.get(name)
    latest = (values.get("versions") or [None])[-1]
    blocks = [b for b in build(values, latest) if b.part == part and b.kind != "h1"] if part else []
    return blocks_fragment(blocks) or "<p>-</p>"


def _lineage(item: dict, lang: str) -> str:
    """Which 型 library pattern a use case or procedure came from, or that it is new: reviewers see which."""
    if not item.get("pattern"):
        return ""
    from katachi.exports.blocks import lineage

    cls = "k-new" if item["pattern"] == "new" else "k-pattern"
    return (
        f' <span class="k-lineage {cls}" data-pattern="{e(item["pattern"])}">{e(lineage(item["pattern"], lang))}</span>'
    )


def diff(rows: list[dict], a: int, b: int, lang: str) -> str:
    out = [f'<p class="k-diff-head">v{a} → v{b}</p>']
    for r in rows:
        if r["status"] == "same":
            continue
        lines = "".join(
            f'<div class="k-{"add" if ln.startswith("+") else "del" if ln.startswith("-") else "ctx"}">{e(ln)}</div>'
            for ln in r["lines"]
            if not ln.startswith("@@")
        )
        out.append(
            f'<details open class="k-diff" data-section="{e(r["section"])}" data-status="{r["status"]}">'
            f"<summary>{e(section_label(r['section'], lang))} — {tr('diff_' + r['status'], lang)}</summary>"
            f'<div class="k-difflines">{lines}</div></details>'
        )
    if len(out) == 1:
        out.append(f"<p>{tr('diff_none', lang)}</p>")
    return "".join(out)


CSS = """
.k-sections{list-style:none;padding:0}.k-sec{padding:.15rem .3rem;cursor:pointer;border-radius:.3rem}
.k-sec:hover{background:#eef4ff}
.k-sec-approved{color:#1e6b35}.k-sec-changes_requested{color:#a15c00}
.k-request{border-left:3px solid #a15c00;padding-left:.4rem}.k-thread ul{list-style:none;padding-left:0}
.k-add{background:#e6ffec;font-family:monospace;white-space:pre-wrap}
.k-del{background:#ffebe9;font-family:monospace;white-space:pre-wrap}
.k-ctx{font-family:monospace;white-space:pre-wrap;color:#666}
.k-table td{border:1px solid #ddd;padding:.2rem .4rem}
.k-prompt,.k-yaml{white-space:pre-wrap;background:#f6f8fa;padding:.4rem}
"""
