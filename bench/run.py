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

#: metric -> (comparison, goal): what the project aims for (issue 12's goals where it set
#: them). A nested figure is named "<group>.<key>" (peers_scale.lost).
GOALS = {
    "build_time_ratio": ("<=", 1.25),
    "rebuild_noop_ratio": ("<=", 2.0),
    "boot_to_main_ratio": ("<=", 2.0),
    "doorbell_rtt_p50_ratio": ("<=", 1.2),
    "doorbell_same_cpu_p50_ratio": ("<=", 6.0),
    "doorbell_same_cpu_p50_python_ratio": ("<=", 2.5),
    # the live view, served but unwatched, costs the doorbell nothing beyond run-to-run noise
    "doorbell_view_p50_ratio": ("<=", 1.1),
    "shm_write_bw_ratio": (">=", 0.9),
    "thread_switch_p50_ratio": ("<=", 2.0),
    "peers_scale.peers": (">=", 256),
    "peers_scale.vectors": (">=", 2),
    "peers_scale.lost": ("==", 0),
}


def _meets(value: float, op: str, goal: float) -> bool:
    if op == "==":
        return value == goal
    return value <= goal if op == "<=" else value >= goal


def _lines(results: dict[str, object]) -> list[str]:
    """One line per figure, nested ones flattened, each goal and its verdict beside it."""
    flat: list[tuple[str, object]] = []
    for key, value in results.items():
        if key in ("machine", "started"):
            continue
        if isinstance(value, dict):
            flat += [(f"{key}.{k}", v) for k, v in value.items()]
        else:
            flat.append((key, value))
    lines = []
    for key, value in flat:
        goal = GOALS.get(key)
        verdict = ""
        if goal is not None and isinstance(value, (int, float)):
            op, target = goal
            verdict = f"  (goal {op} {target}: {'met' if _meets(value, *goal) else 'NOT met'})"
        lines.append(f"{key:36} {value}{verdict}")
    return lines


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
    for line in _lines(results):
        print(line)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
