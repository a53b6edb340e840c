"""Sampled eval scenarios and the content checks written for what fell apart on unseen handbooks."""

from __future__ import annotations

import copy

import pytest

from katachi.evals import content_checks as cc
from katachi.evals.fixtures import CLEAN
from katachi.evals.sample import load_bank, load_corpora, sample_scenarios


def test_the_same_seed_draws_the_same_scenarios_and_another_seed_others():
    a, b, c = sample_scenarios(8, 7), sample_scenarios(8, 7), sample_scenarios(8, 8)
    assert [(s.corpus, s.departments, s.pain_points) for s in a] == [
        (s.corpus, s.departments, s.pain_points) for s in b
    ]
    assert [s.pain_points for s in a] != [s.pain_points for s in c]
    assert [s.lang for s in a] == ["ja", "en"] * 4  # languages alternate: both measured in every sample


def test_a_scenario_is_drawn_from_one_corpus_its_departments_and_their_functions_pain_points():
    corpora = {c.name: c for c in load_corpora()}
    bank = load_bank()
    for s in sample_scenarios(20, 3):
        corpus = corpora[s.company.removeprefix("eval-")]
        assert s.lang == corpus.lang and 2 <= len(s.departments) <= 4 and 3 <= len(s.pain_points) <= 6
        functions = {f for d, f in corpus.departments if d in s.departments}
        assert set(s.departments) <= {d for d, _ in corpus.departments}
        for text in s.pain_points:
            p = next(p for p in bank[s.lang] if p["text"] == text)
            assert set(p["functions"]) & functions
            assert "any" in p["industries"] or corpus.industry in p["industries"]


def test_the_eval_corpora_are_mostly_real_and_cover_both_languages():
    corpora = load_corpora()
    real = [c for c in corpora if c.written == "real"]
    assert len(real) > len(corpora) - len(real)
    assert {c.lang for c in real} == {"ja", "en"}
    for c in corpora:
        assert c.path.is_dir() and any(c.path.rglob("*.*")), c.name
        assert (c.path.parent / "SOURCES.md").is_file() or c.written == "handwritten", c.name


def _v():
    v = copy.deepcopy(CLEAN["ja"])
    v["pain_groups"] = [
        {"id": "P1", "summary": v["pain_points"][0]["text"], "members": ["pp1"]},
        {"id": "P2", "summary": v["pain_points"][1]["text"], "members": ["pp2"]},
    ]
    v["theme"].update(problem="提案書の作成に平均2日かかる。", pain_groups=["P1"], why_now="")
    v["kpis"][0].update(pain_points=["pp1"], said="2日")
    for u in v["use_cases"]:
        u.update(
            input="商談メモ",
            output="提案書の初稿",
            pattern="sales.proposal_draft",
            impact={"value": 4, "reason": "提案書作成日数の現状2日"},
            feasibility={"value": 3, "reason": "前提: 過去の提案書"},
        )
    v["use_cases"][1].update(who="CS担当", input="引き継ぎシート", output="キックオフ資料")
    return v


@pytest.mark.parametrize(
    "check,break_it",
    [
        (cc.OutcomeIsAnOutcome(), lambda v: v["theme"].update(outcome="提案書の作成に平均2日かかる")),
        (cc.OutcomeIsAnOutcome(), lambda v: v["theme"].update(outcome="Implement a project health tracker")),
        (cc.NoExampleCopies(), lambda v: v["use_cases"][0].update(when="月初の現場巡回の後")),
        (cc.NoExampleCopies(), lambda v: v["use_cases"][0].update(output="月間の商談計画表")),  # the example's shape
        (
            cc.NoLoops(),
            lambda v: v["use_cases"][0].update(when="営業部の営業担当者と営業部の営業部の営業担当者と営業部の"),
        ),
        (cc.NoEmptySlots(), lambda v: v["use_cases"][0]["feasibility"].update(reason="")),
        (cc.NoEmptySlots(), lambda v: v["kpis"][0].update(name="billing_and_hour_tracking_errors")),
        (cc.NoCutTitles(), lambda v: v["theme"].update(title="提案書の作成に平均2")),
        (cc.NumbersOnTheirKPI(), lambda v: v["kpis"][0].update(baseline="要測定")),
        (cc.NumbersOnTheirKPI(), lambda v: v["kpis"][0].update(pain_points=["pp2"])),  # 2日 pinned to another pain
        (cc.ThemeProblemIsTheirs(), lambda v: v["theme"].update(problem="営業部が新規開拓に時間を割けない")),
        (cc.ActorsArePeople(), lambda v: v["use_cases"][0].update(who="開発部")),
        (cc.InputsAreArtifacts(), lambda v: v["use_cases"][0].update(input="商談準備の段階")),
        (cc.ReasonsNameThePain(), lambda v: v["use_cases"][0]["impact"].update(reason="会議の議題の作成が週の半日")),
        (cc.WhyNowIsCited(), lambda v: v["theme"].update(why_now="取引先が増えている")),
    ],
)
def test_each_content_check_passes_a_sound_playbook_and_fails_the_failure_it_was_written_for(check, break_it):
    v = _v()
    v["pain_points"][0]["text"] = "提案書の作成に平均2日かかる"
    assert check(v, {}).score == 1.0, check(v, {}).detail
    break_it(v)
    assert check(v, {}).score < 1.0


def test_a_number_converted_to_a_shorter_unit_counts_only_when_the_kpi_keeps_the_words_said():
    v = _v()
    v["pain_points"][0]["text"] = "見積の承認に1週間かかる"
    v["kpis"][0].update(baseline="7", unit="日", said="1週間")
    assert cc.NumbersOnTheirKPI()(v, {}).score == 1.0
    v["kpis"][0].update(said="")  # converted without saying so
    assert cc.NumbersOnTheirKPI()(v, {}).score < 1.0
    v["kpis"][0].update(baseline="7", unit="週間", said="1週間")  # a wrong number in the unit said
    assert cc.NumbersOnTheirKPI()(v, {}).score < 1.0


def test_the_rubric_reads_an_explicit_conversion_as_the_number_said():
    from katachi.evals import rubric

    v = _v()
    v["pain_points"][0]["text"] = "Even a standard NDA sits in the legal queue for a week"
    v["theme"].update(
        problem=v["pain_points"][0]["text"] + ".", outcome="Contract review time down from 7 days to 4 days"
    )
    v["kpis"][0].update(baseline="7", unit="days", target="4", said="a week", citations=[])
    for check in (rubric.NoInventedBaselines(), rubric.StatedNumbersUsed(), rubric.ThemeFromPainPoints()):
        assert check(v, {}).score == 1.0, (check.name, check(v, {}).detail)
    v["kpis"][0].update(said="")  # the same number with the words dropped is invented
    assert rubric.NoInventedBaselines()(v, {}).score < 1.0
