"""Drafts while a stage runs: items of a streamed answer as they close, and the stages' drafts reaching
whoever asked for them (the room), checked like the final items."""

from katachi.core.llm import structured_call
from katachi.core.partial_json import ItemScanner
from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.test_workshop_graph import DEPTS, DOCS, PAINS
from tests.workshop_fakes import ListRetriever, WorkshopResponder


def test_items_come_out_as_soon_as_each_closes_whatever_the_pieces():
    text = '```json\n{"note": "a [x] {y}", "themes": [{"title": "A \\"q\\" }", "n": [1, {"k": 2}]}, {"title": "B"}], "z": []}'
    for size in (1, 3, 7, len(text)):
        sc, got = ItemScanner(), []
        for i in range(0, len(text), size):
            got += sc.feed(text[i : i + size])
        assert got == [("themes", {"title": 'A "q" }', "n": [1, {"k": 2}]}), ("themes", {"title": "B"})]
    sc = ItemScanner()
    assert sc.feed('{"themes": [{"title": "A"}, {"title": "B"') == [("themes", {"title": "A"})]
    assert sc.feed("}]}") == [("themes", {"title": "B"})]


def test_structured_call_hands_over_items_and_still_returns_the_validated_answer():
    from katachi.agents.themes import ThemePicks

    t = {"group": "P1", "kpi": "quote_turnaround", "why_now": ""}
    model = FakeChatModel(script=[{"themes": [t, {**t, "group": "P2"}]}])
    seen = []
    r = structured_call(model, ThemePicks, [("user", "x")], on_item=lambda f, it: seen.append((f, it["group"])))
    assert seen == [("themes", "P1"), ("themes", "P2")]
    assert [x.group for x in r.value.themes] == ["P1", "P2"]
    # a broken consumer never costs the answer
    model = FakeChatModel(script=[{"themes": [t, t]}])
    r = structured_call(model, ThemePicks, [("user", "x")], on_item=lambda f, it: 1 / 0)
    assert len(r.value.themes) == 2


def test_the_room_gets_checked_drafts_of_themes_use_cases_and_sections(tmp_path):
    responder = WorkshopResponder()
    model = FakeChatModel(responder=responder)
    retr = ListRetriever("acme", DOCS)
    svc = WorkshopService(
        get_settings(), model_for=lambda role: model, retriever_for=lambda company: retr, db_path=tmp_path / "w.sqlite"
    )
    got: list[dict] = []
    try:
        snap = svc.start("acme", PAINS, DEPTS, lang="ja", thread_id="t1", today="2026-11-27", drafts=got.append)
        themes = [d["item"]["title"] for d in got if d["stage"] == "themes"]
        assert themes and set(themes) <= {c["title"] for c in snap.values["theme_candidates"]}
        assert all(d["item"]["problem"] for d in got)
        snap = walk(svc, "t1", snap, until="kpis")
        got.clear()
        snap = walk(svc, "t1", snap, until="usecases", drafts=got.append)
        ucs = [d["item"] for d in got if d["stage"] == "usecases"]
        assert [u["id"] for u in ucs] == [u["id"] for u in snap.values["use_cases"]]
        got.clear()
        snap = walk(svc, "t1", snap, until="playbook", drafts=got.append)
        sections = [d["item"]["section"] for d in got if d["stage"] == "playbook"]
        assert {"weekly_review", "glossary", "training"} <= set(sections)
        assert {f"procedures:{u['id']}" for u in snap.values["use_cases"]} <= set(sections)
        # without a listener no draft goes anywhere (answers are still streamed: a stalled one is stopped)
        got.clear()
        svc.start("acme", PAINS, DEPTS, lang="ja", thread_id="t2", today="2026-11-27")
        assert got == []
    finally:
        svc.close()
