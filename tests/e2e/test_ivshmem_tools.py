"""`zpy ivshmem-server` and `zpy ivshmem-client` as users run them, and against a real QEMU.

Real subprocesses, sockets, signals and ptys: option errors and their exact lines,
shutdown on SIGTERM/SIGINT, a SIGKILLed server, daemon mode, the client through a
pipe and a terminal, 256 peers ringing each other, and QEMU's ivshmem-doorbell.
"""

from __future__ import annotations

import json
import mmap
import os
import pty
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import console
from tests.e2e.console import read_until
from tests.e2e.runner import unprivileged
from tests.interop.qtest import QTest, qemu_binary
from zpy.ivshmem_host.client import (
    PeerConnection,
    PeerEvent,
    PeerLeft,
    PeerVector,
    ServerGone,
    read_eventfd,
)
from zpy.ivshmem_host.shm import SHM_DIR

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0
TRY_HELP = "Try 'zpy ivshmem-server -h' for more information."


def zpy_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "zpy", *args]


@pytest.fixture
def tmp() -> Iterator[Path]:
    """A short private directory (socket paths must fit in 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="zpye-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def shm_name() -> Iterator[str]:
    name = f"zpy-test-{uuid.uuid4().hex[:12]}"
    yield name
    (SHM_DIR / name).unlink(missing_ok=True)


class ServerProcess:
    """`zpy ivshmem-server -F ...` (or `command`) in a subprocess, ready once its summary line is out."""

    def __init__(self, sock: Path, *args: str, command: str = "ivshmem-server") -> None:
        self.sock = sock
        self.proc = subprocess.Popen(zpy_cmd(command, "-F", "-S", str(sock), *args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdout is not None
        self.summary = read_until(self.proc.stdout.fileno(), "\n")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, err.decode()


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
        server.proc.communicate()


def start_server(servers: list[ServerProcess], sock: Path, *args: str) -> ServerProcess:
    servers.append(ServerProcess(sock, *args))
    return servers[-1]


def pump(conn: PeerConnection, until: object, timeout: float = TIMEOUT) -> list[PeerEvent]:
    """Process conn's messages until `until` (an event, or a predicate) shows up."""
    events: list[PeerEvent] = []
    deadline = time.monotonic() + timeout
    done = until if callable(until) else (lambda: until in events)
    with selectors.DefaultSelector() as selector:
        selector.register(conn.fileno(), selectors.EVENT_READ)
        while not done():
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"waited for {until}; got {events}"
            if selector.select(remaining):
                events += conn.handle_readable()
    return events


# -- zpy ivshmem-server: options ------------------------------------------------------------


@pytest.mark.parametrize("args, lines", [
    (["-l", "3M"], ["error: shared memory size 3M (3145728 bytes) is not a power of two: "
                    "QEMU's ivshmem-doorbell aborts on a BAR of that size",
                    "hint: use -l 4M (the next power of two)", TRY_HELP]),
    (["-l", "1000"], ["error: shared memory size 1000 is too small: QEMU maps it as a PCI BAR "
                      "of at least one page (4096 bytes)", "hint: use -l 4K", TRY_HELP]),
    (["-l", "0"], ["error: shared memory size 0 is too small: QEMU maps it as a PCI BAR of "
                   "at least one page (4096 bytes)", "hint: use -l 4K", TRY_HELP]),
    (["-l", "lots"], ["error: invalid size 'lots': expected a number with an optional K, M or "
                      "G suffix", f"hint: {TRY_HELP}"]),
    (["-n", "65"], ["error: too many requested vectors (max is 64)", f"hint: {TRY_HELP}"]),
    (["-n", "0"], ["error: invalid number of vectors 0: a peer needs at least one",
                   f"hint: {TRY_HELP}"]),
    (["--mode", "rw"], ["error: invalid mode 'rw': expected octal permission bits such as 0660",
                        f"hint: {TRY_HELP}"]),
], ids=["3M", "1000", "0", "lots", "n65", "n0", "mode"])
def test_bad_option_values(tmp: Path, args: list[str], lines: list[str]) -> None:
    done = subprocess.run(zpy_cmd("ivshmem-server", "-F", "-S", str(tmp / "s"), "-m", str(tmp),
                                  *args), capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (1, "", lines)
    assert os.listdir(tmp) == []


def test_verbose_needs_foreground(tmp: Path) -> None:
    done = subprocess.run(zpy_cmd("ivshmem-server", "-v", "-S", str(tmp / "s")),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stderr.splitlines()) == (
        1, ["error: cannot use verbose in daemon mode", f"hint: {TRY_HELP}"])


def test_help_lists_qemus_flags() -> None:
    done = subprocess.run(zpy_cmd("ivshmem-server", "-h"), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0
    for flag in ("-F", "-p PIDFILE", "-S SOCKET", "-M SHMNAME", "-m SHMDIR", "-l SIZE",
                 "-n VECTORS", "--mode MODE", "--unlink-shm", "-v"):
        assert flag in done.stdout


@pytest.mark.parametrize("case", ["missing_dir", "regular_file", "live_server", "eperm",
                                  "eacces"])
def test_socket_path_problems(tmp: Path, servers: list[ServerProcess], case: str) -> None:
    sock = tmp / "s"
    if case == "missing_dir":
        sock = tmp / "nope" / "s"
        expected = f"error: cannot listen on {sock}: directory {sock.parent} does not exist"
    elif case == "regular_file":
        sock.write_text("mine")
        expected = f"error: cannot listen on {sock}: it exists and is not a socket"
    elif case == "live_server":
        start_server(servers, sock, "-m", str(tmp))
        expected = f"error: another server is listening on {sock}"
    elif case == "eperm":
        sock = Path("/sys/ivshmem_socket")
        expected = f"error: cannot listen on {sock}: Operation not permitted"
    else:
        locked = tmp / "locked"
        locked.mkdir(mode=0o555)
        sock = locked / "s"
        expected = f"error: cannot listen on {sock}: Permission denied"
    cmd = zpy_cmd("ivshmem-server", "-F", "-S", str(sock), "-m", "/tmp")
    if case == "eacces":  # as root too: the folder's mode must refuse the server
        cmd = unprivileged(cmd)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1 and done.stderr.splitlines()[0] == expected, done.stderr
    if case == "regular_file":
        assert sock.read_text() == "mine"


# -- zpy ivshmem-server: running ---------------------------------------------------------------


def test_summary_line_and_owner_only_files(tmp: Path, servers: list[ServerProcess],
                                           shm_name: str) -> None:
    server = start_server(servers, tmp / "s", "-M", shm_name, "-l", "64K", "-n", "3")
    assert server.summary == (f"ivshmem-server: listening on {tmp / 's'}, shared memory "
                              f"{SHM_DIR / shm_name} (64K), 3 vectors per peer\n")
    assert os.stat(tmp / "s").st_mode & 0o777 == 0o600
    assert os.stat(SHM_DIR / shm_name).st_mode & 0o777 == 0o600
    assert os.stat(SHM_DIR / shm_name).st_size == 64 << 10


def test_mode_option(tmp: Path, servers: list[ServerProcess], shm_name: str) -> None:
    start_server(servers, tmp / "s", "-M", shm_name, "--mode", "0666")
    assert os.stat(tmp / "s").st_mode & 0o777 == 0o666
    assert os.stat(SHM_DIR / shm_name).st_mode & 0o777 == 0o666


@pytest.mark.parametrize("sig, unlink_shm", [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGTERM", "SIGINT+unlink-shm"])
def test_signal_shuts_down_cleanly(tmp: Path, servers: list[ServerProcess], shm_name: str,
                                   sig: int, unlink_shm: bool) -> None:
    args = ["-M", shm_name, "-n", "2"] + (["--unlink-shm"] if unlink_shm else [])
    server = start_server(servers, tmp / "s", *args)
    with PeerConnection.open(tmp / "s") as a, PeerConnection.open(tmp / "s") as b:
        pump(b, lambda: len(b.own_vectors) == 2)
        pump(a, lambda: len(a.peers.get(1, [])) == 2)
        status, err = server.stop(sig)
        assert status == 0, err
        assert pump(a, ServerGone()) == [ServerGone()]
        assert pump(b, ServerGone()) == [PeerLeft(0), ServerGone()]  # told as QEMU's close does
    assert not (tmp / "s").exists()
    assert (SHM_DIR / shm_name).exists() != unlink_shm
    assert "server stopped (2 peer(s) disconnected)" in err


def test_sigkilled_server_peers_keep_ringing_and_a_new_server_starts(
        tmp: Path, servers: list[ServerProcess]) -> None:
    server = start_server(servers, tmp / "s", "-m", str(tmp), "-n", "2")
    with PeerConnection.open(tmp / "s") as a, PeerConnection.open(tmp / "s") as b:
        pump(a, lambda: len(a.peers.get(1, [])) == 2 and len(a.own_vectors) == 2)
        pump(b, lambda: len(b.own_vectors) == 2)
        server.stop(signal.SIGKILL)
        assert pump(a, ServerGone()) == [ServerGone()]
        assert pump(b, ServerGone()) == [ServerGone()]
        assert a.notify(1, 1) and b.notify(0, 0) and b.notify(0, 0)
        assert read_eventfd(b.own_vectors[1]) == 1 and read_eventfd(a.own_vectors[0]) == 2
    assert (tmp / "s").exists()  # left behind by the dead server
    start_server(servers, tmp / "s", "-m", str(tmp), "-v")
    _, err = servers[-1].stop()
    assert f"removing stale socket {tmp / 's'} (its server is gone)" in err


def refused_resize(tmp: Path, shm_name: str, size: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(zpy_cmd("ivshmem-server", "-F", "-S", str(tmp / "second"), "-M",
                                  shm_name, "-l", size), capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_a_live_servers_shared_memory_is_never_resized(tmp: Path, servers: list[ServerProcess],
                                                        shm_name: str) -> None:
    first = start_server(servers, tmp / "s", "-M", shm_name, "-l", "1M", "-n", "1")
    with PeerConnection.open(tmp / "s") as peer:
        assert peer.shm_fd is not None
        mem = mmap.mmap(peer.shm_fd, 1 << 20)
        done = refused_resize(tmp, shm_name, "64K")
        assert (done.returncode, done.stdout, done.stderr.splitlines()) == (1, "", [
            f"error: shared memory {SHM_DIR / shm_name} is 1M and in use by a live ivshmem "
            "server or its peers: refusing to resize it to 64K",
            "hint: share it with -l 1M, or give this server another name with -M (or a "
            "directory with -m)"])
        assert os.stat(SHM_DIR / shm_name).st_size == 1 << 20
        mem[(1 << 20) - 1] = 7  # the last byte is still there: no SIGBUS
        first.stop(signal.SIGKILL)  # its peer keeps the object (and the lock) alive
        assert refused_resize(tmp, shm_name, "2M").returncode == 1
        mem.close()
    sharing = start_server(servers, tmp / "s2", "-M", shm_name, "-l", "1M")  # same size: shared
    assert "(1M)" in sharing.summary


def test_shared_memory_mapped_by_another_process_is_not_resized(tmp: Path,
                                                                 shm_name: str) -> None:
    path = SHM_DIR / shm_name
    path.write_bytes(bytes(1 << 16))
    with open(path, "r+b") as f, mmap.mmap(f.fileno(), 1 << 16):
        done = refused_resize(tmp, shm_name, "4K")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"error: shared memory {path} is 64K and in use by process {os.getpid()}: refusing to "
        "resize it to 4K")
    assert path.stat().st_size == 1 << 16


def test_daemon_mode_reports_errors_before_detaching(tmp: Path) -> None:
    done = subprocess.run(zpy_cmd("ivshmem-server", "-S", str(tmp / "s"), "-m", str(tmp),
                                  "-p", str(tmp / "no" / "pid")),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == \
        f"error: cannot write pid file {tmp / 'no' / 'pid'}: No such file or directory"
    (tmp / "s").write_text("not a socket")
    done = subprocess.run(zpy_cmd("ivshmem-server", "-S", str(tmp / "s"), "-m", str(tmp),
                                  "-p", str(tmp / "pid")),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == \
        f"error: cannot listen on {tmp / 's'}: it exists and is not a socket"


def test_verbose_prints_every_message(tmp: Path, servers: list[ServerProcess]) -> None:
    server = start_server(servers, tmp / "s", "-m", str(tmp), "-n", "1", "-v")
    with PeerConnection.open(tmp / "s") as a:
        pump(a, lambda: len(a.own_vectors) == 1)
    _, err = server.stop()
    lines = err.splitlines()
    assert "peer 0 connected (0 other peer(s))" in lines
    sent = [line for line in lines if line.startswith("to peer 0:")]
    assert sent[:3] == ["to peer 0: 0, no fd", "to peer 0: 0, no fd"] + [sent[2]]
    assert re.fullmatch(r"to peer 0: -1, fd \d+", sent[2])
    assert re.fullmatch(r"to peer 0: 0, fd \d+", sent[3]) and len(sent) == 4


# -- zpy ivshmem-client ------------------------------------------------------------------------


def test_client_driven_through_a_pipe(tmp: Path, servers: list[ServerProcess]) -> None:
    start_server(servers, tmp / "s", "-m", str(tmp), "-n", "2")
    with PeerConnection.open(tmp / "s") as receiver:
        pump(receiver, lambda: len(receiver.own_vectors) == 2)
        done = subprocess.run(
            zpy_cmd("ivshmem-client", "-S", str(tmp / "s"), "--once"),
            input="dump\nint 0 1;int 0 all\rint 7 0\nbogus\nint all\nint 1 0\nhelp",
            capture_output=True, text=True, timeout=TIMEOUT)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert re.fullmatch(r"listen on server socket \d+", lines[0])
        assert [re.sub(r"fd=\d+", "fd=N", line) for line in lines[1:7]] == [
            "our_id = 1",
            "  vector 0 is enabled (fd=N)",
            "  vector 1 is enabled (fd=N)",
            "peer_id = 0",
            "  vector 0 is enabled (fd=N)",
            "  vector 1 is enabled (fd=N)",
        ]
        assert lines[7:9] == ["cannot find peer_id = 7", "invalid command, type help"]
        assert lines[9] == "available commands:"
        assert "receive notification from peer_id=1 vector=0" in lines[10:]
        # int 0 1, int 0 all and int all: vector 1 rung 3 times, vector 0 twice
        assert [read_eventfd(fd) for fd in receiver.own_vectors] == [2, 3]
        assert pump(receiver, PeerLeft(1))[-1] == PeerLeft(1)


def test_client_prints_notifications_while_waiting(tmp: Path,
                                                   servers: list[ServerProcess]) -> None:
    start_server(servers, tmp / "s", "-m", str(tmp), "-n", "2")
    with PeerConnection.open(tmp / "s") as ringer:
        client = subprocess.Popen(
            zpy_cmd("ivshmem-client", "-S", str(tmp / "s"), "--once", "--wait", "1.5"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pump(ringer, lambda: len(ringer.peers.get(1, [])) == 2)
        assert ringer.notify(1, 1)  # the count waits in the eventfd until the client reads it
        out, err = client.communicate(timeout=TIMEOUT)
    assert client.returncode == 0, err
    assert out.splitlines()[1:] == ["receive notification from peer_id=1 vector=1"]


def test_interactive_client_in_a_terminal(tmp: Path, servers: list[ServerProcess]) -> None:
    start_server(servers, tmp / "s", "-m", str(tmp))
    master, slave = pty.openpty()
    client = subprocess.Popen(zpy_cmd("ivshmem-client", "-S", str(tmp / "s")),
                              stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    con = console.attach(master)
    try:
        con.expect_exact("cmd> ")
        assert con.before.startswith("available commands:")
        con.expect_exact("listen on server socket")
        os.write(master, b"dump\n")
        con.expect_exact("our_id = 0")
        con.expect_exact("vector 0 is enabled (fd=")
        os.write(master, b"int 0 0\n")
        con.expect_exact("receive notification from peer_id=0 vector=0")
        os.write(master, b"\x04")  # ^D: end of input
        assert client.wait(TIMEOUT) == 0
    finally:
        con.close()
        if client.poll() is None:
            client.kill()
            client.wait()
        os.close(master)


def test_client_retries_then_reconnects(tmp: Path, servers: list[ServerProcess]) -> None:
    client = subprocess.Popen(zpy_cmd("ivshmem-client", "-S", str(tmp / "s")),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert client.stdout is not None and client.stderr is not None
    try:
        read_until(client.stderr.fileno(), "cannot connect to server, retry in 1 second")
        server = start_server(servers, tmp / "s", "-m", str(tmp))
        out = read_until(client.stdout.fileno(), "listen on server socket")
        server.stop()
        out = read_until(client.stdout.fileno(), "disconnected from server", seen=[out])
        read_until(client.stderr.fileno(), "cannot connect to server, retry in 1 second")
        start_server(servers, tmp / "s", "-m", str(tmp))
        out = read_until(client.stdout.fileno(), "listen on server socket", seen=[
            out.split("disconnected from server")[1]])
        client.stdin.close()  # type: ignore[union-attr]
        assert client.wait(TIMEOUT) == 0
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        client.stdout.close()
        client.stderr.close()


def test_client_once_without_server(tmp: Path) -> None:
    done = subprocess.run(zpy_cmd("ivshmem-client", "-S", str(tmp / "s"), "--once"),
                          input="", capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == \
        f"error: cannot connect to ivshmem server {tmp / 's'}: No such file or directory"


# -- scale ---------------------------------------------------------------------------------------


def test_256_peers_with_2_vectors_ring_each_other_without_loss() -> None:
    """The peers_scale benchmark as `make bench` runs it (issue 12's goal: 256 x 2, 0 lost)."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_server.py")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "dropped" not in done.stderr, done.stderr
    result = json.loads(done.stdout)["peers_scale"]
    assert (result["peers"], result["vectors"], result["lost"]) == (256, 2, 0)
    assert result["notifications"] == 256 * 255 * 2


# -- QEMU's ivshmem-doorbell against zpy ivshmem-server --------------------------------------

BAR0 = 0xFEB00000  # registers (256 bytes)
BAR1 = 0xFEB01000  # MSI-X table at +0, PBA at +0x800
BAR2 = 0x80000000  # shared memory (64-bit BAR)


@pytest.mark.qemu
def test_qemu_ivshmem_doorbell_against_zpy_server(tmp: Path, servers: list[ServerProcess]) -> None:
    if qemu_binary() is None:
        pytest.skip("qemu-system-x86_64 is not installed")
    start_server(servers, tmp / "s", "-m", str(tmp), "-l", "1M", "-n", "2")
    with PeerConnection.open(tmp / "s", max_vectors=2) as peer:
        pump(peer, lambda: len(peer.own_vectors) == 2)
        qemu = QTest.start("-machine", "q35",
                           "-chardev", f"socket,path={tmp / 's'},id=ivs",
                           "-device", "ivshmem-doorbell,chardev=ivs,vectors=2")
        with qemu:
            qemu.wait_ready()  # realize blocks until version, ID and shm came: setup passed
            events = pump(peer, lambda: len(peer.peers.get(1, [])) == 2)
            assert [(e.peer_id, e.vector) for e in events if isinstance(e, PeerVector)] == \
                [(1, 0), (1, 1)]

            bdf = qemu.pci_find(0x1AF4, 0x1110)
            qemu.pci_cfg_writel(bdf, 0x10, BAR0)
            qemu.pci_cfg_writel(bdf, 0x14, BAR1)
            qemu.pci_cfg_writel(bdf, 0x18, BAR2 | 0xC)
            qemu.pci_cfg_writel(bdf, 0x1C, 0)
            qemu.pci_cfg_writel(bdf, 0x04, qemu.pci_cfg_readl(bdf, 0x04) | 0x2)  # memory on
            assert qemu.readl(BAR0 + 0x08) == 1  # IVPosition: the ID our server gave QEMU

            # guest -> us: Doorbell (peer 0 << 16) | vector 1 rings our vector 1
            qemu.writel(BAR0 + 0x0C, (0 << 16) | 1)
            assert [read_eventfd(fd) for fd in peer.own_vectors] == [0, 1]

            # one shared memory: our writes show in BAR2, the guest's in our mapping
            with mmap.mmap(peer.shm_fd, peer.shm_size) as shm:  # type: ignore[arg-type]
                shm[16:24] = b"zpy->vm!"
                assert qemu.read(BAR2 + 16, 8) == b"zpy->vm!"
                qemu.write(BAR2 + 64, b"vm->zpy!")
                assert shm[64:72] == b"vm->zpy!"

            # us -> guest: with MSI-X enabled (vectors masked), a kick sets the pending bit
            cap = qemu.pci_cfg_readl(bdf, 0x40)
            assert cap & 0xFF == 0x11  # the MSI-X capability
            qemu.pci_cfg_writel(bdf, 0x40, cap | 1 << 31)
            assert peer.notify(1, 0)
            deadline = time.monotonic() + 5
            while not qemu.readl(BAR1 + 0x800) & 1:
                assert time.monotonic() < deadline, "QEMU never saw our doorbell"
                time.sleep(0.01)

            # the zpy client sees QEMU as a peer with 2 vectors too
            done = subprocess.run(zpy_cmd("ivshmem-client", "-S", str(tmp / "s"), "--once"),
                                  input="dump\n", capture_output=True, text=True,
                                  timeout=TIMEOUT)
            assert "peer_id = 1\n  vector 0 is enabled" in done.stdout
            assert done.stdout.count("is enabled") == 2 + 2 + 2  # us, QEMU, the client itself
        # QEMU leaving is announced
        assert pump(peer, lambda: 1 not in peer.peers)[-1] == PeerLeft(1)
