"""The capacity model: how many live workshops one web replica, one worker and one PostgreSQL carry,
from what each request costs (benchmarks/request_costs.py), and how many of each N workshops need;
then its predictions checked against runs of benchmarks/scale_out.py.

    python benchmarks/capacity.py --costs costs.json [--runs run10.json run50.json] [--workshops 500]
                                  [--model-latency 10] [--gate-window 1800]

The model. A live workshop has P participants and a facilitator, each with the room open: every tab
asks for a change once a second, and redraws when the answer changed. While the room writes (the
intake, its busiest steady phase), each person sends a pain point every T seconds on average, and every
point changes the room for all P + 1 tabs. So per workshop and second:

    checks = P + 1,   submits = P / T,   redraws = submits × (P + 1)

(the facilitator's check and redraw have costs of their own: its page has the controls and the cards)
and each component's CPU is the sum of those rates times its cost per request, plus what it uses idle.
A replica is one Python process: it carries as many workshops as keep it under ``TARGET`` of one core.
PostgreSQL's figure is per core of its machine. A worker runs one job at a time: each workshop brings
C model calls (the scripted flow's count), each taking the model's own time L plus the worker's CPU;
a worker carries the workshops whose gates fall in one ``gate window`` while busy under ``TARGET``.

Checked against a run: the same sums for its W workshops predict the cores each component uses in the
run's intake window; when the machine's cores left by other work cannot give them all, each component
gets its share of what is left (processor sharing), which is what a saturated machine does. Whole-run
worker CPU is predicted as W × C × the worker's cost per call, plus each worker's start and idle. The
simulated browsers' CPU is printed but not judged: they are not part of a deployment, and as a closed
loop they take less than their share of a saturated machine.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

TARGET = 0.7  # a process or core kept under 70 % busy: queues stay short (an M/M/1 wait is ~2.3 service times)
COMPONENTS = {"replicas": "replica", "postgres": "postgres", "tabs": "client"}  # run name -> cost column


def rates(participants: int, think: float) -> dict[str, float]:
    """Requests per second of one workshop in its intake (the facilitator's tab apart: its page costs more)."""
    submits = participants / think
    return {
        "check": participants,
        "check_facilitator": 1.0,
        "submit": submits,
        "redraw": submits * participants,
        "redraw_facilitator": submits,
    }


def demand(costs: dict, column: str, participants: int, think: float) -> float:
    """CPU cores one workshop's intake takes on the component whose costs are in ``column``."""
    r = rates(participants, think)
    return sum(r[kind] * costs[kind][column] for kind in r) / 1000


def capacity(
    costs: dict, participants: int = 4, think: float = 20.0, model_latency: float = 10.0, gate_window: float = 1800.0
) -> dict[str, float]:
    """Workshops one of each carries: a replica and a worker at ``TARGET`` of a core (the worker: of its
    time), PostgreSQL per core."""
    call = costs["model_call"]
    per_workshop_worker_s = call["calls_per_workshop"] * (model_latency + call["worker"] / 1000)
    return {
        "replica": (TARGET - costs["idle"]["replica"] / 1000) / demand(costs, "replica", participants, think),
        "postgres_core": TARGET / demand(costs, "postgres", participants, think),
        "worker": TARGET * gate_window / per_workshop_worker_s,
    }


def plan(costs: dict, workshops: int, **kw) -> dict[str, int]:
    cap = capacity(costs, **kw)
    return {
        "replicas": math.ceil(workshops / cap["replica"]),
        "workers": math.ceil(workshops / cap["worker"]),
        "postgres_cores": math.ceil(workshops / cap["postgres_core"]),
    }


def predict_run(costs: dict, run: dict) -> dict[str, float]:
    """The cores each component uses in a scale_out run's intake window, and the workers' CPU seconds."""
    w, p, think = run["workshops"], run["participants"], run["think"]
    want = {name: w * demand(costs, col, p, think) for name, col in COMPONENTS.items()}
    # idle: the costs were measured on one replica and one worker, the run has two of each (the idle
    # PostgreSQL figure is theirs: the worker's look at the queue, the replica's own background reads)
    want["replicas"] += 2 * costs["idle"]["replica"] / 1000
    want["postgres"] += 2 * costs["idle"]["postgres"] / 1000
    want["workers"] = 2 * costs["idle"]["worker"] / 1000
    # the run's facilitator side (scale_out.gates) reads each workshop's pain points once a second until
    # they are all in: one indexed read, counted at a change check's cost
    want["postgres"] += w * costs["check"]["postgres"] / 1000
    window = run["cpu_intake"]
    ours = sum(window.get(k, 0.0) for k in ("replicas", "postgres", "tabs", "workers", "chroma", "driver"))
    others = max(0.0, window["busy"] - ours)  # other work on the machine in the same window
    room = max(0.1, float(run.get("cores", 2)) - others)
    share = min(1.0, room / sum(want.values()))
    out = {k: v * share for k, v in want.items()}
    out["demand"], out["room"], out["others"] = sum(want.values()), room, others
    call = costs["model_call"]
    out["workers_total_s"] = (
        w * call["calls_per_workshop"] * call["worker"] / 1000
        + 2 * costs["worker_start_s"]
        + 2 * costs["idle"]["worker"] / 1000 * run["cpu_total"]["seconds"]
    )
    return out


def check(costs: dict, path: Path) -> list[tuple[str, float, float]]:
    """Prints the model against a run; returns the server components' rows (the simulated tabs are the
    browsers, not a part of the deployment: printed, not judged — a closed loop, they slow themselves
    down when the machine is saturated, so they take less than their share)."""
    run = json.loads(path.read_text())["server"]
    pred = predict_run(costs, run)
    rows = [(f"{name} (cores, intake)", pred[name], run["cpu_intake"][name]) for name in ("replicas", "postgres")]
    rows.append(("workers (CPU s, whole run)", pred["workers_total_s"], run["cpu_total"]["workers"]))
    tabs = ("tabs (cores, intake; browsers)", pred["tabs"], run["cpu_intake"]["tabs"])
    print(
        f"\n{path.name}: {run['workshops']} workshops × {run['participants']} participants, think {run['think']:.0f} s; "
        f"intake demand {pred['demand']:.2f} cores, room {pred['room']:.2f} (other work {pred['others']:.2f})"
        + ("  → saturated" if pred["demand"] > pred["room"] else "")
    )
    r = rates(run["participants"], run["think"])
    n = run["intake_counts"]
    model = {
        "checks": r["check"] + r["check_facilitator"],
        "redraws": r["redraw"] + r["redraw_facilitator"],
        "sends": r["submit"],
    }
    secs = run["cpu_intake"]["seconds"]
    print(
        "  requests in the window, model vs run: "
        + ", ".join(f"{kind} {run['workshops'] * model[kind] * secs:.0f} vs {n[kind]}" for kind in model)
    )
    print(f"  {'':<32}{'model':>9}{'run':>9}{'error':>8}")
    for label, want, got in rows + [tabs]:
        print(f"  {label:<32}{want:9.2f}{got:9.2f}{(want - got) / got * 100 if got else float('nan'):7.0f}%")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--costs", required=True)
    ap.add_argument("--runs", nargs="*", default=[])
    ap.add_argument("--workshops", type=int, default=500)
    ap.add_argument("--participants", type=int, default=4)
    ap.add_argument("--think", type=float, default=20.0)
    ap.add_argument(
        "--model-latency", type=float, default=10.0, help="seconds a model call takes on the inference server"
    )
    ap.add_argument(
        "--gate-window",
        type=float,
        default=1800.0,
        help="seconds in which the workshops' gates fall (their model calls)",
    )
    args = ap.parse_args()
    costs = json.loads(Path(args.costs).read_text())
    kw = dict(
        participants=args.participants, think=args.think, model_latency=args.model_latency, gate_window=args.gate_window
    )
    cap = capacity(costs, **kw)
    print(
        f"one replica: {cap['replica']:.0f} workshops; one PostgreSQL core: {cap['postgres_core']:.0f}; "
        f"one worker: {cap['worker']:.0f} (model {args.model_latency:.0f} s a call, gates within "
        f"{args.gate_window / 60:.0f} min)"
    )
    print(f"{args.workshops} workshops: {plan(costs, args.workshops, **kw)}")
    worst = 0.0
    for path in args.runs:
        for _, want, got in check(costs, Path(path)):
            worst = max(worst, abs(want - got) / got if got else 1.0)
    if args.runs:
        print(f"\nlargest error: {worst * 100:.0f} %")
        sys.exit(0 if worst <= 0.3 else 1)


if __name__ == "__main__":
    main()
