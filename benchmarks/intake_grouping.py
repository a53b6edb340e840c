"""Pain-point grouping at workshop scale and beyond, against the pairwise version it replaced.

    python benchmarks/intake_grouping.py [--sizes 200,1000,2000]

Prints, per size: seconds for the pairwise reference (features recomputed for every pair, as before)
and for ``group_pain_points``, their ratio, and whether both made the same groups. The texts are
varied pain points built from a small vocabulary (so many pairs share characters, the hard case).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def reference(points, threshold: float = 0.6):
    """The grouping before: similarity() per pair, each time from the raw texts."""
    from katachi.agents.intake import _same_place, similarity

    groups: list[list] = []
    for p in points:
        for g in groups:
            if any(similarity(p.text, q.text) >= threshold and _same_place(p, q) for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    return [[x.id for x in g] for g in groups]


def texts(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    work = [
        "提案書の作成",
        "見積の回答",
        "議事録の共有",
        "受注票の記入",
        "問い合わせの回答",
        "経費精算",
        "在庫の確認",
        "シフト表の作成",
        "介護記録の記入",
        "報告書の作成",
        "稟議の決裁",
        "引き継ぎ",
    ]
    pain = ["に時間がかかる", "が遅い", "で手戻りが多い", "が属人化している", "の漏れが多い", "で残業が増えている"]
    extra = ["", "。特に月末", "。新人が多い部署で", "。顧客から指摘された", "。先月は特にひどかった"]
    return [f"{rnd.choice(work)}{rnd.choice(pain)}{rnd.choice(extra)}（{i}）" for i in range(n)]


def distinct(n: int, seed: int = 7) -> list[str]:
    """Points that share little: every point its own group, the pairwise version's worst case."""
    rnd = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    return ["".join(rnd.choice(chars) for _ in range(18)) for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200,1000,2000")
    args = ap.parse_args()
    from katachi.agents.intake import group_pain_points, make_pain_points

    print(f"machine: {platform.machine()} / {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print("| points | kind | pairwise s | now s | ratio | same groups |")
    print("|---|---|---|---|---|---|")
    for n, kind in [(n, k) for n in map(int, args.sizes.split(",")) for k in ("similar", "distinct")]:
        points = make_pain_points(texts(n) if kind == "similar" else distinct(n))
        t0 = time.perf_counter()
        ref = reference(points)
        t_ref = time.perf_counter() - t0
        t0 = time.perf_counter()
        now = [g.members for g in group_pain_points(points)]
        t_now = time.perf_counter() - t0
        print(f"| {n} | {kind} | {t_ref:.2f} | {t_now:.2f} | {t_now / t_ref:.2f}× | {ref == now} |")


if __name__ == "__main__":
    main()
