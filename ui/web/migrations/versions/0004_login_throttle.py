"""Failed logins and login locks in the database: with several app replicas, a client guessing
join codes or a password is counted once, whichever replica it reaches."""

import sqlalchemy as sa
from alembic import op

from katachi.core.sql_migrate import missing

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    bind = op.get_bind()
    missing(
        bind,
        "login_failures",
        [sa.Column("key", sa.Text(), nullable=False), sa.Column("at", sa.Float(53), nullable=False)],
    )
    if "ix_login_failures_key" not in {i["name"] for i in sa.inspect(bind).get_indexes("login_failures")}:
        op.create_index("ix_login_failures_key", "login_failures", ["key"])
    missing(
        bind,
        "login_locks",
        [sa.Column("key", sa.Text(), primary_key=True), sa.Column("until", sa.Float(53), nullable=False)],
    )


def downgrade() -> None:
    op.drop_table("login_locks")
    op.drop_index("ix_login_failures_key", "login_failures")
    op.drop_table("login_failures")
