"""HTML the server draws for the room: stepper, timer, status, cards, citations, findings.

Everything user-supplied or model-written is escaped. Citations are ``<details>`` elements: a click
opens the source passage (file, heading or page) with the quoted sentence highlighted, no script needed.
"""

from __future__ import annotations

import html
import time
from typing import Any

from katachi.core.i18n import t as text_of
from katachi.graphs.stages import STAGES, spec_of
from katachi.graphs.stages import label as stage_label
from katachi.ui.policy import display_of
from katachi.ui.web.common import section_label, tr
from katachi.ui.web.room.handlers import RoomView

e = html.escape


def stepper(stage: str, lang: str) -> str:
    cur = STAGES.index(stage) if stage in STAGES else 0
    items = []
    for i, s in enumerate(STAGES):
        state = "done" if i < cur else "now" if i == cur else "todo"
        items.append(f'<li class="k-step k-{state}" data-stage="{s}">{e(stage_label(s, lang))}</li>')
    return f'<ol class="k-stepper" data-current="{stage}">{"".join(items)}</ol>'


OVER_SHOWN_S = 60  # 「時間です」 stays this long after the end, then the timer goes


def timer(ws: dict, stage: str, lang: str, now: float | None = None) -> str:
    """The countdown of the stage it was set in, and of no later stage. The page counts
    down itself (data-left) and takes 「時間です」 away OVER_SHOWN_S after the end (data-over)."""
    end = ws.get("timer_end")
    if not end or (ws.get("timer_stage") or stage) != stage:
        return '<div class="k-timer" data-state="off"></div>'
    left = int(end - (now or time.time()))
    label = e(ws.get("timer_label") or "")
    over = f'<span class="k-over-text">{tr("timer_over", lang, label=label)}</span>'
    if left <= -OVER_SHOWN_S:
        return '<div class="k-timer" data-state="off"></div>'
    if left <= 0:
        return f'<div class="k-timer k-over" data-state="over" data-over="{OVER_SHOWN_S + left}">{over}</div>'
    clock = f'<span class="k-clock" data-left="{left}">{left // 60:02d}:{left % 60:02d}</span>'
    running = f'<span class="k-left-text">{tr("timer_left", lang, label=label, clock=clock)}</span>'
    return f'<div class="k-timer" data-state="on" data-over="{OVER_SHOWN_S}">{running}{over}</div>'


def job(view: RoomView, lang: str, now: float | None = None) -> str:
    j = view.job
    if view.review and j.state in ("idle", "queued", "running"):
        key = "review_fixing" if j.state != "idle" else "review_waiting"
        return f'<div class="k-job" data-state="review">{tr(key, lang)}</div>'
    if j.state == "queued":
        return f'<div class="k-job" data-state="queued">{tr("job_queued", lang, ahead=j.ahead)}</div>'
    if j.state == "running":
        n = int((now or time.time()) - j.started)
        secs = f'<span class="k-since" data-secs="{n}">{n}</span>'
        label = e(stage_label(j.label, lang) if j.label in STAGES else j.label)
        return (
            f'<div class="k-job" data-state="running">{tr("job_running", lang, label=label, secs=secs, node="")}'
            f"{drafts(view, lang)}</div>"
        )
    if j.state == "failed" and j.error is not None:
        if not view.can_facilitate:  # the room is asked to wait, not shown an error or the Retry button
            return f'<div class="k-job" data-state="paused">{tr("job_paused_room", lang)}</div>'
        return (
            f'<div class="k-job k-error" data-state="failed" data-code="{e(j.error.code)}">'
            f"{tr('job_failed', lang, msg=e(j.error.message(lang)))}</div>"
        )
    if view.hidden:
        return f'<div class="k-job" data-state="preview">{tr("facilitator_checking", lang)}</div>'
    if view.gate and not view.can_facilitate:
        return f'<div class="k-job" data-state="waiting">{tr("waiting_facilitator", lang)}</div>'
    if view.gate and view.can_facilitate and not view.revealed:
        return f'<div class="k-job" data-state="preview">{tr("preview_only", lang)}</div>'
    return '<div class="k-job" data-state="idle"></div>'


def drafts(view: RoomView, lang: str) -> str:
    """What the running stage has written and checked so far. The facilitator (and a self-service user)
    reads the drafts as they come; a live room sees how far the model is, and the content once shown."""
    items = [d for d in view.job.drafts if d.get("stage") == view.job.label]
    if not items:
        return ""
    n = len(items)
    if not view.can_facilitate and view.workshop.get("mode") == "live":
        return f'<p class="k-drafts" data-count="{n}">{tr("drafts_count_" + view.job.label, lang, n=n)}</p>'
    out = []
    for d in items:
        it = d.get("item") or {}
        if d["stage"] == "themes":
            out.append(
                f'<div class="k-card k-draft" data-draft="themes"><h4>{e(it.get("title", ""))}</h4>'
                f"<p><b>{tr('problem', lang)}</b>: {e(it.get('problem', ''))}</p>"
                f"<p><b>{tr('outcome', lang)}</b>: {e(it.get('outcome', ''))}</p></div>"
            )
        elif d["stage"] == "usecases":
            out.append(
                f'<div class="k-uc k-draft" data-draft="usecases"><b>[{e(it.get("department", ""))}] '
                f"{e(it.get('title', ''))}</b> — {e(it.get('who', ''))} / {e(it.get('when', ''))}</div>"
            )
        elif d["stage"] == "playbook":
            out.append(
                f'<span class="k-draft" data-draft="playbook">✓ {e(section_label(it.get("section", ""), lang))}</span> '
            )
    return (
        f'<div class="k-drafts" data-count="{n}"><p class="k-draft-head">{tr("drafts_head", lang, n=n)}</p>'
        f'<div class="{"k-cards" if view.job.label == "themes" else ""}">{"".join(out)}</div></div>'
    )


def activity_head(kind: str, ws: dict, lang: str, uses: dict | None = None) -> str:
    """What the participant is asked to do in activity ``kind`` and whether its answers carry their name
    (for the activity on screen, not the first one offered).
    ``uses``: which inputs the activity takes (``data-`` attributes the stylesheet shows them by)."""
    if not kind:
        return ""
    from katachi.ui.web.room.activities import anonymity_of

    anon = anonymity_of(kind) in (ws.get("anonymous") or [])
    shown = "".join(f' data-{k}="{v}"' for k, v in (uses or {}).items())
    return (
        f'<div class="k-act" data-activity="{kind}" data-anonymous="{str(anon).lower()}"{shown}>'
        f'<p class="k-act-ask"><b>{tr("act_ask_" + kind, lang)}</b></p>'
        f'<p class="k-act-anon">{tr("act_anonymous" if anon else "act_named", lang)}</p></div>'
    )


def mine(view: RoomView, lang: str) -> str:
    """What this participant has answered so far."""
    if not view.mine:
        return ""
    items = "".join(
        f"<li>{e(k.split(':', 1)[1][:40])}: {a or ''}{' / ' + str(b) if b else ''}{' — ' + e(c) if c else ''}</li>"
        for k, (a, b, c) in view.mine.items()
    )
    return (
        f'<details class="k-act-mine"><summary>{tr("act_mine", lang, n=len(view.mine))}</summary>'
        f"<ul>{items}</ul></details>"
    )


def voice(view: RoomView, lang: str) -> str:
    """The facilitator's view of what the room said: endorsement and dissent, ratings, KPI comments."""
    said = view.voice or {}
    parts = []
    end = said.get("endorsement")
    if end:
        bars = " ".join(f"{v}:{'▮' * end['counts'].get(str(v), 0) or '·'}" for v in range(1, 6))
        parts.append(
            f'<div class="k-endorse" data-mean="{end["mean"]}" data-n="{end["n"]}" data-agree="{end["agree"]}">'
            f"<b>{tr('voice_endorse', lang, mean=end['mean'], n=end['n'], agree=end['agree'])}</b>"
            f'<div class="k-bars">{bars}</div>'
            + "".join(
                f'<p class="k-dissent">✗ {r["value"]}: {e(r["text"] or "—")}'
                f"{' (' + e(r['by']) + ')' if r['by'] else ''}</p>"
                for r in end["dissent"]
            )
            + "".join(
                f'<p class="k-support">✓ {r["value"]}: {e(r["text"])}{" (" + e(r["by"]) + ")" if r["by"] else ""}</p>'
                for r in end["support"]
            )
            + "</div>"
        )
    ratings = said.get("ratings") or {}
    if ratings:

        def score(kv):
            return kv[1]["a"] * kv[1]["b"]

        rows = "".join(
            f'<li data-item="{e(k)}">{e(k)}: {r["a"]} × {r["b"]} = {r["a"] * r["b"]:.1f} <small>({r["n"]})</small></li>'
            for k, r in sorted(ratings.items(), key=score, reverse=True)
        )
        parts.append(f'<div class="k-ratings"><b>{tr("voice_ratings", lang)}</b><ol>{rows}</ol></div>')
    comments = said.get("comments") or {}
    if comments:
        rows = "".join(
            f"<li><b>{e(k)}</b>: {e(c['text'])}{' (' + e(c['by']) + ')' if c['by'] else ''}</li>"
            for k, cs in comments.items()
            for c in cs
        )
        parts.append(f'<div class="k-kpi-comments"><b>{tr("voice_comments", lang)}</b><ul>{rows}</ul></div>')
    if not parts:
        return ""
    return f'<div class="k-voice"><h4>{tr("voice_head", lang)}</h4>{"".join(parts)}</div>'


def people(view: RoomView, lang: str) -> str:
    """Who has joined; invited names not here yet are listed as waiting."""
    joined = view.participants
    waiting = [n for n in view.workshop.get("expected") or [] if n not in joined]
    items = [f'<span class="k-joined">{e(n)}</span>' for n in joined]
    items += [
        f'<span class="k-waiting" data-waiting="{e(n)}">{e(n)} ({tr("not_joined", lang)})</span>' for n in waiting
    ]
    return (
        f'<div class="k-people" data-count="{len(joined)}" data-waiting="{len(waiting)}"><b>'
        f"{tr('participants', lang)}</b>: {', '.join(items)}</div>"
    )


def points(view: RoomView, lang: str) -> str:
    if not view.points:
        return f'<p class="k-empty">{tr("no_points", lang)}</p>'
    rows = []
    for n, p in enumerate(view.points, 1):  # numbered within this workshop, as the pick list shows them
        who = ""
        if view.can_facilitate:
            who = f' <span class="k-who">— {e(p["author"]) if p.get("author") else tr("anon", lang)}</span>'
        dept = f' <span class="k-dept">[{e(p["department"])}]</span>' if p.get("department") else ""
        rows.append(f'<li class="k-point" data-id="{p["id"]}"><b>{n}.</b> {e(p["text"])}{dept}{who}</li>')
    return f'<ul class="k-points" data-count="{len(view.points)}">{"".join(rows)}</ul>'


def citations(item: dict, passages: dict[str, Any], lang: str) -> str:
    cits = item.get("citations") or []
    if not cits:
        return f'<div class="k-cits k-unsupported">({tr("unsupported", lang)})</div>'
    out = []
    for i, c in enumerate(cits, 1):
        p = passages.get(c["chunk_id"]) or {}
        where = c.get("rel") or p.get("rel") or c.get("source", "")
        if p.get("page"):
            where += f" p.{p['page']}"
        if p.get("sheet"):
            where += f" [{p['sheet']}]"
        if p.get("slide"):
            where += f" slide {p['slide']}"
        heading = c.get("heading") or p.get("heading") or ""
        body = _highlight(p.get("text") or c["quote"], c["quote"])
        out.append(
            f'<details class="k-cit" data-chunk="{e(c["chunk_id"])}"><summary>[{i}] {e(where)}'
            f"{' § ' + e(heading) if heading else ''}</summary><blockquote>{body}</blockquote></details>"
        )
    return f'<div class="k-cits">{"".join(out)}</div>'


def _highlight(text: str, quote: str) -> str:
    flat, q = " ".join(text.split()), " ".join(quote.split())
    i = flat.find(q) if q else -1
    if i < 0:
        return e(flat) + (f"<br><mark>{e(q)}</mark>" if q else "")
    return f"{e(flat[:i])}<mark>{e(q)}</mark>{e(flat[i + len(q) :])}"


def join_panel(code: str, url: str, lang: str, until: float | None = None, warning: str = "", qr_scale: int = 4) -> str:
    """What the facilitator projects while pain points come in: the join page's address (the code
    filled in, never a bare '/'), a QR code of it, and the code in large type; when the code stops working,
    and a warning when the address cannot be
    reached from the participants' phones."""
    qr = ""
    link = f"{url.rstrip('/')}/join?code={code}" if url else ""
    if link:
        import segno

        qr = segno.make(link, error="m").svg_inline(scale=qr_scale, dark="#111", light="#fff")
    warn = (
        f'<p class="k-join-warning" role="alert" data-code="{e(warning)}">⚠ {tr(warning, lang, url=e(url))}</p>'
        if warning
        else ""
    )
    return (
        f'<div class="k-join" data-code="{e(code)}" data-url="{e(link)}"><div class="k-join-qr">{qr}</div><div>'
        f"<p>{tr('join_info', lang, code=e(code), url=e(link or '-'))}</p>"
        f'<p class="k-join-code">{e(code)}</p><p class="k-join-url">{e(link)}</p>'
        f"{code_state(until, lang)}{warn}</div></div>"
    )


def code_state(until: float | None, lang: str, now: float | None = None) -> str:
    """Until when the join code works (from when the room opened), or that it has expired."""
    if not until:
        return f'<p class="k-code-state" data-state="unopened">{tr("code_from_open", lang)}</p>'
    import datetime as dt

    at = dt.datetime.fromtimestamp(until).strftime("%m/%d %H:%M")
    if (now or time.time()) >= until:
        return f'<p class="k-code-state k-expired" data-state="expired">{tr("code_expired_at", lang, at=at)}</p>'
    return f'<p class="k-code-state" data-state="open">{tr("code_until", lang, at=at)}</p>'


def theme_cards(view: RoomView, lang: str, controls: bool = True) -> str:
    """The candidates as cards; ``controls``: each card's dot buttons and the reader's own dots (not on the
    big screen)."""
    cands = view.values.get("theme_candidates") or []
    passages = view.values.get("passages") or {}
    cards = []
    for i, t in enumerate(cands):
        dots = view.tally[i] if i < len(view.tally) else 0
        voters = view.card_voters[i] if i < len(view.card_voters) else 0  # who put dots on this card
        tally = (
            f'<div class="k-tally" data-dots="{dots}" data-voters="{voters}" '
            f'data-shown="{str(view.votes_shown).lower()}">{"●" * dots} '
            f"{tr('votes_tally', lang, dots=dots, voters=voters)}</div>"
            if view.can_facilitate or view.votes_shown
            else ""
        )
        cards.append(
            f'<div class="k-card" data-index="{i}" data-origin="{e(t.get("origin", "participants"))}">'
            f"<h4>{tr('candidate', lang)} {i + 1}: {e(t['title'])}</h4>"
            + (
                f'<p class="k-origin">{e(text_of("doc.from_documents", lang))}</p>'
                if t.get("origin") == "documents"
                else ""
            )
            + f"<p><b>{tr('problem', lang)}</b>: {e(t['problem'])}</p><p><b>{tr('outcome', lang)}</b>: {e(t['outcome'])}</p>"
            + (f"<p><b>{tr('why_now', lang)}</b>: {e(t['why_now'])}</p>" if t.get("why_now") else "")
            + _measures(t, lang)
            + tally
            + (_my_dots(view, i, lang) if controls else "")
            + (citations(t, passages, lang) if controls else "")
            + "</div>"
        )
    groups = view.values.get("pain_groups") or []
    grouped = ""
    if groups and controls:
        items = "".join(
            f'<li data-group="{e(g["id"])}">{e(g["summary"])} <small>({len(g.get("members") or [])})</small></li>'
            for g in groups
        )
        grouped = f'<details class="k-groups"><summary>{tr("pain_groups", lang, n=len(groups))}</summary><ul>{items}</ul></details>'
    head = f'<p class="k-dotsleft">{tr("dots_left", lang, n=view.my_dots_left)}</p>' if controls else ""
    return grouped + head + f'<div class="k-cards">{"".join(cards)}</div>'


def _my_dots(view: RoomView, i: int, lang: str) -> str:
    """The reader's dots on card ``i`` and the buttons that move them (each press is one dot)."""
    mine = view.my_votes.get(i, 0)
    return (
        f'<div class="k-mine" data-mine="{mine}">{tr("your_dots", lang, n="●" * mine or "0")}'
        f' <button class="k-vote" data-index="{i}" data-delta="1" title="{tr("dot_add", lang)}">＋●</button>'
        f'<button class="k-vote" data-index="{i}" data-delta="-1" title="{tr("dot_remove", lang)}">－</button></div>'
    )


def theme_block(values: dict, lang: str) -> str:
    t = values.get("theme")
    if not t:
        return ""
    return (
        f'<div class="k-theme"><h3>{e(t["title"])}</h3><p><b>{tr("problem", lang)}</b>: {e(t["problem"])}</p>'
        f"<p><b>{tr('outcome', lang)}</b>: {e(t['outcome'])}</p>{citations(t, values.get('passages') or {}, lang)}</div>"
    )


def kpis(values: dict, lang: str) -> str:
    rows = []
    passages = values.get("passages") or {}
    for k in values.get("kpis") or []:
        rows.append(
            f'<div class="k-kpi" data-id="{e(k["id"])}"><b>{e(k["id"])} {e(k["name"])}</b>: '
            f"{e(str(k['baseline']))} → {e(str(k['target']))} {e(k['unit'])} ({e(k['deadline'])}) — "
            f"{e(k['owner'])}{citations(k, passages, lang)}</div>"
        )
    return theme_block(values, lang) + "".join(rows)


def usecases(values: dict, lang: str) -> str:
    passages = values.get("passages") or {}
    out = [kpis(values, lang)]
    for u in values.get("use_cases") or []:
        a, b = u["impact"]["value"], u["feasibility"]["value"]
        prio = f"{e(text_of('doc.prio', lang))}: {a} × {b} = {a * b}"  # words, not 「P=12」
        out.append(
            f'<div class="k-uc" data-id="{e(u["id"])}"><b>{e(u["id"])} [{e(u["department"])}] {e(u["title"])}</b>'
            f" — {e(u['who'])} / {e(u['when'])} / {e(u['workflow_step'])} / KPI {e(u['kpi_id'])} / {prio}"
            f"<ol>{''.join(f'<li>{e(s)}</li>' for s in u['how'])}</ol>{citations(u, passages, lang)}</div>"
        )
    for h in values.get("handoffs") or []:
        out.append(
            f'<div class="k-handoff" data-id="{e(h["id"])}"><b>{e(h["id"])}</b> {e(h["from_department"])} → '
            f"{e(h['to_department'])}: {e(h['what'])} ({e(h['when'])}) {e(h.get('receiving_owner') or '')}"
            f"{citations(h, passages, lang)}</div>"
        )
    return "".join(out)


SEVERITIES = ("error", "warning", "info")


def findings(values: dict, stage: str, lang: str) -> str:
    spec = spec_of(stage)
    if stage == "done":
        keys: tuple[str, ...] = STAGES[:-1]
    else:
        keys = spec.findings if spec is not None and spec.gate is not None else ()
    found = [f for k in keys for f in (values.get("findings") or {}).get(k, [])]
    if not found:
        return ""
    # People read the severity and the message; the rule's code stays in the markup for tools and tests.
    items = "".join(
        f'<li class="k-finding k-{e(f["severity"])}" data-rule="{e(f["rule"])}">'
        f"<b>{e(tr('severity_' + f['severity'], lang)) if f['severity'] in SEVERITIES else ''}</b>"
        f"{' · ' + e(display_of(f['item'])) if f.get('item') else ''}: {e(f['message'])}"
        f"{'<br>→ ' + e(f['fix']) if f.get('fix') else ''}</li>"
        for f in found
    )
    return f'<div class="k-findings"><h4>{tr("findings_head", lang)}</h4><ul>{items}</ul></div>'


from katachi.ui.web.room.style import CSS  # noqa: E402,F401 - the room's stylesheet, handed to the app


def _measures(theme: dict, lang: str) -> str:
    """The catalogue KPIs the theme would be measured by: executives choose a theme they can measure."""
    if not theme.get("measures"):
        return ""
    from katachi.knowledge.library.catalog import load_library

    cat = load_library().kpis
    names = "、".join(cat[i].text(lang).name for i in theme["measures"] if i in cat)
    return f'<p class="k-measures"><b>{e(text_of("doc.theme_measures", lang))}</b>: {e(names)}</p>'


def stage_items(values: dict, stage: str, lang: str) -> str:
    """A stage drawn by the generic view (graphs.stages): its items as a table of the fields its spec names."""
    spec = spec_of(stage)
    if spec is None or not spec.fields:
        return ""
    items = (values.get("outputs") or {}).get(stage) or []
    head = "".join(f"<th>{e(stage_label_field(stage, f, lang))}</th>" for f in spec.fields)
    rows = "".join("<tr>" + "".join(f"<td>{e(str(it.get(f, '')))}</td>" for f in spec.fields) + "</tr>" for it in items)
    return f'<table class="k-items" data-items="{e(stage)}"><tr>{head}</tr>{rows}</table>'


def stage_label_field(stage: str, field: str, lang: str) -> str:
    return text_of(f"stage.{stage}_{field}", lang)
