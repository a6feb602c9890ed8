"""What `zpy ivshmem-server` and `zpy ivshmem2-server` share, run for both commands."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from zpy.ivshmem_host.client import PeerConnection
from zpy.ivshmem_host.v2.client import V2PeerConnection

from .runner import zpy_cmd

TIMEOUT = 10.0
COMMANDS = {"ivshmem-server": PeerConnection, "ivshmem2-server": V2PeerConnection}


@pytest.fixture
def tmp() -> Iterator[Path]:
    """A short private directory (socket paths must fit in 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="zpye-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_shm_name_is_refused_not_defaulted(tmp: Path, command: str) -> None:
    done = subprocess.run(zpy_cmd(command, "-F", "-S", str(tmp / "s"), "-M", ""),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (1, "", [
        "error: invalid shared memory name '': a POSIX shm name is one path component",
        "hint: use -m DIR to put the shared memory in a directory",
        f"Try 'zpy {command} -h' for more information."])


@pytest.mark.parametrize("command", COMMANDS)
def test_daemon_mode_writes_pid_file_and_stops_on_sigterm(tmp: Path, command: str) -> None:
    pid_file = tmp / "server.pid"
    done = subprocess.run(zpy_cmd(command, "-S", str(tmp / "s"), "-m", str(tmp), "-l", "64K",
                                  "-p", str(pid_file), "--log-file", str(tmp / "log")),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    pid = int(pid_file.read_text())
    try:
        assert os.getsid(pid) != os.getsid(0)  # detached: a session of its own
        with COMMANDS[command].open(tmp / "s") as peer:
            assert peer.own_id == 0
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + TIMEOUT
        while pid_file.exists() or (tmp / "s").exists():
            assert time.monotonic() < deadline, "the daemon did not clean up"
            time.sleep(0.02)  # a daemon is no child of ours: no event tells us it is gone
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    log = (tmp / "log").read_text()
    assert re.search(rf"^daemon {pid}: listening on {tmp / 's'}", log, re.MULTILINE)
    assert "server stopped (0 peer(s) disconnected)" in log
