import re

import pytest

from katachi.agents.prompts import FEEDBACK, PROMPTS, SYSTEM, placeholders, render, user_prompt
from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

LEFTOVER = re.compile(r"\$\{?[A-Za-z_]")


def test_languages_share_the_same_placeholders():
    for name, by_lang in PROMPTS.items():
        assert set(by_lang) == {"ja", "en"}, name
        assert placeholders(by_lang["ja"]) == placeholders(by_lang["en"]), name
    assert placeholders(SYSTEM["ja"]) == placeholders(SYSTEM["en"])
    assert placeholders(FEEDBACK["ja"]) == placeholders(FEEDBACK["en"]) == {"comment"}


def test_a_missing_value_is_an_error_not_a_leak():
    with pytest.raises(KeyError):
        render("テーマ: $theme")
    with pytest.raises(KeyError):
        user_prompt("themes", "ja", pain_points="x", documents="d")  # n missing


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_prompt_sent_in_a_full_run_is_completely_filled(tmp_path, lang):
    responder = WorkshopResponder(lang)
    responder.new_use_cases = True  # so the procedure prompt is sent too (library procedures need no call)
    seen_systems = []

    def record(messages, kwargs):
        seen_systems.append(messages[0].content)
        return responder(messages, kwargs)

    model = FakeChatModel(responder=record)
    retr = ListRetriever("acme", ["提案書の作成には二日かかる。", "The hand-off loses the customer's goals."])
    svc = WorkshopService(
        get_settings(), model_for=lambda r: model, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
    )
    snap = svc.start(
        "acme", ["提案書に2日", "hand-off loses goals"], ["A", "B"], lang=lang, thread_id="x", today="2026-11-27"
    )
    snap = walk(svc, "x", snap, until="kpis")
    snap = svc.resume("x", {"action": "reject", "feedback": "顧客満足も"})  # KPIs are asked of the model only then
    snap = walk(svc, "x", snap, until="playbook")
    snap = svc.resume(
        "x",
        {
            "action": "request_changes",
            "sections": {
                "roles": "CEO を入れて",
                "rollout": "速く",
                "glossary": "用語を足して",
                "weekly_review": "朝に",
                "training": "短く",
            },
        },
    )
    assert snap.gate["gate"] == "playbook"
    used = {name for name in responder.calls}
    # at least these: a stage added later sends its own prompt too, and it is checked below like these
    assert used >= {
        "ThemePicks",
        "KPIPicks",
        "UseCasesOut",
        "HandOffsOut",
        "ProcedureOut",
        "WeeklyReviewOut",
        "GlossaryOut",
        "TrainingOut",
        "RolesOut",
        "RolloutOut",
    }
    for text in responder.prompts + seen_systems:
        assert not LEFTOVER.search(text), text
    assert all("2026-11-27" in s for s in seen_systems)
    svc.close()
