"""Builds for zpy explain's tests, made once per module from the apps in fixtures/.

Every build is real (kconfiglib, edtlib, cpp), in a temporary folder that is
also the current folder while a test runs, so explanations name files as
"app/prj.conf:3", whatever the machine. The node tests build against a
ZEPHYR_BASE of their own (fixtures/base: one driver folder) that links zpy's
Kconfig tree, board and bindings, so their golden text names no zpy file
whose lines another change could move.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from zpy.build import build
from zpy.build.paths import BuildPaths, zephyr_base

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Built:
    root: Path  # the folder the tests run in
    build_dir: Path
    warnings: list[str]


def _build(app: Path, build_dir: Path, board: str, args: list[str]) -> list[str]:
    warnings: list[str] = []
    build(app, board, build_dir, "always", args, out=lambda line: None, warn=warnings.append)
    return warnings


@pytest.fixture(scope="module")
def symbols_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The symbols app for its own board, with -D options and an extra conf file."""
    root = tmp_path_factory.mktemp("explain-symbols")
    shutil.copytree(FIXTURES / "symbols", root / "app")
    warnings = _build(root / "app", root / "build", "explain_board",
                      ['-DCONFIG_APP_MODE="fast"', "-DEXTRA_CONF_FILE=extra.conf"])
    return Built(root, root / "build", warnings)


def make_base(root: Path) -> Path:
    """fixtures/base, with zpy's Kconfig tree, boards and bindings linked in."""
    base = root / "base"
    shutil.copytree(FIXTURES / "base", base)
    real = zephyr_base()
    for name in ("Kconfig", "Kconfig.zephyr", "Kconfig.constants", "arch", "kernel", "lib",
                 "modules", "subsys", "zpy", "boards", "dts"):
        (base / name).symlink_to(real / name)
    for entry in (real / "drivers").iterdir():  # the base has a drivers/ folder of its own
        (base / "drivers" / entry.name).symlink_to(entry)
    return base


@pytest.fixture(scope="module")
def nodes_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the base and the nodes app; ZEPHYR_BASE points at the base."""
    root = tmp_path_factory.mktemp("explain-nodes")
    base = make_base(root)
    shutil.copytree(FIXTURES / "nodes", root / "app")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZEPHYR_BASE", str(base))
        yield root


@pytest.fixture(scope="module")
def nodes_build(nodes_base: Path) -> Built:
    """The nodes app with its sensor driver in, booted once: zpy run's records written."""
    from zpy.explain.devices import record_run
    from zpy.runtime import Runtime

    warnings = _build(nodes_base / "app", nodes_base / "build", "qemu_x86_64", [])
    runtime = Runtime(nodes_base / "build", machine_args=["-nodefaults"], console_out=None)
    try:
        assert runtime.run() == 0
        record_run(runtime.kernel, BuildPaths(nodes_base / "build"))
    finally:
        runtime.close()
    return Built(nodes_base, nodes_base / "build", warnings)


@pytest.fixture(scope="module")
def nodes_without_driver(nodes_base: Path) -> Built:
    """The nodes app with the power symbol off on the command line: the driver is out."""
    build_dir = nodes_base / "build-off"
    warnings = _build(nodes_base / "app", build_dir, "qemu_x86_64",
                      ["-DCONFIG_EXPLAIN_BUS_POWER=n"])
    return Built(nodes_base, build_dir, warnings)


def explained(built: Built, name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`zpy explain`'s text for `name`, from the build's root folder."""
    from zpy.explain import explain

    monkeypatch.chdir(built.root)
    return "\n".join(explain(built.build_dir, name).render()) + "\n"
