"""One isolated knowledge store per company: a Chroma directory plus a manifest of ingested files.

Isolation is physical: each company has its own directory and Chroma client, so no query or filter
can reach another company's chunks. Re-ingesting an unchanged file costs one hash; a changed file
re-embeds only its new chunks; a file gone from an ingested folder loses its chunks.

Writes are safe against interruption and against each other. One writer per company at a time (a
lock; a second waits, then gets ``ingest_busy``), and it reads the manifest afresh under the lock, so
two ingests never overwrite each other's files. Before the first change to Chroma or BM25 a
``pending`` mark is set, and it is cleared only when the write is whole. A write adds the new chunks
first, then writes the manifest, then deletes the chunks it replaced, so at every instant the manifest
lists only chunks that exist: an ingest that finds the mark repairs the store by deleting the chunks
the manifest does not know (files whose chunks are somehow missing are ingested again from where they
are), needing no document file of the dead writer's. Each finished write stamps a version; a reader
that sees a new stamp reopens its view (another process wrote).

Where the manifest, the mark, the lock and BM25 live: files in the company's directory (the embedded
default, knowledge.file_state), or rows in PostgreSQL when the vectors are on a Chroma server
(knowledge.engine_store), so processes on data directories of their own share one store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from katachi.core.errors import KatachiError
from katachi.core.files import read_limited
from katachi.core.settings import Settings
from katachi.knowledge.chunker import Chunk, chunk_text
from katachi.knowledge.embedder import Embedder, chroma_embedding_function, get_embedder
from katachi.knowledge.engine_store import EngineState, uses_engines
from katachi.knowledge.engine_store import list_companies as engine_companies
from katachi.knowledge.file_state import MANIFEST, FileState
from katachi.knowledge.hybrid import POOL, fuse
from katachi.knowledge.injection import looks_like_instruction
from katachi.knowledge.loaders import LoadedDoc, load_file
from katachi.knowledge.metadata import guess_department
from katachi.knowledge.passages import Passage

log = logging.getLogger(__name__)

_COMPANY_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
COLLECTION = "chunks"
# A second writer waits this long for the first: a web upload of a few files takes seconds, a CLI
# ingest of a handbook minutes — then the message says another ingest is running.
LOCK_WAIT_S = 30.0
_clients: dict[str, Any] = {}
_client_version: dict[str, str] = {}  # the index version each process-wide Chroma client has seen
_clients_lock = threading.Lock()


def check_company(company: str) -> str:
    if not isinstance(company, str) or not _COMPANY_RE.match(company):
        raise KatachiError("bad_company_id", company=company)
    return company


def company_dir(company: str, settings: Settings) -> Path:
    return settings.companies_dir / check_company(company)


def list_companies(settings: Settings) -> list[str]:
    if uses_engines(settings):
        assert settings.database_url is not None  # uses_engines: a PostgreSQL URL
        return engine_companies(settings.database_url)
    root = settings.companies_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file())


def _client(path: Path, version: str | None = None):
    """One Chroma client per directory per process (Chroma's own rule for PersistentClient). With
    ``version``: a client that has not seen that index version (another process wrote since) is
    replaced by a fresh one, which reads the directory again."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = str(path.resolve())
    with _clients_lock:
        if key in _clients and version is not None and _client_version.get(key) not in (None, version):
            # Chroma keeps one system per path, and its vector index does not see another process's
            # writes (measured: a long-lived client kept answering without the new file while its count
            # included it). Closing it makes the next client load the directory again. A search
            # running in another thread at this instant fails with a store error; the next one works.
            _clients.pop(key).close()
            log.info("index of %s changed on disk; reopened", path.parent.name)
        if key not in _clients:
            path.mkdir(parents=True, exist_ok=True)
            _clients[key] = chromadb.PersistentClient(
                path=key, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            )
        if version is not None:
            _client_version[key] = version
        return _clients[key]


def _server_client(url: str, tenant: str, company: str, token: str | None = None):
    """A Chroma server (``KATACHI_CHROMA_URL``): each company is a database of its own in ``tenant``,
    made on first use, so a client opened for one company cannot name another's collection. The token
    goes as ``Authorization: Bearer``; the server's proxy checks it (Chroma's server has no accounts)."""
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = f"{url}|{tenant}|{company}"
    with _clients_lock:
        if key in _clients:
            return _clients[key]
        u = urlparse(url)
        opts: dict[str, Any] = dict(
            anonymized_telemetry=False,
            chroma_server_host=u.hostname,
            chroma_server_http_port=u.port or (443 if u.scheme == "https" else 8000),
            chroma_server_ssl_enabled=u.scheme == "https",
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
        )
        if token:
            opts.update(
                chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                chroma_client_auth_credentials=token,
            )
        admin = chromadb.AdminClient(ChromaSettings(**opts))
        try:
            admin.get_database(company, tenant=tenant)
        except Exception:  # noqa: BLE001 - the client raises a plain error for a missing database
            admin.create_database(company, tenant=tenant)
        _clients[key] = chromadb.HttpClient(
            host=str(u.hostname),
            port=opts["chroma_server_http_port"],
            ssl=u.scheme == "https",
            tenant=tenant,
            database=company,
            settings=ChromaSettings(**opts),
        )
        return _clients[key]


@dataclass
class FileResult:
    path: str
    status: str  # "added", "updated", "unchanged", "skipped", "removed", "repaired"
    chunks_added: int = 0
    chunks_removed: int = 0
    error: KatachiError | None = None


@dataclass
class IngestReport:
    company: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def chunks_added(self) -> int:
        return sum(f.chunks_added for f in self.files)

    @property
    def chunks_removed(self) -> int:
        return sum(f.chunks_removed for f in self.files)

    @property
    def ingested(self) -> list[FileResult]:
        return [f for f in self.files if f.status in ("added", "updated", "unchanged")]

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "skipped"]


def collect_files(paths: Sequence[str | Path]) -> list[tuple[Path, Path]]:
    """Expand paths into (file, root) pairs; root is what relative names are taken from."""
    if not paths:
        raise KatachiError("no_input")
    out: list[tuple[Path, Path]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if not str(raw).strip() or not p.exists():
            raise KatachiError("path_missing", path=str(raw))
        p = p.resolve()
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    out.append((f, p))
        else:
            out.append((p, p.parent))
    return out


class CompanyStore:
    def __init__(
        self, company: str, settings: Settings, embedder: Embedder | None = None, create: bool = False
    ) -> None:
        self.settings = settings
        self.company = check_company(company)
        self.dir = company_dir(company, self.settings)  # uploads and the company's library stay here
        self._shared = uses_engines(settings)  # by processes on other hosts, each with its own disk
        self.state: EngineState | FileState
        if self._shared:
            assert settings.database_url is not None  # uses_engines: a PostgreSQL URL
            self.state = EngineState(self.company, settings.database_url)
        else:
            self.state = FileState(self.company, self.dir)
        if not create and not self.state.exists():
            raise KatachiError("unknown_company", company=company)
        self._embedder = embedder
        self._collection = None
        self._lexical = None
        self._version = self.state.version()
        self._manifest = self._read_manifest()

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embed_threads, self.settings.embed_batch)
        return self._embedder

    def refresh(self) -> bool:
        """Reopen the view when another process (or store object) wrote since; True when it did."""
        v = self.state.version()
        if v == self._version:
            return False
        self._version, self._collection, self._lexical = v, None, None
        self._manifest = self._read_manifest()
        return True

    @property
    def collection(self):
        if self._collection is None:
            try:
                s = self.settings
                client = (
                    _server_client(s.chroma_url, s.chroma_tenant, self.company, s.chroma_token)
                    if s.chroma_url
                    else _client(self.dir / "chroma", self._version)
                )
                self._collection = client.get_or_create_collection(
                    COLLECTION,
                    embedding_function=chroma_embedding_function(self._embedder),
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except KatachiError:
                raise
            except Exception as exc:
                raise KatachiError("store_failed", path=str(self.dir), detail=str(exc)) from exc
        return self._collection

    @property
    def lexical(self):
        """BM25 over the company's chunks (knowledge.lexical.LexicalIndex or its rows in the database)."""
        if self._lexical is None:
            self._lexical = self.state.lexical_index()
        return self._lexical

    def _read_manifest(self) -> dict[str, Any]:
        return self.state.manifest() or {"company": self.company, "files": {}, "roots": {}}

    def _write_manifest(self) -> None:
        self._version = self.state.write_manifest(self._manifest)
        if not self.settings.chroma_url:
            _client_version[str((self.dir / "chroma").resolve())] = self._version  # our own write: no reopen

    def _writer(self, wait_s: float | None = None):
        """The company's write lock (across processes, and hosts on the engines): waits up to ``wait_s``."""
        return self.state.writer(LOCK_WAIT_S if wait_s is None else wait_s)

    # -- ingest -----------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        progress: bool = False,
        prune: bool = True,
        department: str | None = None,
        wait_s: float | None = None,
    ) -> IngestReport:
        """Ingest files and folders. ``department`` overrides the guess from paths and headings."""
        t0 = time.perf_counter()
        report = IngestReport(self.company)
        files = collect_files(paths)
        with self._writer(wait_s):
            self.refresh()
            self._manifest = self._read_manifest()  # what the last writer left, not what we read at start
            redo = self._repair(report) if self.state.pending() else []
            self._ingest(files, redo, report, progress, prune, department)
        report.seconds = time.perf_counter() - t0
        return report

    def _ingest(self, files, redo, report: IngestReport, progress: bool, prune: bool, department: str | None):
        names = self._root_names({root for _, root in files})
        todo = [(f, root, f"{names[root]}/{f.relative_to(root).as_posix()}") for f, root in files]  # key survives moves
        todo += [r for r in redo if r[2] not in {k for _, _, k in todo}]
        max_bytes = int(self.settings.max_file_mb * 2**20)
        pending: list[tuple[str, list[str], list[dict], list[str]]] = []  # (source, ids, metas, texts)
        entries: dict[str, dict] = {}
        seen: set[str] = set()
        for f, root, key in todo:
            seen.add(key)
            staged = self._stage_file(f, root, key, max_bytes, department, report)
            if staged is not None:
                pending.append(staged[0])
                entries[key] = staged[1]
        gone = self._gone(set(names.values()), seen) if prune else []
        self._commit(pending, entries, gone, progress, report)

    def _stage_file(
        self, f: Path, root: Path, key: str, max_bytes: int, department: str | None, report: IngestReport
    ) -> tuple[tuple[str, list[str], list[dict], list[str]], dict] | None:
        """One file's chunks to add (key, ids, metas, texts) and its manifest entry; None when the file is
        unchanged or unreadable (said in the report either way)."""
        src = str(f)
        rel = _display_path(f, root)
        try:
            data_hash = _hash_file(f, max_bytes)
            old = self._manifest["files"].get(key) or self._manifest["files"].get(src)  # src: older stores
            if old and old["sha256"] == data_hash and key in self._manifest["files"] and not old.get("dirty"):
                self._manifest["files"][key].update(source=src, rel=rel)
                report.files.append(FileResult(rel, "unchanged"))
                return None
            doc = load_file(f, max_bytes)
        except KatachiError as err:
            report.files.append(FileResult(rel, "skipped", error=err))
            return None
        chunks = self._chunks(doc)
        dept = department or guess_department(rel, [c.heading for c, _ in chunks[:3]])
        ids, metas, texts = self._records(chunks, doc, f, key, rel, dept)
        # A file marked dirty by a repair may miss any of its chunks: all of them are written again.
        old_ids = set(old["chunk_ids"]) if old and not old.get("dirty") else set()
        new = [i for i, cid in enumerate(ids) if cid not in old_ids]
        removed = sorted(set(old["chunk_ids"] if old else []) - set(ids))
        staged = (key, [ids[i] for i in new], [metas[i] for i in new], [texts[i] for i in new])
        entry = {"sha256": data_hash, "rel": rel, "source": src, "chunk_ids": ids, "removed": removed}
        if key not in self._manifest["files"]:
            self._manifest["files"].pop(src, None)  # an older store keyed this file by its absolute path
        report.files.append(FileResult(rel, "updated" if old else "added", len(new), len(removed)))
        return staged, entry

    def _chunks(self, doc: LoadedDoc) -> list[tuple[Chunk, dict]]:
        """The document's chunks, each with the metadata of the segment it comes from."""
        chunks = []
        for seg in doc.segments:
            title = " > ".join(x for x in (doc.title, seg.heading) if x)
            for c in chunk_text(
                seg.text,
                title=title,
                markdown=doc.markdown,
                max_chars=self.settings.chunk_max,
                min_chars=self.settings.chunk_min,
                overlap=self.settings.chunk_overlap,
            ):
                chunks.append((c, seg.meta))
        return chunks

    def _records(
        self, chunks: list[tuple[Chunk, dict]], doc: LoadedDoc, f: Path, key: str, rel: str, dept: str | None
    ) -> tuple[list[str], list[dict], list[str]]:
        """The chunks as Chroma records (ids, metadatas, texts)."""
        ids: list[str] = []
        metas: list[dict] = []
        texts: list[str] = []
        for c, seg_meta in chunks:
            cid = c.chunk_id(f"{self.company}/{key}")  # unique across companies, stable across moves
            if cid in ids:
                continue  # the same passage twice under one heading: keep the first
            ids.append(cid)
            texts.append(c.text)
            metas.append(
                {
                    "source": str(f),
                    "rel": rel,
                    "heading": c.heading,
                    "position": len(ids) - 1,
                    "start": c.start,
                    "department": dept or "",
                    "ext": f.suffix.lower(),
                    "injection": looks_like_instruction(f"{c.heading}\n{c.text}"),
                    **doc.meta,
                    **seg_meta,
                }
            )
        return ids, metas, texts

    def _commit(self, pending, entries: dict[str, dict], gone: list[str], progress: bool, report: IngestReport):
        """Write the staged changes so that the manifest only ever lists chunks that exist: the pending
        mark, the new chunks, the manifest, then the deletion of the chunks replaced."""
        if pending or gone:
            self.state.mark_pending(f"{os.getpid()}")
        replaced = self._apply(pending, entries, progress, report)
        replaced += self._prune(gone, report)
        self._write_manifest()  # from here the new chunks are the store's; the replaced ones are strays
        self._delete(replaced)
        self.state.clear_pending()

    def _repair(self, report: IngestReport) -> list[tuple[Path, Path, str]]:
        """After an interrupted write: make Chroma and BM25 hold exactly what the manifest says. Chunks
        nobody lists are deleted; a file with chunks missing is marked dirty and returned (file, root,
        key) to be ingested again now; a file that is gone loses its entry."""
        files, roots = self._manifest["files"], self._manifest.get("roots", {})
        in_chroma = set(self.collection.get(include=[])["ids"])
        in_bm25 = set(self.lexical.ids())
        known = {cid for e in files.values() for cid in e["chunk_ids"]}
        orphans = sorted((in_chroma | in_bm25) - known)
        if orphans:
            self.collection.delete(ids=orphans)
            self.lexical.update({}, orphans)
        redo = []
        for key, e in list(files.items()):
            ids = set(e["chunk_ids"])
            if ids <= in_chroma and ids <= in_bm25 and not e.get("dirty"):
                continue
            name, _, rest = key.partition("/")
            root = Path(roots[name]) if name in roots else Path(e["source"]).parent
            f = root / rest if name in roots else Path(e["source"])
            e["dirty"] = True
            if f.is_file():
                redo.append((f, root, key))
                report.files.append(FileResult(e.get("rel", key), "repaired", chunks_removed=len(ids - in_chroma)))
                continue
            files.pop(key)  # gone meanwhile: nothing to restore it from
            if ids & in_chroma:
                self.collection.delete(ids=sorted(ids & in_chroma))
            self.lexical.update({}, sorted(ids))
            report.files.append(FileResult(e.get("rel", key), "removed", chunks_removed=len(ids)))
        log.warning(
            "%s: an interrupted ingest was repaired (%d stray chunks, %d files to ingest again)",
            self.company,
            len(orphans),
            len(redo),
        )
        return redo

    def _apply(self, pending, entries, progress: bool, report: IngestReport) -> list[str]:
        """Add the new chunks and list the files' new entries; returns the chunk ids they replace (deleted
        only once the manifest no longer lists them)."""
        total = sum(len(ids) for _, ids, _, _ in pending)
        removed = [cid for e in entries.values() for cid in e.pop("removed")]
        added = {i: (_embed_text(m, t), m) for _, ids, metas, texts in pending for i, m, t in zip(ids, metas, texts)}
        self.lexical.update(added, [])
        if total:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="chunk", desc=f"ingest {self.company}", disable=not progress)
            batch = max(self.settings.embed_batch * 4, 32)
            flat = [(i, m, t) for _, ids, metas, texts in pending for i, m, t in zip(ids, metas, texts)]
            for s in range(0, len(flat), batch):
                part = flat[s : s + batch]
                te = time.perf_counter()
                vecs = self.embedder.embed_passages([_embed_text(m, t) for _, m, t in part])
                report.embed_seconds += time.perf_counter() - te
                self.collection.upsert(
                    ids=[i for i, _, _ in part],
                    embeddings=vecs,
                    metadatas=[m for _, m, _ in part],
                    documents=[t for _, _, t in part],
                )
                bar.update(len(part))
            bar.close()
        elif entries and self._collection is None:
            self.collection  # noqa: B018 - create the collection even for a corpus with no chunks
        for src, e in entries.items():
            self._manifest["files"][src] = e
        return removed

    def _delete(self, ids: list[str]) -> None:
        if ids:
            self.collection.delete(ids=ids)
            self.lexical.update({}, ids)

    def _root_names(self, roots: set[Path]) -> dict[Path, str]:
        """The name each ingested folder is known by in the manifest: its own name, unless another
        folder of that name is already known and still exists elsewhere (then ``name~2``, ``name~3``…).
        A known folder that no longer exists where it was is taken to have moved: its name, and so its
        chunks, carry over to the new location.

        On the engines the store is shared by hosts, and a path means a folder only on the host that
        ingested it: there a folder is the same, or moved, only if that host knew it. Another host's
        ``/data/inbox/acme`` is another folder (a name of its own), and its absence here is no move, so
        nothing of it is pruned."""
        known: dict[str, str] = self._manifest.setdefault("roots", {})
        hosts: dict[str, str] = self._manifest.setdefault("hosts", {}) if self._shared else {}
        here = socket.gethostname() if self._shared else ""
        mine = lambda n: hosts.get(n, here) == here  # noqa: E731 - folders known before hosts were recorded: here
        out: dict[Path, str] = {}
        for root in sorted(roots):
            same = [n for n, where in known.items() if where == str(root) and mine(n)]
            if same:
                out[root] = same[0]
                continue
            family = [n for n in known if n == root.name or n.startswith(root.name + "~")]
            moved = [n for n in family if mine(n) and not Path(known[n]).exists() and n not in out.values()]
            name = moved[0] if moved else root.name if root.name not in known else f"{root.name}~{len(family) + 1}"
            known[name] = str(root)
            if self._shared:
                hosts[name] = here
            out[root] = name
        return out

    def _gone(self, names: set[str], seen: set[str]) -> list[str]:
        """Files that were ingested from one of the given folders and are not there any more."""
        prefixes = tuple(n + "/" for n in names)
        return [k for k in self._manifest["files"] if k not in seen and k.startswith(prefixes)]

    def _prune(self, gone: list[str], report: IngestReport) -> list[str]:
        """Drop the entries of files gone from their folder; returns their chunk ids (deleted later)."""
        ids: list[str] = []
        for src in gone:
            e = self._manifest["files"].pop(src)
            ids += e["chunk_ids"]
            report.files.append(FileResult(e.get("rel", src), "removed", chunks_removed=len(e["chunk_ids"])))
        return ids

    # -- read -------------------------------------------------------------------------------------
    def search(
        self, query: str, k: int = 5, where: dict | None = None, mode: str | None = None, department: str | None = None
    ) -> list[Passage]:
        """Ranked passages. ``mode``: hybrid (default setting), dense or bm25. ``department`` keeps only
        that department's chunks (ids as in knowledge.metadata.DEPARTMENTS)."""
        mode = mode or self.settings.retrieval
        self.refresh()
        dense, lexical = self.candidates(query, max(k * 5, POOL), mode, where, department)
        ranked = rank(dense, lexical, mode)[:k]
        if not ranked:
            return []
        got = self.collection.get(ids=[i for i, _ in ranked], include=["documents", "metadatas"])
        by_id = {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [self._passage(i, *by_id[i], score) for i, score in ranked if i in by_id]

    def candidates(
        self, query: str, pool: int, mode: str = "hybrid", where: dict | None = None, department: str | None = None
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Dense cosines and BM25 scores of the top ``pool`` chunks of each method (as the mode needs).
        In hybrid mode every lexical candidate also gets its cosine, so the fusion compares like with like."""
        if not query or not query.strip():
            raise KatachiError("empty_query")
        n = self.count()
        if n == 0:
            return {}, {}
        if department:
            where = {"$and": [where, {"department": department}]} if where else {"department": department}
        query = query.strip()
        pool = min(pool, n)
        dense: dict[str, float] = {}
        vec = None
        if mode in ("dense", "hybrid"):
            vec = self.embedder.embed_queries([query])
            res = self.collection.query(query_embeddings=vec, n_results=pool, where=where, include=["distances"])
            dense = {i: 1.0 - d for i, d in zip(res["ids"][0], res["distances"][0])}
        lexical: dict[str, float] = {}
        generic_filter = bool(where) and not department  # BM25 can only honour the department filter
        if mode in ("bm25", "hybrid") and not generic_filter:
            lexical = dict(self.lexical.search(query, pool, department=department))
        missing = [i for i in lexical if i not in dense] if vec is not None else []
        if missing and vec is not None:  # (missing only with a query vector)
            got = self.collection.get(ids=missing, include=["embeddings"])
            for i, e in zip(got["ids"], got["embeddings"]):
                dense[i] = float(np.dot(vec[0], np.asarray(e, dtype=np.float32)))
        return dense, lexical

    def get(self, chunk_ids: Iterable[str]) -> list[Passage]:
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return []
        res = self.collection.get(ids=ids, include=["documents", "metadatas"])
        by_id = {i: self._passage(i, d, m, 0.0) for i, d, m in zip(res["ids"], res["documents"], res["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def count(self) -> int:
        return self.collection.count()

    def stats(self) -> dict[str, int]:
        self.refresh()
        files = self._manifest["files"]
        return {"documents": len(files), "chunks": sum(len(e["chunk_ids"]) for e in files.values())}

    def _passage(self, cid: str, text: str, meta: dict, score: float) -> Passage:
        return Passage(
            chunk_id=cid,
            company=self.company,
            source=meta.get("source", ""),
            rel=meta.get("rel", ""),
            heading=meta.get("heading", ""),
            position=int(meta.get("position", 0)),
            text=text,
            score=round(float(score), 4),
            department=meta.get("department", "") or "",
            page=meta.get("page"),
            sheet=meta.get("sheet", "") or "",
            slide=meta.get("slide"),
            injection=bool(meta.get("injection", False)),
        )


def rank(dense: dict[str, float], lexical: dict[str, float], mode: str) -> list[tuple[str, float]]:
    if mode == "bm25":
        return sorted(lexical.items(), key=lambda x: (-x[1], x[0]))
    if mode == "dense" or not lexical:
        return sorted(dense.items(), key=lambda x: (-x[1], x[0]))
    return fuse(dense, lexical)


def _display_path(f: Path, root: Path) -> str:
    """What a reviewer sees: relative to the working directory when inside it, else from the folder's name."""
    try:
        return f.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return (Path(root.name) / f.relative_to(root)).as_posix()


def _embed_text(meta: dict, text: str) -> str:
    # The heading path gives a short chunk its context ("経費精算 > 締め日" + body).
    return f"{meta['heading']}\n{text}" if meta.get("heading") else text


def _hash_file(path: Path, limit: int) -> str:
    """The sha256 of a regular file's first ``limit + 1`` bytes (a larger one is refused by its loader
    anyway); a device or FIFO named on the command line is refused, not read forever or waited on."""
    try:
        return hashlib.sha256(read_limited(path, limit)).hexdigest()
    except OSError as exc:
        raise KatachiError("file_unreadable", detail=exc.strerror or str(exc)) from exc
