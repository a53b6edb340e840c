"""A library step filled with the company's words reads as one sentence."""

from __future__ import annotations

from types import SimpleNamespace

from katachi.agents.patterns import fill


def test_a_phrase_inside_a_sentence_starts_in_lower_case_and_a_name_keeps_its_capitals():
    uc = SimpleNamespace(
        who="Press Officer",
        when="When someone looks for a form",
        input="The document index and what is being looked for",
        output="Where the document is",
    )
    assert (
        fill("{who} lays out {input}", uc) == "Press Officer lays out the document index and what is being looked for"
    )
    assert fill("{input}: checked. {output} goes back", uc) == (
        "The document index and what is being looked for: checked. Where the document is goes back"
    )
    assert fill("{who} replies with {output} and {output}", uc) == (
        "Press Officer replies with where the document is and where the document is"
    )
