"""Settings are values: two services built on two data directories in one process never see each
other's documents or workshops, and nothing a command does changes the process environment."""

from __future__ import annotations

import os

from katachi.core.settings import Settings
from katachi.graphs.service import WorkshopService
from katachi.knowledge.store import CompanyStore


def test_two_services_two_data_dirs_one_process(tmp_path, fake_embedder):
    a, b = Settings(data_dir=tmp_path / "a"), Settings(data_dir=tmp_path / "b")
    (tmp_path / "docs-a").mkdir()
    (tmp_path / "docs-b").mkdir()
    (tmp_path / "docs-a" / "a.md").write_text(
        "# 経費\n出張の経費精算はA社の規程で月末締めとする。領収書を添付する。", encoding="utf-8"
    )
    (tmp_path / "docs-b" / "b.md").write_text(
        "# 採用\nB社の採用面接は二回行い、人事部長が最終判断をする。", encoding="utf-8"
    )
    CompanyStore("acme", a, create=True).ingest([tmp_path / "docs-a"])
    CompanyStore("acme", b, create=True).ingest([tmp_path / "docs-b"])
    sa, sb = WorkshopService(a), WorkshopService(b)
    try:
        hits_a = sa.runtime.retriever_for("acme").search("経費 採用 規程 面接", k=10)
        hits_b = sb.runtime.retriever_for("acme").search("経費 採用 規程 面接", k=10)
        assert hits_a and all("A社" in p.text for p in hits_a)
        assert hits_b and all("B社" in p.text for p in hits_b)
        assert sa.checkpointer is not sb.checkpointer
        assert (tmp_path / "a" / "workshops.sqlite").is_file() and (tmp_path / "b" / "workshops.sqlite").is_file()
    finally:
        sa.close()
        sb.close()


def test_cli_flags_do_not_touch_the_environment(tmp_path, monkeypatch, capsys):
    from katachi.ui.cli.main import main

    monkeypatch.setenv("KATACHI_DATA_DIR", str(tmp_path / "d"))
    before = dict(os.environ)
    main(["--lang", "en", "--model", "openai:some-model", "search", "x", "--company", "nobody"])
    assert dict(os.environ) == before
    assert "nobody" in capsys.readouterr().err  # the English message, from the flag's settings


def test_library_debug_lines_stay_off_the_terminal(capsys):
    import logging

    from katachi.ui.cli.main import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    root.handlers.clear()
    try:
        configure_logging(verbose=False)
        noisy = logging.getLogger("some_library")
        noisy.setLevel(logging.DEBUG)  # what bm25s does to its own logger when imported
        noisy.debug("Building index from tokens")
        logging.getLogger("some_library").warning("a real warning")
        err = capsys.readouterr().err
        assert "Building index" not in err and "a real warning" in err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
