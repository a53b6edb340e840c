"""A company's manifest, write lock, pending mark and BM25 index as files in its data directory (the
embedded default). The same interface as knowledge.engine_store.EngineState, which keeps them in
PostgreSQL."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.knowledge.lexical import LexicalIndex

PENDING, VERSION, LOCK, MANIFEST = "ingest.pending", "version", "ingest.lock", "manifest.json"


class FileState:
    def __init__(self, company: str, directory: Path) -> None:
        self.company, self.dir = company, directory

    def lexical_index(self) -> LexicalIndex:
        """A fresh view of the BM25 files (a store reopens it when another process wrote)."""
        return LexicalIndex(self.dir / "bm25")

    def exists(self) -> bool:
        return (self.dir / MANIFEST).is_file()

    def version(self) -> str:
        try:
            return (self.dir / VERSION).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def manifest(self) -> dict | None:
        p = self.dir / MANIFEST
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None

    def write_manifest(self, manifest: dict) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        _replace(self.dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        version = f"{time.time_ns()}-{os.getpid()}"
        _replace(self.dir / VERSION, version)
        return version

    def pending(self) -> bool:
        return (self.dir / PENDING).exists()

    def mark_pending(self, who: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / PENDING).write_text(who, encoding="utf-8")

    def clear_pending(self) -> None:
        (self.dir / PENDING).unlink(missing_ok=True)

    @contextmanager
    def writer(self, wait_s: float):
        """The company's write lock (across processes and threads): waits up to ``wait_s``."""
        import fcntl

        self.dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_s
        with open(self.dir / LOCK, "a+") as fh:
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise KatachiError("ingest_busy", company=self.company) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
