"""Login sessions in the database: any app replica (and a restarted one) knows who a browser is.
Only a hash of each session token is stored."""

import sqlalchemy as sa
from alembic import op

from katachi.core.sql_migrate import missing

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    missing(
        op.get_bind(),
        "sessions",
        [
            sa.Column("token_hash", sa.Text(), primary_key=True),
            sa.Column("username", sa.Text(), nullable=False),
            sa.Column("created", sa.Float(53), nullable=False),
        ],
    )


def downgrade() -> None:
    op.drop_table("sessions")
