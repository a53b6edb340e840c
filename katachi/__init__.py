"""Katachi (型): an LLM-assisted workshop facilitator, from pain points to a standard playbook.

Installed, this is the one top-level package: ``katachi.core``, ``katachi.knowledge``, ``katachi.agents``,
``katachi.graphs``, ``katachi.exports``, ``katachi.tracker``, ``katachi.ui`` and ``katachi.evals``.
In a source checkout those folders sit at the top of the project (pyproject.toml maps them here), and a
checkout imports its own folders: the checkout's root is on this package's path, so a second checkout
(a benchmark's "before" side, a worktree) never runs another checkout's code by way of the editable install.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "core" / "__init__.py").is_file() and (_CHECKOUT / "pyproject.toml").is_file():
    __path__.append(str(_CHECKOUT))
