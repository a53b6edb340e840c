"""Whole items out of a JSON object still being written: the room sees each theme as soon as the model
has finished writing it, not when the whole answer is done.

:class:`ItemScanner` is fed the streamed text piece by piece and returns every object that has just
closed inside a top-level list field (``{"themes": [{…}, {…`` → the first theme, then the second).
It keeps its place between feeds, so a long answer is scanned once.
"""

from __future__ import annotations

import json
from typing import Any


class ItemScanner:
    def __init__(self) -> None:
        self.text = ""
        self._pos = 0
        self._stack: list[str] = []  # open containers: '{' or '['
        self._in_string = False
        self._escape = False
        self._last_string = ""  # the last string closed at the root's level: the key of what follows
        self._string_start = -1
        self._field = ""  # the root field whose list we are in
        self._item_start = -1

    def feed(self, piece: str) -> list[tuple[str, dict[str, Any]]]:
        """Add ``piece``; return (field, item) for every item completed by it."""
        self.text += piece
        done: list[tuple[str, dict[str, Any]]] = []
        t = self.text
        while self._pos < len(t):
            ch = t[self._pos]
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self._in_string = False
                    if len(self._stack) == 1:
                        self._last_string = t[self._string_start + 1 : self._pos]
            elif ch == '"':
                self._in_string, self._string_start = True, self._pos
            elif ch in "{[":
                if ch == "[" and len(self._stack) == 1:
                    self._field = self._last_string
                if ch == "{" and self._stack == ["{", "["]:
                    self._item_start = self._pos
                self._stack.append(ch)
            elif ch in "}]":
                if self._stack:
                    self._stack.pop()
                if ch == "}" and self._stack == ["{", "["] and self._item_start >= 0:
                    try:
                        item = json.loads(t[self._item_start : self._pos + 1])
                    except ValueError:
                        item = None
                    if isinstance(item, dict):
                        done.append((self._field, item))
                    self._item_start = -1
            self._pos += 1
        return done
