"""A child process for the ingest kill tests: ingests with the fake embedder and SIGKILLs itself right
after the Nth change it makes to the store (Chroma add/delete, BM25 save, manifest, marks), so every
state between two writes is reached by a real death — no cleanup, no finally blocks. The store is where
the settings say: files in ``KATACHI_DATA_DIR``, or PostgreSQL and a Chroma server
(``KATACHI_DATABASE_URL``, ``KATACHI_CHROMA_URL``).

    python -m tests.ingest_child ingest COMPANY KILL_AT PATH...   (KILL_AT < 0: never; prints the count)
    python -m tests.ingest_child state COMPANY                    (JSON: chunk ids per part of the store)
"""

from __future__ import annotations

import os
import signal
import sys


def state(company: str) -> None:
    import json

    from katachi.core.settings import get_settings
    from katachi.knowledge.store import CompanyStore

    s = CompanyStore(company, get_settings())
    listed = sorted(c for e in s._manifest["files"].values() for c in e["chunk_ids"])
    print(
        json.dumps(
            {
                "manifest": listed,
                "chroma": sorted(s.collection.get(include=[])["ids"]),
                "bm25": sorted(s.lexical.ids()),
                "files": sorted(s._manifest["files"]),
                "pending": s.state.pending(),
            }
        )
    )


def main() -> None:
    if sys.argv[1] == "state":
        return state(sys.argv[2])
    company, kill_at, paths = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    import chromadb.api.models.Collection as coll

    import katachi.knowledge.store as store
    from katachi.knowledge.engine_store import EngineLexical, EngineState
    from katachi.knowledge.file_state import PENDING
    from katachi.knowledge.lexical import LexicalIndex
    from tests.fakes import FakeEmbedder

    emb = FakeEmbedder()
    store.get_embedder = lambda *a: emb
    count = [0]

    def step(fn):
        def wrapped(*a, **kw):
            out = fn(*a, **kw)
            count[0] += 1
            if count[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return out

        return wrapped

    coll.Collection.upsert = step(coll.Collection.upsert)
    coll.Collection.delete = step(coll.Collection.delete)
    LexicalIndex._save = step(LexicalIndex._save)
    engine_update = step(EngineLexical.update)  # one transaction, as one save of the file index
    EngineLexical.update = lambda self, added, removed: (
        engine_update(self, added, removed) if added or removed else None
    )
    EngineState.mark_pending = step(EngineState.mark_pending)
    store.CompanyStore._write_manifest = step(store.CompanyStore._write_manifest)
    real_write = store.Path.write_text

    def write_text(self, *a, **kw):  # the pending mark
        out = real_write(self, *a, **kw)
        if self.name == PENDING:
            count[0] += 1
            if count[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return out

    store.Path.write_text = write_text
    from katachi.core.settings import get_settings

    store.CompanyStore(company, get_settings(), create=True).ingest(paths)
    print(count[0])


if __name__ == "__main__":
    main()
