"""`zpy run --view` on the command line: the address it prints, and bad ports."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.runner import build, zpy

HELLO = "samples/hello_world"


@pytest.fixture(scope="module")
def hello(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("view") / "build"
    build(HELLO, build_dir)
    return build_dir


def test_the_view_is_served_while_the_vm_runs_and_does_not_keep_it_up(hello: Path) -> None:
    done = zpy("run", "-d", str(hello), "--view")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("Hello World! qemu_x86_64\n")
    assert done.stderr.startswith("zpy: view of the running VM on http://127.0.0.1:")
    assert done.stderr.rstrip().endswith("/ (read-only)")


def test_a_port_that_is_taken_stops_the_run_before_it_boots(hello: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = zpy("run", "-d", str(hello), f"--view={port}")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"error: cannot serve the view on 127.0.0.1:{port}: Address already "
                           "in use\nhint: --view=PORT takes another port, --view alone any free "
                           "one\n")


@pytest.mark.parametrize("port", ["65536", "-1", "http"])
def test_a_port_that_is_not_one(hello: Path, port: str) -> None:
    done = zpy("run", "-d", str(hello), f"--view={port}")
    assert done.returncode == 2
    assert f"argument --view: not a TCP port: '{port}' (0 to 65535; 0: any free one)" \
        in done.stderr
