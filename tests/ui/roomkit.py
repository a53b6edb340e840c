"""A room service over fakes: the real graph and app database, a scripted model, fixed passages."""

from __future__ import annotations

from pathlib import Path

from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from katachi.ui.web.appdb import AppDB
from katachi.ui.web.auth import add_user
from katachi.ui.web.jobs import ModelJobs
from katachi.ui.web.room.handlers import Rooms
from tests.fakes import FakeChatModel
from tests.workshop_fakes import ListRetriever, WorkshopResponder

DOCS = [
    "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
]


OPEN: list = []  # services made here, closed by the backend fixture (their database goes away)


def close_all() -> None:
    while OPEN:
        OPEN.pop().close()


def make_rooms(tmp: Path, responder=None, users: bool = True) -> Rooms:
    """Over the test's backend: files in ``tmp``, or the PostgreSQL database of KATACHI_DATABASE_URL."""
    model = FakeChatModel(responder=responder or WorkshopResponder())
    retr = ListRetriever("acme", DOCS)
    s = get_settings()
    svc = WorkshopService(
        s,
        model_for=lambda role: model,
        retriever_for=lambda company: retr,
        db_path=None if s.database_url else tmp / "w.sqlite",
    )
    OPEN.append(svc)
    db = AppDB(tmp / "app.sqlite", url=s.database_url)
    if users:
        add_user(db, "admin", "admin-pass-1", "admin", [])
        add_user(db, "fumi", "facil-pass-1", "facilitator", ["acme"])
        add_user(db, "kon", "consult-pass-1", "consultant", ["acme"])
        add_user(db, "paul", "partic-pass-1", "participant", ["acme"])
        add_user(db, "other", "other-pass-1", "facilitator", ["globex"])
    return Rooms(db, svc, ModelJobs(workers=1, service=svc))
