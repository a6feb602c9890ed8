"""`zpy ivshmem2-server` as users run it: real subprocesses, sockets, signals and V2 peers.

Every bad option is one line (plus the hint), exit status 1 and no traceback; the summary
line; SIGTERM/SIGINT tell every peer; a SIGKILLed server leaves peers ringing each other;
daemon mode; -v shows every message; a peer beyond max peers is refused in the log.
"""

from __future__ import annotations

import mmap
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zpy.errors import ProtocolError
from zpy.ivshmem_host.client import PeerConnection, read_eventfd
from zpy.ivshmem_host.events import PeerLeft, ServerGone
from zpy.ivshmem_host.shm import SHM_DIR
from zpy.ivshmem_host.v2.client import V2PeerConnection

from .test_ivshmem_tools import TIMEOUT, ServerProcess, pump, zpy_cmd

TRY_HELP = "Try 'zpy ivshmem2-server -h' for more information."


@pytest.fixture
def tmp() -> Iterator[Path]:
    """A short private directory (socket paths must fit in 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="zpy2-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def shm_name() -> Iterator[str]:
    name = f"zpy-test-{uuid.uuid4().hex[:12]}"
    yield name
    (SHM_DIR / name).unlink(missing_ok=True)


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
        server.proc.communicate()


def start_v2(servers: list[ServerProcess], sock: Path, *args: str) -> ServerProcess:
    servers.append(ServerProcess(sock, *args, command="ivshmem2-server"))
    return servers[-1]


# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args, lines", [
    (["-l", "3M"], ["error: shared memory size 3M (3145728 bytes) is not a power of two: QEMU "
                    "maps the shared memory as one PCI BAR and aborts on a BAR of that size",
                    "hint: use -l 4M (the next power of two)", TRY_HELP]),
    (["-l", "6000"], ["error: shared memory size 6000 is not a multiple of the page size "
                      "(4096 bytes)", "hint: use -l 8K", TRY_HELP]),
    (["-l", "0"], ["error: shared memory size 0 is too small: the state table alone takes 4K",
                   "hint: use -l 4K", TRY_HELP]),
    (["-o", "1000"], ["error: output section size 1000 is not a multiple of the page size "
                      "(4096 bytes)", "hint: use -o 4K", TRY_HELP]),
    (["-l", "64K", "-o", "32K"], ["error: Invalid output section size, shared memory too small: "
                                  "4K state table + 2 x 32K output sections = 68K, more than 64K",
                                  "hint: use -l 128K or a smaller -o", TRY_HELP]),
    (["-n", "1"], ["error: invalid max peers 1: at least 2 (a peer and one to talk to)",
                   f"hint: {TRY_HELP}"]),
    (["-n", "65537"], ["error: invalid max peers 65537: at most 65536 (peer IDs are 16 bits)",
                       f"hint: {TRY_HELP}"]),
    (["-n", "2048"], ["error: max peers 2048 do not fit the state table: its 4096 bytes hold "
                      "one 4-byte entry per peer, 1024 peers at most", f"hint: {TRY_HELP}"]),
    (["-n", "many"], ["error: invalid max peers 'many'", f"hint: {TRY_HELP}"]),
    (["-V", "0"], ["error: invalid number of vectors 0: a peer needs at least one",
                   f"hint: {TRY_HELP}"]),
    (["-V", "65"], ["error: too many requested vectors (max is 64)", f"hint: {TRY_HELP}"]),
    (["-P", "0x10000"], ["error: invalid protocol 0x10000: a 16-bit value is expected "
                         "(0 to 0xffff)", f"hint: {TRY_HELP}"]),
    (["-P", "net"], ["error: invalid protocol 'net'", f"hint: {TRY_HELP}"]),
    (["-P", "0x8001", "-n", "3"], ["error: protocol 0x8001 is virtio (0x8000 and up), which "
                                   "links one front-end to one back-end: max peers must be 2, "
                                   "not 3", "hint: use -n 2", TRY_HELP]),
    (["--mode", "rw"], ["error: invalid mode 'rw': expected octal permission bits such as 0660",
                        f"hint: {TRY_HELP}"]),
], ids=["pow2", "page", "zero", "oss_page", "too_small", "n1", "n65537", "n2048", "n_word",
        "V0", "V65", "P17bit", "P_word", "virtio_n3", "mode"])
def test_bad_option_values(tmp: Path, args: list[str], lines: list[str]) -> None:
    done = subprocess.run(zpy_cmd("ivshmem2-server", "-F", "-S", str(tmp / "s"), "-m", str(tmp),
                                  *args), capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (1, "", lines)
    assert os.listdir(tmp) == []


def test_verbose_needs_foreground_and_help_lists_the_flags(tmp: Path) -> None:
    done = subprocess.run(zpy_cmd("ivshmem2-server", "-v", "-S", str(tmp / "s")),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stderr.splitlines()) == (
        1, ["error: cannot use verbose in daemon mode", f"hint: {TRY_HELP}"])
    done = subprocess.run(zpy_cmd("ivshmem2-server", "-h"), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0
    for flag in ("-F", "-p PIDFILE", "-S SOCKET", "-M SHMNAME", "-m SHMDIR", "-l SIZE",
                 "-o SIZE", "-n MAXPEERS", "-V VECTORS", "-P PROTOCOL", "--mode MODE",
                 "--unlink-shm", "--max-queued N", "--stall-timeout SECONDS", "-v"):
        assert flag in done.stdout


# -- running -----------------------------------------------------------------------------------


def test_summary_line_files_and_layout(tmp: Path, servers: list[ServerProcess],
                                       shm_name: str) -> None:
    server = start_v2(servers, tmp / "s", "-M", shm_name, "-l", "1M", "-o", "64K", "-n", "3",
                      "-V", "2", "-P", "0x4001")
    assert server.summary == (
        f"ivshmem2-server: listening on {tmp / 's'}, shared memory {SHM_DIR / shm_name} (1M), "
        "max 3 peers, 2 vectors per peer, protocol 0x4001, output sections of 64K; layout: "
        "state table 4K @0, R/W 828K @4K, 3 output sections of 64K @832K\n")
    assert os.stat(tmp / "s").st_mode & 0o777 == 0o600
    assert os.stat(SHM_DIR / shm_name).st_mode & 0o777 == 0o600
    assert os.stat(SHM_DIR / shm_name).st_size == 1 << 20
    with V2PeerConnection.open(tmp / "s") as peer:
        assert (peer.own_id, peer.max_peers, peer.vectors, peer.protocol) == (0, 3, 2, 0x4001)
        assert peer.layout.output_section(2) == ((1 << 20) - (64 << 10), 64 << 10)


def test_virtio_summary_and_roles(tmp: Path, servers: list[ServerProcess]) -> None:
    server = start_v2(servers, tmp / "s", "-m", str(tmp), "-l", "64K", "-P", "0x8001")
    assert "protocol 0x8001 (virtio: back-end peer 0 told 0xc001, front-end peer 1 told " \
           "0x8001)" in server.summary
    with V2PeerConnection.open(tmp / "s") as a, V2PeerConnection.open(tmp / "s") as b:
        assert (a.protocol, b.protocol) == (0xC001, 0x8001)


def test_defaults_are_the_rfc_servers(tmp: Path, servers: list[ServerProcess]) -> None:
    server = start_v2(servers, tmp / "s", "-m", str(tmp))
    assert "(4M), max 2 peers, 1 vector per peer, protocol 0x0000, output sections of 0; " \
           "layout: state table 4K @0, R/W 4092K @4K, no output sections" in server.summary


@pytest.mark.parametrize("sig, unlink_shm", [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGTERM", "SIGINT+unlink-shm"])
def test_signal_shuts_down_cleanly(tmp: Path, servers: list[ServerProcess], shm_name: str,
                                   sig: int, unlink_shm: bool) -> None:
    args = ["-M", shm_name, "-l", "64K", "-n", "3", "-V", "2"] + \
        (["--unlink-shm"] if unlink_shm else [])
    server = start_v2(servers, tmp / "s", *args)
    with V2PeerConnection.open(tmp / "s") as a, V2PeerConnection.open(tmp / "s") as b, \
            mmap.mmap(b.shm_fd, 4096) as table:  # type: ignore[arg-type]
        pump(b, lambda: len(b.own_vectors) == 2 and len(b.peers.get(0, [])) == 2)
        pump(a, lambda: len(a.peers.get(1, [])) == 2)
        struct.pack_into("=II", table, 0, 5, 6)  # as their State registers would
        status, err = server.stop(sig)
        assert status == 0, err
        assert pump(a, ServerGone()) == [ServerGone()]
        assert pump(b, ServerGone()) == [PeerLeft(0), ServerGone()]
        assert struct.unpack_from("=II", table, 0) == (0, 0)
    assert not (tmp / "s").exists()
    assert (SHM_DIR / shm_name).exists() != unlink_shm
    assert "server stopped (2 peer(s) disconnected)" in err
    assert "Traceback" not in err


def test_sigkilled_server_peers_keep_ringing_and_a_new_server_starts(
        tmp: Path, servers: list[ServerProcess]) -> None:
    server = start_v2(servers, tmp / "s", "-m", str(tmp), "-l", "64K", "-V", "2")
    with V2PeerConnection.open(tmp / "s") as a, V2PeerConnection.open(tmp / "s") as b:
        pump(a, lambda: len(a.peers.get(1, [])) == 2 and len(a.own_vectors) == 2)
        pump(b, lambda: len(b.own_vectors) == 2)
        server.stop(signal.SIGKILL)
        assert pump(a, ServerGone()) == [ServerGone()]
        assert pump(b, ServerGone()) == [ServerGone()]
        assert a.notify(1, 1) and b.notify(0, 0) and b.notify(0, 0)
        assert read_eventfd(b.own_vectors[1]) == 1 and read_eventfd(a.own_vectors[0]) == 2
    assert (tmp / "s").exists()  # left behind by the dead server
    start_v2(servers, tmp / "s", "-m", str(tmp), "-l", "64K", "-v")
    _, err = servers[-1].stop()
    assert f"removing stale socket {tmp / 's'} (its server is gone)" in err


def test_a_live_v1_server_is_not_disturbed(tmp: Path, servers: list[ServerProcess]) -> None:
    servers.append(ServerProcess(tmp / "s", "-m", str(tmp)))
    done = subprocess.run(zpy_cmd("ivshmem2-server", "-F", "-S", str(tmp / "s"), "-m", str(tmp)),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == f"error: another server is listening on {tmp / 's'}"
    with PeerConnection.open(tmp / "s") as peer:
        assert peer.own_id == 0  # the probe did not take an ID


def test_verbose_prints_every_message_and_refusals(tmp: Path,
                                                   servers: list[ServerProcess]) -> None:
    server = start_v2(servers, tmp / "s", "-m", str(tmp), "-l", "64K", "-V", "2", "-v")
    with V2PeerConnection.open(tmp / "s") as a:
        with V2PeerConnection.open(tmp / "s") as b:
            pump(b, lambda: len(b.own_vectors) == 2)
            with pytest.raises(ProtocolError, match="server closed the connection before "
                                                    "sending the INIT message"):
                V2PeerConnection.open(tmp / "s")
            pump(a, lambda: len(a.peers.get(1, [])) == 2)
        pump(a, PeerLeft(1))
    _, err = server.stop()
    lines = [re.sub(r"fd \d+", "fd N", line) for line in err.splitlines()]
    sent = [line for line in lines if line.startswith("to peer")]
    assert sent[:9] == [
        "to peer 0: INIT id=0 max_peers=2 vectors=2 protocol=0x0000 output_section_size=0, fd N",
        "to peer 0: EVENT_FD id=0 vector=0, fd N",
        "to peer 0: EVENT_FD id=0 vector=1, fd N",
        "to peer 1: INIT id=1 max_peers=2 vectors=2 protocol=0x0000 output_section_size=0, fd N",
        "to peer 0: EVENT_FD id=1 vector=0, fd N",
        "to peer 0: EVENT_FD id=1 vector=1, fd N",
        "to peer 1: EVENT_FD id=0 vector=0, fd N",
        "to peer 1: EVENT_FD id=0 vector=1, fd N",
        "to peer 1: EVENT_FD id=1 vector=0, fd N",
    ]
    assert "to peer 0: PEER_GONE id=1, no fd" in lines
    assert "warning: refusing a new peer: all 2 peer IDs are in use (max peers 2)" in lines
