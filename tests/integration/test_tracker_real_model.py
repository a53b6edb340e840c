"""The weekly review pack and a 型 adaptation with the real embedded model (the workshop itself is
scripted, to keep this short): valid structure, and only verifiable citations."""

import datetime as dt

import pytest

from katachi.core.settings import get_settings

pytestmark = pytest.mark.integration

DOCS = [
    "提案書の作成には平均で二日かかっている。見積もりのテンプレートは営業部で共有されている。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
    "経理部では請求書の照合に毎月三日かかっている。照合結果は課長が確認する。",
]


def test_pack_and_adaptation_with_the_embedded_model(tmp_path):
    from katachi.graphs.service import WorkshopService
    from katachi.tracker.tracker import TrackerService
    from tests.fakes import FakeChatModel
    from tests.flow import walk
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    fake = FakeChatModel(responder=WorkshopResponder())
    retr = ListRetriever("acme", DOCS)
    svc = WorkshopService(
        get_settings(), model_for=lambda r: fake, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
    )
    snap = svc.start(
        "acme",
        ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"],
        ["営業", "カスタマーサクセス"],
        lang="ja",
        thread_id="t",
        today="2026-10-05",
    )
    walk(svc, "t", snap)
    from katachi.graphs.runtime import Runtime

    tr = TrackerService(
        svc,
        db_path=tmp_path / "t.sqlite",
        today=lambda: dt.date(2026, 11, 25),
        runtime=Runtime.of(get_settings(), retriever_for=lambda c: retr),
    )
    tr.checkin("t", "kpi", "K1", "2026-11-09", value=1.8, note="見積もりのテンプレートで提案書の作成が早くなった")
    tr.checkin("t", "kpi", "K1", "2026-11-16", value=1.4)
    tr.checkin("t", "kpi", "K1", "2026-11-23", value=1.0)
    tr.checkin("t", "usecase", "U2", "2026-11-23", status="stuck", blockers="引き継ぎの基準が文書化されていない")
    pack = tr.pack("t")
    # The 1.5B model often copies the items it is asked about; those answers are dropped, never shown.
    # What is asserted is the pipeline: at most five kept hypotheses, none a copy, every citation verifiable,
    # and decisions / prompts always present (from the model, or derived from the numbers).
    assert len(pack["hypotheses"]) <= 5 and pack["decisions"] and pack["exec_prompts"]
    offered = {p.chunk_id: p.text for p in retr.passages}
    offered.update(
        {
            f"checkin:{c['id']}": " ".join(x for x in (c["note"], c["blockers"], c["ai_tried"]) if x)
            for c in tr.db.checkins("t")
        }
    )
    for h in pack["hypotheses"]:
        assert h["text"].strip() and h["about"] not in h["text"]
        for c in h["citations"]:
            if not c["chunk_id"].startswith("playbook:"):
                assert " ".join(c["quote"].split()) in " ".join(offered[c["chunk_id"]].split())
    tr.prove("t", "U1")
    out = tr.adapt("t", "U1", "経理")
    assert out["title"] and 3 <= len(out["steps"]) <= 5 and out["prompt_template"]
