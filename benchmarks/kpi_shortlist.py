"""How often the KPI shortlist offers the KPI a consultant would pick (evals/datasets/kpi-choice-dev.yaml).

    python benchmarks/kpi_shortlist.py [--no-embed]

Prints top-1 and top-3 agreement per language, with and without e5 (the lexical ranking alone is
what the shortlist falls back to when no embedder is configured), and the misses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-embed", action="store_true")
    args = ap.parse_args()
    import numpy as np

    from katachi.agents.groups import about
    from katachi.agents.kpi_choice import shortlist
    from katachi.agents.said import primary
    from katachi.knowledge.embedder import get_embedder
    from katachi.knowledge.library.catalog import load_library

    items = yaml.safe_load((ROOT / "evals/datasets/kpi-choice-dev.yaml").read_text(encoding="utf-8"))["items"]
    lib = load_library()
    embedder = None if args.no_embed else get_embedder(1, 16)

    def embed(texts, passage=False):
        v = embedder.embed_passages(texts) if passage else embedder.embed_queries(texts)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    for label, fn in [("lexical + units", None), ("with e5", None if embedder is None else embed)]:
        if label == "with e5" and fn is None:
            continue
        t0 = time.perf_counter()
        rows: dict[str, list[int]] = {}
        misses = []
        for it in items:
            x = primary(it["text"])
            got = [
                c.kpi.id
                for c in shortlist(
                    lib, about(x, [it["text"]], it["lang"]), it["lang"], x, set(it["functions"]), embed=fn
                )
            ]
            r = rows.setdefault(it["lang"], [0, 0, 0])
            r[0] += 1
            r[1] += bool(got[:1]) and got[0] in it["accept"]
            r[2] += any(g in it["accept"] for g in got[:3])
            if not got or got[0] not in it["accept"]:
                misses.append(f"  {it['text'][:50]} → {got[:3]} (want {it['accept']})")
        secs = time.perf_counter() - t0
        for lang, (n, top1, top3) in rows.items():
            print(f"{label:<16} {lang}: top-1 {top1}/{n}, top-3 {top3}/{n}")
        print(f"{label:<16} {secs:.1f} s for {len(items)} items; load {os.getloadavg()[0]:.2f}")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
