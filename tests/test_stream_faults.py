"""Streamed calls (the web app's drafts) fail with the same coded errors as plain calls: a server that
answers a stream with plain JSON or a broken body once gave ``job_failed (AssertionError)`` and a
traceback in the web app, where the terminal said ``model_bad_reply``."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from katachi.core.errors import KatachiError
from katachi.core.llm import get_chat_model, structured_call
from katachi.core.settings import get_settings
from tests.scripted_server import ScriptedServer


class Out(BaseModel):
    items: list[dict]


ANSWER = '{"items": [{"title": "提案書の下書き"}, {"title": "見積の確認"}]}'


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0.01)
    s = ScriptedServer(lambda messages, kwargs: ANSWER, hang_s=2.0)
    yield s
    s.close()


def _call(server, stream: bool):
    settings = get_settings().model_copy(
        update={"provider": "openai", "openai_base_url": server.url, "openai_model": "scripted", "timeout_s": 1.0}
    )
    seen: list = []
    out = structured_call(
        get_chat_model("themes", settings),
        Out,
        [("user", "u")],
        retries=1,
        on_item=(lambda field, item: seen.append(item)) if stream else None,
    )
    return out, seen


def test_a_good_stream_hands_items_over_as_they_close(server):
    out, seen = _call(server, stream=True)
    assert [i["title"] for i in out.value.items] == ["提案書の下書き", "見積の確認"]
    assert seen == out.value.items and server.seen == ["ok"]
    # the server's final usage is counted (a JSON-schema stream once counted 0 tokens for every call)
    assert (out.usage.prompt_tokens, out.usage.completion_tokens) == (10, 10)


def test_a_stream_with_prompt_progress_counts_its_tokens(server):
    """The embedded server reports prompt progress (return_progress); the client's JSON-schema stream
    then leaves the usage in the response metadata only, and every call of a workshop counted 0."""
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        base_url=server.url, api_key="local", model="scripted", max_retries=0, extra_body={"return_progress": True}
    )
    out = structured_call(model, Out, [("user", "u")], retries=0, stall_s=5.0)
    assert out.value.items and (out.usage.prompt_tokens, out.usage.completion_tokens) == (10, 10)


@pytest.mark.parametrize("faults", [["plain"], ["broken"], ["nonjson"]])
def test_a_broken_stream_falls_back_to_the_plain_call(server, faults):
    server.faults = faults + ["ok"]
    out, _ = _call(server, stream=True)
    assert out.value.items and server.seen == faults + ["ok"]


@pytest.mark.parametrize("faults", [["nonjson", "nonjson"], ["broken", "nonjson"], ["plain", "500", "500"], ["hang"]])
def test_what_fails_both_ways_is_the_plain_calls_coded_error(server, faults):
    server.faults = list(faults)
    with pytest.raises(KatachiError) as streamed:
        _call(server, stream=True)
    server.faults, server.seen = [f for f in faults if f not in ("plain", "broken")], []
    if faults[0] in ("plain", "broken"):
        server.faults = faults[1:]
    with pytest.raises(KatachiError) as plain:
        _call(server, stream=False)
    assert streamed.value.code == plain.value.code
    assert streamed.value.code in ("model_bad_reply", "model_refused", "model_timeout")


def test_the_web_apps_jobs_get_the_coded_error(tmp_path, monkeypatch):
    """The room's model work streams drafts: a broken stream and then a broken reply is a coded error of
    the job, never an AssertionError."""
    from tests.ui.roomkit import make_rooms

    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0.01)
    srv = ScriptedServer(lambda messages, kwargs: ANSWER)
    try:
        srv.faults = ["plain", "nonjson", "broken", "nonjson"] * 3
        rooms = make_rooms(tmp_path)
        settings = rooms.service.settings.model_copy(
            update={"provider": "openai", "openai_base_url": srv.url, "openai_model": "scripted", "timeout_s": 2.0}
        )
        from katachi.graphs.runtime import Runtime

        retriever = rooms.service.runtime.retriever_for
        rooms.service.runtime = Runtime.of(settings, None, retriever)
        fac = rooms.user("fumi")
        ws = rooms.create(fac, "acme", "営業改革", ["営業"], "ja", "live")
        rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
        rooms.start(fac, ws["id"])
        status = rooms.jobs.wait_idle(ws["id"], 60)
        assert status.error is not None and status.error.code in ("model_bad_reply", "invalid_llm_output"), status
        assert "Assertion" not in status.error.message("en")
        assert srv.seen[:2] == ["plain", "nonjson"]  # the first call was streamed
    finally:
        srv.close()
