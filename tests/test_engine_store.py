"""A company's store on the engines (PostgreSQL for the manifest, the marks and BM25; a Chroma server for
the vectors), as replicas and workers on hosts of their own use it: each process has a data directory
of its own and nothing in it is read. An ingest on one is searched from another with the same hits;
BM25 in the database ranks as the file index does; a writer killed in the middle is repaired by
another that has none of its files; two writers from two data directories lose nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from katachi.core.settings import Settings
from katachi.knowledge.store import CompanyStore, list_companies

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["提案書の作成に時間がかかる", "見積もりの回答", "受注票の確認", "出張旅費の精算", "引き継ぎ"]


@pytest.fixture
def engines(pg_server, chroma_server, tmp_path):
    """Settings for a data directory on one fresh database and Chroma tenant (as many as a test asks)."""
    made: list[str] = []

    def settings_for(data: Path, fresh: bool = False) -> Settings:
        if fresh or not made:
            made.append(_fresh(pg_server, chroma_server, tmp_path, len(made)))
        return Settings(
            data_dir=data,
            database_url=made[-1].split("|")[0],
            chroma_url=chroma_server,
            chroma_tenant=made[-1].split("|")[1],
        )

    yield settings_for
    from katachi.core.sql_store import dispose_all

    dispose_all()


def _fresh(pg, chroma_url: str, tmp_path: Path, n: int) -> str:
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    name = f"s{abs(hash(str(tmp_path))) % 10**8}n{n}"
    u = urlparse(chroma_url)
    chromadb.AdminClient(
        ChromaSettings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=u.hostname,
            chroma_server_http_port=u.port,
        )
    ).create_tenant(name)
    return f"{pg.database(name)}|{name}"


def _corpus(root: Path, n: int = 6, variant: str = "", prefix: str = "doc") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(
            f"## 節{j}\n\n{prefix}{i}の第{j}節{variant}。提案書の作成と見積もりの回答について、担当者が手順を"
            f"説明します。引き継ぎのときは受注票を確認します。出張旅費{i * j}円。" * 3
            for j in range(4)
        )
        (root / f"{prefix}{i:02d}.md").write_text(f"# {prefix}{i}\n\n{body}\n", encoding="utf-8")
    return root


def _parts(store: CompanyStore) -> dict:
    store.refresh()
    return {
        "manifest": sorted(c for e in store._manifest["files"].values() for c in e["chunk_ids"]),
        "chroma": sorted(store.collection.get(include=[])["ids"]),
        "bm25": sorted(store.lexical.ids()),
        "files": sorted(store._manifest["files"]),
        "pending": store.state.pending(),
    }


def _files_of(data: Path) -> list[str]:
    return sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()) if data.exists() else []


def test_bm25_in_the_database_ranks_as_the_file_index(tmp_path, fake_embedder, engines):
    corpus = _corpus(tmp_path / "docs")
    files = CompanyStore("acme", Settings(data_dir=tmp_path / "files"), create=True)
    files.ingest([corpus], department="sales")
    rows = CompanyStore("acme", engines(tmp_path / "e"), create=True)
    rows.ingest([corpus], department="sales")
    for q in QUERIES + ["存在しない語彙のみ"]:
        for dept in (None, "sales", "finance"):
            a, b = files.lexical.search(q, 1000, dept), rows.lexical.search(q, 1000, dept)
            assert [round(s, 4) for _, s in a] == [round(s, 4) for _, s in b], q
            assert {i for i, _ in a} == {i for i, _ in b}, q


def test_an_ingest_on_one_data_dir_is_searched_from_another_with_the_same_hits(tmp_path, fake_embedder, engines):
    a_dir, b_dir = tmp_path / "replica-a", tmp_path / "replica-b"
    a = CompanyStore("acme", engines(a_dir), create=True)
    a.ingest([_corpus(tmp_path / "docs")])
    b = CompanyStore("acme", engines(b_dir))  # another host: it never saw the ingest or its files
    for q in QUERIES:
        hits_a, hits_b = a.search(q, k=5), b.search(q, k=5)
        assert hits_a and [(h.chunk_id, h.score, h.text) for h in hits_a] == [
            (h.chunk_id, h.score, h.text) for h in hits_b
        ]
    assert list_companies(engines(b_dir)) == ["acme"] and b.stats() == a.stats()
    assert not [f for f in _files_of(a_dir) + _files_of(b_dir) if "uploads" not in f], "no store file on any disk"
    # a later ingest on A reaches B's open store at its next search
    travel = tmp_path / "travel"
    travel.mkdir()
    (travel / "travel.md").write_text(
        "# 出張\n\n海外出張の日当は一日八千円とします。申請は帰着後に行います。\n", encoding="utf-8"
    )
    a.ingest([travel])
    assert any("日当" in h.text for h in b.search("海外出張の日当", k=3))
    assert [
        f.status
        for f in CompanyStore("acme", engines(b_dir)).ingest([tmp_path / "docs"]).files
        if f.status != "unchanged"
    ] == []  # B re-ingesting A's folder from the same path: nothing to do


def test_two_ingests_from_two_data_dirs_into_one_company_lose_nothing(tmp_path, fake_embedder, engines):
    docs = {"a": _corpus(tmp_path / "a" / "docs", prefix="a"), "b": _corpus(tmp_path / "b" / "docs", prefix="b")}
    settings = {n: engines(tmp_path / f"replica-{n}") for n in docs}
    errors: list[Exception] = []

    def ingest(name: str) -> None:
        try:
            CompanyStore("acme", settings[name], create=True).ingest([docs[name]], wait_s=120)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ingest, args=(n,)) for n in docs]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    got = _parts(CompanyStore("acme", engines(tmp_path / "reader")))
    assert len(got["files"]) == 12 and got["manifest"] == got["chroma"] == got["bm25"] and not got["pending"]
    # the second folder is also called docs: it got a name of its own and pruned nothing of the first
    assert {f.split("/")[0] for f in got["files"]} == {"docs", "docs~2"}


def test_a_folder_on_another_host_is_another_folder_even_at_the_same_path(
    tmp_path, fake_embedder, engines, monkeypatch
):
    """Hosts share the store, not their disks: /data/inbox/docs on host B is not A's folder of that path,
    and A's folder missing on B's disk is no move: B's ingest prunes nothing of A's."""
    inbox = tmp_path / "inbox" / "docs"
    monkeypatch.setattr("katachi.knowledge.store.socket.gethostname", lambda: "host-a")
    CompanyStore("acme", engines(tmp_path / "a"), create=True).ingest([_corpus(inbox, n=3, prefix="a")])
    for f in inbox.iterdir():  # host B's disk: another folder at the same path
        f.unlink()
    _corpus(inbox, n=2, prefix="b")
    monkeypatch.setattr("katachi.knowledge.store.socket.gethostname", lambda: "host-b")
    rep = CompanyStore("acme", engines(tmp_path / "b")).ingest([inbox])
    assert sorted(f.status for f in rep.files) == ["added", "added"]
    monkeypatch.setattr("katachi.knowledge.store.socket.gethostname", lambda: "host-c")  # and one where it is missing
    elsewhere = _corpus(tmp_path / "c" / "docs", n=1, prefix="c")
    import shutil

    shutil.rmtree(inbox)
    CompanyStore("acme", engines(tmp_path / "c")).ingest([elsewhere])
    got = _parts(CompanyStore("acme", engines(tmp_path / "reader")))
    assert sorted(got["files"]) == [
        "docs/a00.md",
        "docs/a01.md",
        "docs/a02.md",
        "docs~2/b00.md",
        "docs~2/b01.md",
        "docs~3/c00.md",
    ]
    assert got["manifest"] == got["chroma"] == got["bm25"]


def _child(settings: Settings, kill_at: int, *paths: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KATACHI_") or k == "KATACHI_CACHE_DIR"}
    env.update(
        PYTHONPATH=str(ROOT),
        KATACHI_EMBED_BATCH="1",
        KATACHI_DATA_DIR=str(settings.data_dir),
        KATACHI_DATABASE_URL=settings.database_url,
        KATACHI_CHROMA_URL=settings.chroma_url,
        KATACHI_CHROMA_TENANT=settings.chroma_tenant,
    )
    return subprocess.run(
        [sys.executable, "-m", "tests.ingest_child", "ingest", "acme", str(kill_at), *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.faults
@pytest.mark.parametrize("case", ["first", "changed"])
def test_a_writer_killed_mid_ingest_is_repaired_by_another_without_its_files(tmp_path, fake_embedder, engines, case):
    """Replica A dies at each of its writes; replica B, with none of A's documents on its disk, ingests
    its own: A's files are then in the store whole, old or new, or not at all, and the parts agree."""
    a_docs = _corpus(tmp_path / "a-docs", prefix="a")
    b_docs = _corpus(tmp_path / "b-docs", n=2, prefix="b")
    versions, counted = {}, {}  # each file's chunk ids before and after the change, and the writes made
    ref = engines(tmp_path / "ref", fresh=True)
    for label, variant in (("old", ""), ("new", "（改訂）")):
        _corpus(a_docs, prefix="a", variant=variant)
        r = _child(ref, -1, a_docs)
        assert r.returncode == 0, r.stderr[-2000:]
        versions[label] = CompanyStore("acme", ref)._manifest["files"]
        counted[label] = int(r.stdout)
    writes = counted["old" if case == "first" else "new"]
    assert writes >= 4
    for kill_at in range(1, writes + 1):
        s = engines(tmp_path / f"a{kill_at}", fresh=True)
        _corpus(a_docs, prefix="a")
        if case == "changed":
            assert _child(s, -1, a_docs).returncode == 0
            _corpus(a_docs, prefix="a", variant="（改訂）")
        r = _child(s, kill_at, a_docs)
        assert r.returncode == -9, f"kill at {kill_at}: {r.returncode} {r.stderr[-500:]}"
        b = CompanyStore("acme", s.model_copy(update={"data_dir": tmp_path / f"b{kill_at}"}), create=True)
        b.ingest([b_docs])
        got = _parts(b)
        assert got["manifest"] == got["chroma"] == got["bm25"] and not got["pending"], f"kill at {kill_at}"
        listed = b._manifest["files"]
        a_files = {k: e["chunk_ids"] for k, e in listed.items() if k.startswith("a-docs/")}
        whole = [{k: e["chunk_ids"] for k, e in v.items()} for v in versions.values()]
        assert a_files in whole + ([{}] if case == "first" else []), f"kill at {kill_at}: {sorted(a_files)}"
        assert len([k for k in listed if k.startswith("b-docs/")]) == 2
