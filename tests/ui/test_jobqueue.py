"""Model jobs in the database: the room enqueues, workers take them; a worker that dies mid-job
leaves it to another, and nothing finished is done twice. Runs on SQLite and on PostgreSQL."""

import threading
import time

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.jobqueue import DBJobs, Worker
from tests.flow import room_walk, walk
from tests.ui.roomkit import make_rooms
from tests.workshop_fakes import WorkshopResponder

pytestmark = pytest.mark.usefixtures("backend")


class Counting(WorkshopResponder):
    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def __call__(self, messages, kwargs):
        self.n += 1
        return super().__call__(messages, kwargs)


def _queued_rooms(tmp_path, responder=None, lease_s=30.0):
    rooms = make_rooms(tmp_path, responder)
    rooms.jobs = DBJobs(rooms.db, lease_s)
    return rooms


def _worker(rooms, **kw):
    return Worker(rooms.db, rooms.service, **kw)


def test_a_room_runs_on_workers_through_the_database(tmp_path):
    rooms = _queued_rooms(tmp_path)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業改革", ["営業", "カスタマーサクセス"], "ja", "live", review=False)
    wid = ws["id"]
    rooms.submit(fac, wid, "提案書の作成に2日かかる")
    rooms.start(fac, wid)
    st = rooms.jobs.status(wid)
    assert st.state == "queued" and st.label == "themes"  # nothing runs it until a worker comes
    with pytest.raises(KatachiError) as e:
        rooms.start(fac, wid)
    assert e.value.code == "wrong_stage"  # intake is closed once the job is queued
    workers = [_worker(rooms, name=f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run, kwargs={"poll_s": 0.05}, daemon=True) for w in workers]
    for t in threads:
        t.start()
    try:
        snap = room_walk(rooms, fac, wid)
        assert snap.done and rooms.is_done(wid)
        rows = rooms.db.all("SELECT state, worker, attempts FROM jobs WHERE workshop = ? ORDER BY id", wid)
        # one job for the start, one for each decision
        assert [r["state"] for r in rows] == ["done"] * (1 + len(snap.values["decisions"]))
        assert all(r["attempts"] == 1 for r in rows)
    finally:
        for w in workers:
            w.stopped.set()
        for t in threads:
            t.join(10)


def test_a_dead_workers_job_is_taken_over_and_nothing_is_done_twice(tmp_path):
    resp = Counting()
    rooms = _queued_rooms(tmp_path, resp, lease_s=0.3)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業改革", ["営業"], "ja", "live")
    wid = ws["id"]
    rooms.submit(fac, wid, "提案書の作成に2日かかる")
    rooms.start(fac, wid)
    dead = _worker(rooms, name="dead", lease_s=0.3)
    job = dead.claim()  # ...and the process is killed before it does anything
    assert job["attempt"] == 1 and rooms.jobs.status(wid).state == "running"
    assert _worker(rooms, name="early").claim() is None  # its lease still holds
    time.sleep(0.4)
    assert rooms.jobs.status(wid).state == "queued"  # the room sees it waiting again, not stuck
    heir = _worker(rooms, name="heir", lease_s=5)
    assert heir.run(once=True) == 1
    assert rooms.service.snapshot(wid).gate["gate"] == "themes"
    row = rooms.db.one("SELECT worker, attempts, state FROM jobs WHERE workshop = ?", wid)
    assert (row["worker"], row["attempts"], row["state"]) == ("heir", 2, "done")
    # A worker that finished the work but died before saying so: the next one finds it in the checkpoint.
    rooms.decide(fac, wid, {"action": "choose", "index": 0, "gate": "themes"})
    ghost = _worker(rooms, name="ghost", lease_s=0.3)
    job = ghost.claim()
    from katachi.ui.web.jobs import Reporter, run_spec

    run_spec(rooms.service, wid, job["spec"], Reporter(lambda n: None, lambda d: None))  # done, never marked
    calls = resp.n
    time.sleep(0.4)
    assert _worker(rooms, name="heir2").run(once=True) == 1
    assert resp.n == calls  # the model was not asked again
    assert rooms.service.snapshot(wid).gate["gate"] == "kpis"
    assert [d["gate"] for d in rooms.service.snapshot(wid).values["decisions"]] == ["themes"]


def test_a_failed_job_is_shown_with_its_code_and_can_be_retried(tmp_path):
    class Failing(WorkshopResponder):
        fail = True

        def __call__(self, messages, kwargs):
            if self.fail:
                raise KatachiError("model_timeout", seconds=180)
            return super().__call__(messages, kwargs)

    resp = Failing()
    rooms = _queued_rooms(tmp_path, resp)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業改革", ["営業"], "ja", "live")
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.start(fac, ws["id"])
    _worker(rooms).run(once=True)
    st = rooms.jobs.status(ws["id"])
    assert st.state == "failed" and st.error.code == "model_timeout" and "180" in st.error.message("ja")
    resp.fail = False
    rooms.retry(fac, ws["id"])
    _worker(rooms).run(once=True)
    assert rooms.jobs.status(ws["id"]).state == "idle"


def test_the_trackers_model_work_runs_on_a_worker_too(tmp_path):
    """The weekly pack and a roll-out adaptation are queued as data like a workshop's jobs: the web side
    only enqueues (it cannot run code on the queue), a worker makes them."""
    from katachi.tracker.tracker import TrackerService
    from katachi.ui.web.tracker.handlers import queue_tracker_job

    rooms = _queued_rooms(tmp_path)
    svc = rooms.service
    snap = svc.start(
        "acme",
        ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"],
        ["営業", "カスタマーサクセス"],
        lang="ja",
        thread_id="t1",
        today="2026-10-05",
    )
    walk(svc, "t1", snap)
    page = TrackerService(svc)  # the tracker page's side
    page.checkin("t1", "kpi", "K1", "2026-11-16", value=1.4, note="見積もりのテンプレートで短くなった")
    page.checkin("t1", "kpi", "K1", "2026-11-23", value=1.0)
    with pytest.raises(TypeError):
        rooms.jobs.submit("tracker:t1", "pack", lambda report: page.pack("t1"))
    queue_tracker_job(rooms.jobs, page, "t1", "pack", "fumi")
    assert rooms.jobs.status("tracker:t1").state == "queued" and page.db.packs("t1") == []
    with pytest.raises(KatachiError) as e:
        queue_tracker_job(rooms.jobs, page, "t1", "adapt", "fumi", "U1", "経理")
    assert e.value.code == "not_proven_yet"  # refused at once, not as a failed job later
    assert _worker(rooms, name="w").run(once=True) == 1
    assert rooms.jobs.status("tracker:t1").state == "idle" and len(page.db.packs("t1")) == 1
    page.prove("t1", "U1", by="fumi")
    queue_tracker_job(rooms.jobs, page, "t1", "adapt", "fumi", "U1", "経理")
    assert _worker(rooms, name="w").run(once=True) == 1
    assert [a["content"]["department"] for a in page.db.adaptations("t1")] == ["経理"]
    rows = rooms.db.all("SELECT label, worker, state FROM jobs WHERE workshop = ? ORDER BY id", "tracker:t1")
    assert [(r["label"], r["worker"], r["state"]) for r in rows] == [("pack", "w", "done"), ("adapt", "w", "done")]
