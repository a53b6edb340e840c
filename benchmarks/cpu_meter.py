"""CPU seconds used by the processes of a benchmark, read from /proc (Linux), per component.

A component is a list of process ids; each counts its own CPU and its live children's, and the CPU of
children it has reaped (PostgreSQL's postmaster reaps every backend that closes, so the cluster's whole
use is the postmaster's figure). The machine's busy time (/proc/stat) is read too: what the benchmark's
processes did not use of it was other work sharing the machine.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # gone meanwhile
        return out
    for task in tasks:
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def process_cpu(pid: int) -> float:
    """Seconds of CPU: the process, its reaped children, and (recursively) its live children."""
    f = _stat(pid)
    if f is None:
        return 0.0
    # fields after the name: state=0 … utime=11 stime=12 cutime=13 cstime=14
    own = sum(int(x) for x in f[11:15]) / TICK
    return own + sum(process_cpu(c) for c in _children(pid))


def own_cpu(pid: int) -> float:
    """Seconds of CPU of the process alone (its children are components of their own)."""
    f = _stat(pid)
    return sum(int(x) for x in f[11:13]) / TICK if f else 0.0


def machine_busy() -> float:
    """Seconds of CPU the whole machine has been busy (all cores), from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    return (sum(parts[:8]) - idle) / TICK


def postmaster_pid(data_dir: Path) -> int:
    return int((Path(data_dir) / "postmaster.pid").read_text().split()[0])


class Meter:
    """``components``: name -> pids (a negative pid: that process alone, without its children).
    ``sample()`` records (time, machine busy, cpu per component); a thread can sample every few seconds
    while a load runs."""

    def __init__(self, components: dict[str, list[int]]) -> None:
        self.components = components
        self.samples: list[dict] = []
        self._stop = threading.Event()

    def sample(self) -> dict:
        s = {
            "t": time.monotonic(),
            "busy": machine_busy(),
            **{
                name: sum(own_cpu(-p) if p < 0 else process_cpu(p) for p in pids)
                for name, pids in self.components.items()
            },
        }
        self.samples.append(s)
        return s

    def every(self, seconds: float) -> threading.Thread:
        def loop() -> None:
            while not self._stop.wait(seconds):
                self.sample()

        th = threading.Thread(target=loop, daemon=True)
        th.start()
        return th

    def stop(self) -> None:
        self._stop.set()

    def between(self, t0: float, t1: float) -> dict:
        """CPU cores used per component (and by the machine) between the samples nearest t0 and t1."""
        a = min(self.samples, key=lambda s: abs(s["t"] - t0))
        b = min(self.samples, key=lambda s: abs(s["t"] - t1))
        span = b["t"] - a["t"]
        return {"seconds": span, **{k: (b[k] - a[k]) / span for k in a if k != "t"}} if span > 0 else {}

    def total(self) -> dict:
        """CPU seconds per component from the first sample to the last."""
        a, b = self.samples[0], self.samples[-1]
        return {"seconds": b["t"] - a["t"], **{k: b[k] - a[k] for k in a if k != "t"}}
