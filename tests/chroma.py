"""A throwaway Chroma server (``chroma run`` from the chromadb package) on a free loopback port,
for the server-backend tests and benchmarks/scale_out.py; and acme's documents put there."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def command() -> str | None:
    exe = Path(sys.executable).with_name("chroma")
    return str(exe) if exe.exists() else shutil.which("chroma")


class TempChroma:
    def __init__(self, root: Path | None = None) -> None:
        exe = command()
        if exe is None:
            raise RuntimeError("the chroma command is not installed")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.root = root or Path(tempfile.mkdtemp(prefix="katachi-chroma-"))
        self.proc = subprocess.Popen(
            [exe, "run", "--path", str(self.root / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=open(self.root / "log", "w"),
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("chroma run did not start: " + (self.root / "log").read_text()[-800:])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def create_tenant(chroma_url: str, tenant: str) -> None:
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(chroma_url)
    chromadb.AdminClient(
        ChromaSettings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=u.hostname,
            chroma_server_http_port=u.port,
        )
    ).create_tenant(tenant)


def put_documents(chroma_url: str, data: Path, tenant: str, database_url: str) -> Path:
    """acme's documents (tests.worker_child.DOCS) ingested, with the test embedder, by a process with a
    data directory of its own (``data``, as a CLI on another host): the vectors on the Chroma server in a
    tenant of their own, the manifest and BM25 in PostgreSQL. Returns the folder they were read from."""
    from unittest import mock

    from katachi.core.settings import Settings
    from katachi.knowledge.store import CompanyStore
    from tests.fakes import FakeEmbedder
    from tests.worker_child import DOCS

    create_tenant(chroma_url, tenant)
    docs = data / "inbox"
    docs.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(DOCS):
        (docs / f"doc{i}.md").write_text(f"# 業務\n\n{text}\n", encoding="utf-8")
    with mock.patch("katachi.knowledge.store.get_embedder", lambda *a: FakeEmbedder()):
        CompanyStore(
            "acme",
            Settings(data_dir=data, chroma_url=chroma_url, chroma_tenant=tenant, database_url=database_url),
            create=True,
        ).ingest([docs])
    return docs
