"""Alembic environment of the document stores' tables on PostgreSQL (see core.sql_migrate)."""

from katachi.core.sql_migrate import run_env

run_env()
