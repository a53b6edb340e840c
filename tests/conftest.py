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
