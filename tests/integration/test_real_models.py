"""The real packaged models. Slow-ish (model assembly once, then seconds); run with ``-m integration``."""

import numpy as np
import pytest
from pydantic import BaseModel, Field

from katachi.core.settings import get_settings

pytestmark = pytest.mark.integration

TEXTS_JA = [
    "当社の営業部門では、提案書の作成に平均して二日かかっている。",
    "カスタマーサポートの一次回答時間を四時間から一時間に短縮する。",
    "経営会議で毎週ＫＰＩの進捗を確認し、改善策をその場で決める。",
    "ｶﾀｶﾅと全角スペース　と ①② の正規化",
]
TEXTS_EN = [
    "The sales team spends two days on every proposal.",
    "Weekly KPI reviews decide the next improvement on the spot.",
    "x" * 3000,  # longer than one window: the sliding-window pooling must agree too
]


def test_torch_embedder_agrees_with_the_packaged_engine():
    from katachi.knowledge.embedder import EngineE5, TorchE5

    fast, ref = TorchE5(threads=1), EngineE5(threads=1)
    for texts in (TEXTS_JA, TEXTS_EN):
        for kind in ("embed_passages", "embed_queries"):
            a, b = getattr(fast, kind)(texts), getattr(ref, kind)(texts)
            cos = (a * b).sum(1)
            assert a.shape == (len(texts), 384)
            assert cos.min() >= 0.999, (kind, cos)
            assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)


def test_real_embeddings_rank_a_japanese_paraphrase_first():
    from katachi.knowledge.embedder import TorchE5

    e = TorchE5()
    passages = e.embed_passages(TEXTS_JA[:3])
    q = e.embed_queries(["提案資料づくりに何日もかかってしまう"])[0]
    assert int(np.argmax(passages @ q)) == 0


class ThemeDraft(BaseModel):
    title: str = Field(min_length=2, max_length=80)
    problem: str = Field(min_length=5)
    kpis: list[str] = Field(min_length=1, max_length=3)


def test_embedded_chat_model_returns_a_valid_structured_object():
    from katachi.core.llm import get_chat_model, structured_call

    model = get_chat_model("themes", get_settings())
    r = structured_call(
        model,
        ThemeDraft,
        [
            ("system", "あなたは経営ワークショップのファシリテーターです。日本語で、JSON だけで答えてください。"),
            ("user", "課題: 提案書の作成に二日かかる。見積もりの回答が遅い。この課題からテーマを1つ作ってください。"),
        ],
        role="themes",
    )
    assert isinstance(r.value, ThemeDraft)
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
