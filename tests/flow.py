"""Walking a workshop through its gates without naming them: a test decides only at the gates it is
about, and every other gate (a stage added later included) gets the routine decision. The gates and
their order come from the stage specs, so a new stage needs no edit here or in the tests that walk past it.
"""

from __future__ import annotations

from collections.abc import Callable

from katachi.graphs import stages
from katachi.ui.cli.workshop import auto_decision

# More decisions than any walk needs: a `decide` that keeps rejecting fails the test instead of hanging it.
MAX_STEPS = 50

Decide = Callable[[dict], dict | None]


def auto(gate: dict) -> dict:
    """The routine decision at an open gate: the first theme, and every other gate approved."""
    return auto_decision(gate)


def choose(index: int) -> Decide:
    """A ``decide`` that takes theme ``index`` at the themes gate and leaves every other gate to :func:`auto`."""
    return lambda gate: {"action": "choose", "index": index} if gate["gate"] == "themes" else None


def gates() -> tuple[str, ...]:
    """The stages with a gate, in order. Read at each call: a test may add a stage to the specs."""
    return tuple(s.name for s in stages.SPECS if s.gate is not None)


def next_gate(stage: str) -> str | None:
    """The gate that opens once ``stage``'s gate moves on (None: the workshop is done after it)."""
    order = gates()
    later = order[order.index(stage) + 1 :]
    return later[0] if later else None


def _decision(gate: dict, decide: Decide | None) -> dict:
    d = (decide(gate) if decide else None) or auto(gate)
    # Named like a screen names it, so a decision meant for another gate is refused, not applied here.
    return {"gate": gate["gate"], **d}


def _arrived(snap, until: str | None) -> bool:
    if snap.done:
        assert until in (None, "done"), f"{snap.thread_id}: finished without reaching the {until} gate"
        return True
    return until is not None and snap.gate is not None and snap.gate["gate"] == until


def walk(svc, thread_id: str, snap=None, until: str | None = None, decide: Decide | None = None, **resume):
    """Resume ``thread_id`` gate after gate until the gate named ``until`` is open (None: until the
    workshop is done); return that snapshot. At each gate the decision is ``decide(gate)``, or
    :func:`auto` where ``decide`` is not given or returns None. A stage left without its gate (a crash
    mid-stage) is run again. ``resume``: passed on to each ``svc.resume`` (``by``, ``progress``, ``drafts``)."""
    snap = snap or svc.snapshot(thread_id)
    for _ in range(MAX_STEPS):
        if _arrived(snap, until):
            return snap
        if snap.gate is None:
            snap = svc.continue_run(thread_id)
        else:
            snap = svc.resume(thread_id, _decision(snap.gate, decide), **resume)
    raise AssertionError(f"{thread_id}: still at {snap.stage} after {MAX_STEPS} decisions")


def room_walk(rooms, user, wid: str, until: str | None = None, decide: Decide | None = None, timeout: float = 30):
    """The same walk through a room (``rooms.decide``, each decision a background job): waits for each
    job, then decides at the open gate. Stops at the gate ``until``, at the end, or where the room did
    not queue the decision (a playbook approved in a room with consultant review goes to the review);
    returns the service's snapshot then."""
    for _ in range(MAX_STEPS):
        st = rooms.jobs.wait_idle(wid, timeout)
        assert st.state == "idle", st.error
        snap = rooms.service.snapshot(wid)
        if _arrived(snap, until):
            return snap
        assert snap.gate is not None, f"{wid}: no gate open at {snap.stage}"
        if rooms.decide(user, wid, _decision(snap.gate, decide)) != "queued":
            return rooms.service.snapshot(wid)
    raise AssertionError(f"{wid}: still at {snap.stage} after {MAX_STEPS} decisions")
