"""Amounts in the playbook read as people write them."""

from __future__ import annotations

import pytest

from katachi.exports.blocks import _amount


@pytest.mark.parametrize(
    "value, unit, shown",
    [
        ("8000", "£ per month", "£8,000 per month"),
        ("45000", "$", "$45,000"),
        ("3", "hours", "3 hours"),
        ("1", "working days", "1 working day"),
        ("2", "日", "2 日"),
        ("要測定", "時間", "要測定"),
    ],
)
def test_amounts_read_as_written(value, unit, shown):
    assert _amount(value, unit) == shown


def test_the_weekly_review_and_the_rollout_name_targets_as_written():
    from katachi.agents import playbook
    from katachi.agents.playbook import default_rollout
    from katachi.agents.schemas import KPI
    from katachi.agents.sections import review_problems
    from katachi.knowledge.library.catalog import load_library

    lib = load_library()
    k = KPI(
        id="K1",
        name="Cost of hosting and maintenance bill",
        baseline="1200000",
        target="700000",
        unit="$ per year",
        deadline="2027-06",
        owner="CFO",
        method="invoices",
    )
    wr = playbook.method_weekly_review(lib, [k], [], "en")
    assert "its target of $700,000 per year for two weeks" in wr.decision_rules[0]
    assert not review_problems(wr.cadence, wr.decision_rules, [k])
    assert "judge attainment of $700,000 per year" in " ".join(default_rollout([], [k], "en")[2].goals)


def test_the_theme_check_knows_a_money_target_as_printed_and_still_finds_an_invented_number():
    from katachi.evals.rubric import ThemeFromPainPoints

    said = "Our hosting and maintenance bill is $1.2M a year and nobody can explain the line items"
    values = {
        "lang": "en",
        "pain_points": [{"id": "pp1", "text": said}],
        "pain_groups": [],
        "kpis": [{"target": "700000", "unit": "$ per year"}],
        "theme": {
            "problem": said,
            "citations": [],
            "outcome": "Hosting and maintenance bill down from $1,200,000 per year to $700,000 per year",
        },
    }
    assert ThemeFromPainPoints()(values, {}).score == 1.0
    values["theme"]["outcome"] = values["theme"]["outcome"].replace("$700,000", "$650,000")
    assert ThemeFromPainPoints()(values, {}).score == 0.0


@pytest.mark.parametrize(
    "text,lang,baseline,unit,target",
    [
        ("Even a standard NDA sits in the legal queue for a week", "en", 7, "days", 4),
        ("Month-end close takes a month every time", "en", 30, "days", 20),
        ("週次の集計に1時間かかる", "ja", 60, "分", 35),
        ("見積の承認に1週間かかる", "ja", 7, "日", 4),
        ("Kickoffs take 3 weeks to prepare", "en", 3, "weeks", 2),  # more than one stays in the unit said
    ],
)
def test_one_long_unit_of_time_is_counted_in_the_next_shorter_so_its_target_is_whole(
    text, lang, baseline, unit, target
):
    from katachi.agents.said import primary
    from katachi.agents.targets import baseline_of, first_step

    value, shown = baseline_of(primary(text), "days", lang)
    assert (value, shown) == (baseline, unit)
    assert first_step(value, True, "") == target
