"""A small SQL database shared by the threads of a process: SQLite in the data directory (the
embedded default) or PostgreSQL (``KATACHI_DATABASE_URL``), through SQLAlchemy Core, its schema
kept by Alembic migrations.

The stores write their SQL once, with ``?`` placeholders, in the part of SQL both engines share
(``INSERT … ON CONFLICT``, ``RETURNING``); this class hands it to the driver in its own style.
Writers are serialised as SQLite's ``BEGIN IMMEDIATE`` did: on PostgreSQL every write transaction
takes one advisory lock per store, so read-check-write sequences (a per-person limit, a dot count)
stay atomic across app replicas too.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def engine_for(url: str) -> sa.Engine:
    """One engine per URL and process: SQLite files get WAL and immediate write transactions."""
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            eng = _engines[url] = _make(url)
        return eng


_lock = threading.Lock()
_engines: dict[str, sa.Engine] = {}


def _make(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(eng, "connect")
        def _connect(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None  # SQLAlchemy's documented recipe: we issue BEGIN ourselves
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

        @sa.event.listens_for(eng, "begin")
        def _begin(conn):  # noqa: ANN001 - writers take the write lock up front; readers do not wait
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("katachi_write") else "BEGIN")

        return eng
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # A pool as deep as the requests a replica serves at once (Gradio's 40 worker threads): connections
    # beyond the pool are closed on return, and each new one is a PostgreSQL backend to start. Measured
    # with 30 tabs checking one replica for 8 s: pool 5 opened 188 backends and PostgreSQL spent 1.08 ms
    # a check (0.33 ms for one tab); pool 32 opened 30, once, and 0.57 ms. Size max_connections for it.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=32, max_overflow=8)


def redact(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


def dispose_all() -> None:
    """Close every pooled connection of this process (tests that drop their databases; a shutdown)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


def sqlite_url(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


_QMARK = re.compile(r"\?")


class Tx:
    """One transaction: ``execute(sql, args)`` with ``?`` placeholders, as sqlite3's connection had, or
    ``:name`` ones. SQLAlchemy's ``text()`` binds them for whichever driver the URL names (the dialect's
    own paramstyle and escaping), so the SQL is written once for SQLite and PostgreSQL."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, args: tuple | list | dict = ()) -> sa.CursorResult:
        """``args``: a sequence for ``?`` placeholders, or a dict for ``:name`` ones."""
        if not isinstance(args, dict):
            n = iter(range(len(args)))
            sql = _QMARK.sub(lambda _: f":p{next(n)}", sql)
            args = {f"p{i}": v for i, v in enumerate(args)}
        return self._conn.execute(sa.text(sql), dict(args))


class SQLStore:
    """``url``: a SQLAlchemy URL; ``migrations``: the Alembic script folder of this store's tables;
    ``name``: its version table (several stores can share one PostgreSQL database)."""

    def __init__(self, url: str, migrations: Path, name: str) -> None:
        from katachi.core.errors import KatachiError
        from katachi.core.sql_migrate import upgrade

        self.url, self.name = url, name
        try:
            self.engine = engine_for(url)
        except ImportError as exc:  # psycopg: the server extra is not installed
            raise KatachiError("database_driver_missing", detail=str(exc)) from exc
        self.postgres = self.engine.dialect.name == "postgresql"
        self._key = zlib.crc32(name.encode())  # the advisory lock of this store's writers
        self._lock = threading.RLock()  # one writer per process at a time; across processes, the database's lock
        self._reader = threading.local()  # the connection of an open ``reading()`` block
        try:
            upgrade(self.engine, migrations, f"{name}_version")
        except sa.exc.OperationalError as exc:  # a server down, a wrong password, a file that cannot be opened
            raise KatachiError(
                "database_unreachable", url=redact(url), detail=str(exc.orig or exc).splitlines()[0][:200]
            ) from exc

    def close(self) -> None:
        """Engines are shared per URL and process; nothing to close per store."""

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        with self._lock, self.engine.connect() as conn:
            conn.execution_options(katachi_write=True)
            with conn.begin():
                if self.postgres:
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (self._key,))
                yield Tx(conn)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """The reads of this block share one pooled connection: a page's view makes a dozen small reads,
        each once a checkout, a liveness ping, a BEGIN and a ROLLBACK (four round trips on PostgreSQL)."""
        if getattr(self._reader, "conn", None) is not None:
            yield
            return
        with self._connect() as conn:
            self._reader.conn = conn
            try:
                yield
            finally:
                self._reader.conn = None
                if not self.postgres:
                    conn.rollback()

    def _connect(self) -> sa.Connection:
        conn = self.engine.connect()
        # reads on PostgreSQL need no transaction: no BEGIN / ROLLBACK round trips
        return conn.execution_options(isolation_level="AUTOCOMMIT") if self.postgres else conn

    def all(self, sql: str, *args: Any) -> list[dict]:
        conn = getattr(self._reader, "conn", None)
        if conn is not None:
            return [dict(r) for r in Tx(conn).execute(sql, args).mappings().all()]
        with self._connect() as conn:
            rows = Tx(conn).execute(sql, args).mappings().all()
            if not self.postgres:
                conn.rollback()
        return [dict(r) for r in rows]

    def one(self, sql: str, *args: Any) -> dict | None:
        rows = self.all(sql, *args)
        return rows[0] if rows else None
