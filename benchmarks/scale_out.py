"""Many live workshops over HTTP on the server backends, against one embedded process in the same run.

    python benchmarks/scale_out.py [--workshops 50] [--participants 4] [--points 3] [--model-delay 0.5]

Server setup: a throwaway PostgreSQL (Debian's binaries, loopback), two web replicas
(``KATACHI_JOB_QUEUE=database``) and two ``katachi worker`` processes over the scripted model slowed by
``--model-delay`` seconds per answer. Baseline: one ``katachi ui``-like process with the embedded
defaults (SQLite, in-process jobs, one model slot) over the same scripted model. The same load on
both: every workshop's participants send their pain points over HTTP (half of them to each replica),
the facilitator's page redraws once a second, and when all points are in the facilitator runs every
gate. Printed per setup: workshops finished, errors, submit → facilitator-sees latency p50/p95, poll
latency p95, and (server) how long jobs waited for a worker.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1] if len(xs) >= 2 else (xs[0] if xs else float("nan"))


def _spawn(module: str, *args: str, log: Path, env: dict | None = None) -> subprocess.Popen:
    e = {k: v for k, v in os.environ.items() if not k.startswith("KATACHI_") or k == "KATACHI_CACHE_DIR"}
    e.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=e, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)


def load(urls: list[str], shops: list[tuple[str, str]], args, drive) -> dict:
    """Participants and facilitators over HTTP; ``drive(wid)`` runs the gates once all points are in."""
    from gradio_client import Client

    lat, polls, errors = [], [], []
    done: dict[str, float] = {}
    lock = threading.Lock()
    t_all = time.perf_counter()

    def facilitator(wid: str, sent: dict[str, float]) -> None:
        c = Client(urls[0], auth=("fumi", "facil-pass-1"), verbose=False)
        seen: set[str] = set()
        while wid not in done and time.perf_counter() - t_all < args.timeout:
            t0 = time.perf_counter()
            try:
                out = c.predict("ja", wid, api_name="/poll")
            except Exception as exc:  # noqa: BLE001 - counted
                with lock:
                    errors.append(f"poll {wid}: {type(exc).__name__}")
                time.sleep(1)
                continue
            now = time.perf_counter()
            page = "".join(o for o in out if isinstance(o, str))
            with lock:
                polls.append(now - t0)
                for text, at in list(sent.items()):
                    if text not in seen and text in page:
                        seen.add(text)
                        lat.append(now - at)
            if re.search(r'data-workshop="[^"]+" data-stage="done"', page):
                done[wid] = now - t_all
            time.sleep(1)

    def participant(wid: str, code: str, n: int, sent: dict[str, float]) -> None:
        name = f"p{n}"
        try:
            c = Client(urls[n % len(urls)], auth=(name, code), verbose=False)
            for k in range(args.points):
                text = f"{name}-{wid[:4]}-{k} 提案書の作成に時間がかかる"
                t0 = time.perf_counter()
                out = c.predict("ja", wid, text, None, api_name="/send")
                if any(isinstance(o, str) and "k-notice k-error" in o for o in out):
                    with lock:
                        errors.append(f"{name}@{wid}: refused")
                else:
                    with lock:
                        sent[text] = t0
                time.sleep(0.5)
        except Exception as exc:  # noqa: BLE001 - counted
            with lock:
                errors.append(f"{name}@{wid}: {type(exc).__name__}")

    threads = []
    for wid, code in shops:
        sent: dict[str, float] = {}
        threads.append(threading.Thread(target=facilitator, args=(wid, sent), daemon=True))
        threads += [threading.Thread(target=participant, args=(wid, code, n, sent), daemon=True)
                    for n in range(args.participants)]
        threads.append(threading.Thread(target=drive, args=(wid, errors), daemon=True))
    for t in threads:
        t.start()
    end = time.time() + args.timeout
    while len(done) < len(shops) and time.time() < end:
        time.sleep(1)
    return {"finished": len(done), "errors": errors, "lat": lat, "polls": polls,
            "wall": time.perf_counter() - t_all}


def rooms_over(db_url: str | None, data: Path, delay: float):
    """The facilitator's side of the load: the room handlers over the given database."""
    from core.settings import Settings
    from graphs.service import WorkshopService
    from tests.fakes import FakeChatModel
    from tests.worker_child import DOCS
    from tests.workshop_fakes import ListRetriever, WorkshopResponder
    from ui.web.appdb import AppDB
    from ui.web.jobqueue import DBJobs
    from ui.web.jobs import ModelJobs
    from ui.web.room.handlers import Rooms

    s = Settings(data_dir=data, database_url=db_url, job_queue="database" if db_url else "process")
    inner = WorkshopResponder()

    def slow(messages, kwargs):
        time.sleep(delay)
        return inner(messages, kwargs)

    model = FakeChatModel(responder=slow)
    svc = WorkshopService(s, model_for=lambda r: model, retriever_for=lambda c: ListRetriever("acme", DOCS))
    db = AppDB(data / "app.sqlite", url=db_url)
    jobs = ModelJobs(1, service=svc)
    return Rooms(db, svc, DBJobs(db, jobs, 3.0) if db_url else jobs)


def gates(rooms, expected: int):
    fac = rooms.user("fumi")

    def drive(wid: str, errors: list[str]) -> None:
        while len(rooms.db.pain_points(wid)) < expected:
            time.sleep(0.5)
        steps = [("start", lambda: rooms.start(fac, wid))] + [
            (g, lambda g=g, d=d: rooms.decide(fac, wid, {**d, "gate": g})) for g, d in
            (("themes", {"action": "choose", "index": 0}), ("kpis", {"action": "approve"}),
             ("usecases", {"action": "approve"}), ("playbook", {"action": "approve"}))]
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - counted
                errors.append(f"{wid} {name}: {exc}")
            st = rooms.jobs.wait_idle(wid, timeout=3600)
            if st.state == "failed":
                errors.append(f"{wid} {name}: {st.error}")
    return drive


def report(label: str, r: dict, shops: int) -> None:
    print(f"{label}: {r['finished']}/{shops} workshops finished in {r['wall']:.0f} s, {len(r['errors'])} errors"
          + (f" (first: {r['errors'][0]})" if r["errors"] else ""))
    print(f"  submit → facilitator sees: p50 {_pct(r['lat'], 50):.2f} s, p95 {_pct(r['lat'], 95):.2f} s "
          f"({len(r['lat'])} samples); poll p95 {_pct(r['polls'], 95):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workshops", type=int, default=50)
    ap.add_argument("--participants", type=int, default=4)
    ap.add_argument("--points", type=int, default=3)
    ap.add_argument("--model-delay", type=float, default=0.5)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--only", choices=["server", "embedded"], default=None)
    args = ap.parse_args()
    from tests.pg import TempPostgres
    from tests.ui.server import free_port, wait_http
    from ui.web.auth import add_user

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}; "
          f"{args.workshops} workshops × {args.participants} participants × {args.points} points; "
          f"scripted model {args.model_delay} s/answer")
    expected = args.participants * args.points
    tmp = Path(tempfile.mkdtemp(prefix="katachi-scale-"))
    if args.only != "embedded":
        pg = TempPostgres()
        url = pg.database("scale")
        rooms = rooms_over(url, tmp / "parent", args.model_delay)
        add_user(rooms.db, "fumi", "facil-pass-1", "facilitator", ["acme"])
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{p}/" for p in ports]
        procs = [_spawn("tests.replica_child", str(tmp / f"app{i}"), url, str(p), log=tmp / f"app{i}.log")
                 for i, p in enumerate(ports)]
        procs += [_spawn("tests.worker_child", url, f"w{i}", str(args.model_delay), log=tmp / f"w{i}.log")
                  for i in range(2)]
        try:
            for u in urls:
                wait_http(u)
            shops = [rooms.create(rooms.user("fumi"), "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja", review=False)
                     for i in range(args.workshops)]
            r = load(urls, [(w["id"], w["join_code"]) for w in shops], args, gates(rooms, expected))
            waits = [row["started"] - row["created"] for row in rooms.db.all(
                "SELECT created, started FROM jobs WHERE started IS NOT NULL")]
            report("server (2 replicas, 2 workers, PostgreSQL)", r, len(shops))
            print(f"  job queue wait: p50 {_pct(waits, 50):.1f} s, p95 {_pct(waits, 95):.1f} s ({len(waits)} jobs)")
        finally:
            for p in procs:
                p.kill()
            pg.stop()
    if args.only != "server":
        # the embedded baseline: one process, SQLite, in-process jobs
        os.environ["KATACHI_DATA_DIR"] = str(tmp / "embedded")
        from core.settings import reset_settings

        reset_settings()
        rooms = rooms_over(None, tmp / "embedded", args.model_delay)
        from ui.web.app import AppContext, launch

        add_user(rooms.db, "fumi", "facil-pass-1", "facilitator", ["acme"])
        port = free_port()
        demo = launch(AppContext(rooms.service.settings, rooms.db, rooms), port=port, block=False)
        try:
            shops = [rooms.create(rooms.user("fumi"), "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja", review=False)
                     for i in range(args.workshops)]
            r = load([f"http://127.0.0.1:{port}/"], [(w["id"], w["join_code"]) for w in shops], args,
                     gates(rooms, expected))
            report("embedded baseline (1 process, SQLite, 1 model slot)", r, len(shops))
        finally:
            demo.close()


if __name__ == "__main__":
    main()
