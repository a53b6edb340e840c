"""The app's own tables: users, company membership, workshops, pain points, votes, ratings, reviews.

A small SQLite file in the data directory, or tables in the PostgreSQL database of
``KATACHI_DATABASE_URL`` (schema and its history: ``migrations/``). Workshop content (themes, KPIs,
playbook) lives in the graph's checkpointer; this database holds what the room needs around it, so
that a refresh or a server restart loses nothing.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from katachi.core.sql_store import SQLStore, sqlite_url

MIGRATIONS = Path(__file__).with_name("migrations")

# Endorsement is anonymous unless the facilitator says otherwise: executives dissent more freely so.
DEFAULT_ANONYMOUS = '["endorse"]'


class AppDB(SQLStore):
    """``path``: the SQLite file in the data directory; ``url``: a server database instead (tables of
    ``migrations/``, the same in both)."""

    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        if not url:
            assert path is not None, "a SQLite file or a server database's URL"
            url = sqlite_url(path)
        super().__init__(url, MIGRATIONS, "katachi_app")

    # -- users ---------------------------------------------------------------------------------------
    def add_user(self, username: str, pw_hash: str, role: str, display: str, companies: list[str]) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO users (username, pw_hash, role, display, created) VALUES (?, ?, ?, ?, ?)",
                (username, pw_hash, role, display, time.time()),
            )
            for co in companies:
                c.execute(
                    "INSERT INTO members (username, company) VALUES (?, ?) ON CONFLICT DO NOTHING", (username, co)
                )

    def set_password(self, username: str, pw_hash: str) -> None:
        with self.tx() as c:
            c.execute("UPDATE users SET pw_hash = ? WHERE username = ?", (pw_hash, username))

    def user(self, username: str) -> dict | None:
        return self.one("SELECT * FROM users WHERE username = ?", username)

    def users(self) -> list[dict]:
        return self.all("SELECT username, role, display, created FROM users ORDER BY username")

    def companies_of(self, username: str) -> list[str]:
        return [
            r["company"] for r in self.all("SELECT company FROM members WHERE username = ? ORDER BY company", username)
        ]

    # -- workshops -----------------------------------------------------------------------------------
    def add_workshop(self, row: dict) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO workshops (id, company, title, lang, departments, mode, owner, join_code, dots, "
                "created, expected, review) VALUES (:id, :company, :title, :lang, :departments, :mode, :owner, "
                ":join_code, :dots, :created, :expected, :review)",
                {
                    **row,
                    "departments": json.dumps(row["departments"], ensure_ascii=False),
                    "expected": json.dumps(row.get("expected") or [], ensure_ascii=False),
                    "review": int(row.get("review", True)),
                },
            )

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
            c.execute(
                "INSERT INTO joined (workshop, username, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (wid, username, time.time()),
            )

    def joined(self, username: str) -> list[str]:
        return [r["workshop"] for r in self.all("SELECT workshop FROM joined WHERE username = ?", username)]

    def participants(self, wid: str) -> list[str]:
        return [r["username"] for r in self.all("SELECT username FROM joined WHERE workshop = ? ORDER BY at", wid)]

    # -- guests: people who joined one workshop with a display name and its join code ------------------
    def guest(self, name: str, wid: str) -> dict | None:
        return self.one("SELECT * FROM guest_seats WHERE name = ? AND workshop = ?", name, wid)

    def seat(self, name: str, wid: str, keep: str | None = None) -> str:
        """The guest id of a seat for ``name`` in ``wid``: ``keep`` (the browser's own seat) when it is
        this name's, else a new seat — 「佐藤」, or 「佐藤 (2)」 when another 佐藤 sat down first (two people
        of one name sharing a seat would overwrite each other's answers)."""
        from katachi.ui.policy import guest_id, split_guest

        kept = split_guest(keep) if keep else None
        if keep and kept and base_name(kept[0]) == name and self.guest(kept[0], wid):
            return keep
        for n in range(1, 10_000):
            seat = name if n == 1 else f"{name} ({n})"
            with self.tx() as c:
                if (
                    c.execute(
                        "INSERT INTO guest_seats (name, workshop, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        (seat, wid, time.time()),
                    ).rowcount
                    != 1
                ):
                    continue  # taken (also by someone joining at this moment): the next number
                c.execute(
                    "INSERT INTO joined (workshop, username, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (wid, guest_id(seat, wid), time.time()),
                )
            return guest_id(seat, wid)
        raise RuntimeError("no seat left")  # 10,000 people of one name in one room

    # -- the room's door: when it opened, how long its code works -------------------------------------
    def open_room(self, wid: str, hours: float, now: float | None = None) -> None:
        """The first time the room is used (its facilitator opens it, or someone joins): the code's window
        starts. Nothing changes after that."""
        now = now or time.time()
        with self.tx() as c:
            c.execute(
                "UPDATE workshops SET opened = ?, code_until = ? WHERE id = ? AND opened IS NULL",
                (now, now + hours * 3600, wid),
            )

    def renew_code(self, wid: str, hours: float, now: float | None = None) -> None:
        now = now or time.time()
        with self.tx() as c:
            c.execute(
                "UPDATE workshops SET opened = COALESCE(opened, ?), code_until = ? WHERE id = ?",
                (now, now + hours * 3600, wid),
            )

    # -- pain points ---------------------------------------------------------------------------------
    def add_pain_point(
        self,
        wid: str,
        author: str | None,
        department: str,
        text: str,
        sender: str = "",
        per_sender: int | None = None,
        per_workshop: int | None = None,
    ) -> int:
        """Checks the limits in the same transaction as the insert, so quick clicks cannot pass them.
        Returns the new id; -1 when the sender is at ``per_sender``, -2 when the workshop is full."""
        with self.tx() as c:
            if (
                per_sender is not None
                and c.execute(
                    "SELECT COUNT(*) FROM pain_points WHERE workshop = ? AND sender = ? AND hidden = 0", (wid, sender)
                ).one()[0]
                >= per_sender
            ):
                return -1
            if (
                per_workshop is not None
                and c.execute("SELECT COUNT(*) FROM pain_points WHERE workshop = ? AND hidden = 0", (wid,)).one()[0]
                >= per_workshop
            ):
                return -2
            cur = c.execute(
                "INSERT INTO pain_points (workshop, author, department, text, created, sender) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (wid, author, department, text, time.time(), sender or author),
            )
            return int(cur.scalar_one())

    def pain_points(self, wid: str, include_hidden: bool = False) -> list[dict]:
        sql = "SELECT * FROM pain_points WHERE workshop = ?" + ("" if include_hidden else " AND hidden = 0")
        return self.all(sql + " ORDER BY id", wid)

    def edit_pain_point(self, wid: str, pid: int, text: str, department: str | None, editor: str) -> bool:
        with self.tx() as c:
            sets, args = ["text = ?", "edited_by = ?"], [text, editor]
            if department is not None:
                sets.append("department = ?")
                args.append(department)
            cur = c.execute(
                f"UPDATE pain_points SET {', '.join(sets)} WHERE workshop = ? AND id = ? AND hidden = 0",
                (*args, wid, pid),
            )
            return cur.rowcount == 1

    def hide_pain_points(self, wid: str, ids: list[int], merged_into: int | None = None) -> int:
        with self.tx() as c:
            n = 0
            for pid in ids:
                n += c.execute(
                    "UPDATE pain_points SET hidden = 1, merged_into = ? WHERE workshop = ? AND id = ?",
                    (merged_into, wid, pid),
                ).rowcount
            return n

    # -- ratings, endorsement and comments while the model works ---------------------------------------
    def rate(
        self,
        wid: str,
        kind: str,
        target: str,
        voter: str,
        a: int = 0,
        b: int = 0,
        comment: str = "",
        named: bool = False,
    ) -> None:
        """One person's answer to one item of an activity; answering again replaces it."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO ratings (workshop, kind, target, voter, a, b, comment, named, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workshop, kind, target, voter) "
                "DO UPDATE SET a = excluded.a, b = excluded.b, comment = excluded.comment, "
                "named = excluded.named, at = excluded.at",
                (wid, kind, target, voter, int(a), int(b), comment, int(named), time.time()),
            )

    def ratings(self, wid: str, kind: str) -> list[dict]:
        return self.all(
            "SELECT target, voter, a, b, comment, named FROM ratings WHERE workshop = ? AND kind = ? ORDER BY at",
            wid,
            kind,
        )

    # -- language ------------------------------------------------------------------------------------
    def set_lang(self, username: str, lang: str) -> None:
        from katachi.ui.policy import split_guest

        with self.tx() as c:
            g = split_guest(username)
            if g:
                c.execute("UPDATE guest_seats SET lang = ? WHERE name = ? AND workshop = ?", (lang, *g))
            else:
                c.execute("UPDATE users SET lang = ? WHERE username = ?", (lang, username))

    def lang_of(self, username: str) -> str:
        from katachi.ui.policy import split_guest

        g = split_guest(username)
        row = self.guest(*g) if g else self.user(username)
        return (row or {}).get("lang") or ""

    # -- dot votes -----------------------------------------------------------------------------------
    def votes(self, wid: str, rnd: str) -> list[dict]:
        return self.all(
            "SELECT voter, candidate, dots FROM votes WHERE workshop = ? AND round = ? AND dots > 0", wid, rnd
        )

    def move_dot(self, wid: str, rnd: str, voter: str, candidate: int, delta: int, limit: int) -> int | None:
        """Add (+1) or take back (-1) one dot atomically; returns the voter's dots left, None if over the limit."""
        with self.tx() as c:
            used = c.execute(
                "SELECT COALESCE(SUM(dots), 0) FROM votes WHERE workshop = ? AND round = ? AND voter = ?",
                (wid, rnd, voter),
            ).one()[0]
            row = c.execute(
                "SELECT dots FROM votes WHERE workshop = ? AND round = ? AND voter = ? AND candidate = ?",
                (wid, rnd, voter, candidate),
            ).fetchone()
            have = row[0] if row else 0
            if delta > 0 and used >= limit:
                return None
            new = max(0, have + delta)
            c.execute(
                "INSERT INTO votes (workshop, round, voter, candidate, dots) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (workshop, round, voter, candidate) DO UPDATE SET dots = excluded.dots",
                (wid, rnd, voter, candidate, new),
            )
            return limit - (used - have + new)

    # -- review -------------------------------------------------------------------------------------
    def review(self, thread: str) -> dict | None:
        return self.one("SELECT * FROM reviews WHERE thread = ?", thread)

    def set_review(self, thread: str, status: str, by: str, requested_version: int = 0) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO reviews (thread, status, requested_version, by, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (thread) DO UPDATE SET "
                "status = excluded.status, requested_version = excluded.requested_version, by = excluded.by, "
                "at = excluded.at",
                (thread, status, requested_version, by, time.time()),
            )

    def section_states(self, thread: str) -> dict[str, dict]:
        return {r["section"]: r for r in self.all("SELECT * FROM review_sections WHERE thread = ?", thread)}

    def set_section(self, thread: str, section: str, status: str, version: int, by: str) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO review_sections (thread, section, status, version, by, at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (thread, section) DO UPDATE "
                "SET status = excluded.status, version = excluded.version, by = excluded.by, at = excluded.at",
                (thread, section, status, version, by, time.time()),
            )

    def add_comment(self, thread: str, section: str, version: int, by: str, text: str, request: bool) -> int:
        with self.tx() as c:
            return int(
                c.execute(
                    "INSERT INTO comments (thread, section, version, by, at, text, request) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (thread, section, version, by, time.time(), text, int(request)),
                ).scalar_one()
            )

    def comments(self, thread: str, section: str | None = None) -> list[dict]:
        if section is None:
            return self.all("SELECT * FROM comments WHERE thread = ? ORDER BY id", thread)
        return self.all("SELECT * FROM comments WHERE thread = ? AND section = ? ORDER BY id", thread, section)

    def resolve_requests(self, thread: str, sections: list[str]) -> None:
        with self.tx() as c:
            for s in sections:
                c.execute(
                    "UPDATE comments SET resolved = 1 WHERE thread = ? AND section = ? AND request = 1", (thread, s)
                )

    def add_event(self, thread: str, by: str, what: str, detail: str = "") -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO events (thread, at, by, what, detail) VALUES (?, ?, ?, ?, ?)",
                (thread, time.time(), by, what, detail),
            )

    def events(self, thread: str) -> list[dict]:
        return self.all("SELECT * FROM events WHERE thread = ? ORDER BY id", thread)


def base_name(seat: str) -> str:
    """The name a seat was given for: 「佐藤 (2)」 → 「佐藤」."""
    m = re.fullmatch(r"(.+) \((\d+)\)", seat)
    return m.group(1) if m else seat


def _workshop_row(row: dict) -> dict:
    row["departments"] = json.loads(row["departments"])
    row["expected"] = json.loads(row.get("expected") or "[]")
    row["anonymous"] = json.loads(row.get("anonymous") or DEFAULT_ANONYMOUS)
    return row


def open_app_db(settings) -> AppDB:
    """The app's database for these settings: the server database when there is one, else the data dir."""
    return AppDB(settings.data_dir / "app.sqlite", url=settings.database_url)
