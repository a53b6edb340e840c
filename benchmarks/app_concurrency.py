"""Several live workshops at once against one app process, and what the pages feel.

    python benchmarks/app_concurrency.py [--workshops 8] [--participants 3] [--points 5] [--model-delay 2.0]

The app runs in its own process (as `katachi ui` would) over the scripted model from the tests,
slowed by --model-delay seconds per call to stand in for a real one, so model jobs queue behind each
other. In that process, each workshop's facilitator runs every gate (the room handlers the buttons
call) once all pain points are in. From this process, over HTTP: participants submit pain points and
facilitators redraw the room once a second through Gradio's /poll (the worst case: a page redraws only
when its once-a-second /k/version check sees a change).

Prints: submit → facilitator-sees latency (p50/p95/max), poll response times while model jobs run,
errors, and when each workshop reached its playbook.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def serve(args, q) -> None:
    os.environ["KATACHI_DATA_DIR"] = tempfile.mkdtemp(prefix="katachi-app-bench-")
    from tests.ui.server import start_app
    from tests.workshop_fakes import WorkshopResponder

    class Slow(WorkshopResponder):
        def __call__(self, messages, kwargs):
            time.sleep(args.model_delay)
            return super().__call__(messages, kwargs)

    ctx, demo, url = start_app(Path(tempfile.mkdtemp()), Slow())
    r = ctx.rooms
    fac = r.user("fumi")
    rooms = [r.create(fac, "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja") for i in range(args.workshops)]
    q.put((url, [(w["id"], w["join_code"]) for w in rooms]))
    expected = args.participants * args.points
    errors: list[str] = []

    def drive(wid: str) -> None:
        while len(r.db.pain_points(wid)) < expected:
            time.sleep(0.5)
        steps = [lambda: r.start(fac, wid), lambda: r.decide(fac, wid, {"action": "choose", "index": 0})]
        steps += [lambda: r.decide(fac, wid, {"action": "approve"})] * 3
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(f"{wid}: {exc}")
            st = r.jobs.wait_idle(wid, timeout=3600)
            if st.state == "failed":
                errors.append(f"{wid}: {st.error}")

    threads = [threading.Thread(target=drive, args=(w["id"],)) for w in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.put(errors)
    time.sleep(5)  # let the last polls see "done"
    demo.close()


def parse_args() -> argparse.Namespace:
    """The command line: workshops, participants, points each, and the model's delay per call."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workshops", type=int, default=8)
    ap.add_argument("--participants", type=int, default=3)
    ap.add_argument("--points", type=int, default=5, help="pain points per participant")
    ap.add_argument("--model-delay", type=float, default=2.0, help="seconds added to every model call")
    return ap.parse_args()


class Pages:
    """The facilitators' and participants' pages over HTTP, one thread each, and what they measured."""

    def __init__(self, url: str, args) -> None:
        from gradio_client import Client

        self.client, self.url, self.args = Client, url, args
        self.lat: list[float] = []
        self.polls: list[float] = []
        self.errors: list[str] = []
        self.done_at: dict[str, float] = {}
        self.lock = threading.Lock()
        self.t0_all = time.perf_counter()

    def facilitator(self, wid: str, sent: dict[str, float]) -> None:
        """Redraw the room once a second until it is done; note when each sent point first shows."""
        c = self.client(self.url, auth=("fumi", "facil-pass-1"), verbose=False)
        seen: set[str] = set()
        while wid not in self.done_at:
            t0 = time.perf_counter()
            try:
                out = c.predict("ja", wid, api_name="/poll")
            except Exception as exc:  # noqa: BLE001
                with self.lock:
                    self.errors.append(f"poll {wid}: {exc}")
                time.sleep(1.0)
                continue
            now = time.perf_counter()
            with self.lock:
                self.polls.append(now - t0)
            page = "".join(o for o in out if isinstance(o, str))
            for text, at in list(sent.items()):
                if text not in seen and text in page:
                    seen.add(text)
                    with self.lock:
                        self.lat.append(now - at)
            if re.search(r'data-workshop="[^"]+" data-stage="done"', page):
                self.done_at[wid] = now - self.t0_all
            time.sleep(1.0)

    def participant(self, wid: str, code: str, n: int, sent: dict[str, float]) -> None:
        """Submit this participant's pain points, one every 0.7 s after each answer."""
        name = f"p{n}-{wid[:4]}"
        c = self.client(self.url, auth=(name, code), verbose=False)
        for k in range(self.args.points):
            text = f"課題 {name} 番号{k} 提案書の作成に時間がかかる"
            out = c.predict("ja", wid, text, None, api_name="/send")
            with self.lock:
                sent[text] = time.perf_counter()  # sent once the server has answered the submit
            if any(isinstance(o, str) and "k-notice k-error" in o for o in out):
                self.errors.append(f"{name}: submit refused")
            time.sleep(0.7)

    def threads(self, rooms: list[tuple[str, str]]) -> list[threading.Thread]:
        """Each workshop's facilitator thread and its participants' threads, not started."""
        threads = []
        for wid, code in rooms:
            sent: dict[str, float] = {}
            threads.append(threading.Thread(target=self.facilitator, args=(wid, sent), daemon=True))
            threads += [
                threading.Thread(target=self.participant, args=(wid, code, n, sent))
                for n in range(self.args.participants)
            ]
        return threads


def fmt(xs: list[float]) -> str:
    """p50, p95 and max of a list of seconds, and how many."""
    if not xs:
        return "no samples"
    xs = sorted(xs)
    p95 = statistics.quantiles(xs, n=20)[-1] if len(xs) >= 2 else xs[0]
    return f"p50 {statistics.median(xs):.2f}s  p95 {p95:.2f}s  max {xs[-1]:.2f}s  (n={len(xs)})"


def report(pages: Pages, rooms: list[tuple[str, str]], server_errors: list[str]) -> None:
    """The printed figures: latencies, poll times, errors, when each workshop was done."""
    print(f"submit answered → facilitator's poll shows it (polls every 1 s): {fmt(pages.lat)}")
    print(f"poll response time, model jobs running meanwhile: {fmt(pages.polls)}")
    all_errors = pages.errors + server_errors
    print(f"workshops that reached the approved playbook: {len(pages.done_at)}/{len(rooms)}; errors: {len(all_errors)}")
    for e in all_errors[:10]:
        print("  ", e)
    print("done at: " + ", ".join(f"{v:.0f}s" for v in sorted(pages.done_at.values())))


def main() -> None:
    args = parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}; "
        f"{args.workshops} workshops × {args.participants} participants × {args.points} points; "
        f"model delay {args.model_delay}s/call; server in its own process"
    )
    q: mp.Queue = mp.get_context("spawn").Queue()
    server = mp.get_context("spawn").Process(target=serve, args=(args, q))
    server.start()
    url, rooms = q.get(timeout=300)
    pages = Pages(url, args)
    for t in pages.threads(rooms):
        t.start()
    server_errors = q.get(timeout=7200)
    deadline = time.time() + 30
    while len(pages.done_at) < len(rooms) and time.time() < deadline:
        time.sleep(0.5)
    server.join(timeout=30)
    report(pages, rooms, server_errors)


if __name__ == "__main__":
    main()
