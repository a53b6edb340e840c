"""Accounts, password hashes (scrypt, salted) and the login check the web app hands to Gradio.

Two ways in: an account (admin, facilitator, consultant, participant) with a password, or — for live
workshops — a display name with the workshop's join code as the password (a guest participant of
that one workshop, no account needed).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from core.errors import KatachiError

from ui.policy import ROLES
from ui.web.appdb import AppDB

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w.@\- ]{1,40}$")  # \w covers kana and kanji: display names may be Japanese
_N, _R, _P = 2**14, 8, 1


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


def add_user(db: AppDB, username: str, password: str, role: str, companies: list[str], display: str = "") -> None:
    from knowledge.store import check_company

    username = username.strip()
    if not _NAME.match(username):
        raise KatachiError("bad_user", detail="username: 1-40 letters, digits, '.', '@', '-', '_' or spaces")
    if role not in ROLES:
        raise KatachiError("bad_user", detail=f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise KatachiError("bad_user", detail="password: at least 8 characters")
    if db.user(username) or db.guest(username):
        raise KatachiError("user_exists", user=username)
    for co in companies:
        check_company(co)
    db.add_user(username, hash_password(password), role, display or username, companies)


class Authenticator:
    """``auth=`` for Gradio: called with what the login form sent; True lets the browser in."""

    def __init__(self, db: AppDB, is_done=None) -> None:
        """``is_done(workshop_id)``: whether that workshop is finished (read from its checkpoint)."""
        self.db = db
        self.is_done = is_done or (lambda wid: False)

    def __call__(self, username: str, password: str) -> bool:
        username = (username or "").strip()
        user = self.db.user(username)
        if user:
            return check_password(password or "", user["pw_hash"])
        return self._guest(username, (password or "").strip().upper())

    def _guest(self, name: str, code: str) -> bool:
        if not _NAME.match(name) or not code:
            return False
        ws = self.db.by_code(code)
        if ws is None or ws["mode"] != "live":
            return False
        held = self.db.guest(name)
        if held and held["workshop"] != ws["id"]:
            # The name is someone's in another live workshop: refuse rather than move them.
            other = self.db.workshop(held["workshop"])
            if other and not self.is_done(other["id"]):
                log.info("guest name %r is taken in another workshop", name)
                return False
        self.db.add_guest(name, ws["id"])
        return True
