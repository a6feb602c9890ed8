"""Running the `zpy` command as a user would: real subprocesses, real servers, real files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zpy.build.paths import zephyr_base

ZEPHYR_BASE = zephyr_base()
BOARD = "qemu_x86_64"


def zpy_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "zpy", *args]


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` without the privilege that lets root ignore file permissions: as root (CI), it
    runs under setpriv with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH out of its bounding set,
    so a mode-0 socket or a read-only folder refuses it as it would refuse any user."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]


def zpy(*args: str, timeout: float = 60, input: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `zpy ARGS`; returns the finished process with text stdout/stderr."""
    return subprocess.run(zpy_cmd(*args), capture_output=True, text=True, timeout=timeout,
                          input=input, cwd=cwd)


def build(app: str | Path, build_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    app_path = Path(app) if Path(app).is_absolute() else ZEPHYR_BASE / app
    cmd = ["build", "-b", BOARD, "-d", str(build_dir), str(app_path)]
    if extra:
        cmd += ["--", *extra]
    done = zpy(*cmd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def wait_for_path(path: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear within {timeout} s")
        time.sleep(0.02)


@contextmanager
def ivshmem_server(tmp: Path, size: str = "4K", vectors: int = 2,
                   name: str | None = None) -> Iterator[tuple[Path, str]]:
    """A real `zpy ivshmem-server -F` on a private socket and shm name; yields (socket, shm name)."""
    sock = tmp / "ivshmem.sock"
    shm = name or f"zpy-test-{os.getpid()}-{abs(hash(str(tmp))) % 10**8}"
    proc = subprocess.Popen(
        zpy_cmd("ivshmem-server", "-F", "-S", str(sock), "-M", shm, "-l", size,
                "-n", str(vectors), "--unlink-shm"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_path(sock)
        yield sock, shm
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
