"""Ingestion throughput against the raw embedder, measured in the same process.

    python benchmarks/ingest_throughput.py ../shared/corpora/handbook-ja/docs [--limit N]

Prints: raw embedder chunks/s on the exact chunk texts, ingest chunks/s (load + chunk + embed +
Chroma upsert + manifest), their ratio, and the re-ingest time of the unchanged corpus.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N files")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="katachi-bench-")
    os.environ["KATACHI_DATA_DIR"] = tmp
    from katachi.core.settings import get_settings
    from katachi.knowledge.chunker import chunk_text
    from katachi.knowledge.embedder import get_embedder
    from katachi.knowledge.loaders import load_file
    from katachi.knowledge.store import CompanyStore, _embed_text

    s = get_settings()
    files = sorted(p for p in Path(args.corpus).rglob("*.md"))
    if args.limit:
        files = files[: args.limit]
        src = Path(tmp) / "corpus"
        for f in files:
            dst = src / f.relative_to(args.corpus)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(f.read_bytes())
        corpus = src
    else:
        corpus = Path(args.corpus)
    emb = get_embedder()
    emb.embed_passages(["warm-up"])
    texts = []
    for f in sorted(corpus.rglob("*.md")):
        d = load_file(f, 1 << 30)
        for c in chunk_text(
            d.text, title=d.title, max_chars=s.chunk_max, min_chars=s.chunk_min, overlap=s.chunk_overlap
        ):
            texts.append(_embed_text({"heading": c.heading}, c.text))
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        emb.embed_passages(texts[i : i + 64])
    raw = len(texts) / (time.perf_counter() - t0)

    store = CompanyStore("bench", get_settings(), create=True, embedder=emb)
    t0 = time.perf_counter()
    rep = store.ingest([corpus])
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rep2 = CompanyStore("bench", get_settings(), embedder=emb).ingest([corpus])
    re_s = time.perf_counter() - t0
    chars = sum(len(t) for t in texts)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cpus, embed_threads={s.embed_threads}, batch={s.embed_batch}"
    )
    print(
        f"files: {len(files)}  chunks: {rep.chunks_added} (bench texts {len(texts)}), avg {chars / max(len(texts), 1):.0f} chars"
    )
    print(f"raw embedder:  {raw:7.2f} chunks/s")
    print(
        f"ingest:        {rep.chunks_added / ingest_s:7.2f} chunks/s  ({ingest_s:.1f} s; embedding {rep.embed_seconds:.1f} s)"
    )
    print(f"ratio ingest/raw: {rep.chunks_added / ingest_s / raw:.3f}")
    print(f"re-ingest unchanged: {re_s:.2f} s, chunks added {rep2.chunks_added}")


if __name__ == "__main__":
    main()
