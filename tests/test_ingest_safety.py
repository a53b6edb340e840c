"""Ingest survives being killed at any point and concurrent writers; readers see other processes' writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from katachi.knowledge.store import CompanyStore

ROOT = Path(__file__).resolve().parents[1]


def _corpus(root: Path, n: int = 12, variant: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(
            f"## 節{j}\n\n文書{i}の第{j}節{variant}。提案書の作成と見積もりの回答について、担当者が手順を説明します。"
            f"引き継ぎのときは受注票を確認します。" * 3
            for j in range(4)
        )
        (root / f"doc{i:02d}.md").write_text(f"# 文書{i}\n\n{body}\n", encoding="utf-8")
    return root


def _env(data: Path) -> dict:
    return {**os.environ, "KATACHI_EMBED_BATCH": "1", "PYTHONPATH": str(ROOT), "KATACHI_DATA_DIR": str(data)}


def _child(data: Path, company: str, kill_at: int, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.ingest_child", "ingest", company, str(kill_at), *map(str, paths)],
        capture_output=True,
        text=True,
        env=_env(data),
        cwd=ROOT,
        timeout=300,
    )


def _state(data: Path, company: str) -> dict:
    """What the store holds, from each of its three parts (they must agree), read by a fresh process."""
    r = subprocess.run(
        [sys.executable, "-m", "tests.ingest_child", "state", company],
        capture_output=True,
        text=True,
        env=_env(data),
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _ok(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.mark.faults
@pytest.mark.parametrize("case", ["first", "changed", "changed_then_reverted"])
def test_an_ingest_killed_at_every_write_is_repaired_by_the_next(tmp_path, case):
    """Chunk ids are per company, so each reference is the same company in a data directory of its own."""
    corpus = _corpus(tmp_path / "docs")
    old = _state_after(tmp_path / "ref-old", corpus, [])
    new = _state_after(tmp_path / "ref-new", corpus, ["（改訂）"] if case != "first" else [])
    writes = (
        int(_ok(_child(tmp_path / "probe", "acme", -1, corpus)).stdout)
        if case == "first"
        else int(_ok(_child(tmp_path / "ref-old2", "acme", -1, corpus)) and _probe_changed(tmp_path, corpus))
    )
    assert writes >= 5
    survived = 0
    for kill_at in range(1, writes + 1):
        data = tmp_path / f"kill{kill_at}"
        _corpus(corpus)
        if case != "first":
            _ok(_child(data, "acme", -1, corpus))
            _corpus(corpus, variant="（改訂）")
        r = _child(data, "acme", kill_at, corpus)
        assert r.returncode == -9, f"kill at {kill_at}: {r.returncode} {r.stderr[-500:]}"
        if case == "changed_then_reverted":
            _corpus(corpus)  # the old files are put back: to a naive store they look unchanged
        _ok(_child(data, "acme", -1, corpus))
        want = old if case in ("first", "changed_then_reverted") else new
        got = _state(data, "acme")
        assert got["manifest"] == got["chroma"] == got["bm25"] == want["manifest"], f"kill at {kill_at}"
        assert got["files"] == want["files"] and not got["pending"]
        survived += 1
    assert survived == writes


def _state_after(data: Path, corpus: Path, variants: list[str]) -> dict:
    _corpus(corpus)
    _ok(_child(data, "acme", -1, corpus))
    for v in variants:
        _corpus(corpus, variant=v)
        _ok(_child(data, "acme", -1, corpus))
    _corpus(corpus)
    return _state(data, "acme")


def _probe_changed(tmp_path: Path, corpus: Path) -> int:
    """How many writes a changed-file ingest makes."""
    _corpus(corpus, variant="（改訂）")
    n = int(_ok(_child(tmp_path / "ref-old2", "acme", -1, corpus)).stdout)
    _corpus(corpus)
    return n


@pytest.mark.slow
def test_two_writers_into_one_company_lose_nothing(tmp_path, fake_embedder):
    a, b = _corpus(tmp_path / "a", n=6), _corpus(tmp_path / "b", n=6, variant="B")
    errors: list[Exception] = []

    def ingest(path):
        try:
            CompanyStore("acme", get_settings(), create=True).ingest([path], wait_s=120)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ingest, args=(p,)) for p in (a, b)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    got = _state(get_settings().data_dir, "acme")
    assert len(got["files"]) == 12 and got["manifest"] == got["chroma"] == got["bm25"]


def test_a_second_writer_is_told_another_ingest_is_running(tmp_path, fake_embedder):
    corpus = _corpus(tmp_path / "docs", n=2)
    holder = CompanyStore("acme", get_settings(), create=True)
    with holder._writer():
        with pytest.raises(KatachiError) as exc:
            CompanyStore("acme", get_settings(), create=True).ingest([corpus], wait_s=0.3)
    assert exc.value.code == "ingest_busy" and "別の取り込み" in exc.value.message("ja")


@pytest.mark.slow
def test_a_reader_sees_what_another_process_ingested(tmp_path, fake_embedder):
    first = _corpus(tmp_path / "first", n=2)
    CompanyStore("acme", get_settings(), create=True).ingest([first])
    reader = CompanyStore("acme", get_settings())
    assert not any("出張旅費" in p.text for p in reader.search("出張旅費の精算", k=5))
    travel = tmp_path / "travel"
    travel.mkdir()
    (travel / "travel.md").write_text(
        "# 出張旅費\n\n出張旅費の精算は帰着後5営業日以内に申請します。領収書を添付します。\n", encoding="utf-8"
    )
    r = _child(get_settings().data_dir, "acme", -1, travel)  # another process
    assert r.returncode == 0, r.stderr
    hits = reader.search("出張旅費の精算", k=5)
    assert any("出張旅費" in p.text for p in hits)
