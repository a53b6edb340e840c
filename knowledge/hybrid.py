"""Fusing dense and BM25 rankings.

:func:`fuse` is the product setting: equal weights on the dense cosine min-max scaled over the
candidate pool and the BM25 score divided by the query's best BM25 score. Scaling matters: e5
cosines sit in a narrow band (0.80-0.90), so unscaled they lose to BM25 everywhere. With one
setting for every corpus, lexical matches on rare terms and codes (PRJ-25-0773, 第12条) lift a
passage, and paraphrased questions with little word overlap are still decided by meaning.
Measured with benchmarks/retrieval.py: JSQuAD R@1 0.914 / R@5 0.976 / MRR 0.941 (BM25 alone
0.901 / 0.969 / 0.931, dense 0.827 / 0.947 / 0.880); paraphrased business questions R@1 0.743
(dense 0.714). :func:`rrf` is kept for comparison.
"""

from __future__ import annotations

DENSE_WEIGHT = 0.5
POOL = 50  # candidates per method; the dense scaling is relative to this pool
RRF_K = 60


def fuse(dense: dict[str, float], lexical: dict[str, float], alpha: float = DENSE_WEIGHT) -> list[tuple[str, float]]:
    """``dense``: id -> cosine (every candidate); ``lexical``: id -> BM25 score (missing = 0)."""
    if not dense:
        return sorted(lexical.items(), key=lambda x: (-x[1], x[0]))
    lo, hi = min(dense.values()), max(dense.values())
    span = hi - lo if hi > lo else 1.0
    top = max(lexical.values(), default=0.0)
    ids = set(dense) | set(lexical)
    scored = [
        (i, alpha * (dense.get(i, lo) - lo) / span + (1 - alpha) * (lexical.get(i, 0.0) / top if top > 0 else 0.0))
        for i in ids
    ]
    return sorted(scored, key=lambda x: (-x[1], x[0]))


def rrf(
    dense_ranked: list[str], lexical_ranked: list[str], w_dense: float = 1.0, w_lex: float = 1.0, k: int = RRF_K
) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for w, ranked in ((w_dense, dense_ranked), (w_lex, lexical_ranked)):
        for r, i in enumerate(ranked):
            scores[i] = scores.get(i, 0.0) + w / (k + r + 1)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))
