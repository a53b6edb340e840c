"""The document stores in the database (``KATACHI_DATABASE_URL`` with ``KATACHI_CHROMA_URL``): each
company's manifest, version stamp and pending mark, and its BM25 postings from the Sudachi tokens, so
replicas and workers on data directories of their own search and repair the same store."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    T, I = sa.Text(), sa.Integer()
    op.create_table(
        "store_companies",
        sa.Column("company", T, primary_key=True),
        sa.Column("manifest", T),  # JSON; NULL until the first ingest has finished
        sa.Column("version", T, nullable=False, server_default=""),
        sa.Column("pending", T),
    )  # who started a write not finished yet (the repair's cue)
    op.create_table(
        "lexical_chunks",
        sa.Column("company", T, primary_key=True),
        sa.Column("chunk_id", T, primary_key=True),
        sa.Column("department", T, nullable=False, server_default=""),
        sa.Column("length", I, nullable=False),
    )
    op.create_table(
        "lexical_postings",
        sa.Column("company", T, primary_key=True),
        sa.Column("term", T, primary_key=True),
        sa.Column("chunk_id", T, primary_key=True),
        sa.Column("tf", I, nullable=False),
    )
    op.create_index("lexical_postings_by_chunk", "lexical_postings", ["company", "chunk_id"])


def downgrade() -> None:
    for name in ("lexical_postings", "lexical_chunks", "store_companies"):
        op.drop_table(name)
