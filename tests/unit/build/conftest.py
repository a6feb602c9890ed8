"""Helpers for the build front end's tests: small app folders and in-process builds.

Every build here is real (kconfiglib, edtlib, cpp); the fixtures only save
time by building the common app once per module where a test just reads the
outputs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from zpy.build import BuildResult, build
from zpy.build.paths import zephyr_base

FIXTURES = Path(__file__).parent / "fixtures"
BOARD = "qemu_x86_64"
MAIN = "def main():\n    pass\n"

IVSHMEM_OVERLAY = """\
&pcie0 {
	ivshmem0: ivshmem0 {
		compatible = "qemu,ivshmem";
		vendor-id = <0x1af4>;
		device-id = <0x1110>;
		status = "okay";
	};
};
"""


def write_app(root: Path, files: dict[str, str] | None = None, prj: str = "# nothing here\n",
              main: str = MAIN) -> Path:
    """An app folder: prj.conf, src/main.py, plus `files` (relative path -> text)."""
    root.mkdir(parents=True, exist_ok=True)
    all_files = {"prj.conf": prj, "src/main.py": main, **(files or {})}
    for rel, text in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@dataclass
class Built:
    """One build's result and what it said."""

    result: BuildResult
    out: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def build_dir(self) -> Path:
        return self.result.build_dir

    def config(self) -> str:
        return (self.build_dir / "zephyr/.config").read_text()


def do_build(app: Path, build_dir: Path, args: Sequence[str] = (), board: str = BOARD,
             pristine: str = "auto") -> Built:
    out: list[str] = []
    warnings: list[str] = []
    result = build(app, board, build_dir, pristine, list(args), out=out.append,
                   warn=warnings.append)
    return Built(result, out, warnings)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(files: dict[str, str] | None = None, prj: str = "# nothing here\n",
             main: str = MAIN, name: str | None = None) -> Path:
        return write_app(tmp_path / (name or f"app{next(counter)}"), files, prj, main)

    return make


@pytest.fixture(scope="session")
def base() -> Path:
    return zephyr_base()


@pytest.fixture(scope="module")
def ivshmem_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """An app with the ivshmem overlay under pcie0, built once per module."""
    root = tmp_path_factory.mktemp("ivshmem")
    app = write_app(root / "app", {"app.overlay": IVSHMEM_OVERLAY},
                    prj="CONFIG_PCIE=y\nCONFIG_VIRTUALIZATION=y\nCONFIG_IVSHMEM=y\n")
    return do_build(app, root / "build")
