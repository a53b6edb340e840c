"""A company's manifest, write lock, pending mark and BM25 postings in PostgreSQL.

Used when the vectors are on a Chroma server and the app's tables in PostgreSQL
(``KATACHI_CHROMA_URL`` with ``KATACHI_DATABASE_URL``): then nothing of a store is in the data
directory, so web replicas and workers on hosts of their own ingest into and search the same store.

The postings are the file index's: the same Sudachi tokens (``knowledge.lexical.tokenize``), a row per
(term, chunk) with its count and a row per chunk with its length, scored in SQL by the same BM25
(Lucene's idf, k1 1.2, b 0.75) that ``bm25s`` computes for the file index, so both rank alike. The
write lock is a session advisory lock held on a connection of its own: an ingest that dies loses its
connection and so its lock, as a process loses its ``flock``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.knowledge.lexical import tokenize

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
K1, B = 1.2, 0.75  # as the file index's bm25s.BM25(k1=1.2, b=0.75)
_LOCK_CLASS = zlib.crc32(b"katachi-store") & 0x7FFFFFFF  # the advisory locks' first key: company writers
_stores: dict[str, object] = {}
_stores_lock = threading.Lock()


def uses_engines(settings) -> bool:
    """Whether a company's store lives in the engines: the vectors on a Chroma server and a PostgreSQL
    database for the rest. Otherwise (the embedded default) it is files in the data directory."""
    return bool(settings.chroma_url) and (settings.database_url or "").startswith("postgresql")


def store_db(url: str):
    """One SQL store of these tables per database and process (its schema migrated once)."""
    from katachi.core.sql_store import SQLStore

    with _stores_lock:
        db = _stores.get(url)
        if db is None:
            db = _stores[url] = SQLStore(url, MIGRATIONS, "knowledge")
        return db


def list_companies(url: str) -> list[str]:
    rows = store_db(url).all("SELECT company FROM store_companies WHERE manifest IS NOT NULL ORDER BY company")
    return [r["company"] for r in rows]


def _key(company: str) -> int:
    return zlib.crc32(company.encode()) & 0x7FFFFFFF


class EngineState:
    """The parts of a company's store besides its vectors, as rows (see knowledge.file_state.FileState)."""

    def __init__(self, company: str, url: str) -> None:
        self.company, self.db = company, store_db(url)

    def lexical_index(self) -> EngineLexical:
        return EngineLexical(self.company, self.db)

    def _row(self) -> dict | None:
        return self.db.one("SELECT manifest, version, pending FROM store_companies WHERE company = ?", self.company)

    def exists(self) -> bool:
        row = self._row()
        return bool(row and row["manifest"] is not None)

    def version(self) -> str:
        row = self._row()
        return row["version"] if row else ""

    def manifest(self) -> dict | None:
        row = self._row()
        return json.loads(row["manifest"]) if row and row["manifest"] is not None else None

    def write_manifest(self, manifest: dict) -> str:
        version = f"{time.time_ns()}-{id(self)}"
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO store_companies (company, manifest, version) VALUES (?, ?, ?) ON CONFLICT "
                "(company) DO UPDATE SET manifest = excluded.manifest, version = excluded.version",
                (self.company, json.dumps(manifest, ensure_ascii=False), version),
            )
        return version

    def pending(self) -> bool:
        row = self._row()
        return bool(row and row["pending"])

    def mark_pending(self, who: str) -> None:
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO store_companies (company, pending) VALUES (?, ?) ON CONFLICT (company) "
                "DO UPDATE SET pending = excluded.pending",
                (self.company, who),
            )

    def clear_pending(self) -> None:
        with self.db.tx() as c:
            c.execute("UPDATE store_companies SET pending = NULL WHERE company = ?", (self.company,))

    @contextmanager
    def writer(self, wait_s: float):
        """The company's write lock across every process on the database: waits up to ``wait_s``."""
        deadline = time.monotonic() + wait_s
        with self.db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            args = (_LOCK_CLASS, _key(self.company))
            while not conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s, %s)", args).scalar():
                if time.monotonic() >= deadline:
                    raise KatachiError("ingest_busy", company=self.company)
                time.sleep(0.2)
            try:
                yield
            finally:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(%s, %s)", args)


# BM25 over the postings, with every statistic of the company's chunks as bm25s takes them: N chunks,
# their mean length, each query term's document frequency; a query term counts as often as it occurs.
_SEARCH = """
WITH q AS MATERIALIZED (SELECT term, count(*) AS n FROM unnest(CAST(? AS text[])) AS t(term) GROUP BY term),
stats AS MATERIALIZED (SELECT count(*)::float8 AS docs, avg(length)::float8 AS avgdl FROM lexical_chunks WHERE company = ?),
df AS MATERIALIZED (SELECT p.term, count(*)::float8 AS df FROM lexical_postings p JOIN q ON q.term = p.term
       WHERE p.company = ? GROUP BY p.term)
SELECT p.chunk_id, sum(q.n * ln(1 + (stats.docs - df.df + 0.5) / (df.df + 0.5))
                       * p.tf / (p.tf + ? * (1 - ? + ? * c.length / stats.avgdl))) AS score
FROM lexical_postings p JOIN q ON q.term = p.term JOIN df ON df.term = p.term
JOIN lexical_chunks c ON c.company = p.company AND c.chunk_id = p.chunk_id CROSS JOIN stats
WHERE p.company = ? {department}
GROUP BY p.chunk_id ORDER BY score DESC, p.chunk_id LIMIT ?
"""


class EngineLexical:
    """The same interface as knowledge.lexical.LexicalIndex, over the postings tables."""

    def __init__(self, company: str, db) -> None:
        self.company, self.db = company, db

    def ids(self) -> list[str]:
        return [
            r["chunk_id"] for r in self.db.all("SELECT chunk_id FROM lexical_chunks WHERE company = ?", self.company)
        ]

    def update(self, added: dict[str, tuple[str, dict]], removed: list[str]) -> None:
        """``added``: chunk id -> (text to index, metadata used for filters). One transaction."""
        if not added and not removed:
            return
        chunks: tuple[list[str], list[str], list[int]] = ([], [], [])  # chunk id, department, length
        postings: tuple[list[str], list[str], list[int]] = ([], [], [])  # term, chunk id, tf
        for cid, (text, meta) in added.items():
            counts = Counter(t.replace("\x00", "") for t in tokenize(text))
            counts.pop("", None)
            chunks[0].append(cid)
            chunks[1].append(meta.get("department") or "")
            chunks[2].append(sum(counts.values()) or 1)  # as the file index: an empty chunk counts as one token
            for term, tf in counts.items():
                postings[0].append(term)
                postings[1].append(cid)
                postings[2].append(tf)
        gone = list(removed) + list(added)  # re-added chunks replace their old rows
        with self.db.tx() as c:
            for table in ("lexical_postings", "lexical_chunks"):
                c.execute(
                    f"DELETE FROM {table} WHERE company = ? AND chunk_id = ANY(CAST(? AS text[]))", (self.company, gone)
                )
            if added:
                c.execute(
                    "INSERT INTO lexical_chunks (company, chunk_id, department, length) SELECT ?, "
                    "unnest(CAST(? AS text[])), unnest(CAST(? AS text[])), unnest(CAST(? AS int[]))",
                    (self.company, *chunks),
                )
                c.execute(
                    "INSERT INTO lexical_postings (company, term, chunk_id, tf) SELECT ?, "
                    "unnest(CAST(? AS text[])), unnest(CAST(? AS text[])), unnest(CAST(? AS int[]))",
                    (self.company, *postings),
                )
        # Fresh planner statistics: before autovacuum's first look at new postings the planner nests
        # loops over them (JSQuAD's 1,145 paragraphs: 80-230 ms a query; 3-20 ms once analysed).
        with self.db.tx() as c:
            c.execute("ANALYZE lexical_postings, lexical_chunks")

    def search(self, query: str, k: int, department: str | None = None) -> list[tuple[str, float]]:
        q = [t.replace("\x00", "") for t in tokenize(query)]
        q = [t for t in q if t]
        if not q:
            return []
        sql = _SEARCH.format(department="AND c.department = ?" if department else "")
        args = [q, self.company, self.company, K1, B, B, self.company] + ([department] if department else []) + [k]
        return [(r["chunk_id"], float(r["score"])) for r in self.db.all(sql, *args) if r["score"] > 0]
