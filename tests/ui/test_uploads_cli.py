"""Document upload from the web app, and the account commands."""

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.app import AppContext
from katachi.ui.web.auth import add_user
from katachi.ui.web.documents.handlers import ingest_uploads
from tests.ui.roomkit import make_rooms


@pytest.fixture
def ctx(tmp_path, fake_embedder):
    from katachi.core.settings import get_settings

    rooms = make_rooms(tmp_path)
    return AppContext(get_settings(), rooms.db, rooms)


def test_upload_ingests_into_the_company_and_reports_each_file(ctx, tmp_path):
    sj = tmp_path / "規程.txt"
    sj.write_bytes("営業部の提案書は二日以内に作成する。引き継ぎは受注の翌日までに行う。".encode("cp932"))
    empty = tmp_path / "empty.md"
    empty.write_text("")
    odd = tmp_path / "../" / "weird name?.md"
    odd.write_text("# 見出し\n\nカスタマーサクセスの引き継ぎ手順。")
    report, store, renamed = ingest_uploads(ctx, ctx.rooms.user("fumi"), "acme", [str(sj), str(empty), str(odd)])
    assert renamed == {}
    status = {f.path: (f.status, f.error.code if f.error else "") for f in report.files}
    assert status["uploads/規程.txt"] == ("added", "")
    assert status["uploads/empty.md"] == ("skipped", "file_empty")
    assert status["uploads/weird_name_.md"][0] == "added"
    assert store.stats()["documents"] == 2
    hits = store.search("提案書 二日", k=1)
    assert hits and "提案書" in hits[0].text and hits[0].source.endswith("uploads/規程.txt")


def test_an_upload_never_replaces_a_different_document_of_the_same_name(ctx, tmp_path):
    fumi = ctx.rooms.user("fumi")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "規程.md", tmp_path / "b" / "規程.md"
    first.write_text("# 経費\n\n経費精算は月末までに申請する。領収書を添付する。", encoding="utf-8")
    second.write_text("# 出張\n\n出張旅費は帰着後五日以内に申請する。宿泊の上限がある。", encoding="utf-8")
    ingest_uploads(ctx, fumi, "acme", [str(first)])
    report, store, renamed = ingest_uploads(ctx, fumi, "acme", [str(second)])
    assert renamed == {"規程-2.md": "規程.md"} and report.files[0].path.endswith("規程-2.md")
    assert store.stats()["documents"] == 2
    assert store.search("経費精算 月末", k=1)[0].source.endswith("uploads/規程.md")  # the first is still there
    _, _, again = ingest_uploads(ctx, fumi, "acme", [str(first)])  # the same content again: the same file
    assert again == {} and store.stats()["documents"] == 2


def test_upload_is_refused_for_participants_other_companies_and_empty_boxes(ctx, tmp_path):
    f = tmp_path / "a.md"
    f.write_text("本文")
    for user, company, code in (
        ("paul", "acme", "forbidden"),
        ("kon", "acme", "forbidden"),
        ("other", "acme", "forbidden"),
        ("fumi", "acme", "upload_empty"),
    ):
        with pytest.raises(KatachiError) as e:
            ingest_uploads(ctx, ctx.rooms.user(user), company, [] if code == "upload_empty" else [str(f)])
        assert e.value.code == code


def test_user_commands(tmp_path, capsys, monkeypatch):
    import io

    from katachi.ui.cli.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    assert main(["user", "add", "sato", "--role", "facilitator", "--company", "acme", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--lang", "en", "user", "add", "kato", "--role", "participant", "--password-stdin"]) == 2
    assert "at least 8" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pw-123\n"))
    assert main(["--lang", "ja", "user", "add", "sato", "--role", "admin", "--password-stdin"]) == 2
    assert "すでに存在" in capsys.readouterr().err
    assert main(["user", "list"]) == 0
    assert "sato\tfacilitator\tacme" in capsys.readouterr().out
    from katachi.core.settings import get_settings
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.auth import Authenticator

    assert Authenticator(AppDB(get_settings().data_dir / "app.sqlite")).login("sato", "long-enough-pw") == "sato"


@pytest.mark.slow  # starts the server, seconds to stop
def test_first_start_creates_an_admin_once(ctx):
    from katachi.ui.web.app import ensure_admin
    from katachi.ui.web.appdb import AppDB

    assert ensure_admin(ctx) is None  # an admin exists already
    fresh = AppContext(ctx.settings, AppDB(ctx.settings.data_dir / "fresh.sqlite"), ctx.rooms)
    name, pw = ensure_admin(fresh)
    assert name == "admin" and fresh.db.user("admin")["role"] == "admin" and ensure_admin(fresh) is None
    # Accounts made before the first start, none of them an admin (one even called 'admin'): one is made.
    early = AppContext(ctx.settings, AppDB(ctx.settings.data_dir / "early.sqlite"), ctx.rooms)
    add_user(early.db, "admin", "long-enough-pw", "facilitator", ["acme"])
    name, _ = ensure_admin(early)
    assert name == "admin2" and early.db.user("admin2")["role"] == "admin"
