"""Review workspace: section review through the workshop graph, versions, diffs, rollback, exports, audit."""

import io
import json

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.auth import add_user
from katachi.ui.web.review.handlers import Reviews
from tests.flow import choose, room_walk
from tests.ui.roomkit import make_rooms

# every test here runs on the embedded SQLite files and on PostgreSQL
pytestmark = pytest.mark.usefixtures("backend")


def _at_playbook(tmp_path, responder=None):
    rooms = make_rooms(tmp_path, responder)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業の型", ["営業", "カスタマーサクセス"], "ja")
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.submit(fac, ws["id"], "引き継ぎで顧客情報が失われる")
    rooms.start(fac, ws["id"])
    room_walk(rooms, fac, ws["id"], until="playbook", decide=choose(1))
    return rooms, Reviews(rooms), ws["id"]


@pytest.fixture
def setup(tmp_path):
    from tests.workshop_fakes import WorkshopResponder

    responder = WorkshopResponder()
    responder.echo_feedback = True
    return _at_playbook(tmp_path, responder)


def _wait(rv, wid):
    st = rv.rooms.jobs.wait_idle(wid, 30)
    assert st.state == "idle", st.error


def test_queue_status_and_who_may_see_it(setup):
    rooms, rv, wid = setup
    kon = rooms.user("kon")
    q = rv.queue(kon)
    assert [(r["id"], r["status"], r["version"]) for r in q] == [(wid, "draft", 1)]
    add_user(rooms.db, "kon2", "consult-pass-2", "consultant", ["globex"])
    stranger = rooms.user("kon2")
    assert rv.queue(stranger) == []
    for action in (lambda: rv.view(stranger, wid), lambda: rv.export(stranger, wid, "md")):
        with pytest.raises(KatachiError) as e:
            action()
        assert e.value.code == "workshop_unknown"
    with pytest.raises(KatachiError) as e:
        rv.queue(rooms.user("paul"))
    assert e.value.code == "forbidden"
    rv.submit(rooms.user("fumi"), wid)
    assert rv.queue(kon)[0]["status"] == "in_review" and rv.queue(kon)[0]["by"] == "fumi"


def test_request_changes_regenerates_only_those_sections(setup):
    rooms, rv, wid = setup
    kon = rooms.user("kon")
    before = rv.view(kon, wid)
    assert set(before.sections) >= {
        "theme",
        "kpis:K1",
        "usecases:営業",
        "usecases:カスタマーサクセス",
        "handoffs",
        "procedures:U1",
        "procedures:U2",
        "glossary",
        "weekly_review",
        "training",
    }
    rv.comment(kon, wid, "glossary", "「型」の定義をもっと具体的に", request=True)
    rv.comment(kon, wid, "usecases:営業", "見積もり業務も対象に", request=True)
    rv.comment(kon, wid, "theme", "良い", request=False)
    rv.approve_section(kon, wid, "kpis:K1")
    assert rv.pending_requests(wid, rv.view(kon, wid)) == {
        "glossary": "「型」の定義をもっと具体的に",
        "usecases:営業": "見積もり業務も対象に",
    }
    assert rv.send_back(kon, wid) == ["glossary", "usecases:営業"]
    assert rv.status(wid) == "changes_requested"
    _wait(rv, wid)
    after = rv.view(kon, wid)
    assert after.version == 2 and after.status == "in_review"
    changed = {
        s
        for s in after.sections
        if json.dumps(after.sections[s], sort_keys=True, ensure_ascii=False)
        != json.dumps(before.sections.get(s), sort_keys=True, ensure_ascii=False)
    }
    # The requested sections and the procedure of the rewritten use case; everything else byte-identical.
    assert changed <= {"glossary", "usecases:営業", "procedures:U1", "training", "roles", "rollout"}
    assert "glossary" in changed and "usecases:営業" in changed
    for s in ("theme", "kpis:K1", "usecases:カスタマーサクセス", "handoffs", "procedures:U2", "weekly_review"):
        assert after.sections[s] == before.sections[s], s
    assert after.states["kpis:K1"] == "approved"  # unchanged section keeps its sign-off
    assert after.states["glossary"] == "open"  # a regenerated section needs a new look
    last = after.values["versions"][-1]
    assert last["by"] == "kon" and "glossary" in last["reason"] and "glossary" in last["changed"]
    # the comment reached the model as feedback
    assert any(
        "「型」の定義をもっと具体的に" in p
        for p in rooms.service.graph.get_state({"configurable": {"thread_id": wid}}).values["feedback"].values()
    )
    with pytest.raises(KatachiError) as e:
        rv.send_back(kon, wid)  # nothing left to send
    assert e.value.code == "no_requests"


def test_upstream_theme_and_kpi_can_be_sent_back(setup):
    rooms, rv, wid = setup
    kon = rooms.user("kon")
    before = rv.view(kon, wid).sections
    rv.comment(kon, wid, "kpis:K1", "期限を3か月早く", request=True)
    rv.send_back(kon, wid)
    _wait(rv, wid)
    after = rv.view(kon, wid).sections
    assert after["kpis:K1"]["id"] == "K1" and after["theme"] == before["theme"]
    assert after["usecases:営業"] == before["usecases:営業"]


def test_edit_diff_and_rollback(setup):
    rooms, rv, wid = setup
    kon = rooms.user("kon")
    v1 = rv.view(kon, wid)
    glossary = v1.sections["glossary"]
    edited = [dict(glossary[0], definition="標準化された業務手順とプロンプトの組")] + glossary[1:]
    rv.edit(kon, wid, "glossary", edited, reason="定義を明確に")
    v2 = rv.view(kon, wid)
    assert v2.version == 2 and v2.sections["glossary"][0]["definition"].startswith("標準化")
    assert v2.values["versions"][-1]["reason"] == "定義を明確に"
    d = {x["section"]: x for x in rv.diff(kon, wid, 1, 2)}
    assert d["glossary"]["status"] == "changed" and d["theme"]["status"] == "same"
    assert any(line.startswith("+") and "標準化された業務手順" in line for line in d["glossary"]["lines"])
    assert any(line.startswith("-") for line in d["glossary"]["lines"])
    with pytest.raises(KatachiError) as e:  # an invalid edit is refused before it reaches the graph
        rv.edit(kon, wid, "kpis:K1", {"name": "x"})
    assert e.value.code == "bad_decision"
    rv.rollback(kon, wid, 1)
    v3 = rv.view(kon, wid)
    assert v3.version == 3 and v3.sections == v1.sections
    assert v3.values["versions"][-1]["reason"] == "rollback to v1"
    with pytest.raises(KatachiError):
        rv.rollback(kon, wid, 9)
    actions = [e["what"] for e in rv.audit(wid)]
    assert actions == ["review: edited", "review: rolled back"]


def test_exports_open_with_their_own_libraries(setup, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    rooms, rv, wid = setup
    kon = rooms.user("kon")
    first = rv.view(kon, wid).sections["theme"]["title"]
    rv.edit(kon, wid, "theme", {**rv.view(kon, wid).sections["theme"], "title": "引き継ぎの標準化と見える化"})
    name, md = rv.export(kon, wid, "md")
    assert name.endswith("-v2.md") and "# 型プレイブック: 引き継ぎの標準化と見える化" in md.decode()
    assert "## 改訂履歴" in md.decode() and "## 監査ログ" in md.decode()
    _, old = rv.export(kon, wid, "md", version=1)
    assert f"# 型プレイブック: {first}\n" in old.decode()
    _, js = rv.export(kon, wid, "json")
    data = json.loads(js)
    assert data["version"] == 2 and data["theme"]["title"] == "引き継ぎの標準化と見える化"
    assert any(a["what"] == "review: edited" for a in data["audit"])
    assert any(a["what"] == "playbook: edit" and a["by"] == "kon" for a in data["audit"])
    _, docx = rv.export(kon, wid, "docx")
    doc = Document(io.BytesIO(docx))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "型プレイブック: 引き継ぎの標準化と見える化"
    assert len(doc.tables) >= 3  # KPIs, hand-offs, glossary (+ history, audit)
    assert doc.tables[0].rows[0].cells[1].text == "指標" and doc.tables[0].rows[1].cells[0].text == "K1"
    assert any(t.startswith("[1] docs/") for t in texts)  # endnotes
    east = doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east == "Yu Gothic"
    _, pdf = rv.export(kon, wid, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert "型プレイブック" in first and "引き継ぎの標準化と見える化" in first
    fonts = [f.get_object()["/BaseFont"] for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("IPAexGothic" in str(f) for f in fonts), fonts  # the Japanese font is embedded
    with pytest.raises(KatachiError) as e:
        rv.export(kon, wid, "rtf")
    assert e.value.code == "export_format"


def test_approve_closes_the_review(setup):
    rooms, rv, wid = setup
    kon = rooms.user("kon")
    with pytest.raises(KatachiError) as e:
        rv.approve(kon, wid)  # no section reviewed: confirmation needed
    assert e.value.code == "review_unreviewed"
    for s in rv.view(kon, wid).sections:
        rv.approve_section(kon, wid, s)
    rv.approve(kon, wid)
    assert rv.status(wid) == "approved" and rooms.service.snapshot(wid).done
    with pytest.raises(KatachiError) as e:
        rv.send_back(kon, wid)
    assert e.value.code == "wrong_stage"
    assert rooms.service.snapshot(wid).values["decisions"][-1]["by"] == "kon"


def test_cli_export(setup, tmp_path, monkeypatch, capsys):
    from katachi.ui.cli.main import main

    rooms, rv, wid = setup
    rv.comment(rooms.user("kon"), wid, "theme", "確認しました")
    monkeypatch.setattr("katachi.graphs.service.WorkshopService", lambda *a, **k: rooms.service)
    monkeypatch.setattr("katachi.ui.cli.export._audit", lambda s, tid: Reviews.audit_of(rooms.db, tid))
    out = tmp_path / "pb.docx"
    assert main(["export", wid, "--format", "docx", "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    out = tmp_path / "pb.json"
    assert main(["export", wid, "--format", "json", "--version", "1", "--out", str(out)]) == 0
    assert any(a["what"] == "review: comment" for a in json.loads(out.read_text())["audit"])
    assert main(["--lang", "en", "export", wid, "--format", "md", "--version", "7", "--out", str(out)]) == 2
    assert "no version 7" in capsys.readouterr().err


def test_reviewers_see_the_pattern_each_use_case_and_procedure_came_from(setup):
    from katachi.ui.web.review.render import section

    rooms, rv, wid = setup
    view = rv.view(rooms.user("kon"), wid)
    uc = section(view, "usecases:営業", "ja")
    proc = section(view, "procedures:U1", "ja")
    assert 'class="k-lineage k-pattern"' in uc and "型ライブラリ:" in uc
    assert 'class="k-lineage k-pattern"' in proc and "確認ポイント" in proc
    assert "型 library:" in section(view, "procedures:U1", "en")


def test_changes_on_an_approved_playbook_open_a_new_version(setup):
    rooms, rv, wid = setup
    kon, paul = rooms.user("kon"), rooms.user("paul")
    with pytest.raises(KatachiError) as e:
        rv.revise(kon, wid, "早すぎる")  # not approved yet: nothing to reopen
    assert e.value.code == "wrong_stage"
    rv.approve(kon, wid, confirm=True)
    approved = rooms.service.snapshot(wid).values["versions"][-1]
    with pytest.raises(KatachiError):
        rv.revise(paul, wid, "参加者は改訂できない")
    rv.revise(kon, wid, "顧客の声を追加")
    assert rv.status(wid) == "in_review" and not rooms.service.snapshot(wid).done
    rv.edit(
        kon,
        wid,
        "glossary",
        [{"term": "型", "definition": "誰がやっても同じ結果になる手順", "used_by": "全員"}],
        "用語の追加",
    )
    values = rooms.service.snapshot(wid).values
    assert [v["n"] for v in values["versions"]] == [approved["n"], approved["n"] + 1]
    assert values["versions"][0]["content"] == approved["content"]  # the approved version is kept as it was
    assert [d["action"] for d in values["decisions"][-3:]] == ["approve", "reopen", "edit"]
    rv.approve(kon, wid, confirm=True)
    assert rv.status(wid) == "approved" and "review: reopened" in [a["what"] for a in rooms.db.events(wid)]
