"""The big screen: a page of Katachi's own for the projector (``/screen?w=<workshop>``).

What the room sees and nothing else — the join panel while pain points come in (the QR code and the
code sized to the screen, readable from the back of the room), the stage, the timer, the cards and
the tally once shown, what the room is asked to do now — in type sized to the screen, with no
controls. It asks ``/k/screen`` once a second and redraws when the room changed. Only people who may
run or see the workshop open it (the facilitator's laptop, logged in, drives the projector).
"""

from __future__ import annotations

import html
import json

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from katachi.core.errors import KatachiError
from katachi.ui.web.common import tr
from katachi.ui.web.room import render
from katachi.ui.web.room.handlers import RoomView

e = html.escape

CSS = """
html{font-size:clamp(18px,1.55vw,44px)}
body{margin:0;padding:1.2rem 2rem;font-family:system-ui,"Noto Sans CJK JP",sans-serif;color:#111;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}
.k-stepper{display:flex;gap:.5rem;list-style:none;padding:0;margin:.4rem 0 1rem}
.k-step{padding:.25rem .9rem;border-radius:2rem;border:2px solid #ccc;font-size:1rem}
.k-now{background:#1f6feb;color:#fff;border-color:#1f6feb;font-weight:bold}.k-done{background:#e6f4ea;color:#1e6b35}
.k-timer{font-size:2.4rem;font-weight:bold;white-space:nowrap}.k-timer[data-state="off"]{display:none}
.k-timer .k-over-text,.k-timer.k-over .k-left-text{display:none}.k-timer.k-over .k-over-text{display:inline}
.k-over{color:#c62828}
.k-top{display:flex;justify-content:space-between;align-items:baseline;gap:2rem}
.k-screen-join{display:flex;gap:3rem;align-items:center}
.k-screen-qr svg{width:min(58vh,42vw);height:auto;display:block}
.k-screen-code{font-size:6rem;font-weight:bold;letter-spacing:.6rem;margin:0}
.k-screen-url{font-size:1.4rem;word-break:break-all}
.k-ask{font-size:1.8rem;font-weight:bold;color:#1f4f8a;margin:1rem 0}
.k-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem}
.k-card,.k-kpi,.k-uc,.k-theme{border:2px solid #ddd;border-radius:.8rem;padding:.8rem 1rem;font-size:1.15rem}
.k-card h4{font-size:1.4rem;margin:.2rem 0 .5rem}
.k-tally{color:#1f6feb;font-weight:bold;font-size:1.5rem}
.k-count{font-size:1.6rem}
.k-cits,.k-unsupported{display:none}
#k-offline{position:fixed;right:1rem;bottom:1rem;font-size:.8rem;color:#a15c00;display:none}
body.k-offline #k-offline{display:block}
"""

SCRIPT = """
const box = document.getElementById('k-screen'), wid = box.dataset.workshop;
let v = box.dataset.version;
const two = (n) => String(n).padStart(2, '0');
setInterval(async () => {
  try {
    const r = await fetch('/k/screen?w=' + encodeURIComponent(wid) + '&v=' + encodeURIComponent(v), {cache: 'no-store'});
    if (r.status === 401) { location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); return; }
    const j = await r.json();
    document.body.classList.remove('k-offline');
    if (j.html) { box.innerHTML = j.html; v = j.v; }
  } catch (e) { document.body.classList.add('k-offline'); }
}, 1000);
setInterval(() => {
  const now = performance.now() / 1000;
  for (const t of box.querySelectorAll('.k-timer[data-over]')) {
    if (!t.dataset.seen) t.dataset.seen = now;
    const gone = Math.round(now - t.dataset.seen), c = t.querySelector('.k-clock');
    const left = Number(c ? c.dataset.left : 0) - gone;
    if (c) { const l = Math.max(0, left); c.textContent = two(Math.floor(l / 60)) + ':' + two(l % 60); }
    if (left <= 0) t.classList.add('k-over');
    if (left + Number(t.dataset.over) <= 0) t.dataset.state = 'off';
  }
}, 1000);
"""


def content(view: RoomView, lang: str, public_url: str) -> str:
    """The screen's content for the room's view (nothing the facilitator has not shown)."""
    ws = view.workshop
    top = (
        f'<div class="k-top"><h1>{e(ws["title"])}</h1>{render.timer(ws, view.stage, lang)}</div>'
        f"{render.stepper(view.stage, lang)}"
    )
    asks = "".join(f'<p class="k-ask" data-activity="{a}">{tr("act_ask_" + a, lang)}</p>' for a in view.activities)
    return top + _stage(view, lang, public_url) + asks


def _stage(view: RoomView, lang: str, public_url: str) -> str:
    ws, v = view.workshop, view.values
    if view.stage == "intake":
        return _join(ws, public_url, lang) + (
            f'<p class="k-count" data-count="{len(view.points)}">'
            f"{tr('screen_points', lang, n=len(view.points), people=len(view.participants))}</p>"
        )
    if view.hidden or view.job.state in ("queued", "running"):
        return f'<div class="k-job">{render.job(view, lang)}</div>'
    if view.stage == "themes":
        return render.theme_cards(view, lang, controls=False)
    if view.stage == "kpis":
        return render.kpis(v, lang)
    if view.stage == "usecases":
        return render.usecases(v, lang)
    if view.stage == "done":
        return f'<p class="k-ask">{e(tr("done_head", lang))}</p>'
    return render.stage_items(v, view.stage, lang) or f'<div class="k-job">{render.job(view, lang)}</div>'


def _join(ws: dict, public_url: str, lang: str) -> str:
    code = ws.get("join_code") or ""
    if not code or not public_url:
        return ""
    import segno

    link = f"{public_url.rstrip('/')}/join?code={code}"
    qr = segno.make(link, error="m").svg_inline(scale=10, omitsize=True, dark="#111", light="#fff")
    return (
        f'<div class="k-screen-join" data-code="{e(code)}"><div class="k-screen-qr">{qr}</div><div>'
        f'<p>{tr("screen_join", lang)}</p><p class="k-screen-code">{e(code)}</p>'
        f'<p class="k-screen-url">{e(link)}</p></div></div>'
    )


def page(view: RoomView, lang: str, public_url: str) -> str:
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(view.workshop["title"])} — Katachi 型</title>
<style>{CSS}</style></head><body>
<div id="k-screen" data-workshop="{e(view.workshop["id"])}" data-version="{view.version}">{content(view, lang, public_url)}</div>
<p id="k-offline">{e(tr("reconnecting", lang))}</p><script>{SCRIPT}</script></body></html>"""


def add_routes(app, ctx) -> None:
    from katachi.ui.web.login import login_redirect, who

    def _view(request: Request, wid: str):
        name = who(ctx, request)
        if not name:
            return None, None
        user = ctx.rooms.user(name)
        lang = ctx.db.lang_of(name) or (ctx.db.workshop(wid) or {}).get("lang", "ja")
        return ctx.rooms.view(user, wid, cached=True, as_room=True), lang

    def get_screen(request: Request, w: str = "") -> Response:
        try:
            view, lang = _view(request, w)
        except KatachiError as err:
            return HTMLResponse(f"<p>{e(err.message('ja'))}</p>", status_code=404)
        if view is None:
            return login_redirect(request)
        return HTMLResponse(page(view, lang, ctx.public_url))

    def get_fragment(request: Request, w: str = "", v: str = "") -> Response:
        try:
            view, lang = _view(request, w)
        except KatachiError as err:
            return JSONResponse({"error": err.code}, status_code=404)
        if view is None:
            return JSONResponse({"error": "login"}, status_code=401)
        if view.version == v:
            return JSONResponse({"v": v})
        return Response(
            json.dumps({"v": view.version, "html": content(view, lang, ctx.public_url)}, ensure_ascii=False),
            media_type="application/json",
            headers={"cache-control": "no-store"},
        )

    app.add_api_route("/screen", get_screen, methods=["GET"])
    app.add_api_route("/k/screen", get_fragment, methods=["GET"])
