import httpx
import openai
import pytest
from pydantic import BaseModel, Field

from katachi.core.errors import KatachiError
from katachi.core.llm import get_chat_model, structured_call
from katachi.core.settings import get_settings
from tests.fakes import FakeChatModel


class Theme(BaseModel):
    title: str = Field(min_length=1)
    kpis: list[str] = Field(min_length=1)


def test_valid_output_is_parsed_and_usage_recorded():
    m = FakeChatModel(script=[{"title": "営業効率", "kpis": ["提案書作成時間"]}])
    r = structured_call(m, Theme, [("system", "s"), ("user", "u")], role="themes")
    assert r.value == Theme(title="営業効率", kpis=["提案書作成時間"])
    assert r.usage.attempts == 1 and r.usage.completion_tokens > 0 and r.usage.role == "themes"
    fmt = m.calls[0]["kwargs"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"]["properties"]["kpis"]


def test_invalid_output_is_retried_with_the_problem_named():
    m = FakeChatModel(script=["not json", {"title": "", "kpis": []}, {"title": "T", "kpis": ["k"]}])
    r = structured_call(m, Theme, [("user", "u")], retries=2)
    assert r.value.title == "T" and r.usage.attempts == 3
    last_prompt = m.calls[2]["messages"][-1].content
    assert "kpis" in last_prompt and "title" in last_prompt


def test_code_checks_count_as_invalid_output():
    m = FakeChatModel(script=[{"title": "T", "kpis": ["usage count"]}, {"title": "T", "kpis": ["lead time"]}])
    check = lambda t: ["a KPI must be a business result, not usage"] if "usage count" in t.kpis else []  # noqa: E731
    r = structured_call(m, Theme, [("user", "u")], validate=check)
    assert r.value.kpis == ["lead time"] and "business result" in m.calls[1]["messages"][-1].content


def test_bounded_retries_end_in_a_typed_error():
    m = FakeChatModel(script=["{}", "{}"])
    with pytest.raises(KatachiError) as e:
        structured_call(m, Theme, [("user", "u")], retries=1)
    assert e.value.code == "invalid_llm_output" and "Theme" in e.value.message("ja")


def test_server_down_and_refusal_map_to_clear_errors(monkeypatch):
    monkeypatch.setattr("katachi.core.llm.TRANSIENT_PAUSE_S", 0)
    req = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    down = FakeChatModel(script=[openai.APIConnectionError(request=req)] * 2)  # asked once more, then reported
    with pytest.raises(KatachiError) as e:
        structured_call(down, Theme, [("user", "u")])
    assert e.value.code == "model_unreachable"
    refused = FakeChatModel(
        script=[openai.AuthenticationError("bad key", response=httpx.Response(401, request=req), body=None)]
    )
    with pytest.raises(KatachiError) as e:
        structured_call(refused, Theme, [("user", "u")])
    assert e.value.code == "model_refused" and "401" in e.value.message("en")


def test_openai_provider_needs_a_key_or_a_base_url(monkeypatch):
    from katachi.core.settings import reset_settings

    monkeypatch.setenv("KATACHI_PROVIDER", "openai")
    reset_settings()
    with pytest.raises(KatachiError) as e:
        get_chat_model("themes", get_settings())
    assert e.value.code == "openai_key_missing"
    monkeypatch.setenv("KATACHI_OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("KATACHI_OPENAI_MODEL", "qwen2.5:7b")
    reset_settings()
    m = get_chat_model("themes", get_settings())
    assert m.model_name == "qwen2.5:7b" and "11434" in str(m.openai_api_base)


def test_azure_provider_reports_missing_settings(monkeypatch):
    from katachi.core.settings import reset_settings

    monkeypatch.setenv("KATACHI_PROVIDER", "azure")
    reset_settings()
    with pytest.raises(KatachiError) as e:
        get_chat_model("themes", get_settings())
    assert "KATACHI_AZURE_ENDPOINT" in e.value.message("ja")


class _Drip(FakeChatModel):
    """Streams its answer a few characters at a time, ``gap`` seconds apart, stopping for ``stop``
    seconds after ``stop_at`` pieces (a model whose server has stopped producing)."""

    gap: float = 0.0
    stop_at: int = -1
    stop: float = 0.0

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        import time

        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        text = '{"name": "提案書作成リードタイム", "weeks": 3}'
        for i in range(0, len(text), 5):
            time.sleep(self.gap + (self.stop if i // 5 == self.stop_at else 0.0))
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + 5]))


class Slow(BaseModel):
    name: str
    weeks: int


def test_a_slow_call_still_producing_is_not_cut_and_a_stalled_one_is():
    """Each piece comes 0.1 s after the last: two seconds in all, with a stall limit of half a second."""
    out = structured_call(_Drip(gap=0.1), Slow, [("user", "x")], retries=0, stall_s=0.5)
    assert out.value.weeks == 3
    with pytest.raises(KatachiError) as e:
        structured_call(_Drip(gap=0.01, stop_at=3, stop=1.5), Slow, [("user", "x")], retries=0, stall_s=0.5)
    assert e.value.code == "model_stalled" and "KATACHI_STALL_S" in e.value.message("en")
    assert "保存されています" in e.value.message("ja")  # what was done is kept, and the message says so
