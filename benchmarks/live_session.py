"""A live workshop through the web app's handlers with the configured (by default the embedded) model:
three participants send pain points and vote, the facilitator closes intake, shows each result and
approves. Prints when the first draft and the gate of every stage reached the facilitator's screen.

    python benchmarks/live_session.py [--lang ja|en]

What it measures is what the room waits for: "close intake → first theme on screen" is the time until
the facilitator's page (polled every 0.25 s here) has a checked draft theme to show.
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
    """The command line: the session's language."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="ja", choices=["ja", "en"])
    return ap.parse_args()


def open_room(lg: str):
    """A prepared room: the sample corpus ingested, the model up, a workshop with three participants who
    have sent the sample pain points. Returns (settings, context, facilitator, workshop id, people, points)."""
    from katachi.core.settings import Settings
    from katachi.knowledge.store import CompanyStore
    from katachi.ui.cli.workshop import DEMO_DEPARTMENTS, SAMPLES, read_pain_points
    from katachi.ui.web.app import make_context
    from katachi.ui.web.auth import add_user

    s = Settings(lang=lg).model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="katachi-live-bench-"))})
    CompanyStore("sample", s, create=True).ingest([SAMPLES / "corpus" / lg / "docs"])
    from katachi.core.llm import get_chat_model

    get_chat_model("themes", s)  # the model is up before the session starts, as in a prepared room
    ctx = make_context(s)
    rooms = ctx.rooms
    add_user(ctx.db, "fac", "facilitator-pw", "facilitator", ["sample"])
    fac = rooms.user("fac")
    ws = rooms.create(fac, "sample", "bench", DEMO_DEPARTMENTS[lg], lg, review=False)
    wid = ws["id"]
    people = []
    for i in range(3):
        add_user(ctx.db, f"p{i}", "participant-pw", "participant", ["sample"])
        people.append(rooms.user(f"p{i}"))
        rooms.join(people[-1], ws["join_code"])
    points = read_pain_points(str(SAMPLES / f"pain-points-{lg}.txt"))
    for n, text in enumerate(points):
        rooms.submit(people[n % 3], wid, text, DEMO_DEPARTMENTS[lg][n % 2])
    return s, ctx, fac, wid, people, points


def watch(rooms, fac, wid: str, rows: list, label: str, t0: float) -> None:
    """Poll the facilitator's view until the stage's gate opens; note the first draft."""
    first = None
    while True:
        v = rooms.view(fac, wid)
        if v.job.state == "failed":
            raise SystemExit(f"{label}: {v.job.error.code} {v.job.error.params}")
        if first is None and any(d["stage"] == v.job.label for d in v.job.drafts):
            first = time.perf_counter() - t0
        if v.job.state == "idle" and v.gate is not None:
            rows.append(
                (label, first if first is not None else float("nan"), time.perf_counter() - t0, len(v.job.drafts))
            )
            return
        time.sleep(0.25)


def run_session(ctx, fac, wid: str, people) -> tuple[list[tuple[str, float, float, int]], float]:
    """The measured session: close intake, then show, vote on and approve every stage; (rows, total s)."""
    rooms = ctx.rooms
    rows: list[tuple[str, float, float, int]] = []
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    rooms.start(fac, wid)
    watch(rooms, fac, wid, rows, "themes", t0)
    rooms.reveal(fac, wid)
    for p in people:
        rooms.vote(p, wid, 0)
    for label, decision in (
        ("kpis", {"action": "choose", "index": 0, "gate": "themes"}),
        ("usecases", {"action": "approve", "gate": "kpis"}),
        ("playbook", {"action": "approve", "gate": "usecases"}),
    ):
        t0 = time.perf_counter()
        rooms.decide(fac, wid, decision)
        watch(rooms, fac, wid, rows, label, t0)
        rooms.reveal(fac, wid)
    rooms.decide(fac, wid, {"action": "approve", "gate": "playbook"})
    ctx.rooms.jobs.wait_idle(wid, 60)
    return rows, time.perf_counter() - t_all


def main() -> None:
    args = parse_args()
    lg = args.lang
    s, ctx, fac, wid, people, points = open_room(lg)
    rows, total = run_session(ctx, fac, wid, people)
    from katachi.ui.cli.workshop import DEMO_DEPARTMENTS

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, load {load:.2f}; provider={s.provider} "
        f"threads={s.local_threads}; lang={lg}; {len(points)} pain points, {len(DEMO_DEPARTMENTS[lg])} departments"
    )
    print(f"{'stage':<10}{'first draft s':>15}{'gate s':>9}{'drafts':>8}")
    for label, first, gate, n in rows:
        print(f"{label:<10}{first:15.1f}{gate:9.1f}{n:8d}")
    print(f"close intake → first theme on the facilitator's screen: {rows[0][1]:.1f} s")
    print(f"whole live session (model work, decisions at once): {total:.1f} s")


if __name__ == "__main__":
    main()
