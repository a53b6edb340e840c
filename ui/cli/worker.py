"""``katachi worker``: a process that runs model jobs from the app database (KATACHI_JOB_QUEUE=database).

Start as many as the model allows: one per embedded model (each holds its own), or as many as the
inference server behind ``KATACHI_PROVIDER=openai`` serves at once.
"""

from __future__ import annotations

import argparse
import signal
import sys

from katachi.ui.cli.limits import seconds


def cmd_worker(args: argparse.Namespace) -> int:
    from katachi.graphs.service import WorkshopService
    from katachi.ui.web.appdb import open_app_db
    from katachi.ui.web.jobqueue import Worker

    s = args.settings
    worker = Worker(open_app_db(s), WorkshopService(s), lease_s=s.job_lease_s, heartbeat_s=s.job_heartbeat_s)
    signal.signal(signal.SIGTERM, lambda *_: worker.stopped.set())  # finish the job in hand, then stop
    print(f"katachi worker {worker.name}: waiting for jobs", file=sys.stderr)
    n = worker.run(poll_s=args.poll, once=args.once)
    print(f"katachi worker {worker.name}: {n} job(s) run", file=sys.stderr)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("worker", help="run model jobs from the app database (KATACHI_JOB_QUEUE=database)")
    s.add_argument("--once", action="store_true", help="stop when the queue is empty")
    s.add_argument("--poll", type=seconds, default=0.5, help="seconds between looks at an empty queue")
    s.set_defaults(func=cmd_worker)
