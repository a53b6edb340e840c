"""Retrieval quality: dense vs BM25 vs hybrid, on JSQuAD and on paraphrased business questions.

    python benchmarks/retrieval.py [--jsquad ../shared/corpora/jsquad-ja/jsquad-valid-v1.3.json] [--limit N]
                                   [--stores files,engines]

JSQuAD (CC BY-SA 4.0, Kurihara et al., LREC 2022): the 1,145 validation paragraphs are indexed through
the normal ingest path (chunker, e5, Chroma, Sudachi BM25); each of the 4,442 questions is a query;
a hit is a chunk of the question's own paragraph. The paraphrase set is
evals/datasets/retrieval-paraphrase-ja.yaml over the bundled sample corpus; a hit is a chunk of the
named file. Every method ranks the same candidates, computed once per query in the same run.

``--stores files,engines`` runs both homes of a store side by side on the same corpus and questions:
the data directory's files (the embedded default) and the engines (vectors on a throwaway Chroma
server, manifest and BM25 postings in a throwaway PostgreSQL, both on loopback). Each text is embedded
by e5 once and the vector reused by the second store, so the figures differ only by where the index is.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    hit = lambda k: sum(1 for r in ranks if r is not None and r < k) / n  # noqa: E731
    mrr = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n
    return {"R@1": hit(1), "R@5": hit(5), "R@10": hit(10), "MRR@10": mrr}


def evaluate(
    store, queries: list[tuple[str, set[str]]], label_of: dict[str, str], methods: dict, dump: list | None = None
) -> dict:
    from katachi.knowledge.hybrid import POOL
    from katachi.knowledge.store import rank

    ranks: dict[str, list] = {m: [] for m in methods}
    t0 = time.perf_counter()
    for q, targets in queries:
        dense, lexical = store.candidates(q, POOL, "hybrid")
        if dump is not None:
            dump.append((dense, lexical, {i for i, lab in label_of.items() if lab in targets}))
        for name, fn in methods.items():
            ranked = fn(dense, lexical) if callable(fn) else rank(dense, lexical, fn)
            labels = [label_of.get(i) for i, _ in ranked[:10]]
            ranks[name].append(next((r for r, lab in enumerate(labels) if lab in targets), None))
    secs = time.perf_counter() - t0
    return {"per_query_ms": 1000 * secs / max(len(queries), 1), **{m: metrics(r) for m, r in ranks.items()}}


def print_table(title: str, res: dict) -> None:
    print(f"\n{title}  ({res['per_query_ms']:.0f} ms/query for all methods)")
    print(f"{'method':<22}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}")
    for m, v in res.items():
        if m == "per_query_ms":
            continue
        print(f"{m:<22}{v['R@1']:7.3f}{v['R@5']:7.3f}{v['R@10']:7.3f}{v['MRR@10']:8.3f}")


class OnceEmbedder:
    """e5, each text embedded once for every store of the run (the same vectors, half the time)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.cache = inner, getattr(inner, "name", "e5"), {}

    def _get(self, kind: str, texts) -> np.ndarray:
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if (kind, t) not in self.cache]
        if todo:
            fn = self.inner.embed_passages if kind == "p" else self.inner.embed_queries
            for t, v in zip(todo, fn(todo)):
                self.cache[(kind, t)] = v
        return np.stack([self.cache[(kind, t)] for t in texts]) if texts else np.zeros((0, 384), dtype="float32")

    def embed_passages(self, texts):
        return self._get("p", list(texts))

    def embed_queries(self, texts):
        return self._get("q", list(texts))


def settings_for(store: str, tmp: Path, engines: dict):
    """The settings of one home of the stores: files in a data directory, or the engines."""
    from katachi.core.settings import Settings

    if store == "files":
        return Settings(data_dir=tmp / "files")
    if not engines:
        from tests.chroma import TempChroma, create_tenant
        from tests.pg import TempPostgres

        engines["pg"], engines["chroma"] = TempPostgres(), TempChroma()
        engines["url"] = engines["pg"].database("retrieval")
        create_tenant(engines["chroma"].url, "retrieval")
    return Settings(
        data_dir=tmp / "engines",
        database_url=engines["url"],
        chroma_url=engines["chroma"].url,
        chroma_tenant="retrieval",
    )


def run_store(label: str, settings, embedder, spec: dict, data: dict, args, methods: dict, dumps: dict) -> dict:
    from katachi.knowledge.store import CompanyStore

    out: dict = {}
    store = CompanyStore("paraphrase", settings, embedder=embedder, create=True)
    store.ingest([ROOT / p for p in spec["corpus"]])
    got = store.collection.get(include=["metadatas"])
    label_of = {i: m["rel"] for i, m in zip(got["ids"], got["metadatas"])}
    files = set(label_of.values())
    queries = [(x["q"], {f for f in files if f.endswith(x["file"])}) for x in spec["queries"]]
    assert all(t for _, t in queries), "every expected file must be in the corpus"
    out["paraphrase"] = evaluate(store, queries, label_of, methods, dumps.setdefault(f"{label}/paraphrase", []))
    print_table(
        f"[{label}] Paraphrased business questions: {len(queries)} queries, {len(label_of)} chunks", out["paraphrase"]
    )
    docs, qs = data["docs"], data["questions"]
    t0 = time.perf_counter()
    store = CompanyStore("jsquad", settings, embedder=embedder, create=True)
    rep = store.ingest([docs])
    ingest_s = time.perf_counter() - t0
    got = store.collection.get(include=["metadatas"])
    label_of = {i: m["rel"].rsplit("/", 1)[-1] for i, m in zip(got["ids"], got["metadatas"])}
    out["jsquad"] = evaluate(store, qs, label_of, methods, dumps.setdefault(f"{label}/jsquad", []))
    out["jsquad_ingest"] = {"paragraphs": len(list(docs.iterdir())), "chunks": rep.chunks_added, "seconds": ingest_s}
    print_table(
        f"[{label}] JSQuAD: {len(qs)} questions, {len(list(docs.iterdir()))} paragraphs, "
        f"{rep.chunks_added} chunks (ingest {ingest_s:.0f} s, e5 included the first time)",
        out["jsquad"],
    )
    return out


def jsquad_docs(path: str, tmp: Path, limit: int) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    docs = tmp / "jsquad"
    docs.mkdir()
    qs = []
    for art in data["data"]:
        for para in art["paragraphs"]:
            pid = para["qas"][0]["id"].split("q")[0] if para["qas"] else None
            if pid is None:
                continue
            (docs / f"{pid}.md").write_text(para["context"], encoding="utf-8")
            qs += [(qa["question"], {f"{pid}.md"}) for qa in para["qas"]]
    return {"docs": docs, "questions": qs[:limit] if limit else qs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsquad", default=str(ROOT.parent / "shared/corpora/jsquad-ja/jsquad-valid-v1.3.json"))
    ap.add_argument("--limit", type=int, default=0, help="first N questions only (quick look)")
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--dump", help="pickle every query's candidates here (to study fusions offline)")
    ap.add_argument("--stores", default="files", help="files, engines or files,engines (side by side)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="katachi-retrieval-"))
    import yaml

    from katachi.core.settings import Settings
    from katachi.knowledge.embedder import get_embedder
    from katachi.knowledge.hybrid import fuse, rrf

    methods = {"dense": "dense", "bm25": "bm25", "hybrid (product)": "hybrid"}

    def ranked_rrf(dense: dict, lexical: dict, w_lex: float):
        return rrf(sorted(dense, key=lambda i: -dense[i]), sorted(lexical, key=lambda i: -lexical[i]), 1.0, w_lex)

    for a in (0.3, 0.4, 0.6, 0.7):  # the product uses 0.5
        methods[f"fuse alpha={a}"] = functools.partial(fuse, alpha=a)
    for w in (0.3, 1.0):
        methods[f"rrf bm25 w={w}"] = functools.partial(ranked_rrf, w_lex=w)
    out: dict = {"machine": f"{platform.machine()} {os.cpu_count()} cpus", "load_before": os.getloadavg()}
    print(f"machine: {out['machine']}, load {out['load_before'][0]:.2f}")
    spec = yaml.safe_load((ROOT / "evals/datasets/retrieval-paraphrase-ja.yaml").read_text(encoding="utf-8"))
    data = jsquad_docs(args.jsquad, tmp, args.limit)
    d = Settings()
    embedder = OnceEmbedder(get_embedder(d.embed_threads, d.embed_batch))
    engines: dict = {}
    dumps: dict[str, list] = {}
    try:
        for store in args.stores.split(","):
            out[store] = run_store(store, settings_for(store, tmp, engines), embedder, spec, data, args, methods, dumps)
    finally:
        if engines:
            engines["chroma"].stop()
            engines["pg"].stop()
    out["load_after"] = os.getloadavg()
    stores = args.stores.split(",")
    if len(stores) == 2:
        print("\nside by side, hybrid (product):")
        for part in ("paraphrase", "jsquad"):
            a, b = (out[x][part]["hybrid (product)"] for x in stores)
            print(f"  {part:<11}" + "  ".join(f"{k} {a[k]:.3f} → {b[k]:.3f}" for k in ("R@1", "R@5", "R@10")))
    print(f"load after: {out['load_after'][0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    if args.dump:
        import pickle

        Path(args.dump).write_bytes(pickle.dumps(dumps))


if __name__ == "__main__":
    main()
