"""`make bench`: every benchmark, each a ratio to a baseline measured in the same run.

Writes the results as JSON (default bench/results.json; --out to change it) and
prints them with the goals they are held to.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: metric -> (comparison, goal): what the project aims for
GOALS = {
    "build_time_ratio": ("<=", 1.5),
    "boot_to_main_ratio": ("<=", 5.0),
    "doorbell_rtt_p50_ratio": ("<=", 2.0),
    "doorbell_rtt_p99_ratio": ("<=", 3.0),
    "shm_write_bw_ratio": (">=", 0.9),
    "thread_switch_p50_ratio": ("<=", 2.0),
}


def _meets(value: float, op: str, goal: float) -> bool:
    return value <= goal if op == "<=" else value >= goal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("BENCH_OUT", str(HERE / "results.json")))
    args = parser.parse_args(argv)

    import bench_build
    import bench_server
    import bench_zpy

    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    for name, bench in (("build", bench_build), ("runtime", bench_zpy), ("server", bench_server)):
        print(f"== {name} ...", flush=True)
        t0 = time.perf_counter()
        results.update(bench.measure())
        print(f"   {time.perf_counter() - t0:.1f} s", flush=True)

    print()
    for key, value in results.items():
        if key in ("machine", "started"):
            continue
        goal = GOALS.get(key)
        verdict = ""
        if goal is not None and isinstance(value, (int, float)):
            op, target = goal
            verdict = f"  (goal {op} {target}: {'met' if _meets(value, *goal) else 'NOT met'})"
        print(f"{key:30} {value}{verdict}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
