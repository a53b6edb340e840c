"""The KPI shortlist with the packaged e5 embedder: a vague pain point about a hand-off is still offered
the hand-off KPI (its words and meaning agree), and one about a newsletter is not offered month-end close
(e5 alone put them at cosine 0.86)."""

from __future__ import annotations

import numpy as np
import pytest

from katachi.agents.common import StageContext
from katachi.agents.groups import view_groups
from katachi.agents.schemas import PainGroup

pytestmark = pytest.mark.integration


def _embed():
    from katachi.knowledge.embedder import get_embedder

    e = get_embedder(1, 16)

    def embed(texts, passage=False):
        v = e.embed_passages(texts) if passage else e.embed_queries(texts)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    return embed


def test_the_shortlist_offers_what_measures_the_work_and_nothing_for_a_single_shared_month():
    ctx = StageContext(
        model_for=lambda r: None,
        retriever=None,
        company="acme",
        lang="ja",
        today="2026-12-06",
        departments=("営業", "カスタマーサクセス", "広報"),
        embed=_embed(),
    )
    texts = [
        "引き継ぎで顧客情報が失われる",
        "メルマガのネタ切れ。毎月なんとなく書いて出してる",
        "見積の回答に平均5営業日かかる",
    ]
    groups = [PainGroup(id=f"P{i}", summary=x, members=[f"pp{i}"]) for i, x in enumerate(texts, 1)]
    views = view_groups(ctx, groups, {f"pp{i}": x for i, x in enumerate(texts, 1)})
    assert views[0].offered()[0] == "handover_gaps"
    assert "close_days" not in views[1].offered()
    assert views[2].offered()[0] == "quote_turnaround"
