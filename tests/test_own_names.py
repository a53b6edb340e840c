"""The participants' own measure is named from their words — and never from a clause cut at a verb, a
particle or a number ("Cost of auto-renewed a", 「手が回らなくての割合」, 「まにかかる日数」)."""

from __future__ import annotations

import pytest

from katachi.agents.own_names import own_name
from katachi.agents.said import primary


@pytest.mark.parametrize(
    "text, lang, name",
    [
        # the work named in their words
        (
            "Month-end close takes 12 working days, so the management accounts are stale",
            "en",
            "Days for month-end close",
        ),
        ("Cash application takes an hour and a half every morning", "en", "Time for cash application"),
        ("シフト作成に、主任が毎月二日がかり", "ja", "シフト作成にかかる日数"),
        ("営業日報を書くのに毎日30分。しかも誰も読んでない気がするんだよね", "ja", "営業日報を書くのにかかる時間"),
        ("経費精算の差し戻しが月に50件。ほぼ領収書の不備", "ja", "経費精算の差し戻しの件数"),
        # a measure already: not said twice ("Time for average handle time")
        (
            "Average handle time is 11 minutes and the queue hits 40 callers on Monday mornings",
            "en",
            "Average handle time",
        ),
        (
            "Win rate on enterprise deals dropped from 25% to 16% and we can't say why",
            "en",
            "Win rate on enterprise deals",
        ),
        ("コールセンターの平均待ち時間が8分。繁忙期は20分を超えます", "ja", "コールセンターの平均待ち時間"),
        # no name in the words: their clause, quoted whole
        (
            "We auto-renewed a $45k software contract we'd meant to cancel",
            "en",
            "Cost: “We auto-renewed a $45k software contract we'd meant to cancel”",
        ),
        (
            "Reps lose every Friday afternoon to the forecast email, about 3 hours each",
            "en",
            "Time taken: “Reps lose every Friday afternoon to the forecast email”",
        ),
        (
            "Payroll queries land with HR, HR forwards them to finance, and staff wait a fortnight for an answer",
            "en",
            "Days taken: “Staff wait a fortnight for an answer”",
        ),
        ("Three levels of approval for a £200 purchase", "en", "Count: “Three levels of approval for a £200 purchase”"),
        (
            "見積もりの依頼が月に20件来るけど、手が回らなくて半分は断ってる",
            "ja",
            "「手が回らなくて半分は断ってる」の割合",
        ),
        (
            "若手の営業が一人で提案できるようになるまで、2年はかかる",
            "ja",
            "「若手の営業が一人で提案できるようになるまで」にかかる日数",
        ),
        ("点検記録を紙に書いて、事務所でExcelに打ち直してる。1日30分×5人", "ja", "「1日30分×5人」にかかる時間"),
    ],
)
def test_the_participants_measure_reads_as_a_name(text, lang, name):
    assert own_name(primary(text), text, lang) == name


def test_a_pain_point_without_a_number_is_counted_in_its_own_words():
    text = "Customer feedback doesn't really travel round the business"
    assert (
        own_name(primary(text), text, "en") == "Cases of “Customer feedback doesn't really travel round the business”"
    )


def test_a_theme_on_a_quoted_measure_quotes_it_in_its_title():
    from katachi.agents.own_names import own_quote
    from katachi.agents.themes import quoted_title

    text = "Reps lose every Friday afternoon to the forecast email, about 3 hours each"
    said = own_quote(primary(text), text, "en")
    assert (
        quoted_title(said, "lower", "hours", "en")
        == "Cut the time: “Reps lose every Friday afternoon to the forecast email”"
    )
    text = "見積もりの依頼が月に20件来るけど、手が回らなくて半分は断ってる"
    assert (
        quoted_title(own_quote(primary(text), text, "ja"), "lower", "%", "ja")
        == "「手が回らなくて半分は断ってる」を減らす"
    )
    named = "Month-end close takes 12 working days"
    assert own_quote(primary(named), named, "en") is None
