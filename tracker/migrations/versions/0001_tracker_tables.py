"""The weekly tracker's tables: check-ins (corrections kept), proven 型, adaptations, review packs.
Revision 0001 also adopts a tracker database from before migrations as it is."""

import sqlalchemy as sa
from alembic import op

from katachi.core.sql_migrate import missing

revision = "0001"
down_revision = None

T, I, F = sa.Text, sa.Integer, sa.Float(53)  # Float(53): DOUBLE PRECISION on PostgreSQL (times in seconds)


def c(name, kind, *args, **kw):
    return sa.Column(name, kind() if kind in (T, I) else kind, *args, **kw)


def _checkins() -> list[sa.Column]:
    """A KPI's value or a use case's status for one week; a correction supersedes, never overwrites."""
    return [
        c("id", I, primary_key=True, autoincrement=True),
        c("thread", T, nullable=False),
        c("kind", T, nullable=False),
        c("item", T, nullable=False),
        c("week", T, nullable=False),
        c("value", F),
        c("unit", T, nullable=False, server_default=""),
        c("status", T, nullable=False, server_default=""),
        c("blockers", T, nullable=False, server_default=""),
        c("ai_tried", T, nullable=False, server_default=""),
        c("note", T, nullable=False, server_default=""),
        c("by", T, nullable=False, server_default=""),
        c("at", F, nullable=False),
        c("superseded_by", I),
        c("correction", T, nullable=False, server_default=""),
    ]


def _spread() -> dict[str, list[sa.Column]]:
    """What the tracker records besides check-ins: 型 proven by a KPI, their adaptations, the weekly packs."""
    return {
        "proven": [
            c("thread", T, primary_key=True),
            c("use_case", T, primary_key=True),
            c("kpi", T, nullable=False),
            c("week", T, nullable=False),
            c("by", T, nullable=False),
            c("at", F, nullable=False),
        ],
        "adaptations": [
            c("id", I, primary_key=True, autoincrement=True),
            c("thread", T, nullable=False),
            c("use_case", T, nullable=False),
            c("department", T, nullable=False),
            c("content", T, nullable=False),
            c("by", T, nullable=False),
            c("at", F, nullable=False),
        ],
        "packs": [
            c("id", I, primary_key=True, autoincrement=True),
            c("thread", T, nullable=False),
            c("week", T, nullable=False),
            c("content", T, nullable=False),
            c("by", T, nullable=False),
            c("at", F, nullable=False),
        ],
    }


def upgrade() -> None:
    conn = op.get_bind()
    missing(conn, "checkins", _checkins())
    if "checkins_item" not in {i["name"] for i in sa.inspect(conn).get_indexes("checkins")}:
        op.create_index("checkins_item", "checkins", ["thread", "kind", "item", "week"])
    for name, columns in _spread().items():
        missing(conn, name, columns)


def downgrade() -> None:
    raise NotImplementedError("the tracker tables are not removed by a downgrade")
