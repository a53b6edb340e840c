"""The door in front of Gradio's ``POST /login``: a login is checked only when its counts allow it.

The form is read here (it is small: anything over ``MAX_BODY`` is refused) to know what is guessed —
a join code or an account's password (:func:`ui.web.auth.login_kind`) — and the client address is the
one :mod:`ui.web.proxies` resolved. A login that must wait is answered 429 with the reason in the
reader's language and ``Retry-After``; otherwise Gradio checks it and its answer is counted.
"""
from __future__ import annotations

import json
import logging
import math

from core.i18n import lang_of, t

from ui.web.auth import login_kind
from ui.web.throttle import LoginThrottle

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # a name and a password; a login form is never near this


async def _body(receive, limit: int) -> bytes | None:
    """The whole request body, or None past ``limit`` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that gives ``body`` once, then whatever the connection says next (a disconnect)."""
    given = False

    async def again():
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _form(scope, body: bytes) -> tuple[str, str]:
    from starlette.requests import Request

    async def nothing_more():
        return {"type": "http.disconnect"}

    try:
        form = await Request(scope, _replay(body, nothing_more)).form()
    except Exception:  # a malformed form: Gradio refuses it too, and it is counted as a failure
        return "", ""
    return str(form.get("username") or "").strip()[:64], str(form.get("password") or "")


async def _answer(send, status: int, body: dict, headers: list | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})


class LoginGuard:
    """ASGI middleware for ``POST /login``."""

    def __init__(self, app, throttle: LoginThrottle) -> None:
        self.app, self.throttle = app, throttle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path", "").rstrip("/") != "/login":
            return await self.app(scope, receive, send)
        import anyio

        body = await _body(receive, MAX_BODY)
        if body is None:
            return await _answer(send, 413, {"detail": "too large"})
        name, password = await _form(scope, body)
        kind, client = login_kind(password), (scope.get("client") or ("?",))[0]
        why, left = await anyio.to_thread.run_sync(self.throttle.wait, kind, name, client)
        if left > 0:
            headers = dict(scope.get("headers") or [])
            lang = lang_of(headers.get(b"accept-language", b"ja").decode("latin-1"))
            seconds = max(1, math.ceil(left))
            log.info("login refused unchecked: %s", why)
            return await _answer(send, 429, {"detail": t(f"error.{why}", lang, seconds=seconds, user=name),
                                             "code": why, "retry_after": seconds},
                                 [(b"retry-after", str(seconds).encode())])
        status: list[int] = []

        async def watch(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status and status[0] in (400, 401, 403, 422):
            await anyio.to_thread.run_sync(self.throttle.failed, kind, name, client)
        elif status and status[0] == 200:
            await anyio.to_thread.run_sync(self.throttle.succeeded, kind, name, client)
