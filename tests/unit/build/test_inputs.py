"""Which fragments and overlays a build reads, in Zephyr's order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from zpy.build import inputs
from zpy.build.app import find_app
from zpy.build.board import Board, find_board, known_boards
from zpy.build.options import parse_cmake_args
from zpy.errors import BuildError, ConfigError, DTSError


@pytest.fixture
def board(base: Path) -> Board:
    return find_board("qemu_x86_64", [base])


def names(paths: list[Path], app: Path) -> list[str]:
    return [str(p.relative_to(app)) if p.is_relative_to(app) else p.name for p in paths]


def test_default_confs(make_app: Callable[..., Path], board: Board) -> None:
    app = make_app({"boards/qemu_x86_64.conf": "", "extra.conf": ""})
    sel = inputs.conf_files(find_app(app), board,
                            parse_cmake_args(["-DEXTRA_CONF_FILE=extra.conf"]))
    assert names(sel.files, app) == ["qemu_x86_64_defconfig", "prj.conf",
                                     "boards/qemu_x86_64.conf", "extra.conf"]
    assert sel.absent == []


def test_board_conf_absent_is_watched(make_app: Callable[..., Path], board: Board) -> None:
    app = make_app()
    sel = inputs.conf_files(find_app(app), board, parse_cmake_args([]))
    assert names(sel.files, app) == ["qemu_x86_64_defconfig", "prj.conf"]
    assert sel.absent == [app / "boards/qemu_x86_64.conf"]


def test_conf_file_replaces_prj_and_board_conf(make_app: Callable[..., Path],
                                               board: Board) -> None:
    app = make_app({"boards/qemu_x86_64.conf": "", "a.conf": "", "b.conf": ""})
    sel = inputs.conf_files(find_app(app), board, parse_cmake_args(["-DCONF_FILE=a.conf b.conf"]))
    assert names(sel.files, app) == ["qemu_x86_64_defconfig", "a.conf", "b.conf"]


def test_build_type_conf(make_app: Callable[..., Path], board: Board) -> None:
    app = make_app({"prj_release.conf": "", "boards/qemu_x86_64_release.conf": ""})
    sel = inputs.conf_files(find_app(app), board,
                            parse_cmake_args(["-DCONF_FILE=prj_release.conf"]))
    assert names(sel.files, app) == ["qemu_x86_64_defconfig", "prj_release.conf",
                                     "boards/qemu_x86_64_release.conf"]


def test_absolute_conf_file(make_app: Callable[..., Path], board: Board, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.conf"
    other.write_text("")
    sel = inputs.conf_files(find_app(make_app()), board,
                            parse_cmake_args([f"-DEXTRA_CONF_FILE={other}"]))
    assert sel.files[-1] == other


def test_missing_conf_file(make_app: Callable[..., Path], board: Board) -> None:
    app = make_app()
    with pytest.raises(ConfigError, match=f"^File not found: {app}/nope.conf$"):
        inputs.conf_files(find_app(app), board, parse_cmake_args(["-DCONF_FILE=nope.conf"]))


def test_overlay_rules(make_app: Callable[..., Path], board: Board) -> None:
    app = make_app({"app.overlay": "", "boards/qemu_x86_64.overlay": "", "x.overlay": "",
                    "y.overlay": ""})
    a = find_app(app)
    sel = inputs.dts_files(a, board, parse_cmake_args([]))
    assert names(sel.files, app) == ["qemu_x86_64.dts", "boards/qemu_x86_64.overlay"]
    (app / "boards/qemu_x86_64.overlay").unlink()
    sel = inputs.dts_files(a, board, parse_cmake_args(["-DEXTRA_DTC_OVERLAY_FILE=y.overlay"]))
    assert names(sel.files, app) == ["qemu_x86_64.dts", "app.overlay", "y.overlay"]
    assert sel.absent == [app / "boards/qemu_x86_64.overlay"]
    sel = inputs.dts_files(a, board, parse_cmake_args(["-DDTC_OVERLAY_FILE=x.overlay"]))
    assert names(sel.files, app) == ["qemu_x86_64.dts", "x.overlay"]
    with pytest.raises(DTSError, match="^File not found: .*/z.overlay$"):
        inputs.dts_files(a, board, parse_cmake_args(["-DDTC_OVERLAY_FILE=z.overlay"]))


def test_app_board_root(make_app: Callable[..., Path], base: Path) -> None:
    app = make_app({"boards/my_board/my_board.dts": "/dts-v1/;\n/ { };\n",
                    "boards/vnd/other_board/other_board_defconfig": ""})
    assert find_board("my_board", [app, base]).dir == app / "boards/my_board"
    assert find_board("other_board", [app, base]).dir == app / "boards/vnd/other_board"
    assert {"my_board", "other_board", "qemu_x86_64"} <= set(known_boards([app, base]))
    with pytest.raises(BuildError, match="^No board named 'x' found; known boards: .*my_board"):
        find_board("x", [app, base])
    with pytest.raises(BuildError, match="No board named '../boards' found"):
        find_board("../boards", [app, base])
