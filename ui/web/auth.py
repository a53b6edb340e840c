"""Accounts, password hashes (scrypt, salted), guest seats and the login check of the web app.

Two ways in: an account (admin, facilitator, consultant, participant) with a password, or — for live
workshops — a display name with the workshop's join code as the password (a guest participant of
that one workshop, no account needed). Which one is decided by the secret alone (:func:`login_kind`):
a join code is shorter than any password may be, so a guest whose name is also an account's never
reaches that account's password check (nor its failure count).

A guest is a seat: (display name, workshop), never a name alone — a name that once joined another
company's workshop must not open it again. Two people who type the same name get a seat each
(「佐藤」 and 「佐藤 (2)」); a browser that already holds a seat gets it back. The session stores
``name#workshop`` — '#' cannot be typed into a name, so no account or other guest can claim it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata

from katachi.core.errors import KatachiError
from katachi.ui.policy import ROLES
from katachi.ui.web.appdb import AppDB

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w.@\- ]{1,40}$")  # \w covers kana and kanji: display names may be Japanese
_N, _R, _P = 2**14, 8, 1
PASSWORD_MIN = 8  # join codes are 6 letters: a secret shorter than this is a code, never a password


def login_kind(secret: str) -> str:
    """ "code" (a join code: the guest way) or "account" (a password), from the secret's length alone (as
    typed: accounts' passwords are refused under PASSWORD_MIN characters as typed)."""
    return "code" if len(secret or "") < PASSWORD_MIN else "account"


def code_expired(ws: dict, now: float | None = None) -> bool:
    """The code's window has passed. It opens with the room (:meth:`AppDB.open_room`), not when the
    workshop is created — one prepared days ahead is not dead on the day — and the facilitator renews it."""
    until = ws.get("code_until")
    if not until:
        return False
    return (now or time.time()) >= until


def code_open(ws: dict, done: bool, now: float | None = None) -> bool:
    """A join code lets people in while its workshop is live, not finished, and its window not passed."""
    return ws.get("mode") == "live" and bool(ws.get("join_code")) and not done and not code_expired(ws, now)


NAME_MAX = 40
_NOT_IN_NAMES = {"#"}  # the seat's separator (ui.policy.GUEST_SEP)


def guest_name(raw: str) -> str:
    """A name as people type it: 「山田　太郎」 (an IME's full-width space), 「佐藤・花子」, "O'Brien" are names.
    Spaces at the ends go and a run of spaces inside becomes its first one; refused, with the reason:
    nothing at all, over ``NAME_MAX`` characters, control or invisible characters, and '#'."""
    name = re.sub(r"\s+", lambda m: m.group(0)[0], unicodedata.normalize("NFC", raw or "").strip())
    if not name:
        raise KatachiError("guest_name_empty")
    if len(name) > NAME_MAX:
        raise KatachiError("guest_name_long", size=len(name), limit=NAME_MAX)
    bad = sorted({c for c in name if c in _NOT_IN_NAMES or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")})
    if bad:
        shown = "、".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        raise KatachiError("guest_name_bad", chars=shown)
    return name


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@functools.lru_cache(maxsize=1)
def _unknown_hash() -> str:
    """A hash no password matches, checked when no account has the name."""
    return hash_password(secrets.token_urlsafe(16))


def add_user(db: AppDB, username: str, password: str, role: str, companies: list[str], display: str = "") -> None:
    from katachi.knowledge.store import check_company

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
    """The login check. Failures are counted, and logins made to wait, in front of it
    (:mod:`ui.web.login`)."""

    def __init__(self, db: AppDB, is_done=None, settings=None) -> None:
        """``is_done(workshop_id)``: whether that workshop is finished (read from its checkpoint)."""
        from katachi.core.settings import get_settings

        self.db = db
        self.is_done = is_done or (lambda wid: False)
        self.settings = settings or get_settings()

    def login(self, username: str, secret: str, held: str | None = None) -> str:
        """The session identity for what the form sent, or a KatachiError saying why not. ``held``: whom
        the browser's current session belongs to (a seat it keeps when its person joins again)."""
        if login_kind(secret) == "code":
            return self.guest(username, secret, held)
        username = (username or "").strip()
        user = self.db.user(username)
        # No such account: the same scrypt work, so the answer's time does not tell which names exist.
        ok = check_password(secret or "", user["pw_hash"] if user else _unknown_hash())
        if not (user and ok):
            raise KatachiError("login_refused")
        return username

    def guest(self, name: str, code: str, held: str | None = None) -> str:
        """A seat in the workshop of ``code``. A wrong code, one of a finished workshop, an expired one
        and one of another company all get ``join_refused`` — except for a browser that already holds
        a seat of that workshop, which is told the code expired (it knows the code is real)."""
        name = guest_name(name)
        code = "".join((code or "").split()).upper()
        ws = self.db.by_code(code) if code else None
        if ws is None or not code_open(ws, self.is_done(ws["id"])):
            if ws is not None and code_expired(ws) and seat_of(held, ws["id"]):
                raise KatachiError("join_code_expired", at=_clock(ws["code_until"]))
            raise KatachiError("join_refused")
        self.db.open_room(ws["id"], self.settings.join_code_hours)
        return self.db.seat(name, ws["id"], keep=seat_of(held, ws["id"]))


def seat_of(username: str | None, wid: str) -> str | None:
    """``username`` if it is a guest seat of workshop ``wid``."""
    from katachi.ui.policy import split_guest

    g = split_guest(username or "")
    return username if g and g[1] == wid else None


def _clock(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts).strftime("%m/%d %H:%M")
