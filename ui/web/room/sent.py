"""What each browser tab was last sent, so a redraw sends only the outputs that changed.

Gradio rebuilds a component's whole configuration (its API schema included) for every ``gr.update``
it sends and re-processes every value, whether or not it changed: in a room redraw that was half of a
web replica's CPU under load (benchmarks/scale_out.py, 10 workshops: profile of one replica). A tab is
one Gradio session; a session this process has not seen (a new tab, a reload, a replica that took over)
gets everything.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any


def _print(value: Any) -> bytes:
    raw = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(raw.encode(), digest_size=12).digest()


class SentOutputs:
    """``only_new(session, out, watched)`` drops from ``out`` the watched outputs whose value this
    session already has. Only outputs the user cannot edit are watched: a field the user typed into
    differs from what was sent, so it is always sent when the page decides to fill it."""

    def __init__(self, sessions: int = 4096) -> None:
        self._sent: OrderedDict[str, dict[int, bytes]] = OrderedDict()
        self._max = sessions
        self._lock = threading.Lock()

    def only_new(self, session: str | None, out: dict, watched: set, fresh: bool = False) -> dict:
        if not session:
            return out
        with self._lock:
            seen = {} if fresh else self._sent.pop(session, {})
            self._sent[session] = seen
            while len(self._sent) > self._max:
                self._sent.popitem(last=False)
        kept = {}
        for comp, value in out.items():
            if comp not in watched:
                kept[comp] = value
                continue
            fp = _print(value)
            if seen.get(id(comp)) != fp:
                seen[id(comp)] = fp
                kept[comp] = value
        return kept
