"""Alembic, run from code: each store keeps its migrations in its own folder (``env.py`` there calls
:func:`run_env`) and its own version table, so several stores can share one PostgreSQL database.

A data directory from before migrations (tables made by ``CREATE TABLE IF NOT EXISTS``, columns added
by hand) is brought to the same schema by the first revision, which creates what is missing and adds
missing columns; later revisions are ordinary ones.
"""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

import sqlalchemy as sa

# Alembic's ``op`` and ``context`` are process-wide: two migrations at once in one process (two stores opened
# by two requests) would run in each other's context. One at a time per process, then.
_MIGRATING = threading.Lock()


def upgrade(engine: sa.Engine, folder: Path, version_table: str) -> None:
    """Bring the store's tables to the newest revision. Processes that open the same fresh PostgreSQL database
    at once (two replicas' first ingest into one company) take turns on an advisory lock: the second finds the
    tables made, instead of both creating the version table and one failing."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    with _MIGRATING, engine.connect() as conn:
        key = zlib.crc32(f"migrate:{version_table}".encode())
        locked = conn.dialect.name == "postgresql"
        if locked:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})  # held by the session, not a transaction
            conn.commit()
        try:
            cfg.attributes.update(connection=conn, version_table=version_table)
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            if locked:
                conn.rollback()
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def run_env() -> None:
    """The body of every migrations folder's ``env.py`` (online mode only: a store migrates itself)."""
    from alembic import context

    cfg = context.config
    context.configure(
        connection=cfg.attributes["connection"], version_table=cfg.attributes["version_table"], transactional_ddl=True
    )
    with context.begin_transaction():
        context.run_migrations()


def missing(conn, table: str, columns: list[sa.Column]) -> None:
    """Create ``table`` or add the columns an older database lacks (the first revision's one step)."""
    from alembic import op

    insp = sa.inspect(conn)
    if table not in insp.get_table_names():
        op.create_table(table, *columns)
        return
    have = {c["name"] for c in insp.get_columns(table)}
    for col in columns:
        if isinstance(col, sa.Column) and col.name not in have:
            op.add_column(table, col)
