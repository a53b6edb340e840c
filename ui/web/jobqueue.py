"""Model jobs in the app database (``KATACHI_JOB_QUEUE=database``): web replicas enqueue and show
progress, ``katachi worker`` processes take the jobs.

A worker claims the oldest queued job — or a running one whose lease ran out, its worker gone — in
one write transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), renews the lease while it works, and
writes the step and the drafts as they come, so any replica can draw the room. The job itself is data
(:func:`ui.web.jobs.run_spec`); a retried job looks at the workshop's checkpoint first.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid

from katachi.core.errors import KatachiError
from katachi.ui.web.jobs import JobStatus, Reporter, run_spec

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")


class DBJobs:
    """The page's side: the same interface as :class:`ui.web.jobs.ModelJobs`. Every job is data (see
    :func:`ui.web.jobs.run_spec`), the tracker's too: a web replica runs no model work at all."""

    def __init__(self, db, lease_s: float = 30.0) -> None:
        self.db, self.lease_s = db, lease_s

    def submit(self, wid: str, label: str, fn: dict) -> None:
        if not isinstance(fn, dict):  # code cannot travel to a worker: a programming error, said at once
            raise TypeError(f"a queued job is a spec (a dict), not {type(fn).__name__}")
        now = time.time()
        with self.db.tx() as c:
            busy = c.execute(
                "SELECT COUNT(*) FROM jobs WHERE workshop = ? AND (state = 'queued' OR "
                "(state = 'running' AND lease_until >= ?))",
                (wid, now),
            ).fetchone()[0]
            if busy:
                raise KatachiError("model_busy")
            c.execute(
                "INSERT INTO jobs (workshop, label, spec, state, created) VALUES (?, ?, ?, 'queued', ?)",
                (wid, label, json.dumps(fn, ensure_ascii=False, default=str), now),
            )

    def _latest(self, wid: str) -> dict | None:
        return self.db.one("SELECT * FROM jobs WHERE workshop = ? ORDER BY id DESC LIMIT 1", wid)

    def status(self, wid: str) -> JobStatus:
        row = self._latest(wid)
        if row is None or row["state"] not in ACTIVE + ("failed",):
            return JobStatus(finished=(row or {}).get("finished") or 0.0)
        if row["state"] == "failed":
            err = json.loads(row["error"] or "{}")
            return JobStatus(
                state="failed",
                label=row["label"],
                finished=row["finished"] or 0.0,
                error=KatachiError(err.get("code", "job_failed"), **err.get("params", {})),
            )
        running = row["state"] == "running" and (row["lease_until"] or 0) >= time.time()
        if running:
            return JobStatus(
                state="running",
                label=row["label"],
                node=row["node"],
                started=row["started"] or 0.0,
                drafts=json.loads(row["drafts"] or "[]"),
            )
        ahead = self.db.one(
            "SELECT COUNT(*) AS n FROM jobs WHERE id < ? AND state IN ('queued', 'running')", row["id"]
        )["n"]
        return JobStatus(state="queued", label=row["label"], started=row["created"], ahead=ahead)

    def busy(self, wid: str) -> bool:
        return self.status(wid).state in ACTIVE

    def clear_failure(self, wid: str) -> None:
        with self.db.tx() as c:
            c.execute("UPDATE jobs SET state = 'cleared' WHERE workshop = ? AND state = 'failed'", (wid,))

    def wait_idle(self, wid: str, timeout: float = 60.0) -> JobStatus:
        end = time.time() + timeout
        while time.time() < end:
            st = self.status(wid)
            if st.state not in ACTIVE:
                return st
            time.sleep(0.2)  # a query each time (measured: fifty waiting workshops at 0.05 s keep a core busy)
        raise TimeoutError(wid)


class Worker:
    """``katachi worker``: takes jobs until stopped. ``service``: the WorkshopService it runs them with."""

    def __init__(self, db, service, lease_s: float = 30.0, heartbeat_s: float = 10.0, name: str = "") -> None:
        self.db, self.service, self.lease_s, self.heartbeat_s = db, service, lease_s, heartbeat_s
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopped = threading.Event()

    def claim(self) -> dict | None:
        now = time.time()
        skip = " FOR UPDATE SKIP LOCKED" if self.db.postgres else ""
        with self.db.tx() as c:
            row = c.execute(
                "SELECT id, workshop, spec, attempts FROM jobs WHERE state = 'queued' OR "
                "(state = 'running' AND lease_until < ?) ORDER BY id LIMIT 1" + skip,
                (now,),
            ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE jobs SET state = 'running', worker = ?, attempts = attempts + 1, lease_until = ?, "
                "started = ?, node = '', drafts = '[]' WHERE id = ?",
                (self.name, now + self.lease_s, now, row[0]),
            )
        if row[3]:
            log.warning("job %s of %s taken over (attempt %d)", row[0], row[1], row[3] + 1)
        return {"id": row[0], "workshop": row[1], "spec": json.loads(row[2]), "attempt": row[3] + 1}

    def _write(self, job_id: int, sql: str, *args) -> None:
        with self.db.tx() as c:
            c.execute(sql, (*args, job_id, self.name))

    def run_one(self, job: dict) -> None:
        done = threading.Event()
        drafts: list[dict] = []

        def heartbeat() -> None:  # the lease says this worker is alive; it lapses if the process dies
            while not done.wait(self.heartbeat_s):
                self._write(
                    job["id"], "UPDATE jobs SET lease_until = ? WHERE id = ? AND worker = ?", time.time() + self.lease_s
                )

        def node(name: str) -> None:
            self._write(job["id"], "UPDATE jobs SET node = ? WHERE id = ? AND worker = ?", name)

        def draft(event: dict) -> None:
            drafts.append({**event, "at": time.time()})
            self._write(
                job["id"],
                "UPDATE jobs SET drafts = ? WHERE id = ? AND worker = ?",
                json.dumps(drafts, ensure_ascii=False, default=str),
            )

        beat = threading.Thread(target=heartbeat, name="katachi-heartbeat", daemon=True)
        beat.start()
        error = None
        try:
            run_spec(self.service, job["workshop"], job["spec"], Reporter(node, draft), attempt=job["attempt"])
        except KatachiError as err:
            error = {"code": err.code, "params": err.params}
        except Exception as exc:  # noqa: BLE001 - the room must learn that the job died, not wait forever
            log.exception("job %s failed", job["id"])
            error = {"code": "job_failed", "params": {"detail": type(exc).__name__}}
        finally:
            done.set()
        self._write(
            job["id"],
            "UPDATE jobs SET state = ?, error = ?, finished = ?, lease_until = NULL WHERE id = ? AND worker = ?",
            "failed" if error else "done",
            json.dumps(error, ensure_ascii=False, default=str) if error else "",
            time.time(),
        )

    def run(self, poll_s: float = 0.5, once: bool = False) -> int:
        """Take jobs until stopped (``once``: until the queue is empty). Returns how many were run."""
        n = 0
        while not self.stopped.is_set():
            job = self.claim()
            if job is None:
                if once:
                    break
                self.stopped.wait(poll_s)
                continue
            self.run_one(job)
            n += 1
        return n
