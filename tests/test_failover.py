"""Failover on the server backends, with nothing shared but the engines: two web replicas and two model
workers, each on a data directory of its own (as on hosts of their own), one PostgreSQL and one Chroma
server. The company's documents are uploaded on both replicas at once and searched by the workers; a
scripted model takes two seconds per answer; three live workshops have participants on both replicas.
One replica and one worker are killed with SIGKILL in the middle; every workshop still finishes, no
pain point, vote, comment or gate decision is lost, and no process wrote a store file on its disk.
(Marked ``faults``: it kills processes.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.chroma import create_tenant
from tests.flow import gates, room_walk
from tests.ui.server import free_port, wait_http

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[1]


def _spawn(module: str, *args: str, home: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env = {k: v for k, v in env.items() if not k.startswith("KATACHI_") or k == "KATACHI_CACHE_DIR"}
    env["GRADIO_TEMP_DIR"] = str(home / "gradio")  # uploads land on this process's own disk, as on its host
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT
    )


def _upload(url: str, files: list[Path]) -> str:
    """The facilitator's documents page on one replica: upload and ingest (its notice)."""
    from gradio_client import Client, handle_file

    c = Client(url, auth=("fumi", "facil-pass-1"), verbose=False)
    out = c.predict("ja", "acme", [handle_file(str(f)) for f in files], "", api_name="/ingest")
    return out[0]


def _store_files(home: Path) -> list[str]:
    """What of a company store a process left on its disk: nothing, on the engines."""
    marks = ("manifest.json", "tokens.json", "ingest.pending", "chroma.sqlite3")
    return [str(p) for p in home.rglob("*") if p.name in marks or p.name == "bm25"]


def _login(url: str, name: str, code: str):
    """A browser's session: the cookie Gradio's /login sets."""
    import requests

    s = requests.Session()
    r = s.post(url + "login", data={"username": name, "password": code}, timeout=10)
    assert r.status_code == 200, r.text
    return s


def test_replicas_and_workers_on_disks_of_their_own_survive_sigkill_with_nothing_lost(
    pg_server, chroma_server, tmp_path, fake_embedder
):
    from gradio_client import Client

    from katachi.core.settings import Settings
    from katachi.graphs.service import WorkshopService
    from katachi.knowledge.store import CompanyStore
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.auth import add_user
    from katachi.ui.web.jobqueue import DBJobs
    from katachi.ui.web.room.handlers import Rooms
    from tests.fakes import FakeChatModel
    from tests.worker_child import DOCS
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    url = pg_server.database("failover")
    tenant = f"failover{os.getpid()}"
    create_tenant(chroma_server, tenant)
    s = Settings(
        data_dir=tmp_path / "facilitator",
        database_url=url,
        chroma_url=chroma_server,
        chroma_tenant=tenant,
        job_queue="database",
        job_lease_s=3.0,
    )
    db = AppDB(url=url)
    add_user(db, "fumi", "facil-pass-1", "facilitator", ["acme"])
    add_user(db, "kon", "consult-pass-1", "consultant", ["acme"])
    model = FakeChatModel(responder=WorkshopResponder())
    svc = WorkshopService(s, model_for=lambda r: model, retriever_for=lambda c: ListRetriever("acme", DOCS))
    rooms = Rooms(db, svc, DBJobs(db, 3.0))  # the facilitator's side: enqueues only
    fac = rooms.user("fumi")
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}/" for p in ports]
    homes = {name: tmp_path / name for name in ("app0", "app1", "w0", "w1")}
    procs = {
        f"app{i}": _spawn(
            "tests.replica_child",
            str(homes[f"app{i}"]),
            url,
            str(p),
            chroma_server,
            tenant,
            home=homes[f"app{i}"],
            log=tmp_path / f"app{i}.log",
        )
        for i, p in enumerate(ports)
    }
    procs.update(
        {
            f"w{i}": _spawn(
                "tests.worker_child",
                url,
                f"w{i}",
                "2.0",
                str(homes[f"w{i}"]),
                chroma_server,
                tenant,
                home=homes[f"w{i}"],
                log=tmp_path / f"w{i}.log",
            )
            for i in range(2)
        }
    )
    try:
        for u in urls:
            wait_http(u)
        # The documents, uploaded on both replicas at the same time into one company (the browser's files
        # are only on this side: they travel over HTTP, as from a laptop).
        uploads = []
        for i, text in enumerate(DOCS):
            (tmp_path / "laptop").mkdir(exist_ok=True)
            uploads.append(tmp_path / "laptop" / f"doc{i}.md")
            uploads[-1].write_text(f"# 業務\n\n{text}\n", encoding="utf-8")
        notes: list[str] = []
        threads = [threading.Thread(target=lambda i=i: notes.append(_upload(urls[i], [uploads[i]]))) for i in range(2)]
        [t.start() for t in threads]
        [t.join(120) for t in threads]
        assert len(notes) == 2 and all('data-code="ok"' in n for n in notes), notes
        reader = CompanyStore("acme", s.model_copy(update={"data_dir": tmp_path / "reader"}))
        assert reader.stats()["documents"] == 2
        assert {p.rel for p in reader.search("提案書の作成", k=5)} == {"uploads/doc0.md", "uploads/doc1.md"}
        shops = [
            rooms.create(fac, "acme", f"WS{i}", ["営業", "カスタマーサクセス"], "ja", "live", dots=2) for i in range(3)
        ]
        sent: dict[str, list[str]] = {w["id"]: [] for w in shops}
        people = {}  # (workshop, name) -> (replica index, gradio client)
        for w in shops:
            for n, rep in (("Aki", 0), ("Ben", 1)):
                people[(w["id"], n)] = (rep, Client(urls[rep], auth=(n, w["join_code"]), verbose=False))

        def send(wid: str, name: str, text: str) -> None:
            rep, c = people[(wid, name)]
            out = c.predict("ja", wid, text, None, api_name="/send")
            assert not any(isinstance(o, str) and "k-notice k-error" in o for o in out), out
            sent[wid].append(text)

        for k in range(2):
            for wid, name in people:
                send(wid, name, f"{name}の課題{k} 提案書の作成に2日かかる")
        # A browser logged in on replica 0 keeps its session on replica 1 once replica 0 is gone.
        browser = _login(urls[0], "Aki", shops[0]["join_code"])
        procs["app0"].send_signal(signal.SIGKILL)
        procs["app0"].wait(10)
        r = browser.get(urls[1] + f"k/version?w={shops[0]['id']}", timeout=10)
        assert r.status_code == 200 and "error" not in r.json()["v"], r.text
        for (wid, name), (rep, _) in list(people.items()):
            if rep == 0:  # those on the dead replica reload: they land on the other one, same seat
                people[(wid, name)] = (
                    1,
                    Client(urls[1], auth=(name, [w for w in shops if w["id"] == wid][0]["join_code"]), verbose=False),
                )
            send(wid, name, f"{name}の課題2 引き継ぎで顧客情報が失われる")
        for w in shops:
            rooms.start(fac, w["id"])
        # Kill a worker in the middle of a job.
        deadline = time.time() + 60
        while time.time() < deadline and not db.one("SELECT id FROM jobs WHERE state = 'running' AND worker = 'w0'"):
            time.sleep(0.1)
        killed = db.one("SELECT id, workshop FROM jobs WHERE state = 'running' AND worker = 'w0'")
        assert killed, "worker w0 never took a job"
        procs["w0"].send_signal(signal.SIGKILL)
        procs["w0"].wait(10)
        votes: dict[str, int] = {}
        comments: dict[str, int] = {}
        for w in shops:
            wid = w["id"]

            def in_the_room(gate: dict, wid: str = wid) -> None:
                if gate["gate"] == "themes":
                    for (pw, name), _seat in people.items():
                        if pw == wid:  # a dot each (stored in the shared database like everything else)
                            rooms.vote(rooms.user(f"{name}#{wid}"), wid, 0)
                    votes[wid] = sum(v["dots"] for v in db.votes(wid, rooms._round(rooms.service.snapshot(wid).values)))
                if gate["gate"] == "kpis":  # the room sees the KPIs; each participant comments on the first
                    rooms.reveal(fac, wid)
                    kpi = rooms.service.snapshot(wid).values["kpis"][0]["id"]
                    for (pw, name), _ in people.items():
                        if pw == wid:
                            rooms.answer(rooms.user(f"{name}#{wid}"), wid, "kpi", kpi, text=f"{name}: 基準値の出典は？")
                    comments[wid] = len(db.ratings(wid, "kpi"))

            snap = room_walk(rooms, fac, wid, decide=in_the_room, timeout=180)
            # the room hands the playbook to review; the consultant approves it
            assert snap.gate["gate"] == "playbook" and db.review(wid)["status"] == "in_review"
            from katachi.ui.web.review.handlers import Reviews

            Reviews(rooms).approve(rooms.user("kon"), wid, confirm=True)
        for w in shops:
            snap = rooms.service.snapshot(w["id"])
            assert snap.done
            assert sorted(p["text"] for p in snap.values["pain_points"]) == sorted(sent[w["id"]])  # 0 lost
            assert [d["gate"] for d in snap.values["decisions"]] == list(gates())
            assert votes[w["id"]] == 2  # both participants' dots
            assert comments[w["id"]] == 2 and len(db.ratings(w["id"], "kpi")) == 2  # and their comments
            # the workers searched acme's documents, uploaded on the replicas: the engines hold them
            sources = {p["source"] for p in snap.values["passages"].values()}
            assert sources & {str(homes[f"app{i}"] / "companies" / "acme" / "uploads" / f"doc{i}.md") for i in range(2)}
        row = db.one("SELECT worker, attempts, state FROM jobs WHERE id = ?", killed["id"])
        assert row["worker"] == "w1" and row["attempts"] >= 2 and row["state"] == "done"
        # nothing of the store on any process's disk: the uploads themselves stay where they arrived
        assert not [f for home in (*homes.values(), tmp_path / "reader", s.data_dir) for f in _store_files(home)]
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait(10)
        from katachi.core.sql_store import dispose_all

        svc.close()
        dispose_all()
