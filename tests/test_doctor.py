from katachi.ui.cli.main import main
from tests.fakes import FakeEmbedder


def test_doctor_reports_provider_embedder_and_companies(tmp_path, monkeypatch, capsys, fake_embedder):
    monkeypatch.setenv("KATACHI_PROVIDER", "openai")
    monkeypatch.setenv("KATACHI_OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setattr("katachi.knowledge.embedder.get_embedder", lambda *a: FakeEmbedder())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n本文です。\n", encoding="utf-8")
    assert main(["--lang", "en", "ingest", str(docs), "--company", "acme"]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "doctor"]) == 0
    out = capsys.readouterr().out
    assert "provider: openai" in out and "127.0.0.1:8000" in out
    assert "acme: 1 documents, 1 chunks" in out and "all good" in out


def test_doctor_names_what_is_wrong(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KATACHI_LOCAL_MODEL", str(tmp_path / "missing.gguf"))
    monkeypatch.setattr("katachi.knowledge.embedder.get_embedder", lambda *a: FakeEmbedder())
    assert main(["--lang", "ja", "doctor"]) == 1
    out = capsys.readouterr().out
    assert "KATACHI_LOCAL_MODEL のファイルがありません" in out
