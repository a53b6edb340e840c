"""Slowing down guesses at the login form without giving anyone a way to lock other people out.

Failures are counted per (what is guessed, who guesses), not in one flat lock per client address and
one per account: with those, anyone could lock the facilitator out with five wrong passwords, and ten
typos in a room behind one office address would lock the whole room. The counts:

- ``account:NAME|CLIENT`` — wrong passwords for one account from one client address;
- ``codes|CLIENT`` — wrong join codes from one client address (all codes together: a guesser tries
  a new code each time). A success does not forgive these, or one valid code would reset a guesser;
- ``account:NAME`` — wrong passwords for one account from everywhere: many clients together lock the
  account, and the login says so; sessions already open keep working;
- ``passwords|CLIENT`` — wrong passwords for any account from one client (three times the codes'
  allowance): a client trying one password on many names is slowed too.

The first failures of a key in the window cost nothing (``Rule.free``); after that every failure makes
the key wait before its next try: ``first_s``, twice that, four times … up to ``max_s``. A try made
while the key waits is refused unchecked (even with the right password) and is not counted. The client
address is the one :mod:`ui.web.proxies` resolved (``X-Forwarded-For`` counts only from a trusted
proxy). Counts live in the app database, so with several replicas a client is counted once, whichever
replica it reaches, and a restart forgives nothing.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass

from katachi.core.errors import KatachiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    free: int  # failures in the window that cost no wait
    window_s: float
    first_s: float  # the wait after the first failure beyond the free ones
    max_s: float

    def wait_after(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return min(self.max_s, self.first_s * 2 ** min(failures - self.free - 1, 40))


class Backoff:
    """A :class:`Rule` over the app database's ``login_failures`` (key, at) and ``login_locks`` (key, until)
    tables (``db``: a :class:`core.sql_store.SQLStore`). Times are wall-clock: replicas share them."""

    def __init__(self, db, rule: Rule, clock=time.time) -> None:
        self.db, self.rule, self.clock = db, rule, clock

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        row = self.db.one("SELECT until FROM login_locks WHERE key = ?", key)
        return max(0.0, row["until"] - self.clock()) if row else 0.0

    def fail(self, key: str) -> float:
        """Count a failure; returns the wait it brings."""
        now = self.clock()
        with self.db.tx() as c:  # one writer at a time: the count and the wait agree across replicas
            c.execute("DELETE FROM login_failures WHERE key = ? AND at < ?", (key, now - self.rule.window_s))
            c.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))
            n = c.execute("SELECT COUNT(*) FROM login_failures WHERE key = ?", (key,)).fetchone()[0]
            wait = self.rule.wait_after(n)
            if wait:
                c.execute(
                    "INSERT INTO login_locks (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "until = excluded.until",
                    (key, now + wait),
                )
        if wait:
            log.warning(
                "login slowed for %s: %d failures, next try in %.0f s", key.split(":", 1)[0].split("|")[0], n, wait
            )
        if random.random() < 0.01:  # keys nobody tries again would stay for ever
            self.forget_old(now)
        return wait

    def forget_old(self, now: float) -> None:
        with self.db.tx() as c:
            c.execute("DELETE FROM login_failures WHERE at < ?", (now - self.rule.window_s,))
            c.execute("DELETE FROM login_locks WHERE until < ?", (now - self.rule.window_s,))

    def succeed(self, key: str) -> None:
        if self.db.one("SELECT 1 AS x FROM login_failures WHERE key = ? LIMIT 1", key):
            with self.db.tx() as c:
                c.execute("DELETE FROM login_failures WHERE key = ?", (key,))
                c.execute("DELETE FROM login_locks WHERE key = ?", (key,))


@dataclass
class LoginThrottle:
    """The three counts of a login (see the module's docstring), made from the settings."""

    pair: Backoff  # account × client
    codes: Backoff  # join codes × client
    account: Backoff  # account, all clients
    passwords: Backoff  # any account × client

    @classmethod
    def from_settings(cls, db, s, clock=time.time) -> LoginThrottle:
        def rule(free: int) -> Rule:
            return Rule(free, s.login_window_s, s.login_delay_s, s.login_lock_s)

        return cls(
            Backoff(db, rule(s.login_failures_per_account), clock),
            Backoff(db, rule(s.login_failures_per_client), clock),
            Backoff(db, rule(s.login_failures_account_all), clock),
            Backoff(db, rule(3 * s.login_failures_per_client), clock),
        )

    def keys(self, kind: str, name: str, client: str) -> list[tuple[Backoff, str, str]]:
        """(count, key, what a wait on it is called). ``kind``: "account" (a password for ``name``) or
        "code" (a join code)."""
        if kind == "code":
            return [(self.codes, f"codes|{client}", "login_wait")]
        return [
            (self.account, f"account:{name}", "account_locked"),
            (self.pair, f"account:{name}|{client}", "login_wait"),
            (self.passwords, f"passwords|{client}", "login_wait"),
        ]

    def wait(self, kind: str, name: str, client: str) -> tuple[str, float]:
        """("", 0) when the login may be checked now, else (why, seconds): "account_locked" (the account,
        whoever asks) or "login_wait" (this client)."""
        for backoff, key, why in self.keys(kind, name, client):
            left = backoff.wait(key)
            if left > 0:
                return why, left
        return "", 0.0

    def failed(self, kind: str, name: str, client: str) -> None:
        for backoff, key, _ in self.keys(kind, name, client):
            backoff.fail(key)

    def succeeded(self, kind: str, name: str, client: str) -> None:
        """Only the account × client count is forgiven: codes never are (one valid code would reset a
        guesser), and the account's count from everywhere is about others' tries, not this one."""
        if kind == "account":
            self.pair.succeed(f"account:{name}|{client}")

    def try_code(self, client: str, attempt):
        """A join code typed inside the app (the workshops tab, or its API): counted with the login
        form's codes from the same client. ``attempt()`` raises ``join_code_unknown`` for a code that
        does not let this person in."""
        why, left = self.wait("code", "", client)
        if left > 0:
            raise KatachiError(why, seconds=max(1, math.ceil(left)), user="")
        try:
            return attempt()
        except KatachiError as err:
            if err.code == "join_code_unknown":
                self.failed("code", "", client)
            raise
