import copy

import pytest

from katachi.agents.linter import lint_all
from katachi.core.i18n import t
from katachi.core.settings import get_settings
from katachi.evals.fixtures import CLEAN, SEEDS, seeded

RULES = sorted(SEEDS)


def fired(values) -> set[str]:
    return {f["rule"] for fs in lint_all(values).values() for f in fs}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_clean_design_raises_nothing(lang):
    assert fired(copy.deepcopy(CLEAN[lang])) == set()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("rule", RULES)
def test_each_rule_fires_on_its_seed_only(rule, lang):
    found = lint_all(seeded(rule, lang))
    rules = {f["rule"] for fs in found.values() for f in fs}
    assert rule in rules
    for f in (f for fs in found.values() for f in fs if f["rule"] == rule):
        why, fix = t(f"lint.{rule}.why", lang), t(f"lint.{rule}.fix", lang)
        assert f["message"].startswith(why) and f["fix"] == fix and f["stage"]


def test_pain_points_signal_patterns_at_intake():
    values = copy.deepcopy(CLEAN["ja"])
    values["pain_points"].append({"id": "pp3", "text": "生成AIは若手の有志がとりあえず使ってみている"})
    intake = {f["rule"] for f in lint_all(values)["intake"]}
    assert intake == {"junior_delegation", "executive_absent"}


def test_findings_come_in_the_workshop_language():
    ja = lint_all(seeded("usage_as_goal", "ja"))["kpis"][0]
    en = lint_all(seeded("usage_as_goal", "en"))["kpis"][0]
    assert "目的" in ja["message"] and "goal" in en["message"]


def test_the_model_judged_pass_is_optional_and_labelled(monkeypatch):
    from katachi.agents.judge import judge
    from tests.fakes import FakeChatModel

    model = FakeChatModel(
        script=[{"findings": [{"rule": "usage_as_goal", "item": "K1", "reason": "活用度は成果ではない"}]}]
    )
    found = judge(model, "kpis", {"kpis": [{"name": "AI活用度スコア"}]}, "ja")
    assert found[0].by == "model" and "モデル判定" in found[0].message and found[0].rule == "usage_as_goal"
    fmt = model.calls[0]["kwargs"]["response_format"]["json_schema"]["schema"]
    assert "usage_as_goal" in str(fmt)


def test_the_judge_runs_inside_the_graph_only_when_enabled(tmp_path, monkeypatch):
    from katachi.core.settings import reset_settings
    from katachi.graphs.service import WorkshopService
    from tests.fakes import FakeChatModel
    from tests.flow import walk
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    responder = WorkshopResponder()

    def answer(messages, kwargs):
        if kwargs["response_format"]["json_schema"]["name"] == "Judgement":
            return {"findings": [{"rule": "point_solution", "item": "", "reason": "x"}]}
        return responder(messages, kwargs)

    model = FakeChatModel(responder=answer)
    retr = ListRetriever("acme", ["提案書の作成には二日かかる。"])
    for enabled in (False, True):
        monkeypatch.setenv("KATACHI_LINT_JUDGE", "1" if enabled else "0")
        reset_settings()
        svc = WorkshopService(
            get_settings(), model_for=lambda r: model, retriever_for=lambda c: retr, db_path=tmp_path / f"{enabled}.db"
        )
        snap = svc.start("acme", ["提案書に2日"], ["営業", "CS"], lang="ja", thread_id="j", today="2026-11-27")
        snap = walk(svc, "j", snap, until="kpis")
        by = {f["by"] for f in snap.values["findings"]["kpis"]}
        assert ("model" in by) == enabled
        svc.close()


def test_every_rule_the_model_may_name_has_a_severity_its_words_and_a_place_in_each_prompt():
    from katachi.agents.judge import PROMPT, RULES
    from katachi.agents.linter import SEVERITY
    from katachi.core.i18n import LANGS, catalog

    for rule in RULES:
        assert rule in SEVERITY
        for lang in LANGS:
            assert rule in PROMPT[lang] and catalog()[f"lint.{rule}.why"].get(lang)
