"""Accounts, password hashes (scrypt, salted) and the login check the web app hands to Gradio.

Two ways in: an account (admin, facilitator, consultant, participant) with a password, or — for live
workshops — a display name with the workshop's join code as the password (a guest participant of
that one workshop, no account needed). Which one is decided by the secret alone (:func:`login_kind`):
a join code is shorter than any password may be, so a guest whose name is also an account's never
reaches that account's password check (nor its failure count).

A guest is the pair (display name, workshop), never a name alone: common names collide, and a name
that once joined another company's workshop must not open it again. Gradio keeps one string per
session (what the login form sent); :class:`GuestTokens` replaces it, for a guest login just approved,
with ``name#workshop`` — '#' cannot be typed into a name, so no account or other guest can claim it.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import MutableMapping

from core.errors import KatachiError

from ui.policy import ROLES, guest_id
from ui.web.appdb import AppDB

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w.@\- ]{1,40}$")  # \w covers kana and kanji: display names may be Japanese
_N, _R, _P = 2**14, 8, 1
PASSWORD_MIN = 8  # join codes are 6 letters: a secret shorter than this is a code, never a password


def login_kind(secret: str) -> str:
    """"code" (a join code: the guest way) or "account" (a password), from the secret's length alone (as
    typed: accounts' passwords are refused under PASSWORD_MIN characters as typed)."""
    return "code" if len(secret or "") < PASSWORD_MIN else "account"


def code_open(ws: dict, done: bool, hours: float, now: float | None = None) -> bool:
    """A join code lets people in while its workshop is live, not finished, and not older than ``hours``."""
    return (ws.get("mode") == "live" and bool(ws.get("join_code")) and not done
            and (now or time.time()) < ws["created"] + hours * 3600)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@functools.lru_cache(maxsize=1)
def _unknown_hash() -> str:
    """A hash no password matches, checked when no account has the name."""
    return hash_password(secrets.token_urlsafe(16))


def add_user(db: AppDB, username: str, password: str, role: str, companies: list[str], display: str = "") -> None:
    from knowledge.store import check_company

    username = username.strip()
    if not _NAME.match(username):
        raise KatachiError("bad_user", detail="username: 1-40 letters, digits, '.', '@', '-', '_' or spaces")
    if role not in ROLES:
        raise KatachiError("bad_user", detail=f"role must be one of {', '.join(ROLES)}")
    if len(password) < PASSWORD_MIN:
        raise KatachiError("bad_user", detail=f"password: at least {PASSWORD_MIN} characters")
    if db.user(username):
        raise KatachiError("user_exists", user=username)
    for co in companies:
        check_company(co)
    db.add_user(username, hash_password(password), role, display or username, companies)


class Authenticator:
    """``auth=`` for Gradio: called with what the login form sent; True lets the browser in. Failures are
    counted, and logins made to wait, in front of it (:class:`ui.web.login.LoginGuard`)."""

    def __init__(self, db: AppDB, is_done=None, settings=None) -> None:
        """``is_done(workshop_id)``: whether that workshop is finished (read from its checkpoint)."""
        from core.settings import get_settings

        s = settings or get_settings()
        self.db = db
        self.is_done = is_done or (lambda wid: False)
        self.code_hours = s.join_code_hours
        self._granted: tuple[str, str] | None = None  # (name typed, guest id) of the login just approved

    def __call__(self, username: str, password: str) -> bool:
        username = (username or "").strip()
        self._granted = None
        if login_kind(password) == "code":
            return self._guest(username, "".join((password or "").split()).upper())
        user = self.db.user(username)
        # No such account: the same scrypt work, so the answer's time does not tell which names exist.
        ok = check_password(password or "", user["pw_hash"] if user else _unknown_hash())
        return bool(user) and ok

    def _guest(self, name: str, code: str) -> bool:
        if not _NAME.match(name) or not code:
            return False
        ws = self.db.by_code(code)
        if ws is None or not code_open(ws, self.is_done(ws["id"]), self.code_hours):
            return False
        self.db.add_guest(name, ws["id"])
        self._granted = (name, guest_id(name, ws["id"]))
        return True

    def claim(self, username: str) -> str:
        """The session identity for what the login form sent: the guest id for the guest login just
        approved (Gradio stores the session right after a True answer, with no await between)."""
        granted, self._granted = self._granted, None
        return granted[1] if granted and granted[0] == username else username


class GuestTokens(MutableMapping):
    """Gradio's session table (token → user), kept in the app database so that every replica — and a
    restarted process — knows the session; a guest's session is stored as ``name#workshop``.
    Only a hash of the token is stored (a copy of the database lets nobody in).

    Gradio looks a session up several times per request (every page poll); a found session is
    remembered here for ``REMEMBER_S``, so a logout on another replica ends the session here
    within that time (at once on the replica that logged out)."""

    REMEMBER_S = 5.0

    def __init__(self, auth: Authenticator, initial: dict | None = None) -> None:
        self.auth, self.db = auth, auth.db
        self._known: dict[str, tuple[str, float]] = {}
        for token, user in (initial or {}).items():
            self[token] = user

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(str(token).encode()).hexdigest()

    def __getitem__(self, token: str) -> str:
        key = self._key(token) if token else ""
        hit = self._known.get(key)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        row = self.db.one("SELECT username FROM sessions WHERE token_hash = ?", key) if token else None
        if row is None:
            self._known.pop(key, None)
            raise KeyError(token)
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (row["username"], time.monotonic() + self.REMEMBER_S)
        return row["username"]

    def __setitem__(self, token: str, username: str) -> None:
        self._known.pop(self._key(token), None)
        with self.db.tx() as c:
            c.execute("INSERT INTO sessions (token_hash, username, created) VALUES (?, ?, ?) ON CONFLICT (token_hash) "
                      "DO UPDATE SET username = excluded.username", (self._key(token), self.auth.claim(username),
                                                                     time.time()))

    def __delitem__(self, token: str) -> None:
        self._known.pop(self._key(token), None)
        with self.db.tx() as c:
            if c.execute("DELETE FROM sessions WHERE token_hash = ?", (self._key(token),)).rowcount == 0:
                raise KeyError(token)

    def __iter__(self):  # tokens are not kept, only their hashes
        return iter(())

    def __len__(self) -> int:
        return self.db.one("SELECT COUNT(*) AS n FROM sessions")["n"]
