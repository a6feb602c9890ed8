"""How much `zpy build` costs over the two libraries it drives.

measure() times, in one run and on the same inputs (each the best of REPEAT rounds,
the rounds interleaving the commands so that each sees the same machine):
  build_s          a from-scratch `zpy build` of a hello-world app (the real CLI, a subprocess)
  rebuild_noop_s   the same command again, with nothing changed
  rebuild_src_edit_s  again after an edit of src/main.py (only the image is linked again)
  baseline_s       a subprocess that only imports kconfiglib and edtlib, parses the
                   Kconfig tree with the build's fragments and builds the EDT from the
                   build's preprocessed devicetree: the floor any front end pays
  rebuild_noop_python_s  `python -c pass` with the same interpreter
and returns build_time_ratio = build_s / baseline_s and
rebuild_noop_ratio = rebuild_noop_s / rebuild_noop_python_s, in wall time (the
goals), and the same ratios of CPU time (build_cpu_ratio, rebuild_noop_cpu_ratio:
what the processes, cpp included, spent; steadier than wall time on a machine
that others share).

Run standalone: `python bench/bench_build.py` prints the dict as JSON.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 5

_BASELINE = """\
import json, os, sys
info = json.load(open(sys.argv[1]))
os.environ.update(srctree=info["kconfig"]["srctree"], **info["kconfig"]["variables"],
                  KCONFIG_FUNCTIONS="zpy.build.kconfigfunctions")
import kconfiglib
from devicetree import edtlib
kconf = kconfiglib.Kconfig(info["kconfig"]["top"], warn_to_stderr=False)
for i, frag in enumerate(sys.argv[3:]):
    kconf.load_config(frag, replace=(i == 0))
edtlib.EDT(sys.argv[2], json.loads(os.environ["BINDINGS"]), default_prop_types=True)
"""


def _zpy() -> list[str]:
    script = Path(sys.executable).parent / "zpy"
    return [str(script)] if script.exists() else [sys.executable, "-m", "zpy"]


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a command, its children (cpp) included."""
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _app(root: Path) -> Path:
    """samples/hello_world if the tree has it, else a copy of a trivial app."""
    repo = Path(__file__).resolve().parent.parent
    sample = repo / "samples" / "hello_world"
    app = root / "hello_world"
    if sample.is_dir():
        shutil.copytree(sample, app)
    else:
        (app / "src").mkdir(parents=True)
        (app / "prj.conf").write_text("# nothing here\n")
        (app / "src/main.py").write_text("def main():\n    print('Hello World!')\n")
    return app


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="zpy-bench-") as tmp:
        root = Path(tmp)
        app = _app(root)
        builds, noops, edits, baselines, pythons = [], [], [], [], []
        main_py = app / "src" / "main.py"
        for i in range(REPEAT):
            build = root / f"build{i}"
            cmd = [*_zpy(), "build", "-b", "qemu_x86_64", "-d", str(build), str(app)]
            builds.append(_timed(cmd))
            noops.append(_timed(cmd))
            pythons.append(_timed([sys.executable, "-c", "pass"]))
            main_py.write_text(main_py.read_text() + f"# edit {i}\n")
            edits.append(_timed(cmd))

            info = json.loads((build / "zephyr/build_info.json").read_text())
            base = Path(info["kconfig"]["srctree"])
            fragments = [str(base / "boards/qemu_x86_64/qemu_x86_64_defconfig"),
                         str(app / "prj.conf")]
            bindings = [str(base / "dts/bindings")]
            env = dict(os.environ, BINDINGS=json.dumps(bindings))
            baselines.append(_timed(
                [sys.executable, "-c", _BASELINE, str(build / "zephyr/build_info.json"),
                 str(build / "zephyr/zephyr.dts.pre"), *fragments], env=env))
        def best(runs: list[tuple[float, float]], cpu: bool = False) -> float:
            return min(run[1 if cpu else 0] for run in runs)

        build_s, noop_s, base_s, python_s = best(builds), best(noops), best(baselines), \
            best(pythons)
        return {
            "build_time_ratio": round(build_s / base_s, 3),
            "build_s": round(build_s, 4),
            "baseline_s": round(base_s, 4),
            "build_cpu_ratio": round(best(builds, True) / best(baselines, True), 3),
            "rebuild_noop_ratio": round(noop_s / python_s, 3),
            "rebuild_noop_s": round(noop_s, 4),
            "rebuild_noop_python_s": round(python_s, 4),
            "rebuild_noop_cpu_ratio": round(best(noops, True) / best(pythons, True), 3),
            "rebuild_src_edit_s": round(best(edits), 4),
        }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
