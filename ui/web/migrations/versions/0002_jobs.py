"""Model jobs in the database: web replicas enqueue, ``katachi worker`` processes take them.

A running job carries a lease its worker renews; a job whose lease ran out is taken by another worker
(the workshop's checkpoint keeps every approved gate)."""

import sqlalchemy as sa
from alembic import op

from katachi.core.sql_migrate import missing

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    T, I, F = sa.Text(), sa.Integer(), sa.Float(53)
    missing(
        op.get_bind(),
        "jobs",
        [
            sa.Column("id", I, primary_key=True, autoincrement=True),
            sa.Column("workshop", T, nullable=False),
            sa.Column("label", T, nullable=False),
            sa.Column("spec", T, nullable=False),
            sa.Column("state", T, nullable=False),
            sa.Column("attempts", I, nullable=False, server_default="0"),
            sa.Column("worker", T, nullable=False, server_default=""),
            sa.Column("lease_until", F),
            sa.Column("created", F, nullable=False),
            sa.Column("started", F),
            sa.Column("finished", F),
            sa.Column("node", T, nullable=False, server_default=""),
            sa.Column("drafts", T, nullable=False, server_default="[]"),
            sa.Column("error", T, nullable=False, server_default=""),
        ],
    )
    op.create_index("jobs_by_state", "jobs", ["state", "id"])
    op.create_index("jobs_by_workshop", "jobs", ["workshop", "id"])


def downgrade() -> None:
    op.drop_table("jobs")
