"""A web replica for the failover test: ``python -m tests.replica_child DATA_DIR DB_URL PORT
[CHROMA_URL TENANT]``. The app over PostgreSQL with KATACHI_JOB_QUEUE=database (it only enqueues;
workers run the model). With a Chroma server, company documents (uploads, passages) are on the engines,
embedded by the test embedder; ``DATA_DIR`` is this replica's own."""

from __future__ import annotations

import sys


def main() -> None:
    from pathlib import Path

    from katachi.core.settings import Settings
    from katachi.graphs.service import WorkshopService
    from katachi.ui.web.app import launch, make_context
    from tests.fakes import FakeChatModel
    from tests.worker_child import DOCS
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    data, url, port = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    s = Settings(data_dir=data, database_url=url, job_queue="database", job_lease_s=3.0)
    retriever_for = lambda c: ListRetriever("acme", DOCS)  # noqa: E731
    if len(sys.argv) > 5:
        import katachi.knowledge.store
        from katachi.knowledge.store import CompanyStore
        from tests.fakes import FakeEmbedder

        katachi.knowledge.store.get_embedder = lambda *a: FakeEmbedder()
        s = s.model_copy(update={"chroma_url": sys.argv[4], "chroma_tenant": sys.argv[5]})
        retriever_for = lambda c: CompanyStore(c, s)  # noqa: E731
    model = FakeChatModel(responder=WorkshopResponder())  # never asked: the workers do the model work
    svc = WorkshopService(s, model_for=lambda r: model, retriever_for=retriever_for)
    launch(make_context(s, service=svc), port=port, block=True)


if __name__ == "__main__":
    main()
