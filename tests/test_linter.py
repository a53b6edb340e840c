import copy

import pytest

from agents.linter import MESSAGES, lint_all
from evals.fixtures import CLEAN, SEEDS, seeded

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
        why, fix = MESSAGES[rule][lang]
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
