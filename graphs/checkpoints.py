"""Where workshop checkpoints live: SQLite in the data directory (the embedded default), or PostgreSQL
when ``KATACHI_DATABASE_URL`` is set (LangGraph's own Postgres saver, so several app processes and
workers can share workshops and a database the consultancy already backs up)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from katachi.core.errors import KatachiError
from katachi.core.settings import Settings
from katachi.core.sql_store import redact

log = logging.getLogger(__name__)


def open_checkpointer(settings: Settings, db_path: Path | None = None) -> tuple[Any, Callable[[], None]]:
    """(checkpointer, close). ``db_path`` (tests, evals) forces a SQLite file."""
    url = settings.database_url
    if url and db_path is None:
        return _postgres(url)
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(db_path) if db_path else settings.data_dir / "workshops.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(conn), conn.close


def _postgres(url: str) -> tuple[Any, Callable[[], None]]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import ConnectionPool
    except ImportError as exc:  # the server extra is not installed
        raise KatachiError("database_driver_missing", detail=str(exc)) from exc
    # The saver's own requirements: autocommit, no server-side prepared statements (poolers), dict rows.
    pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
        url,
        min_size=1,
        max_size=8,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    try:
        pool.open(wait=True, timeout=10)
        saver = PostgresSaver(pool)
        saver.setup()  # creates or migrates LangGraph's checkpoint tables; safe to run at every start
    except Exception as exc:  # noqa: BLE001 - any connection or auth failure: one clear message
        pool.close()
        raise KatachiError("database_unreachable", url=redact(url), detail=str(exc).splitlines()[0][:200]) from exc
    log.info("workshop checkpoints in %s", redact(url))
    return saver, pool.close
