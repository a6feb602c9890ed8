"""The doorbell benchmark's placement: both sides pinned the same way, each figure present,
and the plain-Python baseline pinned as the C one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture()
def bench_zpy():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_zpy
        yield bench_zpy
    finally:
        sys.path.remove(str(BENCH))


def test_placements_use_the_cpus_this_process_may_run_on(bench_zpy) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    assert bench_zpy.same_cpu() == (cpus[0], cpus[0])
    assert bench_zpy.split_cpus() == ((cpus[0], cpus[1]) if len(cpus) > 1 else (cpus[0], cpus[0]))


def test_the_c_baseline_pins_itself_where_it_is_told(bench_zpy, tmp_path: Path) -> None:
    cpu = sorted(os.sched_getaffinity(0))[-1]
    rtts = bench_zpy.c_pingpong(tmp_path, 50, (cpu, cpu))
    assert len(rtts) == 50 and min(rtts) > 0
    with pytest.raises(subprocess.CalledProcessError) as e:  # a CPU it may not use
        bench_zpy.c_pingpong(tmp_path, 50, (4095, 4095))
    assert "sched_setaffinity" in e.value.stderr


def test_the_python_baseline_pins_itself_where_it_is_told(bench_zpy) -> None:
    cpu = sorted(os.sched_getaffinity(0))[-1]
    rtts = bench_zpy.python_pingpong(50, (cpu, cpu))
    assert len(rtts) == 50 and min(rtts) > 0
    with pytest.raises(subprocess.CalledProcessError) as e:  # a CPU it may not use
        bench_zpy.python_pingpong(50, (4095, 4095))
    assert "Invalid argument" in e.value.stderr


def test_doorbell_figures_for_each_placement(bench_zpy, tmp_path: Path) -> None:
    results = bench_zpy.measure_doorbell(tmp_path, rounds=200)
    for side in ("c_eventfd", "python_eventfd", "doorbell"):
        for where in ("", "_same_cpu"):
            p50, p99 = (float(results[f"{side}{where}_rtt_{q}_us"]) for q in ("p50", "p99"))
            assert 0 < p50 <= p99, (side, where)
    for key in ("doorbell_rtt_p50_ratio", "doorbell_rtt_p99_python_ratio",
                "doorbell_same_cpu_p50_ratio", "doorbell_same_cpu_p50_python_ratio",
                "doorbell_rtt_view_p50_us", "doorbell_view_p50_ratio"):
        assert float(results[key]) > 0, key
    # the ratio of the unrounded figures, so within rounding of the printed ones
    assert results["doorbell_same_cpu_p50_python_ratio"] == pytest.approx(
        results["doorbell_same_cpu_rtt_p50_us"] / results["python_eventfd_same_cpu_rtt_p50_us"],
        rel=0.02)
    split = bench_zpy.split_cpus()
    assert results["doorbell_cpus"] == f"{split[0]},{split[1]}"


def test_the_interrupt_path_is_measured_step_by_step_and_profiled(bench_zpy, tmp_path) -> None:
    steps, busiest = bench_zpy.irq_path(tmp_path, profile=True, rounds=50)
    assert sorted(steps) == sorted(bench_zpy.IRQ_STEPS)
    assert all(us > 0 for us in steps.values()), steps
    assert busiest[0].startswith("calls per ring "), busiest
    functions = [line.split(maxsplit=2)[2] for line in busiest[1:]]
    assert len(functions) == 20, busiest
    # the profile is of the doorbell path: the wait, the driver's register write, the host
    assert any("(k_poll)" in f for f in functions), functions
    assert any("select.epoll" in f or "cpu.py" in f for f in functions), functions
