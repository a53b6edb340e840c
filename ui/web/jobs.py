"""Model work off the request threads: one queue, a worker per model slot, a status per workshop.

A gate decision returns at once; the page polls the status. With the embedded model there is one
slot, so workshops queue behind each other and each page says how many are ahead.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from katachi.core.errors import KatachiError

log = logging.getLogger(__name__)


@dataclass
class JobStatus:
    state: str = "idle"  # idle | queued | running | failed
    label: str = ""
    node: str = ""  # the graph node last finished
    started: float = 0.0
    ahead: int = 0
    error: KatachiError | None = None
    finished: float = 0.0
    nodes: list[str] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)  # {"stage", "item", "at"}: what the stage has written so far


@dataclass(frozen=True)
class Reporter:
    """What a job tells its page while it runs: each graph step, and each draft item."""

    node: Callable[[str], None]
    draft: Callable[[dict], None]


def run_spec(service, wid: str, spec: dict, report: Reporter, attempt: int = 1) -> None:
    """One model job described as data (so a worker process can take it from the database):
    ``start`` a workshop, ``resume`` its open gate with a decision, or ``continue`` what was cut off;
    for the weekly tracker, ``tracker_pack`` (the review pack) or ``tracker_adapt`` (a proven 型 for
    another department).

    A job taken over from a worker that died (``attempt`` > 1) first looks at the checkpoint: what the
    dead worker finished is not done twice, and a decision already applied is not applied again. A
    tracker job taken over is made again whole (it writes its result in one step at its end)."""
    kind = spec["kind"]
    if kind.startswith("tracker_"):
        return run_tracker_spec(tracker_of(service), spec)
    snap = None
    if attempt > 1 or kind == "continue":
        try:
            snap = service.snapshot(wid)
        except KatachiError:  # nothing stored yet: the start never got as far as its first checkpoint
            snap = None
    if kind == "start" and snap is None:
        service.start(
            spec["company"],
            spec["points"],
            spec["departments"],
            lang=spec["lang"],
            thread_id=wid,
            progress=report.node,
            drafts=report.draft,
        )
        return
    if snap is not None and attempt > 1:
        decided = (spec.get("decision") or {}).get("gate")
        if snap.done or (snap.gate is not None and (kind != "resume" or (decided and snap.gate["gate"] != decided))):
            return  # the dead worker got this far: its result is in the checkpoint
    if kind == "resume" and (snap is None or snap.gate is not None):
        service.resume(wid, spec["decision"], progress=report.node, by=spec.get("by", ""), drafts=report.draft)
        return
    service.continue_run(wid, report.node, report.draft)


@functools.lru_cache(maxsize=4)
def tracker_of(service):
    """The weekly tracker over ``service``'s workshops, its database and model (one per service)."""
    from katachi.tracker.tracker import TrackerService

    return TrackerService(service)


def run_tracker_spec(tracker, spec: dict) -> None:
    if spec["kind"] == "tracker_pack":
        tracker.pack(spec["thread"], by=spec.get("by", ""))
    elif spec["kind"] == "tracker_adapt":
        tracker.adapt(spec["thread"], spec["use_case"], spec["department"], by=spec.get("by", ""))
    else:
        raise KatachiError("job_failed", detail=spec["kind"])


class ModelJobs:
    def __init__(self, workers: int = 1, service=None) -> None:
        """``service``: the WorkshopService that runs jobs given as specs (see :func:`run_spec`)."""
        self.service = service
        self._q: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._status: dict[str, JobStatus] = {}
        self._order: list[str] = []  # workshops queued or running, oldest first
        for i in range(workers):
            threading.Thread(target=self._work, name=f"katachi-model-{i}", daemon=True).start()

    def submit(self, wid: str, label: str, fn: Callable[[Reporter], object] | dict) -> None:
        if isinstance(fn, dict):
            spec = fn

            def fn(report, _spec=spec):  # noqa: ANN001
                run_spec(self.service, wid, _spec, report)

        with self._lock:
            st = self._status.get(wid)
            if st and st.state in ("queued", "running"):
                raise KatachiError("model_busy")
            self._status[wid] = JobStatus(state="queued", label=label, started=time.time())
            self._order.append(wid)
        self._q.put((wid, fn))

    def status(self, wid: str) -> JobStatus:
        with self._lock:
            st = self._status.get(wid) or JobStatus()
            if st.state == "queued":
                st.ahead = sum(
                    1 for w in self._order[: self._order.index(wid)] if self._status[w].state in ("queued", "running")
                )
            return st

    def busy(self, wid: str) -> bool:
        return self.status(wid).state in ("queued", "running")

    def clear_failure(self, wid: str) -> None:
        with self._lock:
            if wid in self._status and self._status[wid].state == "failed":
                self._status[wid] = JobStatus()

    def wait_idle(self, wid: str, timeout: float = 60.0) -> JobStatus:
        """For tests and the CLI: block until this workshop's job is done."""
        end = time.time() + timeout
        while time.time() < end:
            st = self.status(wid)
            if st.state not in ("queued", "running"):
                return st
            time.sleep(0.02)
        raise TimeoutError(wid)

    def _work(self) -> None:
        while True:
            wid, fn = self._q.get()
            with self._lock:
                self._status[wid].state = "running"
                self._status[wid].started = time.time()
                self._status[wid].drafts = []

            def progress(node: str, _wid=wid) -> None:
                with self._lock:
                    self._status[_wid].node = node
                    self._status[_wid].nodes.append(node)

            def draft(event: dict, _wid=wid) -> None:
                with self._lock:
                    self._status[_wid].drafts.append({**event, "at": time.time()})

            error: KatachiError | None = None
            try:
                fn(Reporter(progress, draft))
            except KatachiError as err:
                error = err
            except Exception as exc:  # noqa: BLE001 - the page must learn that the job died, not hang
                log.exception("model job for %s failed", wid)
                error = KatachiError("job_failed", detail=type(exc).__name__)
            with self._lock:
                st = self._status[wid]
                st.state, st.error, st.finished = ("failed" if error else "idle"), error, time.time()
                self._order.remove(wid)
