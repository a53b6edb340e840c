import pytest

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from katachi.knowledge.store import CompanyStore, list_companies

# every test here runs with the vectors in the data directory and on a Chroma server
pytestmark = pytest.mark.usefixtures("vectors")

DOC_A = (
    "# 営業\n\n提案書の作成に二日かかる。見積もり回答は三日後になることが多い。\n\n"
    "## 引き継ぎ\n\n受注後はカスタマーサクセスへ引き継ぐ。\n"
)
DOC_B = "# Support\n\nFirst response time is four hours on average. Tickets are triaged by severity.\n"


def _corpus(root, files):
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def test_reingest_is_idempotent_and_fast(tmp_path, fake_embedder):
    corpus = _corpus(tmp_path / "c", {"sales.md": DOC_A, "support.md": DOC_B})
    store = CompanyStore("acme", get_settings(), create=True)
    first = store.ingest([corpus])
    assert first.chunks_added == store.count() > 0
    embedded = fake_embedder.texts
    second = CompanyStore("acme", get_settings()).ingest([corpus])
    assert second.chunks_added == 0 and second.chunks_removed == 0
    assert {f.status for f in second.files} == {"unchanged"}
    assert fake_embedder.texts == embedded  # nothing re-embedded


def test_changed_and_deleted_files_are_updated(tmp_path, fake_embedder):
    corpus = _corpus(tmp_path / "c", {"sales.md": DOC_A, "support.md": DOC_B})
    store = CompanyStore("acme", get_settings(), create=True)
    store.ingest([corpus])
    before = store.count()
    (corpus / "sales.md").write_text(DOC_A.replace("二日", "五日"), encoding="utf-8")
    (corpus / "support.md").unlink()
    rep = CompanyStore("acme", get_settings()).ingest([corpus])
    statuses = {f.path.split("/")[-1]: f.status for f in rep.files}
    assert statuses == {"sales.md": "updated", "support.md": "removed"}
    store = CompanyStore("acme", get_settings())
    texts = [p.text for p in store.search("提案書の作成", k=10)]
    assert any("五日" in t for t in texts) and not any("二日" in t for t in texts)
    assert not any("First response" in t for t in texts)
    assert store.count() < before + 1
    assert store.stats()["documents"] == 1


def test_company_isolation_with_identical_files(tmp_path, fake_embedder):
    a = _corpus(tmp_path / "a" / "docs", {"handbook.md": DOC_A})
    b = _corpus(tmp_path / "b" / "docs", {"handbook.md": DOC_A + "\n秘密: B社だけの情報。\n"})
    CompanyStore("alpha", get_settings(), create=True).ingest([a])
    CompanyStore("beta", get_settings(), create=True).ingest([b])
    alpha_ids = {p.chunk_id for p in CompanyStore("alpha", get_settings()).search("提案書", k=50)}
    for q in ["提案書", "秘密 B社だけの情報", "引き継ぎ"]:
        for mode in ("hybrid", "dense", "bm25"):
            for dept in (None, "sales"):
                hits = CompanyStore("beta", get_settings()).search(q, k=50, mode=mode, department=dept)
                assert all(h.company == "beta" and str(tmp_path / "b") in h.source for h in hits)
                assert not alpha_ids & {h.chunk_id for h in hits}
        assert CompanyStore("beta", get_settings()).search(q, k=50)
    assert all("秘密" not in p.text for p in CompanyStore("alpha", get_settings()).search("秘密 B社だけの情報", k=50))
    assert list_companies(get_settings()) == ["alpha", "beta"]


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingests(tmp_path, fake_embedder):
    corpus = _corpus(
        tmp_path / "c",
        {
            "good.md": DOC_A,
            "sjis.txt": "営業の課題は提案書の作成に時間がかかることです。".encode("shift_jis"),
            "empty.md": b"",
            "blob.md": b"\x00\x01\x02binary",
            "slides.key": b"PK\x03\x04",
            "broken.pptx": b"PK\x03\x04 not really a zip",
        },
    )
    rep = CompanyStore("acme", get_settings(), create=True).ingest([corpus])
    by = {f.path.split("/")[-1]: f for f in rep.files}
    assert by["good.md"].status == "added"
    assert by["sjis.txt"].status == "added"  # Shift_JIS is decoded, not refused
    assert by["empty.md"].error.code == "file_empty"
    assert by["blob.md"].error.code == "file_binary"
    assert by["slides.key"].error.code == "file_unsupported"
    assert by["broken.pptx"].error.code == "file_corrupt"


def test_oversized_file_is_skipped(tmp_path, fake_embedder, monkeypatch):
    monkeypatch.setenv("KATACHI_MAX_FILE_MB", "0.001")
    from katachi.core.settings import reset_settings

    reset_settings()
    corpus = _corpus(tmp_path / "c", {"big.md": "あ。" * 2000, "small.md": "小さい。"})
    rep = CompanyStore("acme", get_settings(), create=True).ingest([corpus])
    by = {f.path.split("/")[-1]: f for f in rep.files}
    assert by["big.md"].error.code == "file_too_large" and by["small.md"].status == "added"


def test_errors_for_missing_paths_unknown_company_and_bad_ids(tmp_path, fake_embedder):
    with pytest.raises(KatachiError) as e:
        CompanyStore("acme", get_settings(), create=True).ingest([tmp_path / "nope"])
    assert e.value.code == "path_missing"
    with pytest.raises(KatachiError) as e:
        CompanyStore("acme", get_settings(), create=True).ingest([])
    assert e.value.code == "no_input"
    with pytest.raises(KatachiError) as e:
        CompanyStore("ghost", get_settings())
    assert e.value.code == "unknown_company" and "ghost" in e.value.message("ja")
    with pytest.raises(KatachiError) as e:
        CompanyStore("../etc", get_settings(), create=True)
    assert e.value.code == "bad_company_id"


def test_search_returns_citable_passages(tmp_path, fake_embedder):
    corpus = _corpus(tmp_path / "c", {"sales.md": DOC_A})
    store = CompanyStore("acme", get_settings(), create=True)
    store.ingest([corpus])
    hits = store.search("受注後の引き継ぎ", k=2)
    top = hits[0]
    assert top.heading == "営業 > 引き継ぎ" and "カスタマーサクセス" in top.text
    assert store.get([top.chunk_id])[0].text == top.text
    with pytest.raises(KatachiError):
        store.search("   ")


def test_moving_a_folder_reuses_its_chunks(tmp_path, fake_embedder):
    import shutil

    old = _corpus(tmp_path / "old" / "docs", {"handbook.md": DOC_A, "sub/faq.md": DOC_A + "\n追記: 週次で見直す。\n"})
    store = CompanyStore("acme", get_settings(), create=True)
    first = store.ingest([old])
    ids = {p.chunk_id for p in store.search("提案書", k=50)}
    new = tmp_path / "elsewhere" / "docs"
    new.parent.mkdir()
    shutil.move(str(old), str(new))
    moved = CompanyStore("acme", get_settings()).ingest([new])
    assert {f.status for f in moved.files} == {"unchanged"} and moved.chunks_added == 0 == moved.chunks_removed
    again = CompanyStore("acme", get_settings())
    assert again.stats() == {"documents": 2, "chunks": first.chunks_added}
    assert {p.chunk_id for p in again.search("提案書", k=50)} == ids


def test_two_folders_with_the_same_name_stay_apart(tmp_path, fake_embedder):
    a = _corpus(tmp_path / "ja" / "docs", {"handbook.md": DOC_A})
    b = _corpus(tmp_path / "en" / "docs", {"handbook.md": DOC_A + "\n別の文書: 英語版の注記。\n"})
    store = CompanyStore("acme", get_settings(), create=True)
    store.ingest([a])
    rep = store.ingest([b])
    assert [f.status for f in rep.files] == ["added"]  # not mistaken for a move, nothing pruned from ja/docs
    assert CompanyStore("acme", get_settings()).stats()["documents"] == 2
    assert all(f.status == "unchanged" for f in CompanyStore("acme", get_settings()).ingest([a, b]).files)


def test_vectors_live_where_the_settings_say_and_companies_never_share_a_database(tmp_path, fake_embedder, vectors):
    corpus = _corpus(tmp_path / "c", {"sales.md": DOC_A})
    s = get_settings()
    a = CompanyStore("acme", s, create=True)
    a.ingest([corpus])
    CompanyStore("globex", s, create=True).ingest([_corpus(tmp_path / "g", {"support.md": DOC_B})])
    on_disk = (a.dir / "chroma").exists()
    assert on_disk == (vectors is None)
    if vectors:
        from urllib.parse import urlparse

        import chromadb

        u = urlparse(vectors)
        for company, n in (("acme", a.count()), ("globex", CompanyStore("globex", s).count())):
            c = chromadb.HttpClient(host=u.hostname, port=u.port, tenant=s.chroma_tenant, database=company)
            assert [x.name for x in c.list_collections()] and c.get_collection("chunks").count() == n > 0
    hits = CompanyStore("globex", s).search("提案書の作成", k=5)
    # globex's search never reaches acme's chunks, even for acme's own words
    assert hits and all(h.company == "globex" and "提案書" not in h.text for h in hits)
