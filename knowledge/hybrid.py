"""Fusing dense and BM25 rankings.

:func:`fuse` is the product setting: a convex combination of the dense cosine and the BM25 score
divided by the query's best BM25 score. Min-max free, so one setting serves every corpus: when the
lexical signal is flat (paraphrased questions) the cosine decides; when a rare term or a code
(PRJ-25-0773, 第12条) matches, BM25 lifts it. :func:`rrf` is kept for comparison.
"""
from __future__ import annotations

DENSE_WEIGHT = 0.5  # chosen on the JSQuAD and paraphrase benchmarks together (benchmarks/retrieval.py)
RRF_K = 60


def fuse(dense: dict[str, float], lexical: dict[str, float], alpha: float = DENSE_WEIGHT) -> list[tuple[str, float]]:
    """``dense``: id -> cosine; ``lexical``: id -> BM25 score (missing = 0). Returns ids by fused score."""
    top = max(lexical.values(), default=0.0)
    ids = set(dense) | set(lexical)
    scored = [(i, alpha * dense.get(i, 0.0) + (1 - alpha) * (lexical.get(i, 0.0) / top if top > 0 else 0.0)) for i in ids]
    return sorted(scored, key=lambda x: (-x[1], x[0]))


def rrf(dense_ranked: list[str], lexical_ranked: list[str], w_dense: float = 1.0, w_lex: float = 1.0,
        k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for w, ranked in ((w_dense, dense_ranked), (w_lex, lexical_ranked)):
        for r, i in enumerate(ranked):
            scores[i] = scores.get(i, 0.0) + w / (k + r + 1)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))
