"""Run the demo workshop with the configured model and print per-stage figures.

    python benchmarks/workshop_demo.py [--lang ja|en] [--out DIR]

For each stage: wall time, LLM calls, attempts, prompt/completion tokens, LLM seconds, and the
non-LLM overhead (wall − LLM) as a share of the stage. Then citation validity and the total.
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


def parse_args() -> argparse.Namespace:
    """The command line: language, where the outputs go, use cases per department, which data directory."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="ja", choices=["ja", "en"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--use-cases", type=int, default=1, help="use cases per department (the demo's default: 1)")
    ap.add_argument("--keep-data", action="store_true", help="use KATACHI_DATA_DIR instead of a fresh temp dir")
    return ap.parse_args()


def run_demo(args):
    """The measured run: ingest the sample corpus, make the model ready, take the workshop through every gate.
    Returns (settings, start of the run, ingest s, model s, [(stage, wall s, snapshot after it)], last snapshot)."""
    from katachi.core.settings import Settings
    from katachi.graphs.service import WorkshopService
    from katachi.knowledge.store import CompanyStore
    from katachi.ui.cli.workshop import DEMO_DEPARTMENTS, SAMPLES, auto_decision, read_pain_points

    s = Settings(lang=args.lang)  # the environment's settings, with this run's language and data dir
    if not args.keep_data:
        s = s.model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="katachi-demo-bench-"))})
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    store = CompanyStore("sample", s, create=True)
    store.ingest([SAMPLES / "corpus" / "ja" / "docs", SAMPLES / "corpus" / "en" / "docs"])
    ingest_s = time.perf_counter() - t0
    from katachi.core.llm import get_chat_model

    t0 = time.perf_counter()
    get_chat_model("themes", s)  # model assembly/verification and server start, reported apart
    model_s = time.perf_counter() - t0
    svc = WorkshopService(s)
    rows = []
    t0 = time.perf_counter()
    snap = svc.start(
        "sample",
        read_pain_points(str(SAMPLES / f"pain-points-{args.lang}.txt")),
        DEMO_DEPARTMENTS[args.lang],
        lang=args.lang,
        use_cases_per_department=args.use_cases,
    )
    rows.append(("intake+themes", time.perf_counter() - t0, snap))
    names = {"themes": "kpis", "kpis": "usecases", "usecases": "playbook", "playbook": "finalize"}
    while not snap.done:
        gate = snap.gate["gate"]
        t0 = time.perf_counter()
        snap = svc.resume(snap.thread_id, auto_decision(snap.gate))
        rows.append((names[gate], time.perf_counter() - t0, snap))
    return s, t_all, ingest_s, model_s, rows, snap


def print_stages(rows) -> tuple[float, float]:
    """One table row per stage (only the calls made in it); returns the wall and LLM seconds over all stages."""
    seen = 0
    tot_wall = tot_llm = 0.0
    for name, wall, sn in rows:
        new = sn.values["usage"][seen:]
        seen = len(sn.values["usage"])
        llm = sum(u["seconds"] for u in new)
        tot_wall += wall
        tot_llm += llm
        share = (wall - llm) / wall if wall else 0.0
        print(
            f"{name:<14}{wall:8.1f}{len(new):6d}{sum(u['attempts'] for u in new):6d}"
            f"{sum(u['prompt_tokens'] for u in new):8d}{sum(u['completion_tokens'] for u in new):7d}"
            f"{llm:8.1f}{share:9.1%}"
        )
    return tot_wall, tot_llm


def kept_citations(snap) -> tuple[list, list]:
    """The citations the outputs keep, and those of them outside the retrieved set or not verbatim."""
    from katachi.agents.grounding import check_citation
    from katachi.knowledge.passages import Passage

    passages = {k: Passage.model_validate(v) for k, v in snap.values["passages"].items()}
    cits = []
    for key in ("theme",):
        cits += snap.values[key]["citations"]
    for key in ("kpis", "use_cases", "handoffs"):
        for item in snap.values[key]:
            cits += item["citations"]
    for p in snap.values["playbook"].get("procedures", []):
        cits += p["citations"]
    from katachi.agents.schemas import Citation

    return cits, [c for c in cits if check_citation(Citation.model_validate(c), passages)]


def main() -> None:
    args = parse_args()
    # imported before the run starts, as the run's own modules are: its time is no stage's
    from katachi.exports.outputs import write_outputs

    s, t_all, ingest_s, model_s, rows, snap = run_demo(args)
    usage = snap.values["usage"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; provider={s.provider} threads={s.local_threads}")
    print(f"ingest sample corpus: {ingest_s:.1f} s; model ready: {model_s:.1f} s")
    print(f"{'stage':<14}{'wall s':>8}{'calls':>6}{'tries':>6}{'prompt':>8}{'compl':>7}{'llm s':>8}{'overhead':>9}")
    tot_wall, tot_llm = print_stages(rows)
    cits, bad = kept_citations(snap)
    log = snap.values["citation_log"]
    cited = sum(e["cited"] for e in log)
    valid = sum(e["valid"] for e in log)
    print(
        f"{'total':<14}{tot_wall:8.1f}{len(usage):6d}{sum(u['attempts'] for u in usage):6d}"
        f"{sum(u['prompt_tokens'] for u in usage):8d}{sum(u['completion_tokens'] for u in usage):7d}{tot_llm:8.1f}"
        f"{(tot_wall - tot_llm) / tot_wall:9.1%}"
    )
    print(
        f"citations: model cited {cited}, valid {valid} ({valid / max(cited, 1):.0%}); "
        f"kept in outputs {len(cits)}, outside the retrieved set or not verbatim: {len(bad)}"
    )
    print(f"whole demo (ingest + model start + workshop): {time.perf_counter() - t_all:.1f} s")
    if args.out:
        md, _ = write_outputs(snap.values, Path(args.out))
        print(f"wrote {md}")


if __name__ == "__main__":
    main()
