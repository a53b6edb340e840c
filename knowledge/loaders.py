"""Turn files into text. Each loader returns a :class:`LoadedDoc` or raises ``KatachiError`` with a
per-file reason, so one bad file never stops a batch."""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.errors import KatachiError


@dataclass
class LoadedDoc:
    text: str
    markdown: bool
    title: str = ""
    meta: dict[str, str | int] = field(default_factory=dict)


def _decode_utf8(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data[:8192]:
        raise KatachiError("file_binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KatachiError("file_not_text", detail=f"byte 0x{data[exc.start]:02x} at offset {exc.start}") from exc


def load_markdown(data: bytes, path: Path) -> LoadedDoc:
    return LoadedDoc(_decode_utf8(data), markdown=True, title="")


def load_text(data: bytes, path: Path) -> LoadedDoc:
    return LoadedDoc(_decode_utf8(data), markdown=False, title=path.stem)


LOADERS: dict[str, Callable[[bytes, Path], LoadedDoc]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
}


def supported_extensions() -> list[str]:
    return sorted(LOADERS)


def load_file(path: Path, max_bytes: int) -> LoadedDoc:
    ext = path.suffix.lower()
    loader = LOADERS.get(ext)
    if loader is None:
        raise KatachiError("file_unsupported", ext=ext or "(none)", supported=" ".join(supported_extensions()))
    try:
        size = path.stat().st_size
        if size == 0:
            raise KatachiError("file_empty")
        if size > max_bytes:
            raise KatachiError("file_too_large", size_mb=size / 2**20, limit_mb=max_bytes / 2**20)
        data = path.read_bytes()
    except OSError as exc:
        raise KatachiError("file_unreadable", detail=exc.strerror or str(exc)) from exc
    doc = loader(data, path)
    if not doc.text.strip():
        raise KatachiError("file_empty")
    return doc
