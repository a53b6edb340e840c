"""Stores opened at once on the same fresh PostgreSQL database (two requests in one process, two replicas'
first ingest into one company) all migrate it: each waits for the one before instead of both creating the
version table."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from katachi.core.sql_store import SQLStore, dispose_all
from katachi.knowledge.engine_store import MIGRATIONS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_threads_of_one_process_opening_stores_at_once_all_migrate(pg_server):
    url = pg_server.database("race_threads")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            SQLStore(url, MIGRATIONS, "knowledge")
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    dispose_all()
    assert not errors, errors


def test_processes_opening_a_fresh_database_at_once_all_migrate(pg_server):
    url = pg_server.database("race_processes")
    at = time.time() + 10  # after every child has imported what it needs
    code = (
        "import sys, time; from katachi.core.sql_store import SQLStore; "
        "from katachi.knowledge.engine_store import MIGRATIONS; "
        f"time.sleep(max(0, {at} - time.time())); SQLStore(sys.argv[1], MIGRATIONS, 'knowledge')"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(rc == 0 for rc, _ in results), [err[-600:] for _, err in results]
