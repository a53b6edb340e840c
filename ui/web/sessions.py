"""Login sessions: a cookie of Katachi's own, its token's hash in the app database.

The cookie's name and meaning do not depend on the process that set it, so a restarted process — or
another replica — knows the browser (a web framework's per-process cookie would log every room out
on each restart). Only a hash of the token is stored: a copy of the database lets nobody in.

Every open tab asks who it is once a second (the change check) and on every event: a session found
is remembered for ``REMEMBER_S``, so a logout on another replica ends the session here within that
time (at once on the replica that logged out).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from http.cookies import SimpleCookie

from katachi.core.i18n import LANGS

log = logging.getLogger(__name__)

COOKIE = "katachi_session"
LANG_COOKIE = "katachi_lang"  # the language a person chose, for the page before it asks the server
MAX_AGE_S = 30 * 24 * 3600  # a browser stays logged in for a month, across restarts and browser restarts


def _key(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


class Sessions:
    REMEMBER_S = 5.0

    def __init__(self, db) -> None:
        self.db = db
        self._known: dict[str, tuple[str, float]] = {}

    def start(self, username: str) -> str:
        """A new session for ``username``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO sessions (token_hash, username, created) VALUES (?, ?, ?)",
                (_key(token), username, time.time()),
            )
        return token

    def user(self, token: str | None) -> str | None:
        """The person a token belongs to, or None."""
        if not token:
            return None
        key = _key(token)
        hit = self._known.get(key)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        row = self.db.one("SELECT username FROM sessions WHERE token_hash = ?", key)
        if row is None:
            self._known.pop(key, None)
            return None
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (row["username"], time.monotonic() + self.REMEMBER_S)
        return row["username"]

    def end(self, token: str | None) -> None:
        if not token:
            return
        key = _key(token)
        self._known.pop(key, None)
        with self.db.tx() as c:
            c.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))

    # -- from a request ------------------------------------------------------------------------------
    def of_request(self, request) -> str | None:
        """``auth_dependency`` for the mounted Gradio app: the username of a FastAPI request's session."""
        return self.user(request.cookies.get(COOKIE))

    @staticmethod
    def token_in(headers) -> str | None:
        """The session token in raw ASGI headers (for middleware that answers before routing)."""
        jar = SimpleCookie()
        for k, v in headers:
            if k == b"cookie":
                try:
                    jar.load(v.decode("latin-1"))
                except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                    return None
        morsel = jar.get(COOKIE)
        return morsel.value if morsel else None


def set_cookie(response, token: str, secure: bool) -> None:
    response.set_cookie(COOKIE, token, max_age=MAX_AGE_S, httponly=True, samesite="lax", secure=secure, path="/")


def set_lang_cookie(response, lang: str, secure: bool) -> None:
    if lang in LANGS:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=MAX_AGE_S, httponly=False, samesite="lax", secure=secure, path="/"
        )
