from __future__ import annotations

from pathlib import Path

import pytest

from katachi.core.settings import reset_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "corpus"


# The fast layer (`pytest -m "not slow"`) is the unit tests on fake models, SQLite and the embedded Chroma.
# These layers are slow by definition, and so is any test on a server engine (PostgreSQL, a Chroma server:
# the server backends' params of `backend` and `vectors` are marked where they are declared).
SLOW_LAYERS = ("integration", "browser", "faults", "scale")
SERVER_FIXTURES = {"pg_server", "chroma_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(m) for m in SLOW_LAYERS) or SERVER_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


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
    monkeypatch.setattr("katachi.knowledge.store.get_embedder", lambda *a: emb)
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
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
    from katachi.core.sql_store import dispose_all
    from tests.ui import roomkit

    roomkit.close_all()
    dispose_all()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """One Chroma server for the session (``chroma run`` from the chromadb package, loopback only)."""
    from tests.chroma import TempChroma, command

    if command() is None:
        pytest.skip("the chroma command is not installed")
    try:
        server = TempChroma(tmp_path_factory.mktemp("chroma"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server.url
    server.stop()


@pytest.fixture(params=["embedded", pytest.param("chroma-server", marks=pytest.mark.slow)])
def vectors(request, tmp_path, monkeypatch):
    """Runs a test on each home of the documents' vectors: a Chroma directory per company in the data
    directory, or a Chroma server (``KATACHI_CHROMA_URL``), in a tenant of its own per test."""
    if request.param == "embedded":
        yield None
        return
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    url = request.getfixturevalue("chroma_server")
    tenant = f"t{abs(hash(str(tmp_path))) % 10**9}"
    u = urlparse(url)
    chromadb.AdminClient(
        ChromaSettings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=u.hostname,
            chroma_server_http_port=u.port,
        )
    ).create_tenant(tenant)
    monkeypatch.setenv("KATACHI_CHROMA_URL", url)
    monkeypatch.setenv("KATACHI_CHROMA_TENANT", tenant)
    reset_settings()
    yield url
