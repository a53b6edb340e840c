"""The workshop's stages, in order, and what follows each gate, as every page and command reads them:
derived from the stage specs (``graphs.workshop.SPECS``). Labels come from the ``stage`` domain of
:mod:`core.i18n`.

The checkpoint's ``stage`` value is either a stage (a generating node is due or running) or
``gate_<stage>`` (waiting for a decision at that stage's gate).
"""

from __future__ import annotations

from katachi.core.i18n import t
from katachi.graphs.spec import StageSpec, gate_stage
from katachi.graphs.workshop import SPECS

__all__ = ["AFTER_GATE", "BY_NAME", "SPECS", "STAGES", "gate_stage", "label", "spec_of", "stage_of"]

STAGES = (*(s.name for s in SPECS), "done")
BY_NAME: dict[str, StageSpec] = {s.name: s for s in SPECS}
# The stage the model works on after a decision at each gate that moves on (the last gate regenerates
# sections of its own stage, or finishes).
AFTER_GATE = {
    s.name: (SPECS[i + 1].name if i + 1 < len(SPECS) else s.name) for i, s in enumerate(SPECS) if s.gate is not None
}


def spec_of(stage: str) -> StageSpec | None:
    """The spec of a stage or of its gate (``gate_kpis`` → the KPIs' spec); None for done and unknown values."""
    return BY_NAME.get(stage.removeprefix("gate_"))


def stage_of(checkpoint_stage: str | None) -> str:
    """The stage a checkpoint value belongs to (``gate_kpis`` → ``kpis``); nothing stored yet → intake."""
    s = (checkpoint_stage or "").removeprefix("gate_")
    return s if s in STAGES else "intake"


def label(stage: str, lang: str) -> str:
    """The human name of a stage (or of a gate: ``gate_kpis`` reads as its stage)."""
    return t(f"stage.{stage_of(stage) if stage not in STAGES else stage}", lang)
