"""The room as one piece of HTML: what the room page redraws when the room changed, and what the big
screen shows.

One output instead of some sixty: the page's facilitator controls are shown or hidden by the page's
stylesheet from the ``data-`` attributes of the board's root (stage, whether the reader runs the
workshop, what can be done now), so a redraw sends one string and never a component's settings.
The long generated document (playbook, 完了 page) is drawn apart (:func:`document`), only when the
gate changes.
"""

from __future__ import annotations

from katachi.ui.web.common import tr
from katachi.ui.web.room import render
from katachi.ui.web.room.handlers import RoomView

e = render.e


def state_attrs(view: RoomView, gate_key: str) -> dict[str, str]:
    """What the page's stylesheet and script read: which controls show, when to fill the gate's fields."""
    ws, fac = view.workshop, view.can_facilitate
    live = ws["mode"] == "live"
    return {
        "stage": view.stage,
        "fac": "1" if fac else "0",
        "live": "1" if live else "0",
        "job": view.job.state,
        "gate": gate_key,
        "review": view.review or "",
        "acts": " ".join(view.activities),
        "hidden": "1" if view.hidden else "0",
        "decide": "1" if fac and view.gate and not view.review and view.job.state == "idle" else "0",
        "retry": "1" if fac and view.job.state == "failed" else "0",
        "reveal": "1" if fac and live and view.gate and not view.revealed and not view.review else "0",
        "votes": "1"
        if fac and live and view.revealed and view.stage == "themes" and view.gate and not view.votes_shown
        else "0",
        "code": "1" if fac and live and ws.get("join_code") else "0",
        # a gate with no controls of its own: approve or send back (graphs.stages.reviewed)
        "reviewed": "1" if _reviewed(view.stage) else "0",
        "points": _points_key(view) if fac and view.stage == "intake" else "",
    }


def _reviewed(stage: str) -> bool:
    from katachi.graphs.gates import Reviewed
    from katachi.graphs.stages import spec_of

    spec = spec_of(stage)
    return spec is not None and spec.gate is not None and spec.gate.decision is Reviewed


def _points_key(view: RoomView) -> str:
    """Changes when the pain points do (the facilitator's pick list follows)."""
    import hashlib

    raw = "|".join(f"{p['id']}:{p['text']}" for p in view.points)
    return hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


def room(view: RoomView, lang: str, gate_key: str, public_url: str = "", warning: str = "") -> str:
    ws = view.workshop
    attrs = " ".join(f'data-{k}="{e(v)}"' for k, v in state_attrs(view, gate_key).items())
    title = (
        f'<h3 data-workshop="{e(ws["id"])}" data-stage="{view.stage}" data-version="{view.version}">'
        f"{e(ws['title'])} <small>({e(ws['company'])})</small></h3>"
    )
    return (
        f'<div class="k-room" data-workshop="{e(ws["id"])}" data-version="{view.version}" {attrs} '
        f'data-offline="{e(tr("reconnecting", lang))}">'
        f'<div class="k-room-head"><div class="k-room-title">{title}</div>{render.timer(ws, view.stage, lang)}</div>'
        f"{render.stepper(view.stage, lang)}{_door(view, lang, public_url, warning)}"
        f'<div class="k-job-line">{render.job(view, lang)}</div>'
        f'<div class="k-room-main"><div class="k-room-content">{content(view, lang)}</div>'
        f'<aside class="k-room-side">{_side(view, lang)}</aside></div></div>'
    )


def _door(view: RoomView, lang: str, public_url: str, warning: str) -> str:
    """The join panel for the facilitator while pain points come in; afterwards the code's state only
    (late arrivals still join; an expired code is renewed from here)."""
    ws = view.workshop
    if not (view.can_facilitate and ws["mode"] == "live" and ws.get("join_code")):
        return ""
    if view.stage == "intake":
        panel = render.join_panel(ws["join_code"], public_url, lang, ws.get("code_until"), warning)
        return f'<div id="k-join-info">{panel}{_screen_link(ws, lang)}</div>'
    return (
        f'<div id="k-join-info" class="k-join-small" data-code="{e(ws["join_code"])}">'
        f"{tr('join_code', lang)}: <b>{e(ws['join_code'])}</b> {render.code_state(ws.get('code_until'), lang)}"
        f"{_screen_link(ws, lang)}</div>"
    )


def _screen_link(ws: dict, lang: str) -> str:
    return (
        f'<a class="k-screen-link" href="/screen?w={e(ws["id"])}" target="_blank" rel="noopener">'
        f"{tr('open_big_screen', lang)}</a>"
    )


def content(view: RoomView, lang: str) -> str:
    v = view.values
    if view.stage == "intake":
        return render.points(view, lang)
    if view.stage == "themes":
        return render.theme_cards(view, lang)
    if view.stage == "kpis":
        return render.kpis(v, lang)
    if view.stage == "usecases":
        return render.usecases(v, lang)
    if view.stage not in ("playbook", "done"):
        return render.stage_items(v, view.stage, lang)
    return ""  # the playbook and the 完了 page: document()


def _side(view: RoomView, lang: str) -> str:
    parts = [render.people(view, lang)]
    if view.can_facilitate:
        parts.append(render.voice(view, lang))
    else:
        parts.append(render.mine(view, lang))
    parts.append(render.findings(view.values, view.stage, lang))
    return "".join(parts)


def document(view: RoomView, lang: str) -> str:
    """The playbook (at its gate, or with the consultants) and the 完了 page: the long part, drawn once
    per gate. Nothing the room has not been shown; the facilitator's preview says it is a preview."""
    v = view.values
    if view.stage not in ("playbook", "done") or not v.get("theme") or not v.get("playbook"):
        return ""
    from katachi.exports.blocks import build
    from katachi.exports.html import blocks_to_html

    page = blocks_to_html(build(v), contents=tr("contents", lang), sources=tr("sources", lang))
    if view.stage == "done":
        from katachi.ui.web.room.deliverables import links

        return (
            f'<div class="k-done-page" data-stage="done"><p class="k-done-head"><b>{e(tr("done_head", lang))}</b></p>'
            f'{links(v, lang)}<div id="k-done">{page}</div></div>'
        )
    if view.can_facilitate and view.gate and not view.revealed:
        return f'<div class="k-preview" data-revealed="false">{page}</div>'
    return page
