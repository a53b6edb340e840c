"""No two patterns of the 型 library are near-duplicates by meaning (the packaged e5 embeddings).

The threshold: across the shipped library the most similar pair of different patterns is 0.957 (ja)
and 0.952 (en) cosine; a pattern with one step reworded scores above 0.98 against its original.
"""

from __future__ import annotations

import numpy as np
import pytest

from katachi.knowledge.library.catalog import load_library

pytestmark = pytest.mark.integration
NEAR_DUPLICATE = 0.97


def _text(p, lang):
    x = p.text(lang)
    return f"{x.title}: {x.input} → {x.output}. " + " ".join(x.steps)


def _unit(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_near_duplicate_patterns(lang):
    from katachi.knowledge.embedder import get_embedder

    ps = list(load_library().patterns.values())
    v = _unit(get_embedder().embed_passages([_text(p, lang) for p in ps]))
    sim = v @ v.T
    np.fill_diagonal(sim, 0)
    i, j = np.unravel_index(np.argmax(sim), sim.shape)
    assert sim[i, j] < NEAR_DUPLICATE, (ps[i].id, ps[j].id, float(sim[i, j]))
    # the check can fail: a reworded copy is caught
    p = ps[0]
    x = p.text(lang)
    copy = x.model_copy(update={"steps": [*x.steps[:-1], x.steps[-1] + ("。" if lang == "ja" else " today.")]})
    w = _unit(
        get_embedder().embed_passages(
            [_text(p, lang), f"{copy.title}: {copy.input} → {copy.output}. " + " ".join(copy.steps)]
        )
    )
    assert float(w[0] @ w[1]) >= NEAR_DUPLICATE
