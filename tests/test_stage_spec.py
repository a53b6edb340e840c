"""A stage declared only by its spec runs everywhere: the graph and its gate, the command line, the room's
board, the documents and the versions draw it without a line of their own (graphs.stages)."""

from __future__ import annotations

import pytest

from katachi.agents.common import StageLog
from katachi.core import i18n
from katachi.core.settings import get_settings
from katachi.graphs import stages
from katachi.graphs.service import WorkshopService
from katachi.graphs.stages import StageSpec, reviewed
from katachi.graphs.workshop import produce
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

DOCS = ["提案書の作成には平均で二日かかっている。", "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。"]
LABELS = {
    "stage.checks": {"ja": "確認事項", "en": "Checks"},
    "stage.checks_use_case": {"ja": "ユースケース", "en": "Use case"},
    "stage.checks_check": {"ja": "確認すること", "en": "What to check"},
}


def checks(ctx, state: dict, feedback: str) -> tuple[list[dict], StageLog]:
    """A generator that needs no model: one check per approved use case, the reviewer's feedback written in."""
    items = [{"use_case": u["id"], "check": f"{u['title']}の出力を確認 {feedback}".strip()} for u in state["use_cases"]]
    return items, StageLog()


@pytest.fixture
def with_checks(monkeypatch):
    """SPECS with the extra stage before the playbook, as a spec added to the list would make it."""
    spec = StageSpec(
        "checks",
        produce("checks", checks),
        reviewed("checks"),
        keys=("outputs",),
        fields=("use_case", "check"),
    )
    specs = (*stages.SPECS[:-1], spec, stages.SPECS[-1])
    monkeypatch.setattr(stages, "SPECS", specs)
    monkeypatch.setattr(stages, "STAGES", (*(s.name for s in specs), "done"))
    monkeypatch.setattr(stages, "BY_NAME", {s.name: s for s in specs})
    monkeypatch.setattr(stages, "AFTER_GATE", {**stages.AFTER_GATE, "usecases": "checks", "checks": "playbook"})
    texts = {**i18n.catalog(), **LABELS}
    monkeypatch.setattr(i18n, "catalog", lambda: texts)
    return spec


@pytest.fixture
def service(tmp_path, with_checks):
    model = FakeChatModel(responder=WorkshopResponder())
    retr = ListRetriever("acme", DOCS)
    svc = WorkshopService(
        get_settings(), model_for=lambda role: model, retriever_for=lambda company: retr, db_path=tmp_path / "w.sqlite"
    )
    yield svc
    svc.close()


def _to_checks(svc):
    snap = svc.start("acme", ["提案書の作成に2日かかる"], ["営業"], lang="ja", thread_id="t", today="2026-12-06")
    return walk(svc, "t", snap, until="checks")


def test_the_gate_of_a_spec_only_stage_opens_with_its_items_and_its_decisions(service):
    snap = _to_checks(service)
    assert snap.gate["gate"] == "checks" and snap.gate["actions"] == ["approve", "reject"]
    ucs = snap.values["use_cases"]
    assert [i["use_case"] for i in snap.gate["data"]["items"]] == [u["id"] for u in ucs]
    with pytest.raises(Exception, match="reject needs feedback"):
        service.resume("t", {"action": "reject"})
    snap = service.resume("t", {"action": "reject", "feedback": "責任者も書く"})
    assert snap.gate["gate"] == "checks" and snap.gate["data"]["items"][0]["check"].endswith("責任者も書く")
    snap = service.resume("t", {"action": "approve"})
    assert snap.gate["gate"] == "playbook" and snap.values["stage"] == "gate_playbook"
    assert [d["gate"] for d in snap.values["decisions"]][-2:] == ["checks", "checks"]
    assert snap.values["versions"][-1]["content"]["outputs"]["checks"][0]["check"].endswith("責任者も書く")


def test_every_view_draws_it_from_the_spec(service, monkeypatch, capsys):
    import katachi.ui.cli.workshop as cli
    from katachi.exports.outputs import render_markdown
    from katachi.ui.web.room import render

    monkeypatch.setattr(render, "STAGES", stages.STAGES)
    snap = _to_checks(service)
    title = snap.values["use_cases"][0]["title"]
    answers = iter(["x", "a"])
    monkeypatch.setattr(cli, "read_line", lambda prompt: next(answers))
    assert cli.ask_decision(snap.gate, "ja") == {"action": "approve"}
    shown = capsys.readouterr().out
    assert f"{title}の出力を確認" in shown and "a 承認 / r 指摘 で作り直し" in shown

    html = render.stage_items(snap.values, "checks", "ja")
    assert "確認すること" in html and f"{title}の出力を確認" in html
    assert 'data-stage="checks"' in render.stepper("checks", "ja")

    snap = service.resume("t", {"action": "approve"})
    md = render_markdown(snap.values)
    assert "## 確認事項" in md and f"{title}の出力を確認" in md


def test_the_room_offers_its_gate_the_approve_and_send_back_controls(with_checks):
    from katachi.ui.web.room import board
    from katachi.ui.web.room.style import VISIBILITY

    assert board._reviewed("checks") and board._reviewed("gate_checks")
    assert not any(board._reviewed(s) for s in ("intake", "themes", "kpis", "usecases", "playbook", "done"))
    assert '[data-decide="1"][data-reviewed="1"]' in VISIBILITY and "#k-fac-reviewed" in VISIBILITY
