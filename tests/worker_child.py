"""A model worker for the failover test: ``python -m tests.worker_child DB_URL NAME DELAY_S
[DATA_DIR CHROMA_URL TENANT]``. The scripted model, each answer ``DELAY_S`` slower (a real model takes
seconds). With a Chroma server: the company's documents are searched on the engines (vectors on
Chroma, manifest and BM25 in PostgreSQL), with the test embedder; ``DATA_DIR`` is this worker's own."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

DOCS = [
    "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
]


def main() -> None:
    import tempfile

    from katachi.core.settings import Settings
    from katachi.graphs.service import WorkshopService
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.jobqueue import Worker
    from tests.fakes import FakeChatModel
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    url, name, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    s = Settings(data_dir=Path(tempfile.mkdtemp()), database_url=url, job_queue="database")
    retriever_for = lambda c: ListRetriever("acme", DOCS)  # noqa: E731
    if len(sys.argv) > 6:
        import katachi.knowledge.store
        from katachi.knowledge.store import CompanyStore
        from tests.fakes import FakeEmbedder

        katachi.knowledge.store.get_embedder = lambda *a: FakeEmbedder()
        s = Settings(
            data_dir=Path(sys.argv[4]),
            database_url=url,
            job_queue="database",
            chroma_url=sys.argv[5],
            chroma_tenant=sys.argv[6],
        )
        retriever_for = lambda c: CompanyStore(c, s)  # noqa: E731
    inner = WorkshopResponder()

    calls = [0]
    count_to = os.environ.get("CALLS_FILE")  # benchmarks count the model calls a worker answered

    def slow(messages, kwargs):
        time.sleep(delay)
        calls[0] += 1
        if count_to:
            Path(count_to).write_text(str(calls[0]))
        return inner(messages, kwargs)

    model = FakeChatModel(responder=slow)
    svc = WorkshopService(s, model_for=lambda r: model, retriever_for=retriever_for)
    print("ready", flush=True)
    Worker(AppDB(url=url), svc, lease_s=3.0, heartbeat_s=0.5, name=name).run(poll_s=0.1)


if __name__ == "__main__":
    main()
