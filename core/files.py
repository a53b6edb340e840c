"""Reading a file named by a user, with a bound that holds whatever the file claims.

The file is opened without waiting for a writer, must be a regular file, and at most ``limit + 1``
bytes are read — one more than allowed, so the caller can tell "exactly the limit" from "too large".
A size check alone bounds nothing: a device states size 0 (measured: ``katachi run --pain-points
/dev/zero`` passes it and grows to 20.6 GB before it is killed), and a FIFO blocks ``open`` for ever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from katachi.core.errors import KatachiError

_CHUNK = 1 << 20


def read_limited(path: str | Path, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of the regular file at ``path``. Raises ``file_not_regular`` for a
    device, FIFO, socket or directory, and ``OSError`` for a file that cannot be opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise KatachiError("file_not_regular", path=str(path))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def is_regular(path: str | Path) -> bool:
    """A regular file (following links), without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
