"""A join code's window starts when the room opens and the facilitator can renew it; a timer belongs
to the stage it was set in.

Workshops made before this revision keep the window they had (48 hours from creation, the default).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("workshops")}
    added = []
    for name, kind, default in (
        ("opened", sa.Float(53), None),
        ("code_until", sa.Float(53), None),
        ("timer_stage", sa.Text(), ""),
    ):
        if name not in have:
            op.add_column("workshops", sa.Column(name, kind, nullable=default is None, server_default=default))
            added.append(name)
    if "code_until" in added:
        op.execute("UPDATE workshops SET opened = created, code_until = created + 172800 WHERE join_code IS NOT NULL")


def downgrade() -> None:
    for name in ("timer_stage", "code_until", "opened"):
        op.drop_column("workshops", name)
