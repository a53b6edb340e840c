"""A workshop killed (SIGKILL) at every model call resumes from its checkpoint to the same playbook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workshop_child import PAINS, drive, service

ROOT = Path(__file__).resolve().parents[1]


def _child(db: Path, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.workshop_child", str(db), str(kill_at)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _essence(values: dict) -> dict:
    """What a reviewer reads, without timestamps."""
    pb = values["playbook"]
    return {
        "points": [p["text"] for p in values["pain_points"]],
        "theme": values["theme"]["title"],
        "kpis": [(k["id"], k["name"], k["baseline"], k["target"]) for k in values["kpis"]],
        "use_cases": [(u["id"], u["title"]) for u in values["use_cases"]],
        "procedures": [p["steps"] for p in pb["procedures"]],
        "glossary": [t["term"] for t in pb["glossary"]],
        "gates": [d["gate"] for d in values["decisions"]],
    }


@pytest.mark.faults
def test_a_workshop_killed_at_every_model_call_finishes_the_same(tmp_path):
    ref = _child(tmp_path / "ref.sqlite", -1)
    assert ref.returncode == 0, ref.stderr[-2000:]
    calls = int(ref.stdout.strip())
    svc, _ = service(str(tmp_path / "ref.sqlite"))
    want = _essence(svc.snapshot("w").values)
    svc.close()
    assert want["points"] == PAINS and calls >= 5
    survived = 0
    for kill_at in range(1, calls + 1):
        db = tmp_path / f"k{kill_at}.sqlite"
        r = _child(db, kill_at)
        assert r.returncode == -9, f"kill at {kill_at}: {r.returncode} {r.stderr[-800:]}"
        svc, _ = service(str(db))
        snap = svc.snapshot("w")  # the pain points were checkpointed before the first call
        assert [p["text"] for p in snap.values["pain_points"]] == PAINS
        got = _essence(drive(svc, snap).values)
        svc.close()
        assert got == want, f"kill at {kill_at}"
        survived += 1
    print(f"\nworkshop kills survived: {survived}/{calls}")
    assert survived == calls
