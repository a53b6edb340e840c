"""What each request costs, in CPU milliseconds, on each component of the server setup: the numbers the
capacity model (benchmarks/capacity.py, the README's *How many workshops*) is built from.

    python benchmarks/request_costs.py [--json costs.json] [--checks 600] [--redraws 150] [--workshops 4]

One web replica, one worker (the scripted model answering at once), a throwaway PostgreSQL and a
Chroma server on loopback, each replica and worker on a data directory of its own, the documents on the
engines — the setup of benchmarks/scale_out.py, one of each. Requests are sent one after another from
this process, as a room's tabs send them, and each kind's CPU is read from /proc before and after
(replica, worker, PostgreSQL's whole cluster, Chroma, and this process as the client):

- change check: ``GET /k/version`` from a participant's tab (once a second per open tab), and from
  the facilitator's;
- redraw: the room page's ``poll`` event, with a dozen pain points on the board (participant's and
  facilitator's page);
- submit: a participant's ``send`` of a pain point;
- model call on the queue: whole workshops' gates through the worker, per call the scripted model
  answered (the graph, the checkpoints, the retrieval on the engines, the queue's bookkeeping);
- idle: what each process uses per second with nothing asked of it; and what a worker pays once, at
  its first job (loading the library, the tokenizer, the graph), measured on a workshop run first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(meter, label: str, n: int, fn) -> dict:
    """Run ``fn`` (it makes ``n`` requests) and return CPU ms per request per component."""
    a = meter.sample()
    fn()
    b = meter.sample()
    out = {k: 1000 * (b[k] - a[k]) / n for k in a if k not in ("t",)}
    out["wall_ms"] = 1000 * (b["t"] - a["t"]) / n
    print(
        f"{label:<12} n={n:<4} "
        + "  ".join(f"{k} {v:.2f}" for k, v in out.items() if k != "busy")
        + " (ms per request)"
    )
    return out


def parse_args() -> argparse.Namespace:
    """The command line: how many requests of each kind, how many workshops, where the figures go."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--checks", type=int, default=600)
    ap.add_argument("--redraws", type=int, default=150)
    ap.add_argument("--workshops", type=int, default=4, help="workshops run through every gate for the model calls")
    ap.add_argument("--json")
    return ap.parse_args()


def start(tmp: Path, pg, chroma, procs: list):
    """The server setup, one of each, with acme's documents on the engines; (rooms, replica address, CPU meter).
    The replica and the worker go into ``procs`` as they start, so the caller stops them whatever fails."""
    from benchmarks.cpu_meter import Meter, postmaster_pid
    from benchmarks.scale_out import _spawn, rooms_over
    from katachi.ui.web.auth import add_user
    from tests.chroma import put_documents
    from tests.ui.server import free_port, wait_http

    url = pg.database("costs")
    rooms = rooms_over(url, tmp / "facilitator", 0.0, (chroma.url, "costs"))
    add_user(rooms.db, "fumi", "facil-pass-1", "facilitator", ["acme"])
    put_documents(chroma.url, tmp / "ingest", "costs", url)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    procs.append(
        _spawn("tests.replica_child", str(tmp / "app"), url, str(port), chroma.url, "costs", log=tmp / "app.log")
    )
    procs.append(
        _spawn(
            "tests.worker_child",
            url,
            "w",
            "0",
            str(tmp / "w"),
            chroma.url,
            "costs",
            log=tmp / "w.log",
            env={"CALLS_FILE": str(tmp / "w.calls")},
        )
    )
    wait_http(base)
    meter = Meter(
        {
            "replica": [procs[0].pid],
            "worker": [procs[1].pid],
            "postgres": [postmaster_pid(pg.data)],
            "chroma": [chroma.proc.pid],
            "client": [-os.getpid()],
        }
    )
    return rooms, base, meter


def tab_costs(meter, base: str, ws: dict, args, costs: dict) -> None:
    """The tabs' requests, one kind at a time, into ``costs``: idle, change checks and redraws (participant's
    and facilitator's page), submits."""
    from benchmarks.scale_out import Tab

    wid = ws["id"]
    loop = asyncio.new_event_loop()
    run = loop.run_until_complete
    people = [Tab(base, f"p{n}", ws["join_code"]) for n in range(4)]
    for tab in people:
        run(tab.login())
    sends = iter(range(10_000))

    def send_points(n: int):
        def go():
            for _ in range(n):
                k = next(sends)
                run(people[k % 4].call("send", "ja", wid, f"p{k % 4}-{k} 提案書の作成に時間がかかる", None))

        return go

    send_points(12)()  # a board as the room's: a dozen pain points
    costs["idle"] = measure(meter, "idle (1 s)", 10, lambda: time.sleep(10))  # CPU per second doing nothing

    def checks():
        for k in range(args.checks):
            people[k % 4].version = ""  # as a tab whose answer changed: the server does the same work
            run(people[k % 4].changed(wid))

    costs["check"] = measure(meter, "check", args.checks, checks)
    costs["redraw"] = measure(
        meter, "redraw", args.redraws, lambda: [run(people[k % 4].call("poll", "ja", wid)) for k in range(args.redraws)]
    )
    # the facilitator's tab: the same requests, a page with the controls and every card
    fac_tab = Tab(base, "fumi", "facil-pass-1")
    run(fac_tab.login())

    def fac_checks():
        for _ in range(args.checks // 2):
            fac_tab.version = ""
            run(fac_tab.changed(wid))

    costs["check_facilitator"] = measure(meter, "check (fac.)", args.checks // 2, fac_checks)
    costs["redraw_facilitator"] = measure(
        meter,
        "redraw (fac.)",
        args.redraws // 2,
        lambda: [run(fac_tab.call("poll", "ja", wid)) for _ in range(args.redraws // 2)],
    )
    run(fac_tab.http.aclose())
    costs["submit"] = measure(meter, "submit", 60, send_points(60))  # the steadier figure: more of them
    for tab in people:
        run(tab.http.aclose())


def model_call_costs(meter, rooms, fac, calls_file: Path, args, costs: dict) -> None:
    """Whole workshops through the worker, into ``costs``: CPU per model call, and what a worker pays once."""
    from benchmarks.scale_out import gates

    # this process only enqueues and waits, as the facilitator's page does
    drive = gates(rooms, 12)
    errors: list[str] = []

    def workshops(n: int, label: str):
        import threading

        shops = [
            rooms.create(fac, "acme", f"{label}{i}", ["営業", "カスタマーサクセス"], "ja", review=False)
            for i in range(n)
        ]
        for w in shops:
            for k in range(12):
                rooms.submit(rooms.user("fumi"), w["id"], f"課題{k} 提案書の作成に2日かかる")
        threads = [threading.Thread(target=drive, args=(w["id"], errors)) for w in shops]
        [t.start() for t in threads]
        [t.join() for t in threads]
        return shops

    # one workshop first, not counted: the worker's first job loads what every later job reuses (the
    # library, the tokenizer, the graph), which a long-running worker pays once
    w0 = meter.sample()
    workshops(1, "warm")
    w1 = meter.sample()
    calls0 = int(calls_file.read_text())
    jobs0 = len(rooms.db.all("SELECT id FROM jobs"))
    a = meter.sample()
    shops = workshops(args.workshops, "M")
    b = meter.sample()
    calls = int(calls_file.read_text()) - calls0
    jobs = len(rooms.db.all("SELECT id FROM jobs")) - jobs0
    costs["model_call"] = {k: 1000 * (b[k] - a[k]) / calls for k in a if k != "t"}
    costs["model_call"].update(
        wall_ms=1000 * (b["t"] - a["t"]) / calls,
        calls_per_workshop=calls / len(shops),
        jobs_per_workshop=jobs / len(shops),
        errors=errors,
    )
    # what a worker process pays once, at its first job, beyond that job's calls
    costs["worker_start_s"] = (w1["worker"] - w0["worker"]) - calls0 * costs["model_call"]["worker"] / 1000
    print(f"worker start {costs['worker_start_s']:.2f} s of CPU, once per worker process")
    print(
        f"model call   n={calls:<4} "
        + "  ".join(f"{k} {v:.2f}" for k, v in costs["model_call"].items() if isinstance(v, float) and k != "busy")
        + f" (ms per call; {calls / len(shops):.1f} calls and {jobs / len(shops):.1f} jobs per workshop)"
    )


def main() -> None:
    args = parse_args()
    from tests.chroma import TempChroma
    from tests.pg import TempPostgres

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f} (other work shares it)")
    tmp = Path(tempfile.mkdtemp(prefix="katachi-costs-"))
    pg, chroma, procs = TempPostgres(), TempChroma(), []
    try:
        rooms, base, meter = start(tmp, pg, chroma, procs)
        costs = {"machine": f"{platform.machine()} {os.cpu_count()} cpus", "load_before": os.getloadavg()}
        fac = rooms.user("fumi")
        ws = rooms.create(fac, "acme", "WS", ["営業", "カスタマーサクセス"], "ja", review=False)
        tab_costs(meter, base, ws, args, costs)
        model_call_costs(meter, rooms, fac, tmp / "w.calls", args, costs)
        costs["load_after"] = os.getloadavg()
        print(f"load after: {costs['load_after'][0]:.2f}")
        if args.json:
            Path(args.json).write_text(json.dumps(costs, indent=1))
    finally:
        for p in procs:
            p.kill()
        chroma.stop()
        pg.stop()


if __name__ == "__main__":
    main()
