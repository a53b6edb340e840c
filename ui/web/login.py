"""``POST /login`` and ``/logout``: a login is checked only when its counts allow it, and starts a session.

The form is read here with a bound (anything over ``MAX_BODY`` is refused) to know what is guessed — a
join code or an account's password (:func:`ui.web.auth.login_kind`) — and the client address is the
one :mod:`ui.web.proxies` resolved. A login that must wait is answered 429 with the reason in the
reader's language and ``Retry-After``; a refused one 400 with the reason (a name the room cannot use is
not a guess and is not counted); a good one 200 with the session cookie (:mod:`ui.web.sessions`).
"""

from __future__ import annotations

import logging
import math

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse

from katachi.core.errors import KatachiError
from katachi.core.i18n import lang_of, t
from katachi.ui.web.auth import login_kind
from katachi.ui.web.sessions import COOKIE, LANG_COOKIE, set_cookie, set_lang_cookie

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # a name and a password; a login form is never near this
COUNTED = {"login_refused": "account", "join_refused": "code"}  # refusals that were guesses


async def _form(request: Request) -> tuple[str, str] | None:
    """(username, password) from a form of at most MAX_BODY bytes (None past it; empty if malformed)."""
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)

    async def again():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, again).form()
    except Exception:  # noqa: BLE001 - a malformed form is refused like a wrong password
        return "", ""
    return str(form.get("username") or "").strip()[:64], str(form.get("password") or "")


def reader_lang(request: Request) -> str:
    return lang_of(request.cookies.get(LANG_COOKIE) or request.headers.get("accept-language") or "ja")


def secure(ctx) -> bool:
    return ctx.public_url.startswith("https://")


async def login(request: Request, ctx) -> JSONResponse:
    import anyio

    lang = reader_lang(request)
    form = await _form(request)
    if form is None:
        return JSONResponse({"detail": "too large"}, status_code=413)
    name, secret = form
    kind, client = login_kind(secret), request.client.host if request.client else "?"
    why, left = await anyio.to_thread.run_sync(ctx.throttle.wait, kind, name, client)
    if left > 0:
        seconds = max(1, math.ceil(left))
        log.info("login refused unchecked: %s", why)
        return JSONResponse(
            {"detail": t(f"error.{why}", lang, seconds=seconds, user=name), "code": why, "retry_after": seconds},
            status_code=429,
            headers={"retry-after": str(seconds)},
        )
    held = ctx.sessions.user(request.cookies.get(COOKIE))
    try:
        who = await anyio.to_thread.run_sync(ctx.auth.login, name, secret, held)
    except KatachiError as err:
        if err.code in COUNTED:
            await anyio.to_thread.run_sync(ctx.throttle.failed, COUNTED[err.code], name, client)
        return JSONResponse({"detail": err.message(lang), "code": err.code}, status_code=400)
    await anyio.to_thread.run_sync(ctx.throttle.succeeded, kind, name, client)
    return _logged_in(ctx, request, who)


def _logged_in(ctx, request: Request, who: str) -> JSONResponse:
    if request.cookies.get(COOKIE):  # this browser's earlier session ends: one browser, one person
        ctx.sessions.end(request.cookies.get(COOKIE))
    response = JSONResponse({"success": True})
    set_cookie(response, ctx.sessions.start(who), secure(ctx))
    set_lang_cookie(response, ctx.db.lang_of(who), secure(ctx))
    return response


def logout(request: Request, ctx) -> RedirectResponse:
    ctx.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def who(ctx, request: Request) -> str | None:
    """The person of a request's session, or None."""
    return ctx.sessions.user(request.cookies.get(COOKIE))


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, and back here after it."""
    from urllib.parse import quote

    from katachi.ui.web.pages import safe_next

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(safe_next(target), safe='')}", status_code=303)
