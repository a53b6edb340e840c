"""What an open room tab costs while nothing happens: a participant's tab at the intake stage,
headless Chromium, the web app over the scripted model in this process.

    python benchmarks/idle_tab_cpu.py [--seconds 30]

Two figures for the same idle window: the renderer's main-thread busy time (Chrome's
``Performance.getMetrics`` TaskDuration) and the CPU time of every Chromium process (from /proc),
each as a share of one core. The app server's own CPU for that tab is printed too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def chromium_cpu_s() -> float:
    """utime + stime of every chromium process, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if "chrom" not in comm:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="katachi-idle-tab-"))
    os.environ["KATACHI_DATA_DIR"] = str(tmp / "data")
    from katachi.core.settings import reset_settings

    reset_settings()
    from tests.ui.browser import Browser
    from tests.ui.server import start_app

    ctx, demo, url = start_app(tmp)
    rooms = ctx.rooms
    ws = rooms.create(rooms.user("fumi"), "acme", "idle", ["営業"], "ja", "live")
    b = Browser()
    try:
        page = b.page("ja-JP", "idle")
        page.login(url, "花子", ws["join_code"])
        page.wait_stage("intake", timeout=30)
        page.page_.wait_for_timeout(5000)  # settle after the first draw
        cdp = page.ctx.new_cdp_session(page.page_)
        cdp.send("Performance.enable")

        def task_s() -> float:
            return next(
                m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration"
            )

        requests: list[str] = []
        page.page_.on("request", lambda r: requests.append(r.url.split("?")[0].removeprefix(url.rstrip("/"))))
        server0 = time.process_time()
        t0, r0, c0 = time.perf_counter(), task_s(), chromium_cpu_s()
        page.page_.wait_for_timeout(args.seconds * 1000)
        t1, r1, c1 = time.perf_counter(), task_s(), chromium_cpu_s()
        server1 = time.process_time()
        wall = t1 - t0
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} cpus, load {load:.2f}; idle participant tab at intake, {wall:.0f} s")
        print(f"renderer main thread busy: {100 * (r1 - r0) / wall:.2f} % of a core")
        print(f"all Chromium processes:    {100 * (c1 - c0) / wall:.2f} % of a core")
        print(f"app server process:        {100 * (server1 - server0) / wall:.2f} % of a core")
        from collections import Counter

        anims = page.page_.evaluate(
            "document.getAnimations().map(a => (a.effect && a.effect.target ? "
            "(a.effect.target.id || a.effect.target.className) : '') + ' ' + a.animationName)"
        )
        print("running animations:", anims[:8])

        print("requests from the tab:", dict(Counter(requests).most_common(6)))
    finally:
        b.close()
        demo.close()


if __name__ == "__main__":
    main()
