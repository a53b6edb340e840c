"""Weekly check-ins, proven 型, adaptations and review packs: a small SQLite file beside the checkpointer,
or tables in the PostgreSQL database of ``KATACHI_DATABASE_URL`` (schema: ``migrations/``).

A correction never overwrites: the old row is kept, marked superseded by the new one, with the reason.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from katachi.core.sql_store import SQLStore, sqlite_url

MIGRATIONS = Path(__file__).with_name("migrations")


FIELDS = ("kind", "item", "week", "value", "unit", "status", "blockers", "ai_tried", "note", "by")


class TrackerDB(SQLStore):
    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        if not url:
            assert path is not None, "a SQLite file or a server database's URL"
            url = sqlite_url(path)
        super().__init__(url, MIGRATIONS, "katachi_tracker")

    # -- check-ins -----------------------------------------------------------------------------------
    def checkins(self, thread: str, include_superseded: bool = False) -> list[dict]:
        sql = "SELECT * FROM checkins WHERE thread = ?" + ("" if include_superseded else " AND superseded_by IS NULL")
        return self.all(sql + " ORDER BY week, kind, item, id", thread)

    def current(self, thread: str, kind: str, item: str, week: str) -> dict | None:
        rows = self.all(
            "SELECT * FROM checkins WHERE thread = ? AND kind = ? AND item = ? AND week = ? AND superseded_by IS NULL",
            thread,
            kind,
            item,
            week,
        )
        return rows[0] if rows else None

    def add_checkin(self, thread: str, row: dict, correction: str = "", replaces: int | None = None) -> int:
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO checkins (thread, kind, item, week, value, unit, status, blockers, ai_tried, "
                "note, by, at, correction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (thread, *(row.get(f) for f in FIELDS), time.time(), correction),
            )
            new = int(cur.scalar_one())
            if replaces is not None:
                c.execute("UPDATE checkins SET superseded_by = ? WHERE id = ?", (new, replaces))
            return new

    # -- proven 型, adaptations, packs ----------------------------------------------------------------
    def prove(self, thread: str, use_case: str, kpi: str, week: str, by: str) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO proven (thread, use_case, kpi, week, by, at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (thread, use_case) DO UPDATE SET kpi = excluded.kpi, week = excluded.week, "
                "by = excluded.by, at = excluded.at",
                (thread, use_case, kpi, week, by, time.time()),
            )

    def proven(self, thread: str) -> list[dict]:
        return self.all("SELECT * FROM proven WHERE thread = ? ORDER BY use_case", thread)

    def add_adaptation(self, thread: str, use_case: str, department: str, content: dict, by: str) -> int:
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO adaptations (thread, use_case, department, content, by, at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (thread, use_case, department, json.dumps(content, ensure_ascii=False), by, time.time()),
            )
            return int(cur.scalar_one())

    def adaptations(self, thread: str) -> list[dict]:
        rows = self.all("SELECT * FROM adaptations WHERE thread = ? ORDER BY id", thread)
        for r in rows:
            r["content"] = json.loads(r["content"])
        return rows

    def add_pack(self, thread: str, week: str, content: dict, by: str) -> int:
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO packs (thread, week, content, by, at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (thread, week, json.dumps(content, ensure_ascii=False), by, time.time()),
            )
            return int(cur.scalar_one())

    def packs(self, thread: str) -> list[dict]:
        rows = self.all("SELECT * FROM packs WHERE thread = ? ORDER BY id", thread)
        for r in rows:
            r["content"] = json.loads(r["content"])
        return rows
