"""The weekly PDCA tracker: check-in validation, projections, tracker linter, review pack, roll-out, CSV."""

import datetime as dt

import pytest

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from katachi.tracker.csv_io import export_csv, import_csv
from katachi.tracker.tracker import TrackerService
from katachi.tracker.trend import project
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

# every test here runs on the embedded SQLite files and on PostgreSQL
pytestmark = pytest.mark.usefixtures("backend")

DOCS = [
    "提案書の作成には平均で二日かかっている。見積もりのテンプレートは営業部で共有されている。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
]
START = "2026-10-05"  # a Monday


class Clock:
    def __init__(self, day: str) -> None:
        self.day = dt.date.fromisoformat(day)

    def __call__(self) -> dt.date:
        return self.day


def _approved(svc: WorkshopService, tid: str) -> None:
    snap = svc.start(
        "acme",
        ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"],
        ["営業", "カスタマーサクセス"],
        lang="ja",
        thread_id=tid,
        today=START,
    )
    walk(svc, tid, snap)


@pytest.fixture
def env(tmp_path):
    responder = WorkshopResponder()
    model = FakeChatModel(responder=responder)
    retr = ListRetriever("acme", DOCS)
    server = get_settings().database_url  # the backend fixture's PostgreSQL, or None: files in tmp_path
    svc = WorkshopService(
        get_settings(),
        model_for=lambda r: model,
        retriever_for=lambda c: retr,
        db_path=None if server else tmp_path / "w.sqlite",
    )
    from tests.ui import roomkit

    roomkit.OPEN.append(svc)
    _approved(svc, "t1")
    clock = Clock("2026-11-25")
    tr = TrackerService(svc, db_path=None if server else tmp_path / "t.sqlite", today=clock)
    tr.responder, tr.clock = responder, clock
    return tr


def test_tracker_needs_an_approved_playbook(env, tmp_path):
    env.workshops.start("acme", ["x の作成に時間"], ["営業"], lang="ja", thread_id="open", today=START)
    with pytest.raises(KatachiError) as e:
        env.checkin("open", "kpi", "K1", value=2)
    assert e.value.code == "tracker_not_ready"


def test_checkin_validation(env):
    ok = env.checkin("t1", "kpi", "k1", "2026/10/14", value="1.9", unit="days", note="初週")  # as Excel writes dates
    assert ok and env.db.checkins("t1")[0]["week"] == "2026-10-12" and env.db.checkins("t1")[0]["unit"] == "日"
    cases = [
        (dict(kind="kpi", item="K1", week="2026-10-20", value=3, unit="時間"), "checkin_unit"),
        (dict(kind="kpi", item="K1", week="2026-12-07", value=1), "checkin_future"),
        (dict(kind="kpi", item="K1", week="2026-09-28", value=1), "checkin_before_start"),
        (dict(kind="kpi", item="K1", week="2026-10-13", value=1.5), "checkin_duplicate"),
        (dict(kind="kpi", item="K9", week="2026-10-20", value=1), "checkin_unknown_item"),
        (dict(kind="kpi", item="K1", week="2026-10-20", value="たくさん"), "checkin_invalid"),
        (dict(kind="kpi", item="K1", week="2026-10-20", value="nan"), "checkin_invalid"),
        (dict(kind="kpi", item="K1", week="2026-10-20", value="inf"), "checkin_invalid"),
        (dict(kind="kpi", item="K1", week="来週", value=1), "checkin_invalid"),
        (dict(kind="usecase", item="U1", week="2026-10-20", status="great"), "checkin_invalid"),
        (dict(kind="budget", item="U1", week="2026-10-20"), "checkin_invalid"),
    ]
    for kw, code in cases:
        with pytest.raises(KatachiError) as e:
            env.checkin("t1", **kw)
        assert e.value.code == code, (kw, e.value.code)
    assert "日" in KatachiError("checkin_unit", item="K1", unit="時間", expected="日").message("ja")
    # A correction replaces the week's value and keeps the old row.
    env.checkin("t1", "kpi", "K1", "2026-10-12", value=1.8, correction="集計漏れ")
    current = env.db.checkins("t1")
    assert [c["value"] for c in current] == [1.8] and current[0]["correction"] == "集計漏れ"
    history = env.db.checkins("t1", include_superseded=True)
    assert [c["value"] for c in history] == [1.9, 1.8] and history[0]["superseded_by"] == current[0]["id"]


def test_projection_on_known_series():
    d0 = dt.date(2026, 10, 5)
    weekly = [(d0 + dt.timedelta(weeks=i), 2.0 - 0.2 * i) for i in range(4)]  # 2.0, 1.8, 1.6, 1.4
    pr = project(weekly, baseline=2.0, target=1.0, deadline="2027-06")
    assert pr.slope_per_week == pytest.approx(-0.2)
    assert pr.eta == d0 + dt.timedelta(weeks=5) and pr.reaches is True and pr.hit is False
    assert pr.progress == pytest.approx(0.6)
    flat = project([(d0, 2.0), (d0 + dt.timedelta(weeks=1), 2.0)], 2.0, 1.0, "2027-06")
    assert flat.reaches is False and flat.eta is None
    up = project([(d0, 10), (d0 + dt.timedelta(weeks=1), 12), (d0 + dt.timedelta(weeks=2), 14)], 10, 20, "2026-12")
    assert up.lower_is_better is False and up.eta == d0 + dt.timedelta(weeks=5) and up.reaches is True
    assert up.projected == pytest.approx(14 + 2 * ((dt.date(2026, 12, 31) - d0).days / 7 - 2))
    assert project([], 2.0, 1.0, "2027-06").projected is None


def test_tracker_linter_rules(env):
    rules = lambda: {(f["rule"], f["item"]) for f in env.findings("t1")}  # noqa: E731
    assert ("checkin_missing", "K1") in rules()  # seven weeks in, nothing entered
    for i, v in enumerate([2.0, 2.0, 2.1]):
        env.checkin(
            "t1",
            "kpi",
            "K1",
            dt.date(2026, 11, 9) + dt.timedelta(weeks=i),
            value=v,
            note="AI利用回数が増えた" if i == 2 else "",
        )
    for wk in ("2026-11-16", "2026-11-23"):
        env.checkin("t1", "usecase", "U1", wk, status="stuck", blockers="テンプレートの承認者がいない")
    found = rules()
    assert ("checkin_missing", "K1") not in found
    assert {("usage_as_result", "K1"), ("off_track", "K1"), ("use_case_stuck", "U1"), ("no_experiments", "")} <= found
    env.checkin("t1", "usecase", "U2", "2026-11-23", status="running", ai_tried="議事録から引き継ぎメモを作成")
    assert ("no_experiments", "") not in rules()
    msgs = {f["rule"]: f for f in env.findings("t1")}
    assert "2 週" in msgs["use_case_stuck"]["message"] and msgs["off_track"]["fix"]


def test_review_pack_cites_only_what_it_was_given(env):
    env.checkin("t1", "kpi", "K1", "2026-11-16", value=1.8, note="見積もりのテンプレートで提案書の作成時間が短くなった")
    env.checkin("t1", "usecase", "U2", "2026-11-23", status="stuck", blockers="引き継ぎの基準が文書化されていない")
    env.responder.bad_evidence_once = True  # the first answer cites an id it was never shown
    pack = env.pack("t1", by="fumi")
    assert pack["week"] == "2026-11-23" and 1 <= len(pack["hypotheses"]) <= 5
    assert any("K1" in line and "1.8" in line for line in pack["kpis"])
    assert any(s.startswith("U2") for s in pack["stuck"])
    offered = {
        **{p.chunk_id: p.text for p in env.runtime.retriever_for("acme").passages},
        **{
            f"checkin:{c['id']}": " ".join(x for x in (c["note"], c["blockers"], c["ai_tried"]) if x)
            for c in env.db.checkins("t1")
        },
    }
    cited = [c for h in pack["hypotheses"] for c in h["citations"]]
    assert cited, "the fake cites related sentences"
    for c in cited:
        assert c["chunk_id"] in offered or c["chunk_id"].startswith("playbook:")
        if c["chunk_id"] in offered:
            assert " ".join(c["quote"].split()) in " ".join(offered[c["chunk_id"]].split())
    assert any(c["chunk_id"].startswith("checkin:") for c in cited)  # grounded in what people reported
    assert all(c["chunk_id"] != "S99" for c in cited)
    assert pack["decisions"] and len(pack["exec_prompts"]) == 2
    from katachi.tracker.pack import pack_markdown

    md = pack_markdown(pack)
    assert md.startswith("# 週次レビュー資料") and "## 改善の仮説" in md and "\n1. " in md.split("## 出典")[1]
    assert "[^" not in md  # numbered notes: a footnote mark once showed raw on the page
    assert env.db.packs("t1")[0]["content"]["week"] == "2026-11-23"


def test_prove_then_adapt_to_another_department(env):
    with pytest.raises(KatachiError) as e:
        env.prove("t1", "U1")
    assert e.value.code == "not_proven"
    with pytest.raises(KatachiError) as e:
        env.adapt("t1", "U1", "経理")
    assert e.value.code == "not_proven_yet"
    env.checkin("t1", "kpi", "K1", "2026-11-16", value=1.4)
    env.checkin("t1", "kpi", "K1", "2026-11-23", value=1.0)
    proved = env.prove("t1", "U1", by="fumi")
    assert {k: proved[k] for k in ("use_case", "kpi", "week")} == {"use_case": "U1", "kpi": "K1", "week": "2026-11-23"}
    # the proven 型 joins the company's own library, and the next workshop is offered it first
    from katachi.knowledge.library.catalog import load_library
    from katachi.knowledge.library.company import company_library_dir

    lib = load_library(company_dir=company_library_dir(env.settings, "acme"))
    mine = lib.patterns[proved["pattern"]]
    values = env.playbook("t1")
    proc = values["playbook"]["procedures"][0]
    assert mine.origin == "proven" and mine.source == "proven:t1" and mine.ja.steps == proc["steps"]
    assert lib.pattern_candidates("営業", "提案書の作成", "ja", k=1)[0].id == mine.id
    out = env.adapt("t1", "U1", "経理", by="fumi")
    assert out["department"] == "経理" and out["source_department"] == "営業" and "経理" in out["title"]
    assert len(out["steps"]) >= 3 and "2 → 1" in out["result"]
    assert env.summary("t1")["use_cases"][0]["proven"] is True


def test_plot_is_a_png(env):
    env.checkin("t1", "kpi", "K1", "2026-11-16", value=1.8)
    env.checkin("t1", "kpi", "K1", "2026-11-23", value=1.6)
    png = env.plot("t1", "K1")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_csv_round_trip_and_shift_jis_import(env, tmp_path):
    env.checkin("t1", "kpi", "K1", "2026-11-16", value=1.8, note="テンプレート導入")
    env.checkin("t1", "usecase", "U1", "2026-11-16", status="running", ai_tried="議事録の要約")
    env.checkin("t1", "kpi", "K1", "2026-11-16", value=1.7, correction="再集計")
    data = export_csv(env, "t1")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Japanese correctly
    _approved(env.workshops, "t2")
    report = import_csv(env, "t2", data, by="import")
    assert (report.added, report.corrected, report.errors) == (1, 1, [])  # the corrected row keeps its reason
    strip = lambda rows: [(c["kind"], c["item"], c["week"], c["value"], c["status"], c["note"]) for c in rows]  # noqa: E731
    assert strip(env.db.checkins("t2")) == strip(env.db.checkins("t1"))
    again = import_csv(env, "t2", data)
    assert again.unchanged == 2 and again.added == 0 and not again.errors
    # Excel on Japanese Windows: Shift_JIS, Japanese headers, one bad row reported with its line.
    sjis = (
        "週,種類,項目,値,単位,状態,メモ\r\n2026-11-23,kpi,K1,1.5,日,,週次で確認\r\n"
        "2026-11-23,kpi,K1,9,時間,,単位違い\r\n2026-11-23,usecase,U2,,,done,完了\r\n"
    ).encode("cp932")
    rep = import_csv(env, "t2", sjis, by="excel")
    assert rep.added == 2 and [(line, err.code) for line, _, err in rep.errors] == [(3, "checkin_unit")]
    assert any(c["note"] == "週次で確認" for c in env.db.checkins("t2"))
    with pytest.raises(KatachiError) as e:
        import_csv(env, "t2", "a,b\r\n1,2\r\n".encode("cp932"))
    assert e.value.code == "csv_columns"
    with pytest.raises(KatachiError):
        import_csv(env, "t2", b"")


def test_cli_checkin_and_tracker(env, tmp_path, monkeypatch, capsys):
    from katachi.ui.cli.main import main

    monkeypatch.setattr("katachi.ui.cli.tracker._svc", lambda settings: env)
    assert (
        main(
            [
                "--lang",
                "ja",
                "checkin",
                "t1",
                "--kpi",
                "K1",
                "--value",
                "1.8",
                "--week",
                "2026-11-18",
                "--note",
                "テンプレート導入",
            ]
        )
        == 0
    )
    assert "K1 提案書作成リードタイム: 2 → 1.8 / 1 日" in capsys.readouterr().out
    assert main(["--lang", "en", "checkin", "t1", "--kpi", "K1", "--value", "2", "--unit", "hours"]) == 2
    assert "measured in '日'" in capsys.readouterr().err
    assert main(["checkin", "t1", "--use-case", "U1", "--status", "stuck", "--blockers", "承認者不在"]) == 0
    out = tmp_path / "c.csv"
    assert main(["tracker", "t1", "--csv-export", str(out)]) == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")
    png = tmp_path / "k.png"
    assert main(["tracker", "t1", "--plot", "K1", "--out", str(png)]) == 0 and png.stat().st_size > 5000
    md = tmp_path / "pack.md"
    assert main(["--lang", "ja", "tracker", "t1", "--pack", "--out", str(md)]) == 0
    assert "## 今週決めること" in md.read_text(encoding="utf-8")
    assert main(["tracker", "t1", "--prove", "U1"]) == 2  # not at target yet


def test_values_and_notes_beyond_their_bounds_are_refused_with_the_reason(env):
    """``checkin --value 1e308`` was stored; a long note was cut to its first 1,000 characters in silence."""
    for value in ("1e308", "-5", "4000"):  # K1 is in days: 0 … 3650
        with pytest.raises(KatachiError) as e:
            env.checkin("t1", "kpi", "K1", "2026-10-20", value=value)
        assert e.value.code == "checkin_invalid" and "3650" in e.value.message("en")
    with pytest.raises(KatachiError) as e:
        env.checkin("t1", "kpi", "K1", "2026-10-20", value=1.5, note="n" * 1001)
    assert "note" in e.value.message("en") and "1001" in e.value.message("en")
    with pytest.raises(KatachiError):
        env.checkin("t1", "usecase", "U1", "2026-10-20", status="running", value="1e300")
    assert not env.db.checkins("t1")
    from katachi.tracker.tracker import plausible_range

    assert plausible_range("percent") == plausible_range("%") and plausible_range("km") == (-1e12, 1e12)
