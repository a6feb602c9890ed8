"""The build step of an instance, and the filter that can only be decided after it.

Twister runs CMake, evaluates `filter:` against the configured build (its
.config and devicetree), then builds. A zpy build configures and "links" in
one cheap step, so the whole `zpy build` runs first (in a subprocess, as
twister runs cmake: parallel, with its own build.log) and the filter is
evaluated on its outputs; a filtered instance just keeps its build folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zpy.errors import ZpyError
from zpy.image import dotconfig
from zpy.image.dtmodel import RELPATH as DT_RELPATH
from zpy.image.dtmodel import DeviceTree
from zpy.twister import expr
from zpy.twister.errors import TwisterError
from zpy.twister.instance import TestInstance
from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario
from zpy.twister.sidecar import zpy_command

BUILD_TIMEOUT = 300.0
_QUALIFIED = re.compile(r"(platform|arch|simulation):([^:]+):(.*)", re.S)


@dataclass
class BuildOutcome:
    ok: bool
    duration: float
    reason: str | None = None
    #: the .config as the image sees it (y -> 1, ints, strings)
    config: dict[str, int | str] = field(default_factory=dict)
    #: what filter expressions see: the environment, ARCH/PLATFORM/BOARD, CONFIG_* as written
    env: dict[str, str] = field(default_factory=dict)
    dt: DeviceTree | None = None


def _qualified(args: tuple[str, ...], plat: Platform) -> list[str]:
    """extra_args / extra_configs, keeping `platform:<p>:`, `arch:<a>:` and
    `simulation:<s>:` entries only where they apply."""
    out = []
    for arg in args:
        m = _QUALIFIED.fullmatch(arg)
        if m is None:
            out.append(arg)
            continue
        kind, value, rest = m.groups()
        if (kind == "platform" and value == plat.name) or (kind == "arch" and value == plat.arch) \
                or (kind == "simulation" and value in plat.simulation):
            out.append(rest)
    return out


def cmake_args(sc: Scenario, plat: Platform) -> list[str]:
    """The -D options twister would give CMake for this scenario."""
    args = []
    for arg in _qualified(sc.extra_args, plat):
        arg = arg.replace('"', "")  # as Zephyr's twister: CONF_FILE="x.conf" names x.conf
        args.append(arg if arg.startswith("-D") else f"-D{arg}")
    if sc.extra_conf_files:
        args.append(f"-DCONF_FILE={';'.join(sc.extra_conf_files)}")
    if sc.extra_overlay_confs:
        args.append(f"-DEXTRA_CONF_FILE={';'.join(sc.extra_overlay_confs)}")
    if sc.extra_dtc_overlay_files:
        args.append(f"-DEXTRA_DTC_OVERLAY_FILE={';'.join(sc.extra_dtc_overlay_files)}")
    for conf in _qualified(sc.extra_configs, plat):
        args.append(conf if conf.startswith("-D") else f"-D{conf}")
    return args


def build_command(inst: TestInstance) -> list[str]:
    assert inst.scenario is not None and inst.build_dir is not None
    cmd = zpy_command("build", "-b", inst.platform.name, "-d", str(inst.build_dir),
                      str(inst.scenario.app_dir))
    extra = cmake_args(inst.scenario, inst.platform)
    return cmd + (["--", *extra] if extra else [])


def error_line(output: str) -> str | None:
    """The line of a failed build's output that says why: its last 'error:' line, or,
    when that only says the build gave up on Kconfig warnings, the last warning."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.startswith("error: Aborting due to Kconfig warnings"):
            warning = next((w for w in reversed(lines[:i]) if ": warning: " in w), None)
            return warning or line
        if "error:" in line or line.startswith("zpy: internal error"):
            return line
    return lines[-1] if lines else None


def build(inst: TestInstance, stop: threading.Event | None = None,
          timeout: float = BUILD_TIMEOUT) -> BuildOutcome:
    """`zpy build` the instance into its folder; the output goes to build.log."""
    assert inst.build_dir is not None
    inst.build_dir.mkdir(parents=True, exist_ok=True)
    log_path = inst.build_dir / "build.log"
    cmd = build_command(inst)
    start = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(" ".join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        status = _wait(proc, start + timeout, stop)
    duration = time.monotonic() - start
    if status is None:
        return BuildOutcome(False, duration, "Build timeout" if not (stop and stop.is_set())
                            else "Interrupted")
    if status != 0:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        why = error_line(text.split("\n", 1)[1] if "\n" in text else "")
        return BuildOutcome(False, duration, f"Build failure: {why}" if why else "Build failure")
    return _outcome(inst, duration)


def _wait(proc: subprocess.Popen[bytes], deadline: float, stop: threading.Event | None
          ) -> int | None:
    while True:
        try:
            return proc.wait(0.2)
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline or (stop is not None and stop.is_set()):
            proc.kill()
            proc.wait()
            return None


def _outcome(inst: TestInstance, duration: float) -> BuildOutcome:
    assert inst.build_dir is not None
    dotconfig_path = inst.build_dir / "zephyr" / ".config"
    try:
        config = dotconfig.load_dotconfig(dotconfig_path)
        raw = _raw_config(dotconfig_path)
    except (OSError, ZpyError) as e:
        return BuildOutcome(False, duration, f"Build failure: cannot read .config: {e}")
    dt_path = inst.build_dir / DT_RELPATH
    dt = DeviceTree.load(dt_path) if dt_path.is_file() else None
    env = dict(os.environ)
    env.update(ARCH=inst.platform.arch, PLATFORM=inst.platform.name, BOARD=inst.platform.name)
    env.update(raw)
    return BuildOutcome(True, duration, None, config, env, dt)


def _raw_config(path: Path) -> dict[str, str]:
    """CONFIG_* values as twister's filters see them: "y", "0x10", unquoted strings."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if not sep or not name.startswith("CONFIG_") or value == "n":
            continue
        out[name] = str(dotconfig.parse_value(value)) if value.startswith('"') else value
    return out


def runtime_filter(inst: TestInstance, outcome: BuildOutcome) -> bool:
    """True if the scenario's `filter:` keeps it on this build; raises TwisterError
    (the yaml file and line, and the scenario) if the filter cannot be evaluated."""
    sc = inst.scenario
    if sc is None or sc.filter_ast is None:
        return True
    try:
        return expr.evaluate(sc.filter_ast, outcome.env, outcome.dt)
    except expr.ExprError as e:
        raise TwisterError(f"scenario '{sc.id}': filter \"{sc.filter}\": {e}", sc.yaml_path,
                           sc.filter_line) from None


def has_ztest(config: dict[str, Any]) -> bool:
    return bool(config.get("CONFIG_ZTEST"))
