"""The evals harness end to end with a scripted model, and the evaluators on hand-made outputs."""

import copy
import json

import pytest

from katachi.core.settings import get_settings
from katachi.evals import harness
from katachi.evals.evaluators import (
    CitationCoverage,
    CitationValidity,
    DepartmentCoverage,
    HandoffClosure,
    KPICompleteness,
    LinterAgreement,
)
from katachi.evals.fixtures import CLEAN
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.workshop_fakes import WorkshopResponder


def test_at_least_eight_scenarios_cover_every_pattern_in_both_languages():
    scs = harness.load_scenarios()
    assert len(scs) >= 8 and {s.lang for s in scs} == {"ja", "en"}
    fires = {r for s in scs for r in s.expect.get("linter_fires", [])}
    assert {
        "junior_delegation",
        "prompt_training_only",
        "executive_absent",
        "usage_as_goal",
        "unmeasured",
        "point_solution",
    } <= fires
    assert any(s.expect.get("linter_silent") and not s.expect.get("linter_fires") for s in scs)  # clean negatives


def _values_with_citation():
    v = copy.deepcopy(CLEAN["ja"])
    v["passages"] = {
        "c1": {
            "chunk_id": "c1",
            "company": "x",
            "source": "/d.md",
            "rel": "d.md",
            "text": "提案書は二日かかる。次の文。",
        }
    }
    v["theme"]["citations"] = [{"chunk_id": "c1", "quote": "提案書は二日かかる。", "rel": "d.md"}]
    v["kpis"][0]["citations"] = [{"chunk_id": "c1", "quote": "言い換えた引用", "rel": "d.md"}]
    v["kpis"][0]["citations"].append({"chunk_id": "zz", "quote": "提案書は二日かかる。", "rel": "d.md"})
    return v


def test_evaluators_score_hand_made_outputs():
    v = _values_with_citation()
    assert CitationValidity()(v, {}).score == pytest.approx(1 / 3)
    cov = CitationCoverage()(v, {})
    assert cov.score == pytest.approx(1 / 6)  # of theme, K1, U1, U2, H1, procedure U1 only the theme is validly cited
    assert KPICompleteness()(v, {}).score == 1.0
    v["kpis"][0]["deadline"] = "来年"
    assert KPICompleteness()(v, {}).score == 0.5
    assert DepartmentCoverage()(v, {"departments": ["営業", "人事"]}).score == 0.5
    assert HandoffClosure()(v, {}).score == 1.0
    v["handoffs"][0]["receiving_owner"] = ""
    assert HandoffClosure()(v, {}).score == 0.0
    v["findings"] = {"kpis": [{"rule": "usage_as_goal"}, {"rule": "point_solution"}]}
    recall, precision, _, _ = LinterAgreement()(
        v, {"linter_fires": ["usage_as_goal", "unmeasured"], "linter_silent": ["point_solution"]}
    )
    assert recall.score == 0.5 and precision.score == 0.5


@pytest.mark.slow
def test_harness_runs_every_scenario_with_a_scripted_model(tmp_path, fake_embedder, monkeypatch):
    def factory():
        model = FakeChatModel(responder=WorkshopResponder("ja"))
        return WorkshopService(get_settings(), model_for=lambda r: model, db_path=tmp_path / "w.sqlite")

    scenarios = harness.load_scenarios()
    report = harness.run(scenarios, tmp_path / "run1", factory, "fake", today="2026-11-27")
    s = report["summary"]
    assert s["citation_validity"] == 1.0 and s["schema_validity"] == 1.0
    assert s["linter_recall_pooled"] >= 0.9 and s["linter_precision"] >= 0.9
    md = (tmp_path / "run1" / "report.md").read_text(encoding="utf-8")
    assert "ja-junior-delegation" in md and "| **mean** |" in md
    data = json.loads((tmp_path / "run1" / "report.json").read_text(encoding="utf-8"))
    assert len(data["scenarios"]) == len(scenarios)
    # a second run with one metric made worse shows up in the comparison
    data["summary"]["citation_coverage"] = 0.1
    (tmp_path / "run2").mkdir()
    (tmp_path / "run2" / "report.json").write_text(json.dumps(data), encoding="utf-8")
    diff = harness.compare(tmp_path / "run1", tmp_path / "run2")
    assert "citation_coverage" in diff and "↓" in diff
