"""The capacity model's arithmetic (benchmarks/capacity.py) on costs made up for the test: the rates a
room makes, the workshops one of each component carries, a plan for N workshops, and a saturated run
whose components get their share of the cores other work leaves."""

import pytest

from benchmarks.capacity import capacity, demand, plan, predict_run, rates

COSTS = {
    kind: {"replica": 10.0, "postgres": 1.0, "client": 2.0, "worker": 0.0}
    for kind in ("check", "check_facilitator", "redraw", "redraw_facilitator", "submit")
}
COSTS["idle"] = {"replica": 0.0, "postgres": 0.0, "worker": 0.0}
COSTS["model_call"] = {"worker": 500.0, "calls_per_workshop": 4.0}
COSTS["worker_start_s"] = 3.0


def test_a_room_of_four_makes_five_checks_a_second_and_redraws_every_tab_per_point():
    r = rates(4, 20.0)
    assert r["check"] + r["check_facilitator"] == 5
    assert r["submit"] == pytest.approx(0.2) and r["redraw"] + r["redraw_facilitator"] == pytest.approx(1.0)
    # 5 checks + 1 redraw + 0.2 submits a second, 10 ms each on the replica
    assert demand(COSTS, "replica", 4, 20.0) == pytest.approx(6.2 * 10 / 1000)


def test_what_one_of_each_carries_and_what_n_workshops_need():
    cap = capacity(COSTS, model_latency=9.5, gate_window=1800.0)
    assert cap["replica"] == pytest.approx(0.7 / 0.062)
    assert cap["postgres_core"] == pytest.approx(0.7 / 0.0062)
    assert cap["worker"] == pytest.approx(0.7 * 1800 / (4 * 10.0))  # 4 calls of 9.5 s model + 0.5 s CPU
    assert plan(COSTS, 500, model_latency=9.5) == {"replicas": 45, "workers": 16, "postgres_cores": 5}


def test_a_saturated_run_shares_what_other_work_leaves():
    run = {
        "workshops": 50,
        "participants": 4,
        "think": 20.0,
        "cores": 2,
        "cpu_intake": {"busy": 2.0, "replicas": 0.5, "postgres": 0.05, "tabs": 0.2, "workers": 0.0},
        "cpu_total": {"seconds": 100.0},
    }
    got = predict_run(COSTS, run)
    assert got["others"] == pytest.approx(1.25) and got["room"] == pytest.approx(0.75)
    assert got["demand"] > got["room"]
    assert got["replicas"] + got["postgres"] + got["tabs"] + got["workers"] == pytest.approx(0.75)
    assert got["replicas"] / got["tabs"] == pytest.approx(10 / 2, rel=0.01)  # in proportion to demand
    assert got["workers_total_s"] == pytest.approx(50 * 4 * 0.5 + 2 * 3.0)  # calls, and each worker's start
