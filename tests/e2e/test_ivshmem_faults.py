"""Faults around ivshmem, with real processes: peers and servers killed, broken servers,
bad sizes and vector counts, missing sockets, doorbells to nobody."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from zpy.ivshmem_host.client import PeerConnection
from zpy.ivshmem_host.protocol import send_message

from .runner import build, unprivileged, wait_for_path, zpy, zpy_cmd

APPS = Path(__file__).parent / "apps"
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fault-builds")
    out = {}
    for app in ("survivor", "flooder", "ring_absent"):
        build(APPS / app, root / app)
        out[app] = root / app
    return out


class Server:
    def __init__(self, tmp: Path, size: str = "64K") -> None:
        self.sock = tmp / "server.sock"
        self.shm_name = f"zpy-faults-{os.getpid()}-{id(self) % 100000}"
        self.proc = subprocess.Popen(
            zpy_cmd("ivshmem-server", "-F", "-S", str(self.sock), "-M", self.shm_name, "-l", size,
                    "-n", "2", "--unlink-shm"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for_path(self.sock)

    @property
    def shm_path(self) -> Path:
        return Path("/dev/shm") / self.shm_name

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)
        Path(self.shm_path).unlink(missing_ok=True)
        return out


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path)
    yield srv
    srv.stop()


def vm(build_dir: Path, sock: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(zpy_cmd("run", "-d", str(build_dir), "-chardev",
                                    f"socket,path={sock},id=ivshmem"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    return proc.stdout.readline()


def knows(peer: PeerConnection, peer_id: int, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while len(peer.peers.get(peer_id, [])) < 2:
        assert time.monotonic() < deadline, f"never heard of peer {peer_id}"
        peer.handle_readable()
        time.sleep(0.01)


def ring_then_report(peer: PeerConnection, target: int) -> None:
    """Vector 0 (counted), then vector 1 (report): the survivor has a signal for each."""
    assert peer.notify(target, 0)
    assert peer.notify(target, 1)


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.terminate()
    _, err = proc.communicate(timeout=10)
    return err


def test_peer_killed_mid_traffic_others_keep_working(builds, server):
    survivor = vm(builds["survivor"], server.sock)
    try:
        assert line(survivor) == "up 0\n"
        pattern = os.urandom(4096)
        with open(server.shm_path, "r+b") as f:
            f.seek(4096)
            f.write(pattern)
        flooder = vm(builds["flooder"], server.sock)
        assert line(flooder) == "flooding\n"  # printed once it has rung
        flooder.send_signal(signal.SIGKILL)
        flooder.wait(5)
        with PeerConnection.open(server.sock, max_vectors=2) as me:  # a third peer, later
            knows(me, 0)
            assert me.own_id == 2
            ring_then_report(me, 0)
            assert line(survivor) == f"count some crc {zlib.crc32(pattern):08x}\n"
        assert "Traceback" not in stop(survivor)
    finally:
        stop(survivor)
    log = server.stop()
    assert "peer 1 disconnected" in log


def test_server_killed_vms_keep_ringing(builds, server):
    survivor = vm(builds["survivor"], server.sock)
    try:
        assert line(survivor) == "up 0\n"
        with PeerConnection.open(server.sock, max_vectors=2) as me:
            knows(me, 0)
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(5)
            ring_then_report(me, 0)
            assert line(survivor).startswith("count some crc ")
        err = stop(survivor)
    finally:
        stop(survivor)
    assert err.count("lost the ivshmem server") == 1
    assert err.strip().splitlines() == [
        "zpy: ivshmem0: lost the ivshmem server; peers keep ringing each other with the "
        "eventfds they have"]


def test_misbehaving_clients_are_dropped_without_harm(builds, server):
    survivor = vm(builds["survivor"], server.sock)
    try:
        assert line(survivor) == "up 0\n"
        chatty = socket.socket(socket.AF_UNIX)
        chatty.connect(str(server.sock))
        chatty.sendall(b"clients never talk")
        half = socket.socket(socket.AF_UNIX)
        half.connect(str(server.sock))
        half.shutdown(socket.SHUT_WR)
        with PeerConnection.open(server.sock, max_vectors=2) as me:
            knows(me, 0)
            ring_then_report(me, 0)
            assert line(survivor).startswith("count some crc ")
        chatty.close()
        half.close()
    finally:
        stop(survivor)


def test_doorbell_to_an_absent_peer_is_dropped_and_logged(builds, server):
    done = subprocess.run(zpy_cmd("run", "-d", str(builds["ring_absent"]), "-chardev",
                                  f"socket,path={server.sock},id=ivshmem"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout == "int_peer 42: 0\nint_peer 42 again: 0\n"
    assert done.stderr == ("zpy: ivshmem0: doorbell to peer 42 vector 0 dropped: no such peer "
                           "or vector (later drops to that peer are not logged)\n")


# -- servers that break the protocol --------------------------------------------------------


class FakeServer:
    """Accepts one peer and sends it what `script(conn)` sends."""

    def __init__(self, path: Path, script) -> None:  # type: ignore[no-untyped-def]
        self.path = path
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(path))
        self.listener.listen(1)
        self.thread = threading.Thread(target=self._serve, args=(script,), daemon=True)
        self.thread.start()

    def _serve(self, script) -> None:  # type: ignore[no-untyped-def]
        conn, _ = self.listener.accept()
        try:
            script(conn)
            conn.settimeout(TIMEOUT)
            while conn.recv(4096):  # keep the connection until the VM hangs up
                pass
        except OSError:
            pass
        finally:
            conn.close()


def shm_fd(size: int) -> int:
    fd = os.memfd_create("fake-shm")
    os.ftruncate(fd, size)
    return fd


def greet(conn: socket.socket, size: int = 1 << 16) -> None:
    send_message(conn, 0)
    send_message(conn, 3)
    send_message(conn, -1, shm_fd(size))


@pytest.mark.parametrize("script, message", [
    (lambda c: send_message(c, 1), "server sent version 1, expecting 0"),
    (lambda c: send_message(c, 0, shm_fd(4096)), "server sent invalid version message"),
    (lambda c: (send_message(c, 0), send_message(c, 1, shm_fd(4096))),
     "server sent invalid ID message"),
    (lambda c: (send_message(c, 0), send_message(c, 3), send_message(c, -1)),
     "server didn't provide fd with shared memory message"),
    (lambda c: (send_message(c, 0), send_message(c, 3), send_message(c, 70000)),
     "server sent invalid message 70000"),
    (lambda c: c.close(), "server closed the connection before sending the version message"),
])
def test_broken_server_greeting_is_one_line(builds, tmp_path, script, message):
    sock = tmp_path / "fake.sock"
    FakeServer(sock, script)
    done = subprocess.run(zpy_cmd("run", "-d", str(builds["survivor"]), "-chardev",
                                  f"socket,path={sock},id=ivshmem"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr == f"{sock}: error: {message}\n"


def test_too_many_eventfds_are_refused_and_logged(builds, tmp_path):
    sock = tmp_path / "fake.sock"

    def script(conn: socket.socket) -> None:
        greet(conn)
        for _ in range(3):  # the device has 2 vectors
            send_message(conn, 3, os.eventfd(0))

    FakeServer(sock, script)
    proc = vm(builds["survivor"], sock)
    assert line(proc) == "up 3\n"
    err = stop(proc)
    assert "zpy: ivshmem0: Too many eventfd received, device has 2 vectors\n" in err


def test_shared_memory_not_a_power_of_two(builds, tmp_path):
    sock = tmp_path / "fake.sock"
    FakeServer(sock, lambda c: greet(c, size=3 << 20))
    done = subprocess.run(zpy_cmd("run", "-d", str(builds["survivor"]), "-chardev",
                                  f"socket,path={sock},id=ivshmem"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr == ("error: ivshmem0: shared memory size 0x300000 is not a power of two "
                           "(QEMU's device aborts on such a BAR); use a power-of-two size such "
                           "as 4M\n")


def test_server_refuses_bad_sizes_and_vector_counts(tmp_path):
    for args, needle in ((["-l", "3M"], "power of two"), (["-n", "65"], "too many requested vectors (max is 64)")):
        done = zpy("ivshmem-server", "-F", "-S", str(tmp_path / "s"), "-m", str(tmp_path), *args)
        assert done.returncode != 0 and needle in done.stderr
        assert "Traceback" not in done.stderr


def test_device_vector_count_out_of_range(builds, server):
    done = zpy("run", "-d", str(builds["survivor"]), "-nodefaults", "-chardev",
               f"socket,path={server.sock},id=ivs", "-device", "ivshmem-doorbell,chardev=ivs,vectors=2049")
    assert done.returncode == 1
    assert done.stderr == "error: Failed to initialize interrupts: The number of MSI-X vectors is invalid\n"


@pytest.mark.parametrize("kind", ["missing", "regular file", "missing directory"])
def test_socket_path_problems(builds, tmp_path, kind):
    path = {"missing": tmp_path / "none.sock", "regular file": tmp_path / "file",
            "missing directory": tmp_path / "no/such/dir.sock"}[kind]
    if kind == "regular file":
        path.write_text("not a socket")
    reason = "Connection refused" if kind == "regular file" else "No such file or directory"
    done = zpy("run", "-d", str(builds["survivor"]), "-chardev", f"socket,path={path},id=ivshmem")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: Failed to connect to '{path}': {reason}",
        f"hint: start the server first, e.g. zpy ivshmem-server -F -S {path} -n 2"]


def test_socket_not_permitted(builds, tmp_path):
    sock = tmp_path / "private.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock))
    listener.listen(1)
    os.chmod(sock, 0)
    done = subprocess.run(unprivileged(zpy_cmd("run", "-d", str(builds["survivor"]), "-chardev",
                                               f"socket,path={sock},id=ivshmem")),
                          capture_output=True, text=True, timeout=60)
    listener.close()
    assert done.returncode == 1
    assert f"error: Failed to connect to '{sock}': Permission denied" in done.stderr
