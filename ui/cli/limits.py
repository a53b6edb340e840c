"""Bounds on what a command takes from its user: every text value on the command line, every line typed
at a gate, and the numbers the options carry.

The lengths here are generous for what each value is (a name, a path, a sentence) and small next to
what breaks anything. Unbounded, a 10,000-character department and ``checkin --value 1e308`` are
accepted, and a gate's prompt reads a line from ``/dev/zero`` until memory runs out.
"""

from __future__ import annotations

import argparse
import math
import sys

from katachi.core.errors import KatachiError

MAX_NAME = 120  # an id, a name, a unit, a status, a date
MAX_TEXT = 2000  # a note, a reason, a search query, a comma-separated list
MAX_PATH = 4096  # what the operating system takes
MAX_LINE = 2000  # a line typed at a gate

PATHS = {"paths", "file", "out", "pain_points", "csv_import", "csv_export", "datasets", "rescore", "compare", "model"}
TEXTS = {"query", "note", "blockers", "ai_tried", "correct", "departments", "only", "display"}


def check_args(args: argparse.Namespace) -> None:
    """Every text value of the parsed command line within its bound (names by default)."""
    for key, value in vars(args).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        limit = MAX_PATH if key in PATHS else MAX_TEXT if key in TEXTS else MAX_NAME
        for v in values:
            if isinstance(v, str) and len(v) > limit:
                raise KatachiError("text_too_long", what="--" + key.replace("_", "-"), size=len(v), limit=limit)


def departments(raw: str) -> list[str]:
    """``営業,マーケティング`` (or 、) → names, checked as the workshop checks them."""
    from katachi.graphs.service import check_departments

    out = [d.strip() for d in (raw or "").replace("、", ",").split(",") if d.strip()]
    check_departments(out)
    return out


def read_line(prompt: str = "", limit: int = MAX_LINE) -> str:
    """``input()`` with a bound: a terminal's line, or at most ``limit`` characters from a pipe or file
    (``input()`` reads a line of any length). EOF raises ``EOFError`` as ``input()`` does."""
    if sys.stdin.isatty():
        line = input(prompt)
    else:
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline(limit + 1)
        if not line:
            raise EOFError
        if len(line.rstrip("\n")) > limit:
            raise KatachiError("text_too_long", what="input", size=len(line), limit=limit)
        line = line.rstrip("\n")
    if len(line) > limit:
        raise KatachiError("text_too_long", what="input", size=len(line), limit=limit)
    return line


def port(text: str) -> int:
    """An argparse type: a TCP port, 1–65535."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"a port from 1 to 65535, not {text!r}")
    return n


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, more than 0 and at most a day."""
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and 0 < v <= 86400):
        raise argparse.ArgumentTypeError(f"seconds, more than 0 and at most 86400, not {text!r}")
    return v
