"""The web app's tables: accounts, workshops and their rooms (pain points, votes, ratings), reviews.

Revision 0001 also brings a database from before migrations to this schema: missing tables are made,
missing columns added, and guests of the old global kind dropped (a guest that is a name alone lets a
later guest of the same name into a finished workshop).
"""

import sqlalchemy as sa
from alembic import op

from katachi.core.sql_migrate import missing

revision = "0001"
down_revision = None

T, I, F = sa.Text, sa.Integer, sa.Float(53)  # Float(53): DOUBLE PRECISION on PostgreSQL (times in seconds)


def col(name, kind, *args, **kw):
    return sa.Column(name, kind() if kind in (T, I) else kind, *args, **kw)


def _accounts() -> dict[str, list[sa.Column]]:
    """Who may sign in and which companies they belong to."""
    return {
        "users": [
            col("username", T, primary_key=True),
            col("pw_hash", T, nullable=False),
            col("role", T, nullable=False),
            col("display", T, nullable=False, server_default=""),
            col("created", F, nullable=False),
            col("lang", T, nullable=False, server_default=""),
        ],
        "members": [col("username", T, primary_key=True), col("company", T, primary_key=True)],
    }


def _rooms() -> dict[str, list[sa.Column]]:
    """Workshops and what their rooms collect: seats, joins, pain points, ratings, dot votes."""
    return {
        "workshops": [
            col("id", T, primary_key=True),
            col("company", T, nullable=False),
            col("title", T, nullable=False),
            col("lang", T, nullable=False),
            col("departments", T, nullable=False),
            col("mode", T, nullable=False),
            col("owner", T, nullable=False),
            col("join_code", T, unique=True),
            col("dots", I, nullable=False),
            col("created", F, nullable=False),
            col("timer_end", F),
            col("timer_label", T, nullable=False, server_default=""),
            col("expected", T, nullable=False, server_default="[]"),
            col("review", I, nullable=False, server_default="1"),
            col("revealed", T, nullable=False, server_default=""),
            col("votes_shown", T, nullable=False, server_default=""),
            col("anonymous", T, nullable=False, server_default='["endorse"]'),
        ],
        "guest_seats": [
            col("name", T, primary_key=True),
            col("workshop", T, primary_key=True),
            col("created", F, nullable=False),
            col("lang", T, nullable=False, server_default=""),
        ],
        "joined": [
            col("workshop", T, primary_key=True),
            col("username", T, primary_key=True),
            col("at", F, nullable=False),
        ],
        "pain_points": [
            col("id", I, primary_key=True, autoincrement=True),
            col("workshop", T, nullable=False),
            col("author", T),
            col("department", T, nullable=False, server_default=""),
            col("text", T, nullable=False),
            col("created", F, nullable=False),
            col("hidden", I, nullable=False, server_default="0"),
            col("merged_into", I),
            col("edited_by", T),
            col("sender", T),
        ],
        "ratings": _ratings(),
        "votes": _votes(),
    }


def _ratings() -> list[sa.Column]:
    return [
        col("workshop", T, primary_key=True),
        col("kind", T, primary_key=True),
        col("target", T, primary_key=True),
        col("voter", T, primary_key=True),
        col("a", I, nullable=False, server_default="0"),
        col("b", I, nullable=False, server_default="0"),
        col("comment", T, nullable=False, server_default=""),
        col("named", I, nullable=False, server_default="0"),
        col("at", F, nullable=False),
    ]


def _votes() -> list[sa.Column]:
    return [
        col("workshop", T, primary_key=True),
        col("round", T, primary_key=True),
        col("voter", T, primary_key=True),
        col("candidate", I, primary_key=True),
        col("dots", I, nullable=False),
    ]


def _reviews() -> dict[str, list[sa.Column]]:
    """The consultants' review of a playbook: its status, per-section sign-off, comments, the audit trail."""
    return {
        "reviews": [
            col("thread", T, primary_key=True),
            col("status", T, nullable=False),
            col("requested_version", I, nullable=False, server_default="0"),
            col("by", T, nullable=False),
            col("at", F, nullable=False),
        ],
        "review_sections": [
            col("thread", T, primary_key=True),
            col("section", T, primary_key=True),
            col("status", T, nullable=False),
            col("version", I, nullable=False),
            col("by", T, nullable=False),
            col("at", F, nullable=False),
        ],
        "comments": [
            col("id", I, primary_key=True, autoincrement=True),
            col("thread", T, nullable=False),
            col("section", T, nullable=False),
            col("version", I, nullable=False),
            col("by", T, nullable=False),
            col("at", F, nullable=False),
            col("text", T, nullable=False),
            col("request", I, nullable=False, server_default="0"),
            col("resolved", I, nullable=False, server_default="0"),
        ],
        "events": [
            col("id", I, primary_key=True, autoincrement=True),
            col("thread", T, nullable=False),
            col("at", F, nullable=False),
            col("by", T, nullable=False),
            col("what", T, nullable=False),
            col("detail", T, nullable=False, server_default=""),
        ],
    }


def upgrade() -> None:
    conn = op.get_bind()
    for name, columns in {**_accounts(), **_rooms(), **_reviews()}.items():
        missing(conn, name, columns)
    if "pain_by_ws" not in {i["name"] for i in sa.inspect(conn).get_indexes("pain_points")}:
        op.create_index("pain_by_ws", "pain_points", ["workshop", "id"])
    if "guests" in sa.inspect(conn).get_table_names():
        op.execute("DELETE FROM joined WHERE username IN (SELECT name FROM guests)")
        op.drop_table("guests")


def downgrade() -> None:
    raise NotImplementedError("the app tables are not removed by a downgrade")
