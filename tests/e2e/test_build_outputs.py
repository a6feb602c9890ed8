"""A build folder whose outputs are missing, corrupt or edited by hand: `zpy run` and a
rebuild say which file is broken (and the line, where JSON says one) and how to rebuild;
they never run something else or end in an internal error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .runner import ZEPHYR_BASE, build, zpy

APP = ZEPHYR_BASE / "samples/hello_world"
IMAGE = "zephyr/image.json"
CONFIG = "zephyr/.config"
DT = "zephyr/include/generated/zephyr/devicetree_generated.json"
INFO = "zephyr/build_info.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs") / "hello"
    build(APP, out)
    return out


def edit_json(name: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    def edit(d: Path) -> None:
        data = json.loads((d / name).read_text())
        change(data)
        (d / name).write_text(json.dumps(data))
    return edit


def write(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes(content)


def remove(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


BINARY = bytes(range(128, 256)) * 2

RUN_CASES = {
    "image truncated": (write(IMAGE, b'{\n "board": "qemu'), IMAGE + ":2",
                        "not valid JSON (Unterminated string starting at)"),
    "image is a list": (write(IMAGE, b"[]"), IMAGE, "a JSON list where zpy writes an object"),
    "image binary": (write(IMAGE, BINARY), IMAGE, "not a text file"),
    "image without board": (edit_json(IMAGE, lambda d: d.pop("board")), IMAGE, "'board' is missing"),
    "image module nowhere": (
        edit_json(IMAGE, lambda d: d["modules"][0].update(path="/nowhere/uart.py")), IMAGE,
        "module zpy.drivers.serial.uart_ns16550 is /nowhere/uart.py, which does not exist"),
    "image other board": (
        edit_json(IMAGE, lambda d: d.update(board="qemu_cortex_m3")), IMAGE,
        "'board' is 'qemu_cortex_m3', but the build was for 'qemu_x86_64' (build_info.json)"),
    "image other app": (
        edit_json(IMAGE, lambda d: d.update(app_dir="/tmp")), IMAGE,
        f"'app_dir' is '/tmp', but the build was for '{APP}' (build_info.json)"),
    "image module type": (
        edit_json(IMAGE, lambda d: d["app_sources"][0].update(path=7)), IMAGE,
        "'path' in app_sources[0] is a int, not str"),
    ".config missing": (remove(CONFIG), CONFIG, "the file is missing"),
    ".config binary": (write(CONFIG, BINARY), CONFIG, "not a text file"),
    "devicetree missing": (remove(DT), DT, "the file is missing"),
    "devicetree truncated": (write(DT, b'{\n "nodes": [\n  {"path": "/"}'), DT + ":3",
                             "not valid JSON (Expecting ',' delimiter)"),
    "devicetree {}": (write(DT, b"{}"), DT, "'nodes' is missing"),
    "devicetree node without path": (
        edit_json(DT, lambda d: d["nodes"][0].pop("path")), DT,
        "not the devicetree zpy writes (TypeError: DTNode.__init__() missing 1 required "
        "positional argument: 'path')"),
}


@pytest.mark.parametrize("case", RUN_CASES)
def test_run_names_the_broken_output(built: Path, tmp_path: Path, case: str) -> None:
    damage, where, why = RUN_CASES[case]
    d = tmp_path / "b"
    shutil.copytree(built, d)
    damage(d)
    done = zpy("run", "-d", str(d))
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (1, "", [
        f"{d / where}: error: broken build output: {why}",
        f"hint: rebuild it: zpy build -p always -b qemu_x86_64 -d {d} {APP}"])


REBUILD_CASES = {
    "truncated": (write(INFO, b'{\n "app": "/wo'), INFO + ":2",
                  "not valid JSON (Unterminated string starting at)"),
    "a list": (write(INFO, b"[]"), INFO, "a JSON list where zpy writes an object"),
    "no app": (edit_json(INFO, lambda d: d.pop("app")), INFO, "'app' is missing"),
}


@pytest.mark.parametrize("case", REBUILD_CASES)
def test_rebuild_with_broken_build_info_does_not_guess_the_app(built: Path, tmp_path: Path,
                                                               case: str) -> None:
    damage, where, why = REBUILD_CASES[case]
    d = tmp_path / "b"
    shutil.copytree(built, d)
    damage(d)
    done = zpy("build", "-d", str(d), cwd=tmp_path)  # the app comes from the build folder
    assert (done.returncode, done.stderr.splitlines()) == (1, [
        f"{d / where}: error: broken build output: {why}",
        f"hint: rebuild it: zpy build -p always -b BOARD -d {d} APP"])
    assert zpy("build", "-p", "always", "-b", "qemu_x86_64", "-d", str(d), str(APP)).returncode == 0
    assert zpy("run", "-d", str(d)).stdout.endswith("Hello World! qemu_x86_64\n")
