"""BM25 over SudachiPy tokens (mode A, normalised form, particles and punctuation dropped).

The index lives beside the company's Chroma data and is updated with every ingest: tokens are cached
per chunk id, so an ingest re-tokenises only new chunks; the BM25 matrix itself is rebuilt (cheap).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_MAX_PIECE = 8000  # Sudachi refuses inputs over ~49 kB; tokenise in slices of characters


@functools.lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import dictionary, tokenizer

    return dictionary.Dictionary(dict="core").create(), tokenizer.Tokenizer.SplitMode.A


_tok_lock = threading.Lock()


def tokenize(text: str) -> list[str]:
    tok, mode = _sudachi()
    out: list[str] = []
    with _tok_lock:  # a Sudachi tokenizer object is not thread-safe
        for i in range(0, len(text), _MAX_PIECE):
            for m in tok.tokenize(text[i : i + _MAX_PIECE], mode):
                if m.part_of_speech()[0] in _SKIP_POS:
                    continue
                t = m.normalized_form().strip().lower()
                if t:
                    out.append(t)
    return out


class LexicalIndex:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self._tokens: dict[str, list[str]] | None = None
        self._meta: dict[str, dict] = {}
        self._bm25 = None
        self._ids: list[str] = []
        self._lock = threading.Lock()

    # -- persistence ------------------------------------------------------------------------------
    def _load_tokens(self) -> dict[str, list[str]]:
        if self._tokens is None:
            p = self.dir / "tokens.json"
            if p.is_file():
                data = json.loads(p.read_text(encoding="utf-8"))
                self._tokens, self._meta = data["tokens"], data.get("meta", {})
            else:
                self._tokens, self._meta = {}, {}
        return self._tokens

    def _save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / "tokens.json.tmp"
        tmp.write_text(json.dumps({"tokens": self._tokens, "meta": self._meta}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / "tokens.json")

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._load_tokens())

    # -- updates ----------------------------------------------------------------------------------
    def update(self, added: dict[str, tuple[str, dict]], removed: list[str]) -> None:
        """``added``: chunk id -> (text to index, metadata used for filters)."""
        if not added and not removed:
            return
        with self._lock:
            tokens = self._load_tokens()
            for cid in removed:
                tokens.pop(cid, None)
                self._meta.pop(cid, None)
            for cid, (text, meta) in added.items():
                tokens[cid] = tokenize(text)
                self._meta[cid] = {k: meta[k] for k in ("department",) if k in meta}
            self._save()
            self._bm25 = None

    def _index(self):
        if self._bm25 is None:
            import bm25s

            tokens = self._load_tokens()
            self._ids = list(tokens)
            bm = bm25s.BM25(k1=1.2, b=0.75)
            if self._ids:
                bm.index([tokens[i] or ["\u0000"] for i in self._ids], show_progress=False)
            self._bm25 = bm
        return self._bm25

    # -- search -----------------------------------------------------------------------------------
    def search(self, query: str, k: int, department: str | None = None) -> list[tuple[str, float]]:
        with self._lock:
            bm = self._index()
            if not self._ids:
                return []
            q = tokenize(query)
            if not q:
                return []
            scores = np.asarray(bm.get_scores(q), dtype=np.float64)
            if department:
                mask = np.array([self._meta.get(i, {}).get("department") == department for i in self._ids])
                scores = np.where(mask, scores, -np.inf)
            n = min(k, len(self._ids))
            top = np.argpartition(-scores, n - 1)[:n]
            top = top[np.argsort(-scores[top])]
            return [(self._ids[i], float(scores[i])) for i in top if np.isfinite(scores[i]) and scores[i] > 0]
