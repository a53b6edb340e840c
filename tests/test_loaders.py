import pytest

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from katachi.knowledge.encodings import decode_text
from katachi.knowledge.loaders import load_file
from katachi.knowledge.store import CompanyStore
from tests import corpus_factory as cf

MAX = 20 * 2**20


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return cf.build(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize(
    "enc", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "euc_jp", "utf-16", "utf-16-le", "iso2022_jp"]
)
def test_japanese_encodings_are_detected(enc):
    text = "経費精算の締め日は毎月25日です。承認は部長が行います。"
    out, name = decode_text(text.encode(enc))
    assert out.lstrip("\ufeff") == text, name


def test_every_format_yields_readable_text_and_metadata(corpus):
    pdf = load_file(corpus / "report.pdf", MAX)
    assert [s.meta["page"] for s in pdf.segments] == [1, 2] and "第12条" in pdf.segments[0].text.replace(" ", "")
    xl = load_file(corpus / "kpi.xlsx", MAX)
    assert [s.meta["sheet"] for s in xl.segments] == ["KPI実績", "案件"]
    assert "指標: 提案書作成日数; 現状: 2; 目標: 1。" in xl.segments[0].text
    deck = load_file(corpus / "deck.pptx", MAX)
    assert deck.segments[0].meta["slide_title"] == "営業の課題" and "部署: 営業; 担当: 佐藤" in deck.segments[0].text
    assert "発表者メモ" in deck.segments[1].text
    doc = load_file(corpus / "manual.docx", MAX)
    assert (
        doc.title == "営業マニュアル"
        and "# 提案プロセス" in doc.text
        and "項目: 見積もり回答; 期限: 3営業日" in doc.text
    )
    html = load_file(corpus / "page.html", MAX)
    assert html.title == "社内ポータル" and "# カスタマーサポート" in html.text and "alert" not in html.text
    assert "窓口: 電話; 時間: 9-18時" in html.text and "menu" not in html.text
    csv_doc = load_file(corpus / "経理" / "売上.csv", MAX)
    assert "部署: 経理; 指標: 月次決算日数; 値: 5" in csv_doc.text and csv_doc.meta["encoding"].startswith("shift_jis")


@pytest.mark.parametrize(
    "name,code",
    [
        ("empty.md", "file_empty"),
        ("corrupt.pdf", "file_corrupt"),
        ("locked.pdf", "file_encrypted"),
        ("scan.pdf", "file_no_text"),
        ("locked.docx", "file_encrypted"),
        ("image.md", "file_binary"),
        ("bomb.docx", "file_zip_bomb"),
        ("bomb.xlsx", "file_zip_bomb"),
        ("notes.key", "file_unsupported"),
    ],
)
def test_hostile_files_get_specific_reasons(corpus, name, code):
    with pytest.raises(KatachiError) as e:
        load_file(corpus / name, MAX)
    assert e.value.code == code
    assert e.value.message("ja") != e.value.message("en")


def test_size_limit_and_unreadable_files(corpus, tmp_path, monkeypatch):
    with pytest.raises(KatachiError) as e:
        load_file(corpus / "long.txt", 1000)
    assert e.value.code == "file_too_large"
    p = tmp_path / "x.md"
    p.write_text("本文。", encoding="utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("katachi.core.files.os.open", denied)  # files are opened there, with a bound on the read
    with pytest.raises(KatachiError) as e:
        load_file(p, MAX)
    assert e.value.code == "file_unreadable" and "Permission denied" in e.value.message("en")


@pytest.mark.slow
def test_a_hostile_batch_ingests_the_rest(corpus, fake_embedder):
    store = CompanyStore("acme", get_settings(), create=True)
    rep = store.ingest([corpus])
    by = {f.path.rsplit("/", 1)[-1]: f for f in rep.files}
    skipped = {n for n, f in by.items() if f.status == "skipped"}
    assert skipped == {
        "empty.md",
        "corrupt.pdf",
        "locked.pdf",
        "scan.pdf",
        "locked.docx",
        "image.md",
        "bomb.docx",
        "bomb.xlsx",
        "notes.key",
    }
    assert by["long.txt"].status == "added" and by["long.txt"].chunks_added >= 500  # one very long line, cut in pieces
    assert all(
        by[n].status == "added"
        for n in (
            "report.pdf",
            "kpi.xlsx",
            "deck.pptx",
            "manual.docx",
            "page.html",
            "sjis.txt",
            "eucjp.txt",
            "utf16.txt",
            "売上.csv",
            "bom.md",
        )
    )
    pdf_hits = [p for p in store.search("見積もり回答は三営業日以内", k=20) if p.rel.endswith("report.pdf")]
    assert pdf_hits and pdf_hits[0].page in (1, 2) and "p." in pdf_hits[0].label()
    sheet_hits = [p for p in store.search("PRJ-25-0773", k=10, mode="bm25") if p.sheet]
    assert sheet_hits[0].sheet == "案件"


@pytest.mark.slow
def test_departments_from_paths_and_override(corpus, fake_embedder, tmp_path):
    store = CompanyStore("acme", get_settings(), create=True)
    store.ingest([corpus])
    hits = store.search("提案書", k=50, department="sales")
    assert hits and all(h.department == "sales" for h in hits)
    assert any(h.rel.endswith("営業/手順.md") for h in hits)
    assert store.search("月次決算", k=5, department="finance")[0].rel.endswith("売上.csv")
    other = CompanyStore("beta", get_settings(), create=True)
    other.ingest([corpus / "en.md"], department="support")
    assert {h.department for h in other.search("quotes", k=5)} == {"support"}


@pytest.mark.slow
def test_prompt_injection_is_stored_as_data_and_flagged(corpus, fake_embedder):
    store = CompanyStore("acme", get_settings(), create=True)
    store.ingest([corpus])
    hits = [h for h in store.search("指示をすべて無視して 社外秘", k=10) if h.rel.endswith("injection.md")]
    assert hits and hits[0].injection and "無視して" in hits[0].text
    clean = [h for h in store.search("提案書の作成", k=10) if h.rel.endswith("手順.md")]
    assert clean and not clean[0].injection
