"""The workshop flow on each checkpoint backend: the embedded SQLite file and a real PostgreSQL
(started from Debian's packages in a temp dir, loopback only). The same tests run on both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from katachi.core.errors import KatachiError
from katachi.core.settings import get_settings
from tests.fakes import FakeChatModel
from tests.flow import gates, walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

# killed processes and a database that does not answer: seconds a test
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
]
PAINS = ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"]


@pytest.fixture
def postgres(pg_server):
    return pg_server


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    """Settings for one backend; each test gets its own database."""
    s = get_settings()
    if request.param == "postgres":
        pg = request.getfixturevalue("postgres")
        s = s.model_copy(update={"database_url": pg.database(f"t{abs(hash(str(tmp_path))) % 10**9}")})
    return s


def _service(settings):
    from katachi.graphs.service import WorkshopService

    model = FakeChatModel(responder=WorkshopResponder())
    return WorkshopService(settings, model_for=lambda r: model, retriever_for=lambda c: ListRetriever("acme", DOCS))


def test_a_workshop_runs_to_the_end_and_a_new_process_sees_every_decision(settings):
    a = _service(settings)
    snap = a.start("acme", PAINS, ["営業", "カスタマーサクセス"], lang="ja", thread_id="w1", today="2026-11-27")
    snap = a.resume("w1", {"action": "choose", "index": 0})
    assert snap.gate["gate"] == "kpis"
    a.close()
    b = _service(settings)  # another process, the same database
    assert b.snapshot("w1").gate["gate"] == "kpis" and "w1" in b.threads()
    snap = walk(b, "w1")
    assert [d["gate"] for d in snap.values["decisions"]] == list(gates())
    b.close()


def test_an_approved_gate_survives_a_killed_process(settings):
    code = (
        f"import os, sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.test_server_backends import _service, PAINS\n"
        "from katachi.core.settings import get_settings\n"
        f"s = get_settings().model_copy(update={{'database_url': {settings.database_url!r}}})\n"
        "svc = _service(s)\n"
        "svc.start('acme', PAINS, ['営業'], lang='ja', thread_id='k', today='2026-11-27')\n"
        "svc.resume('k', {'action': 'choose', 'index': 0})\n"
        "os._exit(9)\n"
    )
    env = {**os.environ, "KATACHI_DATA_DIR": str(settings.data_dir)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 9, r.stderr[-1500:]
    svc = _service(settings)
    snap = svc.snapshot("k")
    assert snap.gate["gate"] == "kpis" and [d["gate"] for d in snap.values["decisions"]] == ["themes"]
    svc.close()


def test_a_database_that_cannot_be_reached_is_a_clear_error():
    s = get_settings().model_copy(update={"database_url": "postgresql://katachi:secret@127.0.0.1:9/none"})
    with pytest.raises(KatachiError) as e:
        _service(s)
    assert e.value.code == "database_unreachable"
    assert "secret" not in e.value.message("ja") and "127.0.0.1:9" in e.value.message("en")
