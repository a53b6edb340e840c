"""Many live workshops over HTTP on the server backends, against one embedded process in the same run.

    python benchmarks/scale_out.py [--workshops 50] [--participants 4] [--points 3] [--model-delay 0.5]

Server setup: a throwaway PostgreSQL (Debian's binaries, loopback), a Chroma server, two web replicas
(``KATACHI_JOB_QUEUE=database``) and two ``katachi worker`` processes over the scripted model slowed by
``--model-delay`` seconds per answer. Each replica and worker has a data directory of its own (as on a
host of its own); the company's documents are ingested by another process on the engines and searched
by the workers there. Baseline: one ``katachi ui``-like process with the embedded
defaults (SQLite, in-process jobs, one model slot) over the same scripted model. The same load on
both: every workshop's participants send their pain points over HTTP (half of them to each replica),
the facilitator's page redraws once a second, and when all points are in the facilitator runs every
gate. Printed per setup: workshops finished, errors, submit → facilitator-sees latency p50/p95, poll
latency p95, and (server) how long jobs waited for a worker. The CPU each component used (from /proc:
replicas, workers, PostgreSQL, Chroma, the simulated tabs) is written with ``--json``, over the whole
run and over the intake window (all tabs open, participants writing, no model work yet), with the
requests made, for benchmarks/capacity.py to check its predictions against.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1] if len(xs) >= 2 else (xs[0] if xs else float("nan"))


def _spawn(module: str, *args: str, log: Path, env: dict | None = None) -> subprocess.Popen:
    e = {k: v for k, v in os.environ.items() if not k.startswith("KATACHI_") or k == "KATACHI_CACHE_DIR"}
    e.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=e, stdout=open(log, "w"), stderr=subprocess.STDOUT
    )


class Tab:
    """One browser tab over HTTP, doing what the room page does: log in, ask ``/k/version`` every
    second, redraw through Gradio's ``/poll`` when the answer changed; participants also send points."""

    def __init__(self, base: str, name: str, secret: str) -> None:
        import httpx

        self.base, self.name, self.secret = base, name, secret
        # connections idle for 3 s are not reused: uvicorn closes them after 5 s, and a request sent on
        # one as it closes fails (ReadError) where a browser would quietly retry
        self.http = httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(keepalive_expiry=3.0))
        self.version = ""
        self.session = uuid.uuid4().hex[:11]  # one Gradio session per tab, as a browser has
        self.busy = None  # one event at a time per tab: Gradio's per-call stream reads the session's messages

    async def login(self) -> None:
        r = await self.http.post("login", data={"username": self.name, "password": self.secret})
        r.raise_for_status()

    async def call(self, api: str, *data) -> str:
        """A Gradio event through its HTTP API; the page's HTML outputs joined."""
        import asyncio

        self.busy = self.busy or asyncio.Lock()
        async with self.busy:
            return await self._call(api, *data)

    async def _call(self, api: str, *data) -> str:
        import json

        r = await self.http.post(f"gradio_api/call/{api}", json={"data": list(data), "session_hash": self.session})
        r.raise_for_status()
        event = r.json()["event_id"]
        kind = ""
        async with self.http.stream("GET", f"gradio_api/call/{api}/{event}") as s:
            async for line in s.aiter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind in ("complete", "error"):
                    if kind == "error":
                        raise RuntimeError(f"{api}: {line[6:200]}")
                    out = json.loads(line[6:])
                    return "".join(o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in out)
        raise RuntimeError(f"{api}: no answer")

    async def changed(self, wid: str) -> bool:
        import httpx

        try:
            r = await self.http.get("k/version", params={"w": wid})
        except httpx.TransportError:  # a kept-alive connection the server closed: a browser asks again
            r = await self.http.get("k/version", params={"w": wid})
        r.raise_for_status()
        v = r.json().get("v", "")
        if v == self.version:
            return False
        self.version = v
        return True


class _TabsRun:
    """What every tab of one run shares: the figures they collect, when each request went out, and which
    workshops the facilitator's page has seen done."""

    def __init__(self, urls: list[str], shops: list[tuple[str, str]], args) -> None:
        self.urls, self.shops, self.args = urls, shops, args
        self.lat: list[float] = []
        self.checks: list[float] = []
        self.redraws: list[float] = []
        self.errors: list[str] = []
        self.when: dict[str, list[float]] = {"checks": [], "redraws": [], "sends": []}  # seconds after the start
        self.acknowledged: dict[str, dict[str, float]] = {}  # per workshop: texts the app said it saved → when sent
        self.done: dict[str, float] = {}
        self.t_all = time.perf_counter()
        self.rnd = random.Random(7)  # the same think times for both setups

    async def tab_loop(self, tab: Tab, wid: str, sent: dict[str, float] | None, seen: set[str]) -> None:
        """A tab's once-a-second check, and its redraw when the answer changed, until its workshop is done."""
        while wid not in self.done and time.perf_counter() - self.t_all < self.args.timeout:
            t0 = time.perf_counter()
            try:
                self.when["checks"].append(t0 - self.t_all)
                if await tab.changed(wid):
                    self.checks.append(time.perf_counter() - t0)
                    t1 = time.perf_counter()
                    self.when["redraws"].append(t1 - self.t_all)
                    page = await tab.call("poll", "ja", wid)
                    now = time.perf_counter()
                    self.redraws.append(now - t1)
                    if sent is not None:  # the facilitator: which points reached the screen
                        for text, at in list(sent.items()):
                            if text not in seen and text in page:
                                seen.add(text)
                                self.lat.append(now - at)
                        if re.search(r'data-workshop="[^"]+" data-stage="done"', page):
                            self.done[wid] = now - self.t_all
                else:
                    self.checks.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - counted
                self.errors.append(f"{tab.name}@{wid}: {type(exc).__name__} {str(exc)[:80]}")
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))

    async def participant(self, tab: Tab, wid: str, n: int, sent: dict[str, float], waits: list[float]) -> None:
        """A participant's pain points, each after its think time; the acknowledged ones go into ``sent``."""
        for k, wait in enumerate(waits):
            await asyncio.sleep(wait)
            text = f"p{n}-{wid[:4]}-{k} 提案書の作成に時間がかかる"
            t0 = time.perf_counter()
            self.when["sends"].append(t0 - self.t_all)
            try:
                page = await tab.call("send", "ja", wid, text, None)
                if "k-notice k-error" in page:
                    self.errors.append(f"p{n}@{wid}: refused")
                else:
                    sent[text] = t0
            except Exception as exc:  # noqa: BLE001 - counted
                self.errors.append(f"p{n}@{wid} send: {type(exc).__name__} {str(exc)[:80]}")

    async def workshop(self, i: int, wid: str, code: str) -> None:
        """One workshop's tabs: the facilitator's and its participants', logged in, until the workshop is done."""
        args, urls = self.args, self.urls
        sent: dict[str, float] = {}
        self.acknowledged[wid] = sent
        fac = Tab(urls[i % len(urls)], "fumi", "facil-pass-1")
        people = [Tab(urls[(i + n + 1) % len(urls)], f"p{n}", code) for n in range(args.participants)]
        for tab in [fac, *people]:
            try:
                await tab.login()
            except Exception as exc:  # noqa: BLE001 - counted
                self.errors.append(f"{tab.name}@{wid} login: {type(exc).__name__}")
                return
        waits = [[self.rnd.uniform(0, 2 * args.think) for _ in range(args.points)] for _ in people]
        await asyncio.gather(
            self.tab_loop(fac, wid, sent, set()),
            *(self.tab_loop(p, wid, None, set()) for p in people),
            *(self.participant(p, wid, n, sent, waits[n]) for n, p in enumerate(people)),
        )
        for tab in [fac, *people]:
            await tab.http.aclose()

    async def run_all(self) -> None:
        """Every workshop's tabs at once."""

        # tabs open over a few seconds, as people come into the room
        async def later(i, wid, code):
            await asyncio.sleep(i * self.args.ramp / max(1, len(self.shops)))
            await self.workshop(i, wid, code)

        await asyncio.gather(*(later(i, w, c) for i, (w, c) in enumerate(self.shops)))

    def figures(self) -> dict:
        """What the run measured, as ``tabs`` returns it."""
        in_window = lambda xs: sum(1 for x in xs if INTAKE[0] <= x < INTAKE[1])  # noqa: E731
        when = self.when
        return {
            "finished": len(self.done),
            "errors": self.errors,
            "lat": self.lat,
            "checks": self.checks,
            "redraws": self.redraws,
            "wall": time.perf_counter() - self.t_all,
            "sent": {w: list(t) for w, t in self.acknowledged.items()},
            "intake_counts": {
                "checks": in_window(when["checks"]),
                "redraws": in_window(when["redraws"]),
                "sends": in_window(when["sends"]),
            },
        }


def tabs(urls: list[str], shops: list[tuple[str, str]], args) -> dict:
    """Every workshop's tabs over HTTP (a facilitator and ``args.participants`` people, spread over the
    replicas). Runs in its own process (``--tabs``), so the load's own CPU is not the app's."""
    run = _TabsRun(urls, shops, args)
    asyncio.run(run.run_all())
    return run.figures()


# The intake window, in seconds after the tabs start: every tab is open (the ramp is 10 s) and the
# participants write (their third point comes ~60 s in on average), no workshop has all its points yet.
INTAKE = (15.0, 45.0)


def load(urls: list[str], shops: list[tuple[str, str]], args, drive, tmp: Path, components: dict) -> dict:
    """The tabs in a child process; ``drive(wid, errors)`` runs each workshop's gates here, in a thread,
    once all its points are in (the facilitator's clicks, through the room's handlers). ``components``:
    the processes whose CPU is measured (name -> pids, see benchmarks/cpu_meter.py)."""
    import json

    from benchmarks.cpu_meter import Meter

    spec, out = tmp / f"tabs-{len(urls)}.json", tmp / f"tabs-{len(urls)}-out.json"
    spec.write_text(json.dumps({"urls": urls, "shops": shops, "args": vars(args)}))
    errors: list[str] = []
    for wid, _ in shops:
        threading.Thread(target=drive, args=(wid, errors), daemon=True).start()
    child = subprocess.Popen([sys.executable, __file__, "--tabs", str(spec), str(out)], cwd=ROOT)
    meter = Meter({**components, "tabs": [child.pid]})
    t0 = meter.sample()["t"]
    meter.every(1.0)
    try:
        rc = child.wait(timeout=args.timeout + 120)
    finally:
        meter.stop()
    if rc:
        raise SystemExit(f"the load process failed ({rc})")
    meter.samples = [x for x in meter.samples if x["tabs"] > 0]  # the last look may find the child gone
    r = json.loads(out.read_text())
    r["errors"] += errors
    r["cpu_intake"] = meter.between(t0 + INTAKE[0], t0 + INTAKE[1])
    r["cpu_total"] = meter.total()
    return r


def lost_points(rooms, sent: dict[str, list[str]]) -> int:
    """Pain points the app acknowledged that are not in the workshop's final state."""
    lost = 0
    for wid, texts in sent.items():
        snap = rooms.service.snapshot(wid)
        kept = {p["text"] for p in snap.values.get("pain_points") or []}
        lost += sum(1 for t in texts if t not in kept)
    return lost


def _tabs_main(spec: str, out: str) -> None:
    import json

    d = json.loads(Path(spec).read_text())
    r = tabs(d["urls"], [tuple(x) for x in d["shops"]], argparse.Namespace(**d["args"]))
    Path(out).write_text(json.dumps(r))


def rooms_over(db_url: str | None, data: Path, delay: float, chroma: tuple[str, str] | None = None):
    """The facilitator's side of the load: the room handlers over the given database."""
    from katachi.core.settings import Settings
    from katachi.graphs.service import WorkshopService
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.jobqueue import DBJobs
    from katachi.ui.web.jobs import ModelJobs
    from katachi.ui.web.room.handlers import Rooms
    from tests.fakes import FakeChatModel
    from tests.worker_child import DOCS
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    s = Settings(data_dir=data, database_url=db_url, job_queue="database" if db_url else "process")
    if chroma:
        s = s.model_copy(update={"chroma_url": chroma[0], "chroma_tenant": chroma[1]})
    inner = WorkshopResponder()

    def slow(messages, kwargs):
        time.sleep(delay)
        return inner(messages, kwargs)

    model = FakeChatModel(responder=slow)
    svc = WorkshopService(s, model_for=lambda r: model, retriever_for=lambda c: ListRetriever("acme", DOCS))
    db = AppDB(data / "app.sqlite", url=db_url)
    return Rooms(db, svc, DBJobs(db, 3.0) if db_url else ModelJobs(1, service=svc))


def gates(rooms, expected: int):
    fac = rooms.user("fumi")

    def drive(wid: str, errors: list[str]) -> None:
        while len(rooms.db.pain_points(wid)) < expected:
            time.sleep(1.0)
        steps = [("start", lambda: rooms.start(fac, wid))] + [
            (g, lambda g=g, d=d: rooms.decide(fac, wid, {**d, "gate": g}))
            for g, d in (
                ("themes", {"action": "choose", "index": 0}),
                ("kpis", {"action": "approve"}),
                ("usecases", {"action": "approve"}),
                ("playbook", {"action": "approve"}),
            )
        ]
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
    print(
        f"{label}: {r['finished']}/{shops} workshops finished in {r['wall']:.0f} s, {len(r['errors'])} errors"
        + (f" (first: {r['errors'][0]})" if r["errors"] else "")
    )
    print(
        f"  submit → facilitator sees: p50 {_pct(r['lat'], 50):.2f} s, p95 {_pct(r['lat'], 95):.2f} s "
        f"({len(r['lat'])} samples)"
    )
    print(
        f"  version check p95 {_pct(r['checks'], 95):.3f} s ({len(r['checks'])}); "
        f"redraw p95 {_pct(r['redraws'], 95):.2f} s ({len(r['redraws'])})"
    )


def parse_args() -> argparse.Namespace:
    """The command line: the load (workshops, people, points, think time), the model's delay, which setups."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workshops", type=int, default=50)
    ap.add_argument("--participants", type=int, default=4)
    ap.add_argument("--points", type=int, default=3)
    ap.add_argument("--model-delay", type=float, default=0.5)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument(
        "--think",
        type=float,
        default=20.0,
        help="mean seconds a person takes to write each pain point (they type on a phone)",
    )
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the workshops' tabs open")
    ap.add_argument("--only", choices=["server", "embedded"], default=None)
    ap.add_argument("--no-chroma", action="store_true", help="workers search a fixed list, not a Chroma server")
    ap.add_argument("--json", help="also write the figures here")
    return ap.parse_args()


def summary(label: str, r: dict, rooms, n: int, args) -> dict:
    """Print a setup's figures and return them as the JSON has them."""
    lost = lost_points(rooms, r["sent"])
    report(label, r, n)
    print(f"  pain points acknowledged {sum(len(t) for t in r['sent'].values())}, lost {lost}")
    return {
        "finished": r["finished"],
        "workshops": n,
        "errors": r["errors"],
        "lost": lost,
        "sent": sum(len(t) for t in r["sent"].values()),
        "p50": _pct(r["lat"], 50),
        "p95": _pct(r["lat"], 95),
        "check_p95": _pct(r["checks"], 95),
        "redraw_p95": _pct(r["redraws"], 95),
        "wall": r["wall"],
        "checks": len(r["checks"]),
        "redraws": len(r["redraws"]),
        "cpu_intake": r["cpu_intake"],
        "cpu_total": r["cpu_total"],
        "intake_counts": r["intake_counts"],
        "participants": args.participants,
        "points": args.points,
        "think": args.think,
        "model_delay": args.model_delay,
        "cores": os.cpu_count(),
        "load_after": os.getloadavg(),
    }


def _server_processes(
    tmp: Path, url: str, ports: list[int], engines: tuple | None, model_delay: float
) -> list[subprocess.Popen]:
    """A replica on each port and two workers, each on a data directory of its own."""
    procs = [
        _spawn(
            "tests.replica_child",
            str(tmp / f"app{i}"),
            url,
            str(p),
            *(engines or ()),
            log=tmp / f"app{i}.log",
        )
        for i, p in enumerate(ports)
    ]
    procs += [
        _spawn(
            "tests.worker_child",
            url,
            f"w{i}",
            str(model_delay),
            *((str(tmp / f"w{i}"), *engines) if engines else ()),
            log=tmp / f"w{i}.log",
            env={"CALLS_FILE": str(tmp / f"w{i}.calls")},
        )
        for i in range(2)
    ]
    return procs


def _server_figures(r: dict, rooms, shops: list, args, tmp: Path, chroma) -> dict:
    """The run's summary, with the job queue's waits and the model calls the workers made."""
    waits = [
        row["started"] - row["created"]
        for row in rooms.db.all("SELECT created, started FROM jobs WHERE started IS NOT NULL")
    ]
    name = "server (2 replicas, 2 workers, PostgreSQL" + (", Chroma server)" if chroma else ")")
    figures = summary(name, r, rooms, len(shops), args)
    figures["queue_wait_p95"] = _pct(waits, 95)
    figures["jobs"] = len(waits)
    figures["model_calls"] = sum(
        int((tmp / f"w{i}.calls").read_text() or 0) for i in range(2) if (tmp / f"w{i}.calls").exists()
    )
    print(f"  job queue wait: p50 {_pct(waits, 50):.1f} s, p95 {_pct(waits, 95):.1f} s ({len(waits)} jobs)")
    return figures


def run_server(args, tmp: Path, expected: int) -> dict:
    """The load on the server setup (PostgreSQL, Chroma unless --no-chroma, 2 replicas, 2 workers); its figures."""
    from benchmarks.cpu_meter import postmaster_pid
    from katachi.ui.web.auth import add_user
    from tests.chroma import TempChroma, put_documents
    from tests.pg import TempPostgres
    from tests.ui.server import free_port, wait_http

    pg = TempPostgres()
    chroma = None if args.no_chroma else TempChroma()
    procs: list[subprocess.Popen] = []
    try:
        url = pg.database("scale")
        engines = (chroma.url, "scale") if chroma is not None else None
        rooms = rooms_over(url, tmp / "facilitator", args.model_delay, engines)
        add_user(rooms.db, "fumi", "facil-pass-1", "facilitator", ["acme"])
        if engines:  # acme's documents, ingested on the engines by a process with a disk of its own
            put_documents(chroma.url, tmp / "ingest", "scale", url)
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{p}/" for p in ports]
        procs = _server_processes(tmp, url, ports, engines, args.model_delay)
        for u in urls:
            wait_http(u)
        shops = [
            rooms.create(rooms.user("fumi"), "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja", review=False)
            for i in range(args.workshops)
        ]
        components = {
            "replicas": [p.pid for p in procs[:2]],
            "workers": [p.pid for p in procs[2:]],
            "postgres": [postmaster_pid(pg.data)],
            "driver": [-os.getpid()],
            **({"chroma": [chroma.proc.pid]} if chroma else {}),
        }
        r = load(urls, [(w["id"], w["join_code"]) for w in shops], args, gates(rooms, expected), tmp, components)
        return _server_figures(r, rooms, shops, args, tmp, chroma)
    finally:
        for p in procs:
            p.kill()
        if chroma is not None:
            chroma.stop()
        pg.stop()


def run_embedded(args, tmp: Path, expected: int) -> dict:
    """The same load on the embedded baseline: one process, SQLite, in-process jobs; its figures."""
    from katachi.ui.web.auth import add_user
    from tests.ui.server import free_port

    os.environ["KATACHI_DATA_DIR"] = str(tmp / "embedded")
    from katachi.core.settings import reset_settings

    reset_settings()
    rooms = rooms_over(None, tmp / "embedded", args.model_delay)
    from katachi.ui.web.app import AppContext, launch

    add_user(rooms.db, "fumi", "facil-pass-1", "facilitator", ["acme"])
    port = free_port()
    demo = launch(AppContext(rooms.service.settings, rooms.db, rooms), port=port, block=False)
    try:
        shops = [
            rooms.create(rooms.user("fumi"), "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja", review=False)
            for i in range(args.workshops)
        ]
        r = load(
            [f"http://127.0.0.1:{port}/"],
            [(w["id"], w["join_code"]) for w in shops],
            args,
            gates(rooms, expected),
            tmp,
            {"app": [-os.getpid()]},
        )
        return summary("embedded baseline (1 process, SQLite, 1 model slot)", r, rooms, len(shops), args)
    finally:
        demo.close()


def main() -> None:
    args = parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}; "
        f"{args.workshops} workshops × {args.participants} participants × {args.points} points; "
        f"scripted model {args.model_delay} s/answer; a person writes a point every ~{args.think:.0f} s"
    )
    expected = args.participants * args.points
    tmp = Path(tempfile.mkdtemp(prefix="katachi-scale-"))
    figures: dict[str, dict] = {}
    if args.only != "embedded":
        figures["server"] = run_server(args, tmp, expected)
    if args.only != "server":
        figures["embedded"] = run_embedded(args, tmp, expected)
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--tabs"]:
        _tabs_main(*sys.argv[2:4])
    else:
        main()
