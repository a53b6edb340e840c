"""The workshop's stages, in order, and what follows each gate: the one list every page, command and
the graph itself read. Labels come from the ``stage`` domain of :mod:`core.i18n`.

The checkpoint's ``stage`` value is either a stage (a generating node is due or running) or
``gate_<stage>`` (waiting for a decision at that stage's gate).
"""

from __future__ import annotations

from katachi.core.i18n import t

STAGES = ("intake", "themes", "kpis", "usecases", "playbook", "done")
# The stage the model works on after a decision at each gate (the playbook gate regenerates sections
# of the playbook itself, or finishes).
AFTER_GATE = {"themes": "kpis", "kpis": "usecases", "usecases": "playbook", "playbook": "playbook"}


def gate_stage(stage: str) -> str:
    """The checkpoint value while the workshop waits at ``stage``'s gate."""
    return f"gate_{stage}"


def stage_of(checkpoint_stage: str | None) -> str:
    """The stage a checkpoint value belongs to (``gate_kpis`` → ``kpis``); nothing stored yet → intake."""
    s = (checkpoint_stage or "").removeprefix("gate_")
    return s if s in STAGES else "intake"


def label(stage: str, lang: str) -> str:
    """The human name of a stage (or of a gate: ``gate_kpis`` reads as its stage)."""
    return t(f"stage.{stage_of(stage) if stage not in STAGES else stage}", lang)
