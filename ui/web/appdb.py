"""The app's own small SQLite database: users, company membership, workshops, pain points, votes, timers.

Workshop content (themes, KPIs, playbook) lives in the graph's checkpointer; this database holds what
the room needs around it, so that a refresh or a server restart loses nothing.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from core.sqlite_store import SQLiteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, pw_hash TEXT NOT NULL, role TEXT NOT NULL, display TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS members (username TEXT NOT NULL, company TEXT NOT NULL, PRIMARY KEY (username, company));
CREATE TABLE IF NOT EXISTS workshops (
    id TEXT PRIMARY KEY, company TEXT NOT NULL, title TEXT NOT NULL, lang TEXT NOT NULL,
    departments TEXT NOT NULL, mode TEXT NOT NULL, owner TEXT NOT NULL, join_code TEXT UNIQUE,
    dots INTEGER NOT NULL, created REAL NOT NULL,
    timer_end REAL, timer_label TEXT NOT NULL DEFAULT '', expected TEXT NOT NULL DEFAULT '[]',
    review INTEGER NOT NULL DEFAULT 1, revealed TEXT NOT NULL DEFAULT '', votes_shown TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS guest_seats (
    name TEXT NOT NULL, workshop TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (name, workshop));
CREATE TABLE IF NOT EXISTS joined (workshop TEXT NOT NULL, username TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (workshop, username));
CREATE TABLE IF NOT EXISTS pain_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workshop TEXT NOT NULL, author TEXT, department TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL, created REAL NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, merged_into INTEGER,
    edited_by TEXT, sender TEXT);
CREATE INDEX IF NOT EXISTS pain_by_ws ON pain_points (workshop, id);
CREATE TABLE IF NOT EXISTS reviews (
    thread TEXT PRIMARY KEY, status TEXT NOT NULL, requested_version INTEGER NOT NULL DEFAULT 0,
    by TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS review_sections (
    thread TEXT NOT NULL, section TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL,
    by TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (thread, section));
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, thread TEXT NOT NULL, section TEXT NOT NULL, version INTEGER NOT NULL,
    by TEXT NOT NULL, at REAL NOT NULL, text TEXT NOT NULL, request INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, thread TEXT NOT NULL, at REAL NOT NULL, by TEXT NOT NULL,
    what TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS ratings (
    workshop TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, voter TEXT NOT NULL,
    a INTEGER NOT NULL DEFAULT 0, b INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',
    named INTEGER NOT NULL DEFAULT 0, at REAL NOT NULL, PRIMARY KEY (workshop, kind, target, voter));
CREATE TABLE IF NOT EXISTS votes (
    workshop TEXT NOT NULL, round TEXT NOT NULL, voter TEXT NOT NULL, candidate INTEGER NOT NULL,
    dots INTEGER NOT NULL, PRIMARY KEY (workshop, round, voter, candidate));
"""


# Endorsement is anonymous unless the facilitator says otherwise: executives dissent more freely so.
DEFAULT_ANONYMOUS = '["endorse"]'


class AppDB(SQLiteStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA)
        cols = {r["name"] for r in self.all("PRAGMA table_info(workshops)")}
        if "expected" not in cols:  # a database from before participants could be listed up front
            with self.tx() as c:
                c.execute("ALTER TABLE workshops ADD COLUMN expected TEXT NOT NULL DEFAULT '[]'")
        if "review" not in cols:  # before review was required: such workshops keep the old way
            with self.tx() as c:
                c.execute("ALTER TABLE workshops ADD COLUMN review INTEGER NOT NULL DEFAULT 1")
        for col in ("revealed", "votes_shown"):  # what the facilitator has shown to the room
            if col not in cols:
                with self.tx() as c:
                    c.execute(f"ALTER TABLE workshops ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")
        if "anonymous" not in cols:  # the activities whose answers carry no names (the facilitator's choice)
            with self.tx() as c:
                c.execute(f"ALTER TABLE workshops ADD COLUMN anonymous TEXT NOT NULL DEFAULT '{DEFAULT_ANONYMOUS}'")
        for table in ("users", "guest_seats"):  # the language each person chose, kept across sessions
            if "lang" not in {r["name"] for r in self.all(f"PRAGMA table_info({table})")}:
                with self.tx() as c:
                    c.execute(f"ALTER TABLE {table} ADD COLUMN lang TEXT NOT NULL DEFAULT ''")
        if "sender" not in {r["name"] for r in self.all("PRAGMA table_info(pain_points)")}:
            # who sent it, even anonymously (never shown): what the per-person limit counts
            with self.tx() as c:
                c.execute("ALTER TABLE pain_points ADD COLUMN sender TEXT")
        if self.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'guests'"):
            # Guests were once global names: their 'joined' rows outlived the workshop and let a later
            # guest of the same name into it. Those rows are dropped; guests now join as name#workshop.
            with self.tx() as c:
                c.execute("DELETE FROM joined WHERE username IN (SELECT name FROM guests)")
                c.execute("DROP TABLE guests")

    # -- users ---------------------------------------------------------------------------------------
    def add_user(self, username: str, pw_hash: str, role: str, display: str, companies: list[str]) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO users (username, pw_hash, role, display, created) VALUES (?, ?, ?, ?, ?)",
                      (username, pw_hash, role, display, time.time()))
            c.executemany("INSERT OR IGNORE INTO members VALUES (?, ?)", [(username, co) for co in companies])

    def set_password(self, username: str, pw_hash: str) -> None:
        with self.tx() as c:
            c.execute("UPDATE users SET pw_hash = ? WHERE username = ?", (pw_hash, username))

    def add_member(self, username: str, company: str) -> None:
        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO members VALUES (?, ?)", (username, company))

    def user(self, username: str) -> dict | None:
        return self.one("SELECT * FROM users WHERE username = ?", username)

    def users(self) -> list[dict]:
        return self.all("SELECT username, role, display, created FROM users ORDER BY username")

    def companies_of(self, username: str) -> list[str]:
        return [r["company"] for r in self.all("SELECT company FROM members WHERE username = ? ORDER BY company",
                                               username)]

    # -- workshops -----------------------------------------------------------------------------------
    def add_workshop(self, row: dict) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO workshops (id, company, title, lang, departments, mode, owner, join_code, dots, "
                      "created, expected, review) VALUES (:id, :company, :title, :lang, :departments, :mode, :owner, "
                      ":join_code, :dots, :created, :expected, :review)",
                      {**row, "departments": json.dumps(row["departments"], ensure_ascii=False),
                       "expected": json.dumps(row.get("expected") or [], ensure_ascii=False),
                       "review": int(row.get("review", True))})

    def workshop(self, wid: str) -> dict | None:
        row = self.one("SELECT * FROM workshops WHERE id = ?", wid)
        return _workshop_row(row) if row else None

    def workshops(self) -> list[dict]:
        return [_workshop_row(r) for r in self.all("SELECT * FROM workshops ORDER BY created DESC")]

    def update_workshop(self, wid: str, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.tx() as c:
            c.execute(f"UPDATE workshops SET {cols} WHERE id = ?", (*fields.values(), wid))

    def by_code(self, code: str) -> dict | None:
        row = self.one("SELECT id FROM workshops WHERE join_code = ?", code.strip().upper())
        return self.workshop(row["id"]) if row else None

    def join(self, wid: str, username: str) -> None:
        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO joined VALUES (?, ?, ?)", (wid, username, time.time()))

    def joined(self, username: str) -> list[str]:
        return [r["workshop"] for r in self.all("SELECT workshop FROM joined WHERE username = ?", username)]

    def participants(self, wid: str) -> list[str]:
        return [r["username"] for r in self.all("SELECT username FROM joined WHERE workshop = ? ORDER BY at", wid)]

    # -- guests: people who joined one workshop with a display name and its join code ------------------
    def guest(self, name: str, wid: str) -> dict | None:
        return self.one("SELECT * FROM guest_seats WHERE name = ? AND workshop = ?", name, wid)

    def add_guest(self, name: str, wid: str) -> None:
        from ui.policy import guest_id

        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO guest_seats (name, workshop, created) VALUES (?, ?, ?)",
                      (name, wid, time.time()))
            c.execute("INSERT OR IGNORE INTO joined VALUES (?, ?, ?)", (wid, guest_id(name, wid), time.time()))

    # -- pain points ---------------------------------------------------------------------------------
    def add_pain_point(self, wid: str, author: str | None, department: str, text: str, sender: str = "",
                       per_sender: int | None = None, per_workshop: int | None = None) -> int:
        """Checks the limits in the same transaction as the insert, so quick clicks cannot pass them.
        Returns the new id; -1 when the sender is at ``per_sender``, -2 when the workshop is full."""
        with self.tx() as c:
            if per_sender is not None and c.execute(
                    "SELECT COUNT(*) FROM pain_points WHERE workshop = ? AND sender = ? AND hidden = 0",
                    (wid, sender)).fetchone()[0] >= per_sender:
                return -1
            if per_workshop is not None and c.execute(
                    "SELECT COUNT(*) FROM pain_points WHERE workshop = ? AND hidden = 0", (wid,)).fetchone()[0] >= per_workshop:
                return -2
            cur = c.execute("INSERT INTO pain_points (workshop, author, department, text, created, sender) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (wid, author, department, text, time.time(), sender or author))
            return int(cur.lastrowid)

    def pain_points(self, wid: str, include_hidden: bool = False) -> list[dict]:
        sql = "SELECT * FROM pain_points WHERE workshop = ?" + ("" if include_hidden else " AND hidden = 0")
        return self.all(sql + " ORDER BY id", wid)

    def edit_pain_point(self, wid: str, pid: int, text: str, department: str | None, editor: str) -> bool:
        with self.tx() as c:
            sets, args = ["text = ?", "edited_by = ?"], [text, editor]
            if department is not None:
                sets.append("department = ?")
                args.append(department)
            cur = c.execute(f"UPDATE pain_points SET {', '.join(sets)} WHERE workshop = ? AND id = ? AND hidden = 0",
                            (*args, wid, pid))
            return cur.rowcount == 1

    def hide_pain_points(self, wid: str, ids: list[int], merged_into: int | None = None) -> int:
        with self.tx() as c:
            n = 0
            for pid in ids:
                n += c.execute("UPDATE pain_points SET hidden = 1, merged_into = ? WHERE workshop = ? AND id = ?",
                               (merged_into, wid, pid)).rowcount
            return n

    # -- ratings, endorsement and comments while the model works ---------------------------------------
    def rate(self, wid: str, kind: str, target: str, voter: str, a: int = 0, b: int = 0, comment: str = "",
             named: bool = False) -> None:
        """One person's answer to one item of an activity; answering again replaces it."""
        with self.tx() as c:
            c.execute("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workshop, kind, target, voter) "
                      "DO UPDATE SET a = excluded.a, b = excluded.b, comment = excluded.comment, "
                      "named = excluded.named, at = excluded.at",
                      (wid, kind, target, voter, int(a), int(b), comment, int(named), time.time()))

    def ratings(self, wid: str, kind: str) -> list[dict]:
        return self.all("SELECT target, voter, a, b, comment, named FROM ratings WHERE workshop = ? AND kind = ? "
                        "ORDER BY at", wid, kind)

    # -- language ------------------------------------------------------------------------------------
    def set_lang(self, username: str, lang: str) -> None:
        from ui.policy import split_guest

        with self.tx() as c:
            g = split_guest(username)
            if g:
                c.execute("UPDATE guest_seats SET lang = ? WHERE name = ? AND workshop = ?", (lang, *g))
            else:
                c.execute("UPDATE users SET lang = ? WHERE username = ?", (lang, username))

    def lang_of(self, username: str) -> str:
        from ui.policy import split_guest

        g = split_guest(username)
        row = self.guest(*g) if g else self.user(username)
        return (row or {}).get("lang") or ""

    # -- dot votes -----------------------------------------------------------------------------------
    def votes(self, wid: str, rnd: str) -> list[dict]:
        return self.all("SELECT voter, candidate, dots FROM votes WHERE workshop = ? AND round = ? AND dots > 0",
                        wid, rnd)

    def move_dot(self, wid: str, rnd: str, voter: str, candidate: int, delta: int, limit: int) -> int | None:
        """Add (+1) or take back (-1) one dot atomically; returns the voter's dots left, None if over the limit."""
        with self.tx() as c:
            used = c.execute("SELECT COALESCE(SUM(dots), 0) FROM votes WHERE workshop = ? AND round = ? AND voter = ?",
                             (wid, rnd, voter)).fetchone()[0]
            row = c.execute("SELECT dots FROM votes WHERE workshop = ? AND round = ? AND voter = ? AND candidate = ?",
                            (wid, rnd, voter, candidate)).fetchone()
            have = row[0] if row else 0
            if delta > 0 and used >= limit:
                return None
            new = max(0, have + delta)
            c.execute("INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT (workshop, round, voter, candidate) "
                      "DO UPDATE SET dots = excluded.dots", (wid, rnd, voter, candidate, new))
            return limit - (used - have + new)

    # -- review -------------------------------------------------------------------------------------
    def review(self, thread: str) -> dict | None:
        return self.one("SELECT * FROM reviews WHERE thread = ?", thread)

    def set_review(self, thread: str, status: str, by: str, requested_version: int = 0) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread) DO UPDATE SET "
                      "status = excluded.status, requested_version = excluded.requested_version, by = excluded.by, "
                      "at = excluded.at", (thread, status, requested_version, by, time.time()))

    def section_states(self, thread: str) -> dict[str, dict]:
        return {r["section"]: r for r in self.all("SELECT * FROM review_sections WHERE thread = ?", thread)}

    def set_section(self, thread: str, section: str, status: str, version: int, by: str) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO review_sections VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread, section) DO UPDATE "
                      "SET status = excluded.status, version = excluded.version, by = excluded.by, at = excluded.at",
                      (thread, section, status, version, by, time.time()))

    def add_comment(self, thread: str, section: str, version: int, by: str, text: str, request: bool) -> int:
        with self.tx() as c:
            return int(c.execute("INSERT INTO comments (thread, section, version, by, at, text, request) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (thread, section, version, by, time.time(), text, int(request))).lastrowid)

    def comments(self, thread: str, section: str | None = None) -> list[dict]:
        if section is None:
            return self.all("SELECT * FROM comments WHERE thread = ? ORDER BY id", thread)
        return self.all("SELECT * FROM comments WHERE thread = ? AND section = ? ORDER BY id", thread, section)

    def resolve_requests(self, thread: str, sections: list[str]) -> None:
        with self.tx() as c:
            for s in sections:
                c.execute("UPDATE comments SET resolved = 1 WHERE thread = ? AND section = ? AND request = 1",
                          (thread, s))

    def add_event(self, thread: str, by: str, what: str, detail: str = "") -> None:
        with self.tx() as c:
            c.execute("INSERT INTO events (thread, at, by, what, detail) VALUES (?, ?, ?, ?, ?)",
                      (thread, time.time(), by, what, detail))

    def events(self, thread: str) -> list[dict]:
        return self.all("SELECT * FROM events WHERE thread = ? ORDER BY id", thread)


def _workshop_row(row: dict) -> dict:
    row["departments"] = json.loads(row["departments"])
    row["expected"] = json.loads(row.get("expected") or "[]")
    row["anonymous"] = json.loads(row.get("anonymous") or DEFAULT_ANONYMOUS)
    return row
