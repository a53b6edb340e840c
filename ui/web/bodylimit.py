"""No request body is read without a bound.

Gradio reads a request's JSON body whole before any handler can refuse it (a pain point over the limit
would be refused only after its gigabyte is read). Uploads stream to disk and are limited by Gradio
itself (``max_file_size``, set from ``KATACHI_MAX_FILE_MB``); every other body — an event's inputs, a
login form — is at most ``limit`` bytes: a stated larger ``Content-Length`` is answered 413 at once,
and a body that grows past the limit while it arrives is cut off and answered 413.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)

UPLOAD_PATHS = ("/gradio_api/upload", "/upload")


class TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app, limit: int = 4 * 2**20) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").rstrip("/").endswith(UPLOAD_PATHS):
            return await self.app(scope, receive, send)
        stated = dict(scope.get("headers") or []).get(b"content-length", b"")
        if stated.isdigit() and int(stated) > self.limit:
            return await _too_large(send)
        seen, started, refused = 0, False, False

        async def counted():
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started and not refused:  # answered now: the framework may turn the error into a 400
                        refused = True
                        log.warning("request body over %d bytes refused: %s", self.limit, scope.get("path"))
                        await _too_large(send)
                    raise TooLarge
            return message

        async def watch(message):
            nonlocal started
            if refused:  # the 413 went first; whatever the framework answers after is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except TooLarge:
            pass


async def _too_large(send) -> None:
    body = json.dumps({"detail": "request too large"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
