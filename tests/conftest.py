from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import reset_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "corpus"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own data directory and default settings; the real cache dir is kept
    (the packaged model is assembled there once)."""
    for key in list(__import__("os").environ):
        if key.startswith("KATACHI_") and key != "KATACHI_CACHE_DIR":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("KATACHI_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def fake_embedder(monkeypatch):
    from tests.fakes import FakeEmbedder

    emb = FakeEmbedder()
    monkeypatch.setattr("knowledge.store.get_embedder", lambda *a: emb)
    return emb


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL for the session (Debian's binaries, a temp dir, loopback only)."""
    import os

    from tests.pg import TempPostgres, binaries

    if binaries() is None:
        if os.environ.get("KATACHI_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL server binaries are required here (apt-get install postgresql)")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    pg = TempPostgres()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path, monkeypatch):
    """Runs a test on each backend of the app's tables, the tracker and the checkpoints: the data
    directory's SQLite files, or a fresh PostgreSQL database (``KATACHI_DATABASE_URL``)."""
    if request.param == "sqlite":
        yield None
        return
    pg = request.getfixturevalue("pg_server")
    url = pg.database(f"t{abs(hash(str(tmp_path))) % 10**9}")
    monkeypatch.setenv("KATACHI_DATABASE_URL", url)
    reset_settings()
    yield url
    from core.sql_store import dispose_all
    from tests.ui import roomkit

    roomkit.close_all()
    dispose_all()
