"""Alembic environment of the weekly tracker's tables (see core.sql_migrate)."""

from katachi.core.sql_migrate import run_env

run_env()
