"""The app's own HTTP routes beside Gradio's: the participants' join page and the room's change check.

``/join`` is what the QR code opens: a name and the 参加コード (shown, not masked like a password),
the code filled in from the link. It logs in through Gradio's own ``/login`` (so the same guest
rules, code expiry and lockout apply) and opens the room.

``/k/version`` answers one short string per workshop and person: the room's tab asks every few
seconds and redraws only when it changed (a Gradio timer redrawing every second cost an idle tab
~16 % of a core in the browser; see benchmarks/idle_tab_cpu.py).
"""
from __future__ import annotations

import html
import json

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from core.errors import KatachiError
from core.i18n import lang_of, t


def join_page(lang: str, code: str) -> str:
    w = lambda key, **kw: html.escape(t(f"web.{key}", lang, **kw))  # noqa: E731
    msgs = json.dumps({"bad": t("web.join_refused", lang), "empty": t("web.join_empty", lang)}, ensure_ascii=False)
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Katachi 型 — {w("join_title")}</title>
<style>
body{{font-family:system-ui,"Noto Sans CJK JP",sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}} label{{display:block;margin:1rem 0 .3rem;font-weight:bold}}
input{{width:100%;box-sizing:border-box;font-size:1.3rem;padding:.6rem;border:1px solid #bbb;border-radius:.4rem}}
#code{{letter-spacing:.3rem;text-transform:uppercase}}
button{{margin-top:1.2rem;width:100%;font-size:1.2rem;padding:.7rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff}}
#msg{{color:#c62828;min-height:1.5rem;margin-top:.8rem}} .alt{{margin-top:1.5rem;font-size:.9rem}}
</style></head><body>
<h1>Katachi 型 — {w("join_title")}</h1>
<form id="join" autocomplete="on">
<label for="name">{w("join_name")}</label><input id="name" name="username" maxlength="40" required autofocus>
<label for="code">{w("join_code_label")}</label>
<input id="code" name="password" type="text" inputmode="latin" autocapitalize="characters" maxlength="12"
 value="{html.escape(code)}" required>
<button type="submit">{w("join_button")}</button><p id="msg" role="alert"></p></form>
<p class="alt"><a href="/">{w("join_staff")}</a></p>
<script>
const M = {msgs};
document.getElementById('join').addEventListener('submit', async (ev) => {{
  ev.preventDefault();
  const name = document.getElementById('name').value.trim(), code = document.getElementById('code').value.trim();
  const msg = document.getElementById('msg');
  if (!name || !code) {{ msg.textContent = M.empty; return; }}
  const body = new URLSearchParams({{username: name, password: code}});
  const r = await fetch('/login', {{method: 'POST', body, credentials: 'same-origin'}});
  if (r.ok) {{ location.href = '/'; return; }}
  let detail = '';
  try {{ const j = await r.json(); detail = typeof j.detail === 'string' && r.status === 429 ? j.detail : ''; }} catch (e) {{}}
  msg.textContent = detail || M.bad;
}});
</script></body></html>"""


def add_routes(app, ctx) -> None:
    """Put the routes in front of Gradio's (its catch-all page routes would answer them otherwise).
    FastAPI reads the handlers' annotations, so ``Request`` is imported at module level."""
    def join(request: Request, code: str = "", lang: str = "") -> HTMLResponse:
        lg = lang_of(lang or request.headers.get("accept-language", "ja"))
        return HTMLResponse(join_page(lg, code.strip().upper()[:12]))

    app.router.routes[0:0] = [APIRoute("/join", join, methods=["GET"])]


def version_answer(ctx, token: str | None, wid: str) -> tuple[int, dict]:
    """``/k/version``: the room's version for the session's person (401 without a session)."""
    name = ctx.tokens.get(token) if token and ctx.tokens is not None else None
    if not name:
        return 401, {"error": "login"}
    try:
        with ctx.rooms.db.reading():
            return 200, {"v": ctx.rooms.view(ctx.rooms.user(name), wid, cached=True).version}
    except KatachiError as err:
        return 200, {"v": "error:" + err.code}


class VersionCheck:
    """ASGI middleware answering ``/k/version`` before the framework's routing: every open tab asks once a
    second, and under 50 live workshops FastAPI's routing and dependency solving were a third of what a
    replica spent on the answer (profile of benchmarks/scale_out.py)."""

    def __init__(self, app, ctx) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") != "/k/version" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        import anyio
        from http.cookies import SimpleCookie
        from urllib.parse import parse_qs

        jar = SimpleCookie()
        for k, v in scope.get("headers", []):
            if k == b"cookie":
                jar.load(v.decode("latin-1"))
        token = next((m.value for k, m in jar.items() if k.startswith("access-token")), None)
        wid = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("w", [""])[0]
        status, body = await anyio.to_thread.run_sync(version_answer, self.ctx, token, wid)
        raw = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                                (b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})


# Gradio's status tracker keeps a timer running on every animation frame even on a page where nothing
# is pending (measured: an empty gr.Blocks page, 60 frames a second, ~2.7 % of a core idle in headless
# Chromium). The tracker takes ``window.requestAnimationFrame`` when its module loads, before any
# ``head=`` content (Gradio adds that later), so this script is put first in the page: frames the
# tracker asks for come at most four times a second; every other caller is untouched.
FRAME_GUARD = b"""<script>(() => {
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => {
    if (!/statustracker/.test(new Error().stack || '')) return raf(cb);
    return setTimeout(() => raf(cb), 250);
  };
})();</script>"""


# Gradio's login form says nothing unless the answer is 400 ("incorrect credentials"): a login that
# must wait (429, see ui.web.login) would look like a button that does nothing. This shows the reason
# the server gave above the form; it touches no other request.
LOGIN_NOTICE = b"""<script>(() => {
  const f = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const r = await f(...args);
    const url = String(args[0] && args[0].url || args[0] || '');
    if (r.status === 429 && /\/login\/?$/.test(url)) {
      let detail = '';
      try { detail = (await r.clone().json()).detail || ''; } catch (e) {}
      let box = document.getElementById('k-login-notice');
      if (!box) {
        box = document.createElement('p');
        box.id = 'k-login-notice'; box.setAttribute('role', 'alert');
        box.style.cssText = 'color:#c62828;text-align:center;font-weight:bold;margin:1rem';
        document.body.prepend(box);
      }
      box.textContent = String(detail);
    }
    return r;
  };
})();</script>"""


class FirstInHead:
    """ASGI middleware: ``script`` as the first element of the app page's <head> (GET / only)."""

    def __init__(self, app, script: bytes = FRAME_GUARD + LOGIN_NOTICE) -> None:
        self.app, self.script = app, script

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            return await self.app(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def hold(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers) and b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + self.script, 1)
            await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)
