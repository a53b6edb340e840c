"""Two workshops at once on one machine, each a `katachi run --auto-approve` process with the embedded
model, as two facilitators on one laptop would start them: does each finish, and how long does it take?

    python benchmarks/two_workshops.py [--corpus evals/corpora/tuqulore-ja/docs] [--lang ja] [--out DIR]

Each run has a data directory of its own (an embedded store serves one process) and ingests the same
corpus first. Prints, per run: its exit code, wall time, model calls, the slowest call, tokens, and
the error it ended with; then the machine's load. A run "lost" is one that did not finish.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAINS = {
    "ja": [
        "見積書を作るたびに過去の案件を探すので、1件に半日かかる",
        "経費精算の差し戻しが月に30件あり、経理の確認が追いつかない",
        "新人が一人で顧客対応できるまで3か月かかる",
    ],
    "en": [
        "Every quote starts with digging through old deals, so one takes half a day",
        "Expense claims come back for fixes 30 times a month and finance cannot keep up",
        "New starters need 3 months before they can handle customers alone",
    ],
}
DEPTS = {"ja": "営業,経理", "en": "Sales,Finance"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "evals" / "corpora" / "tuqulore-ja" / "docs"))
    ap.add_argument("--lang", default="ja", choices=["ja", "en"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--threads", type=int, default=2, help="KATACHI_LOCAL_THREADS of each run")
    args = ap.parse_args()
    work = Path(args.out or tempfile.mkdtemp(prefix="katachi-two-"))
    work.mkdir(parents=True, exist_ok=True)
    katachi = str(Path(sys.executable).with_name("katachi"))
    pains = work / "pains.txt"
    pains.write_text("\n".join(PAINS[args.lang]) + "\n", encoding="utf-8")
    procs = []
    t0 = time.perf_counter()
    for i in (1, 2):
        env = {**os.environ, "KATACHI_DATA_DIR": str(work / f"data{i}"), "KATACHI_LOCAL_THREADS": str(args.threads)}
        script = (
            f"{katachi} ingest {args.corpus} --company two{i} >/dev/null 2>&1 && "
            f"{katachi} run --company two{i} --pain-points {pains} --departments {DEPTS[args.lang]} "
            f"--lang {args.lang} --auto-approve --use-cases 1 --out {work / f'out{i}'}"
        )
        log = open(work / f"run{i}.log", "w", encoding="utf-8")
        procs.append(
            (
                i,
                subprocess.Popen(["bash", "-c", script], env=env, stdout=log, stderr=subprocess.STDOUT),
                time.perf_counter(),
            )
        )
    load = []
    while any(p.poll() is None for _, p, _ in procs):
        load.append(os.getloadavg()[0])
        time.sleep(5)
    wall = time.perf_counter() - t0
    lost = 0
    for i, p, _started in procs:
        out = work / f"out{i}" / "playbook.json"
        tail = (work / f"run{i}.log").read_text(encoding="utf-8")[-300:].strip().replace("\n", " | ")
        if p.returncode != 0 or not out.is_file():
            lost += 1
            print(f"run {i}: LOST rc={p.returncode}: {tail}")
            continue
        usage = json.loads(out.read_text(encoding="utf-8"))["usage"]
        slow = max(usage, key=lambda u: u["seconds"])
        print(
            f"run {i}: finished rc=0; {len(usage)} model calls, slowest {slow['seconds']:.0f} s ({slow['schema']}), "
            f"prompt {sum(u['prompt_tokens'] for u in usage)} / completion "
            f"{sum(u['completion_tokens'] for u in usage)} tokens, model time {sum(u['seconds'] for u in usage):.0f} s"
        )
    print(f"both started together; last finished after {wall:.0f} s; lost {lost} of 2")
    print(
        f"load while running: mean {sum(load) / max(len(load), 1):.2f}, max {max(load or [0]):.2f}; "
        f"{os.cpu_count()} cpus; threads per run {args.threads}; outputs in {work}"
    )


if __name__ == "__main__":
    main()
