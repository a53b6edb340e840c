"""Katachi's own routes in front of the workshop app: the doors (login, logout, join), the room's
change check, the big screen and the 完了 page's downloads.

``/k/version`` answers one short string per workshop and person, and this process's start: the room
asks once a second and redraws only when the string changed (a redraw every second cost an idle tab
~16 % of a core in the browser; see benchmarks/idle_tab_cpu.py), and reloads itself when the server it
talks to restarted.
"""

from __future__ import annotations

import json
import logging

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from katachi.core.errors import KatachiError
from katachi.ui.web import login as doors
from katachi.ui.web.pages import join_page, login_page

log = logging.getLogger(__name__)


def add_routes(app, ctx) -> None:
    """Registered before the workshop app is mounted at ``/``, so they answer first. FastAPI reads the
    handlers' annotations, so ``Request`` is imported at module level."""
    from katachi.ui.web import screen

    async def post_login(request: Request) -> Response:
        return await doors.login(request, ctx)

    def get_login(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the query's name
        return HTMLResponse(login_page(doors.reader_lang(request), next))

    def get_logout(request: Request) -> Response:
        return doors.logout(request, ctx)

    def get_join(request: Request, code: str = "") -> HTMLResponse:
        return HTMLResponse(join_page(doors.reader_lang(request), code.strip().upper()[:12]))

    def get_file(request: Request, wid: str, fmt: str) -> Response:
        name = doors.who(ctx, request)
        if not name:
            return JSONResponse({"error": "login"}, status_code=401)
        try:
            path = ctx.rooms.deliverable(ctx.rooms.user(name), wid, fmt, ctx.exports_dir, ctx.public_url)
        except KatachiError as err:
            return JSONResponse({"error": err.code}, status_code=404)
        return FileResponse(path, filename=path.name)

    app.add_api_route("/login", post_login, methods=["POST"])
    app.add_api_route("/login", get_login, methods=["GET"])
    app.add_api_route("/logout", get_logout, methods=["GET"])
    app.add_api_route("/join", get_join, methods=["GET"])
    app.add_api_route("/k/files/{wid}/{fmt}", get_file, methods=["GET"])
    screen.add_routes(app, ctx)


def version_answer(ctx, token: str | None, wid: str) -> tuple[int, dict]:
    """``/k/version``: the room's version for the session's person (401 without a session)."""
    name = ctx.sessions.user(token)
    if not name:
        return 401, {"error": "login"}
    try:
        with ctx.rooms.db.reading():
            return 200, {"v": ctx.rooms.view(ctx.rooms.user(name), wid, cached=True).version, "b": ctx.boot}
    except KatachiError as err:
        return 200, {"v": "error:" + err.code, "b": ctx.boot}


class VersionCheck:
    """ASGI middleware answering ``/k/version`` before the framework's routing: every open tab asks once a
    second, and under 50 live workshops routing and dependency solving were a third of what a replica
    spent on the answer (profile of benchmarks/scale_out.py)."""

    def __init__(self, app, ctx) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") != "/k/version" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        from urllib.parse import parse_qs

        import anyio

        token = self.ctx.sessions.token_in(scope.get("headers", []))
        wid = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("w", [""])[0]
        status, body = await anyio.to_thread.run_sync(version_answer, self.ctx, token, wid)
        await _json(send, status, body)


async def _json(send, status: int, body: dict) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(raw)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


# The page's language before the workshop app starts: the app takes its locale from the browser's
# (navigator.language) as it loads, so a person's own choice (the katachi_lang cookie, set when they
# choose and when they log in) is given to it here; <html lang> tells the server's texts the same.
LANG_FIRST = b"""<script>(() => {
  const m = document.cookie.match(/(?:^|; )katachi_lang=(ja|en)/);
  const lang = m ? m[1] : ((navigator.language || 'ja').toLowerCase().startsWith('ja') ? 'ja' : 'en');
  if (m) {
    Object.defineProperty(navigator, 'language', {get: () => lang, configurable: true});
    Object.defineProperty(navigator, 'languages', {get: () => [lang], configurable: true});
  }
  document.documentElement.lang = lang;
  new MutationObserver(() => { if (document.documentElement.lang !== lang) document.documentElement.lang = lang; })
    .observe(document.documentElement, {attributes: true, attributeFilter: ['lang']});
})();</script>"""


# The workshop app's status tracker asks for an animation frame on every frame with nothing pending,
# and no option of the app turns that off: an idle participant's tab cost 5.2–5.6 % of a core without
# this, 1.8–2.1 % with it (renderer main thread, benchmarks/idle_tab_cpu.py; a component made invisible
# while its event ran leaves one more each, which the room avoids). The tracker takes
# ``window.requestAnimationFrame`` when its module loads, so this goes first in the page: frames the
# tracker asks for come at most four times a second; every other caller is untouched. A touch of the
# app's internals (the module's name in the stack; see the README's list): tests/ui/test_routes.py
# fails if the installed app's frontend no longer has that module.
FRAME_GUARD = b"""<script>(() => {
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => {
    if (!/statustracker/.test(new Error().stack || '')) return raf(cb);
    return setTimeout(() => raf(cb), 250);
  };
})();</script>"""


class AppPage:
    """ASGI middleware for ``GET /``, the workshop app's page: a browser without a session goes to the
    login page (the app itself would answer 401), and ``FRAME_GUARD`` and ``LANG_FIRST`` are put first
    in the page's head."""

    def __init__(self, app, ctx, script: bytes = FRAME_GUARD + LANG_FIRST) -> None:
        self.app, self.ctx, self.script = app, ctx, script

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            return await self.app(scope, receive, send)
        if not self.ctx.sessions.user(self.ctx.sessions.token_in(scope.get("headers", []))):
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", b"/login"), (b"content-length", b"0")],
                }
            )
            return await send({"type": "http.response.body", "body": b""})
        headers = scope.get("headers", [])
        gzip_ok = any(k == b"accept-encoding" and b"gzip" in v for k, v in headers)
        # asked for uncompressed, so the script can be put in; compressed again here
        plain = {**scope, "headers": [(k, v) for k, v in headers if k != b"accept-encoding"]}
        await self.app(plain, receive, _first_in_head(send, self.script, gzip_ok))


def _first_in_head(send, script: bytes, gzip_ok: bool = False):
    """A ``send`` that puts ``script`` first in an HTML answer's <head> (the answer is held until whole),
    gzipped when the browser takes it."""
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
            body = body.replace(b"<head>", b"<head>" + script, 1)
            if gzip_ok:
                import gzip

                body = gzip.compress(body, 6)
                headers += [(b"content-encoding", b"gzip"), (b"vary", b"accept-encoding")]
        await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return hold
