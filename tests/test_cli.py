from katachi.ui.cli.main import main


def test_ingest_and_search_from_the_command_line(tmp_path, fake_embedder, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sales.md").write_text("# 営業\n\n提案書の作成に二日かかる。\n", encoding="utf-8")
    (docs / "legacy.txt").write_bytes("売上の集計表です。".encode("cp932"))
    (docs / "blob.md").write_bytes(bytes(range(256)) * 4)
    assert main(["--lang", "ja", "ingest", str(docs), "--company", "acme"]) == 0
    out = capsys.readouterr().out
    assert "バイナリファイル" in out and "取り込み 2 件" in out
    assert main(["search", "提案書", "--company", "acme", "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "sales.md" in out and "営業" in out


def test_errors_are_messages_not_tracebacks(tmp_path, fake_embedder, capsys):
    assert main(["--lang", "ja", "search", "x", "--company", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "会社「nobody」のナレッジがありません" in err and "Traceback" not in err
    assert main(["--lang", "en", "ingest", str(tmp_path / "missing"), "--company", "acme"]) == 2
    assert "Path not found" in capsys.readouterr().err


def test_nothing_ingested_is_a_failure(tmp_path, fake_embedder, capsys):
    (tmp_path / "only.txt").write_bytes(b"\x00\x01\x02\x03\x04" * 100)
    assert main(["--lang", "en", "ingest", str(tmp_path / "only.txt"), "--company", "acme"]) == 2
    assert "Nothing could be ingested" in capsys.readouterr().err
