"""The doorbell benchmark's placement: both sides pinned the same way, each figure present."""

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


def test_doorbell_figures_for_each_placement(bench_zpy, tmp_path: Path) -> None:
    results = bench_zpy.measure_doorbell(tmp_path, rounds=200)
    r = {k: v for k, v in results.items() if isinstance(v, float)}
    # round trips through a real kernel: above a microsecond, below a second
    for key in ("doorbell_rtt_p50_us", "doorbell_rtt_p99_us", "c_eventfd_rtt_p50_us",
                "c_eventfd_rtt_p99_us", "doorbell_same_cpu_rtt_p50_us",
                "c_eventfd_same_cpu_rtt_p50_us"):
        assert 1.0 <= r[key] < 1e6, (key, r[key])
    assert r["doorbell_rtt_p99_us"] >= r["doorbell_rtt_p50_us"]
    assert r["c_eventfd_rtt_p99_us"] >= r["c_eventfd_rtt_p50_us"]
    # each ratio is the quotient of the figures it is reported with (rounded to 0.1 us)
    for ratio, num, den in (
            ("doorbell_rtt_p50_ratio", "doorbell_rtt_p50_us", "c_eventfd_rtt_p50_us"),
            ("doorbell_rtt_p99_ratio", "doorbell_rtt_p99_us", "c_eventfd_rtt_p99_us"),
            ("doorbell_same_cpu_p50_ratio", "doorbell_same_cpu_rtt_p50_us",
             "c_eventfd_same_cpu_rtt_p50_us")):
        assert r[ratio] == pytest.approx(r[num] / r[den], rel=0.1, abs=0.02), ratio
    assert r["doorbell_rtt_view_p50_us"] >= 1.0
    assert r["doorbell_view_p50_ratio"] == pytest.approx(
        r["doorbell_rtt_view_p50_us"] / r["doorbell_rtt_p50_us"], rel=0.1, abs=0.02)
    split = bench_zpy.split_cpus()
    assert results["doorbell_cpus"] == f"{split[0]},{split[1]}"
