"""Fault injection against a scripted OpenAI-compatible server on loopback: every fault ends in a clear,
coded error (or is retried away), a hang costs one timeout, and a workshop under random faults
finishes with nothing lost."""

from __future__ import annotations

import time

import pytest

from katachi.core.errors import KatachiError
from katachi.core.llm import get_chat_model, structured_call
from katachi.core.settings import get_settings
from tests.flow import auto, gates
from tests.scripted_server import ScriptedServer
from tests.workshop_fakes import WorkshopResponder

pytestmark = pytest.mark.faults


@pytest.fixture
def server():
    s = ScriptedServer(WorkshopResponder(), hang_s=3.0)
    yield s
    s.close()


def _settings(server, **kw):
    return get_settings().model_copy(
        update={"provider": "openai", "openai_base_url": server.url, "openai_model": "scripted", "timeout_s": 1.0, **kw}
    )


@pytest.mark.parametrize(
    "faults,code,calls",
    [
        (["429", "429"], "model_refused", 2),  # busy twice: asked once more, then reported
        (["500", "500"], "model_refused", 2),
        (["hang"], "model_timeout", 1),  # not asked again: one timeout, not two
        (["nonjson"], "model_bad_reply", 1),
        (["malformed", "malformed", "malformed"], "invalid_llm_output", 3),
        (["schema", "schema", "schema"], "invalid_llm_output", 3),
    ],
)
def test_each_fault_ends_in_a_clear_coded_error(server, monkeypatch, faults, code, calls):
    from katachi.agents.themes import ThemePicks

    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0.05)
    server.faults = list(faults)
    model = get_chat_model("themes", _settings(server))
    t0 = time.perf_counter()
    with pytest.raises(KatachiError) as e:
        structured_call(model, ThemePicks, [("user", "テーマを出して")], retries=2)
    assert e.value.code == code and e.value.message("ja") and e.value.message("en")
    assert len(server.seen) == calls
    if code == "model_timeout":
        assert time.perf_counter() - t0 < 2.0  # one timeout of 1 s


def test_a_transient_fault_is_retried_away(server, monkeypatch):
    from katachi.agents.themes import ThemePicks

    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0.05)
    for fault in ("429", "500", "malformed", "schema"):
        server.faults, server.seen = [fault], []
        out = structured_call(
            get_chat_model("themes", _settings(server)),
            ThemePicks,
            [
                (
                    "user",
                    "P1: 「提案書の作成に2日かかる」\n   KPI候補: proposal_lead_time=提案書作成リードタイム（日）\n"
                    "P2: 「引き継ぎ漏れ」\n   KPI候補: handover_gaps=引き継ぎ漏れ件数（件）",
                )
            ],
            retries=2,
            enums={"group": ["P1", "P2"], "kpi": ["proposal_lead_time", "handover_gaps"]},
        )
        assert out.value.themes and server.seen[0] == fault


def test_a_workshop_under_random_faults_finishes_and_loses_nothing(tmp_path, monkeypatch):
    """Half the calls fail at random (every kind, hangs included); each failure is a coded error, the
    state stays resumable, and the finished playbook holds every pain point and decision."""
    from katachi.graphs.service import WorkshopService
    from tests.workshop_fakes import ListRetriever

    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0.05)
    responder = WorkshopResponder()
    responder.new_use_cases = True  # the model writes the procedures too: more calls to fail
    srv = ScriptedServer(responder, hang_s=1.5, rate=0.5, seed=3)
    try:
        docs = [
            "提案書の作成には平均2日かかり、営業担当が夜に作業しています。",
            "受注後の引き継ぎでは、顧客の要望が伝わらないことがあります。",
        ]
        svc = WorkshopService(
            _settings(srv, timeout_s=0.7),
            retriever_for=lambda c: ListRetriever("acme", docs),
            db_path=tmp_path / "w.sqlite",
        )
        pains = ["提案書の作成に2日かかる", "引き継ぎで顧客の要望が抜ける", "議事録の共有が遅い"]
        errors: list[str] = []

        def attempt(fn):
            for _ in range(30):
                try:
                    return fn()
                except KatachiError as err:
                    errors.append(err.code)
                    fn = lambda: svc.continue_run("f")  # noqa: E731 - resume from the checkpoint
            raise AssertionError(f"no progress after 30 tries: {errors}")

        snap = attempt(
            lambda: svc.start(
                "acme", pains, ["営業", "カスタマーサクセス"], lang="ja", thread_id="f", today="2026-11-27"
            )
        )
        for _ in gates():  # one decision a gate
            assert snap.gate is not None, snap.stage
            gate = snap.gate["gate"]
            snap = attempt(lambda g=snap.gate: svc.resume("f", auto(g)))
            assert [x["gate"] for x in snap.values["decisions"]][-1] == gate  # the decision was kept
        assert snap.done
        assert [p["text"] for p in snap.values["pain_points"]] == pains
        faults = [m for m in srv.seen if m != "ok"]
        assert faults, f"the scripted server injected no fault: {srv.seen} {errors}"
        assert set(errors) <= {
            "model_refused",
            "model_timeout",
            "model_bad_reply",
            "invalid_llm_output",
            "model_unreachable",
        }
        print(
            f"\nfaults injected: {len(faults)} of {len(srv.seen)} calls; errors surfaced: {len(errors)}; "
            f"workshop finished: {snap.done}"
        )
    finally:
        srv.close()
