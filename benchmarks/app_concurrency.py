"""Several live workshops at once against one app process, over HTTP, and what the pages feel.

    python benchmarks/app_concurrency.py [--workshops 6] [--participants 2] [--points 5] [--model-delay 2.0]

Each workshop: a facilitator client that polls the room every second (as the page's timer does) and
participant clients that submit pain points; then the facilitator runs every gate to the playbook
(gate actions through the room handlers the buttons call; polling and submitting over HTTP).
The model is the scripted one from the tests, slowed by --model-delay seconds per call to stand in for
a real model, so model jobs queue behind each other while pages keep polling.

Prints: submit → facilitator-sees latency (p50/p95/max), poll response time while model jobs run
(p50/p95/max), errors, and each workshop's finish time. Machine and settings are printed first.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workshops", type=int, default=6)
    ap.add_argument("--participants", type=int, default=2)
    ap.add_argument("--points", type=int, default=5, help="pain points per participant")
    ap.add_argument("--model-delay", type=float, default=2.0, help="seconds added to every model call")
    args = ap.parse_args()
    os.environ["KATACHI_DATA_DIR"] = tempfile.mkdtemp(prefix="katachi-app-bench-")
    print(f"machine: {platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}; "
          f"{args.workshops} workshops × {args.participants} participants × {args.points} points; "
          f"model delay {args.model_delay}s/call")

    from gradio_client import Client

    from tests.ui.server import start_app
    from tests.workshop_fakes import WorkshopResponder

    class Slow(WorkshopResponder):
        def __call__(self, messages, kwargs):
            time.sleep(args.model_delay)
            return super().__call__(messages, kwargs)

    ctx, demo, url = start_app(Path(tempfile.mkdtemp()), Slow())
    fac = ctx.rooms.user("fumi")
    rooms = [ctx.rooms.create(fac, "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja") for i in range(args.workshops)]
    lat: list[float] = []
    polls: list[float] = []
    errors: list[str] = []
    finished: dict[str, float] = {}
    lock = threading.Lock()
    t_start = time.perf_counter()

    def facilitator(ws: dict, sent: dict[str, float], done: threading.Event) -> None:
        c = Client(url, auth=("fumi", "facil-pass-1"), verbose=False)
        seen: set[str] = set()
        expected = args.participants * args.points
        while len(seen) < expected:
            t0 = time.perf_counter()
            out = c.predict("ja", ws["id"], api_name="/poll")
            with lock:
                polls.append(time.perf_counter() - t0)
            page = next((o for o in out if isinstance(o, str) and "k-points" in o), "")
            now = time.perf_counter()
            for text, at in list(sent.items()):
                if text not in seen and text in page:
                    seen.add(text)
                    with lock:
                        lat.append(now - at)
            time.sleep(1.0)
        done.set()
        # Gate actions go straight to the room handlers (the same ones the buttons call); what is measured
        # over HTTP is what every page does all the time: polling, and participants submitting.
        steps = [lambda: ctx.rooms.start(fac, ws["id"]),
                 lambda: ctx.rooms.decide(fac, ws["id"], {"action": "choose", "index": 0}),
                 lambda: ctx.rooms.decide(fac, ws["id"], {"action": "approve"}),
                 lambda: ctx.rooms.decide(fac, ws["id"], {"action": "approve"}),
                 lambda: ctx.rooms.decide(fac, ws["id"], {"action": "approve"})]
        for step in steps:
            while ctx.rooms.jobs.busy(ws["id"]):
                t0 = time.perf_counter()
                c.predict("ja", ws["id"], api_name="/poll")  # pages keep polling while the model works
                with lock:
                    polls.append(time.perf_counter() - t0)
                time.sleep(1.0)
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - counted and printed
                with lock:
                    errors.append(f"{ws['id']}: {exc}")
        while ctx.rooms.jobs.busy(ws["id"]):
            time.sleep(0.5)
        st = ctx.rooms.jobs.status(ws["id"])
        if st.state == "failed":
            errors.append(f"{ws['id']}: {st.error}")
        finished[ws["id"]] = time.perf_counter() - t_start

    def participant(ws: dict, n: int, sent: dict[str, float]) -> None:
        name = f"p{n}-{ws['id'][:4]}"
        c = Client(url, auth=(name, ws["join_code"]), verbose=False)
        for k in range(args.points):
            text = f"課題 {name} 番号{k} 提案書の作成に時間がかかる"
            at = time.perf_counter()
            out = c.predict("ja", ws["id"], text, None, False, api_name="/send")
            with lock:
                sent[text] = at
            if any(isinstance(o, str) and "k-notice k-error" in o for o in out):
                errors.append(f"{name}: submit refused")
            time.sleep(0.7)

    threads = []
    for ws in rooms:
        sent: dict[str, float] = {}
        done = threading.Event()
        threads.append(threading.Thread(target=facilitator, args=(ws, sent, done)))
        threads += [threading.Thread(target=participant, args=(ws, n, sent)) for n in range(args.participants)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def q(xs: list[float]) -> str:
        xs = sorted(xs)
        p95 = statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else xs[0]
        return f"p50 {statistics.median(xs):.2f}s  p95 {p95:.2f}s  max {xs[-1]:.2f}s  (n={len(xs)})"

    print(f"submit → facilitator sees it (1 s polling): {q(lat)}")
    print(f"poll response time, model jobs running meanwhile: {q(polls)}")
    done_ok = sum(1 for ws in rooms if ctx.rooms.service.snapshot(ws["id"]).done)
    print(f"workshops finished: {done_ok}/{len(rooms)}; errors: {len(errors)}")
    for e in errors[:10]:
        print("  ", e)
    print("finish times: " + ", ".join(f"{v:.0f}s" for v in sorted(finished.values())))
    demo.close()


if __name__ == "__main__":
    main()
