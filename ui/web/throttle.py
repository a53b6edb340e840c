"""Slowing down guesses at the login form: join codes and passwords.

Measured before this existed: ~725 guest-login guesses a second from one client and no lockout. Two
locks now: per client address (any failed login, codes included) and per account (failed passwords).
A locked key is refused — even with the right password — until the lock ends, so guessing costs
``lock_s`` per ``failures`` tries. The app keeps the counts in its database (:class:`SharedThrottle`),
so with several replicas a client is counted once, whichever replica it reaches, and a restart
does not forgive it; :class:`Throttle` is the same rule in memory.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict, deque

log = logging.getLogger(__name__)


class Throttle:
    """Failures per key in a sliding window; ``failures`` of them lock the key for ``lock_s``."""

    def __init__(self, failures: int, window_s: float, lock_s: float, clock=time.monotonic) -> None:
        self.failures, self.window_s, self.lock_s, self.clock = failures, window_s, lock_s, clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._locked: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked(self, key: str) -> bool:
        with self._lock:
            until = self._locked.get(key)
            if until is None:
                return False
            if self.clock() >= until:
                del self._locked[key]
                return False
            return True

    def fail(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            seen = self._seen[key]
            seen.append(now)
            while seen and seen[0] < now - self.window_s:
                seen.popleft()
            if len(seen) >= self.failures:
                self._locked[key] = now + self.lock_s
                seen.clear()
                log.warning("login locked for %s (%d failures)", key.split(":", 1)[0], self.failures)

    def succeed(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


class LoginGuard:
    """ASGI middleware in front of the login route: a client that keeps failing gets 429 for a while."""

    def __init__(self, app, throttle: Throttle, message: str = "Too many failed logins. Try again later.") -> None:
        self.app, self.throttle, self.message = app, throttle, message

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path", "").rstrip("/") != "/login":
            return await self.app(scope, receive, send)
        key = f"client:{(scope.get('client') or ('?',))[0]}"
        if self.throttle.locked(key):
            body = json.dumps({"detail": self.message}, ensure_ascii=False).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after",
                                                                            str(int(self.throttle.lock_s)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        status: list[int] = []

        async def watch(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] in (400, 401, 403):
            self.throttle.fail(key)
        elif status and status[0] == 200:
            self.throttle.succeed(key)


class SharedThrottle(Throttle):
    """:class:`Throttle`'s rule with its counts in the app database (``db``: a :class:`core.sql_store.SQLStore`
    with the ``login_failures`` / ``login_locks`` tables). Times are wall-clock: replicas share them."""

    def __init__(self, db, failures: int, window_s: float, lock_s: float, clock=time.time) -> None:
        super().__init__(failures, window_s, lock_s, clock)
        self.db = db

    def locked(self, key: str) -> bool:
        row = self.db.one("SELECT until FROM login_locks WHERE key = ?", key)
        return bool(row) and row["until"] > self.clock()

    def fail(self, key: str) -> None:
        now = self.clock()
        with self.db.tx() as c:  # one writer at a time: the count and the lock agree across replicas
            c.execute("DELETE FROM login_failures WHERE key = ? AND at < ?", (key, now - self.window_s))
            c.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))
            n = c.execute("SELECT COUNT(*) FROM login_failures WHERE key = ?", (key,)).fetchone()[0]
            if n >= self.failures:
                c.execute("INSERT INTO login_locks (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                          "until = excluded.until", (key, now + self.lock_s))
                c.execute("DELETE FROM login_failures WHERE key = ?", (key,))
                log.warning("login locked for %s (%d failures)", key.split(":", 1)[0], self.failures)

    def succeed(self, key: str) -> None:
        if self.db.one("SELECT 1 AS x FROM login_failures WHERE key = ? LIMIT 1", key):
            with self.db.tx() as c:
                c.execute("DELETE FROM login_failures WHERE key = ?", (key,))
