"""The shell as users drive it: `zpy run` on stdin, `--serial pty`, `--serial tcp:...` and
`unix:...`, typing commands, Tab and arrows; golden transcripts of the built-in commands and of
every ivshmem command (with their error paths), rings from `zpy ivshmem-client` and from
another zpy VM. Real subprocesses, ptys and sockets."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from .runner import build, ivshmem_server, wait_for_path, zpy_cmd

PROMPT = "uart:~$ "
BANNER = "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***"
TIMEOUT = 10.0
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[78])")


def plain(text: str) -> str:
    text = re.sub(r"\x1b\[(\d+)C", lambda m: " " * int(m.group(1)), text)
    return _ANSI.sub("", text).replace("\r", "")


#: readers still running, stopped by the `vms` fixture (so no fd outlives its test)
_live: set[Output] = set()


class Output:
    """Everything an fd (a pipe, a pty, a socket) delivers, read by a thread until stop()."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.closed = False
        self.data = b""
        self.mark = 0
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        _live.add(self)

    def _pump(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self._fd, 4096)
            except (OSError, ValueError):
                chunk = b""
            with self._cond:
                if not chunk:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self.data += chunk
                self._cond.notify_all()

    def stop(self) -> None:
        """Stop reading (before the fd is closed: a read in flight would keep the file)."""
        self._stop.set()
        self._thread.join()
        _live.discard(self)


    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    def wait(self, needle: str, timeout: float = TIMEOUT) -> str:
        """Plain text after the mark up to (and including) needle; moves the mark past it."""
        def found() -> bool:
            return needle in plain(self.data[self.mark:].decode("utf-8", "replace"))
        with self._cond:
            ok = self._cond.wait_for(lambda: found() or self.closed, timeout)
            rest = self.data[self.mark:].decode("utf-8", "replace")
        assert ok and needle in plain(rest), f"{needle!r} not seen in:\n{plain(rest)}"
        # advance the mark over the raw bytes that hold needle
        raw = self.data[self.mark:]
        for end in range(len(raw) + 1):
            if needle in plain(raw[:end].decode("utf-8", "replace")):
                self.mark += end
                return plain(raw[:end].decode("utf-8", "replace"))
        raise AssertionError("unreachable")


class Console:
    """A shell console: write lines, read up to the next prompt."""

    def __init__(self, write, out: Output) -> None:  # type: ignore[no-untyped-def]
        self._write = write
        self.out = out

    def type(self, data: str) -> None:
        self._write(data.encode())

    def command(self, line: str, timeout: float = TIMEOUT) -> str:
        """Type line + Enter; the plain transcript from the echo: line, output, next prompt."""
        self.type(line + "\r")
        if line:
            self.out.wait(line, timeout)  # what came before the echo is not the answer
        return line + self.out.wait(PROMPT, timeout)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shell")
    out = {
        "module": root / "module",
        "ivshmem": root / "ivshmem",
        "plain": root / "plain",
    }
    build("samples/subsys/shell/shell_module", out["module"])
    build("samples/subsys/shell/ivshmem", out["ivshmem"])
    build("samples/subsys/shell/ivshmem", out["plain"], "-DCONFIG_IVSHMEM_DOORBELL=n")
    return out


class VM:
    """`zpy run` with its console on stdin/stdout pipes (or where `serial` says)."""

    def __init__(self, build_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(zpy_cmd("run", "-d", str(build_dir), *args),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        stdout = self.proc.stdout
        self.console = Console(self._send, Output(stdout.fileno()))

    def _send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        console = getattr(self, "console", None)
        if console is not None:
            console.out.stop()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def vms() -> Iterator[list[VM]]:
    started: list[VM] = []
    yield started
    for vm in started:
        vm.stop()
    for out in list(_live):
        out.stop()


def start(vms: list[VM], build_dir: Path, *args: str) -> Console:
    vm = VM(build_dir, *args)
    vms.append(vm)
    vm.console.out.wait(PROMPT)
    return vm.console


# -- the console back ends -----------------------------------------------------------------------


def test_stdin_console_session_and_end_of_input(builds):
    script = ("kernel version\rdevice list\rdemo params a 'b c'\rnosuch 1\r"
              "kernel uptime 1 2\rdemo\r")
    done = subprocess.run(zpy_cmd("run", "-d", str(builds["module"])), input=script.encode(),
                          capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert "\r\n" in text and text.startswith(BANNER + "\r\n")
    lines = plain(text).split("\n")
    assert re.fullmatch(r"\[00:00:00\.\d{3},\d{3}\] <inf> app: shell_module sample started",
                        lines[1])
    assert "\n".join(lines[2:]) == "\n".join([
        "", "",
        PROMPT + "kernel version",
        "Zephyr version 4.1.0",
        PROMPT + "device list",
        "devices:",
        "- uart@3f8 (READY)",
        PROMPT + "demo params a 'b c'",
        "argc = 3",
        "  argv[0] = params",
        "  argv[1] = a",
        "  argv[2] = b c",
        PROMPT + "nosuch 1",
        "nosuch: command not found",
        PROMPT + "kernel uptime 1 2",
        "uptime: wrong parameter count",
        "uptime - Kernel uptime. Can be called with the -p or --pretty options",
        PROMPT + "demo",
        "demo - Demo commands",
        "Subcommands:",
        "  board   :Show board name command.",
        "  ping    :Ping command.",
        "  params  :Print params command.",
        PROMPT,
    ])
    assert done.stderr == b""


def test_help_golden(builds, vms):
    con = start(vms, builds["module"])
    assert con.command("help") == "\n".join([
        "help",
        "Please press the <Tab> button to see all available commands.",
        "You can also use the <Tab> button to prompt or auto-complete all commands or its "
        "subcommands.",
        "You can try to call commands with <-h> or <--help> parameter for more information.",
        "",
        "Shell supports following meta-keys:",
        "  Ctrl + (a key from: abcdefklnpuw)",
        "  Alt  + (a key from: bf)",
        "Please refer to shell documentation for more details.",
        "",
        "Available commands:",
        "  clear    :Clear screen.",
        "  demo     :Demo commands",
        "  device   :Device commands",
        "  help     :Prints the help message.",
        "  history  :Command history.",
        "  kernel   :Kernel commands",
        "  rem      :Ignore lines beginning with 'rem '",
        "  resize   :Console gets terminal screen size or assumes default in case the",
        "            readout fails. It must be executed after each terminal width change",
        "            to ensure correct text display.",
        "  retval   :Print return value of most recent command",
        "  shell    :Useful, not Unix-like shell commands.",
        PROMPT,
    ])


def test_reboot_cold_ends_the_run_with_status_0(builds, vms):
    con = start(vms, builds["module"])
    con.type("kernel reboot cold\r")
    assert vms[0].proc.wait(TIMEOUT) == 0


def _open_raw(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    return fd


def test_pty_console_tab_history_and_a_second_client(builds, vms):
    proc = subprocess.Popen(zpy_cmd("run", "-d", str(builds["module"]), "--serial", "pty"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vm = VM.__new__(VM)
    vm.proc = proc
    vms.append(vm)
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()
    m = re.fullmatch(r"char device redirected to (/dev/pts/\d+) \(label serial0\)\n", line)
    assert m, line
    fd = _open_raw(m.group(1))
    out = Output(fd)
    con = Console(lambda b: os.write(fd, b), out)
    out.wait(PROMPT)
    con.type("ker\t")
    out.wait("kernel ")
    con.type("vers\t")
    out.wait("version ")
    assert con.command("") == "\nZephyr version 4.1.0\n" + PROMPT
    con.type("\x1b[A")
    out.wait("kernel version")
    assert con.command("").endswith("Zephyr version 4.1.0\n" + PROMPT)
    con.type("de\t")  # demo, device: both listed, "de" kept
    listed = out.wait(PROMPT + "de")
    assert "demo" in listed and "device" in listed
    con.type("\x03")
    out.wait(PROMPT)
    out.stop()
    os.close(fd)  # the client goes away; the VM does not notice (the next client is served)
    fd = _open_raw(m.group(1))
    out2 = Output(fd)
    con2 = Console(lambda b: os.write(fd, b), out2)
    assert con2.command("demo ping").endswith("demo ping\npong\n" + PROMPT)
    con2.type("kernel reboot cold\r")
    assert proc.wait(TIMEOUT) == 0
    out2.stop()
    os.close(fd)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_tcp_server_waits_for_its_client_then_serves_the_next(builds, vms):
    port = _free_port()
    proc = subprocess.Popen(zpy_cmd("run", "-d", str(builds["module"]), "--serial",
                                    f"tcp:127.0.0.1:{port},server"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vm = VM.__new__(VM)
    vm.proc = proc
    vms.append(vm)
    assert proc.stderr is not None
    assert proc.stderr.readline().decode() == (
        f"zpy: waiting for connection on: disconnected:tcp:127.0.0.1:{port},server=on\n")
    sock = _connect(port)  # the banner below shows it waited for us to boot
    out = Output(sock.fileno())
    con = Console(sock.sendall, out)
    assert out.wait(PROMPT).startswith(BANNER)
    assert con.command("kernel version") == "kernel version\nZephyr version 4.1.0\n" + PROMPT
    out.stop()
    sock.close()
    sock = _connect(port)  # output meanwhile was dropped; Enter gives a fresh prompt
    out = Output(sock.fileno())
    con = Console(sock.sendall, out)
    assert con.command("") == "\n" + PROMPT
    assert con.command("demo ping") == "demo ping\npong\n" + PROMPT
    con.type("kernel reboot cold\r")
    assert proc.wait(TIMEOUT) == 0
    out.stop()
    sock.close()


def test_unix_server_nowait_boots_without_a_client(builds, vms, tmp_path):
    path = tmp_path / "console.sock"
    proc = subprocess.Popen(zpy_cmd("run", "-d", str(builds["module"]), "-serial",
                                    f"unix:{path},server,nowait"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vm = VM.__new__(VM)
    vm.proc = proc
    vms.append(vm)
    wait_for_path(path)  # boots without waiting (what it prints meanwhile is dropped:
    sock = socket.socket(socket.AF_UNIX)  # tests/unit/hw covers that)
    sock.connect(str(path))
    out = Output(sock.fileno())
    con = Console(sock.sendall, out)
    first = con.command("kernel version")
    assert first.endswith("kernel version\nZephyr version 4.1.0\n" + PROMPT)
    con.type("kernel reboot cold\r")
    assert proc.wait(TIMEOUT) == 0
    out.stop()
    sock.close()


def test_bad_serial_option_is_one_line(builds):
    done = subprocess.run(zpy_cmd("run", "-d", str(builds["module"]), "--serial", "tcp:x"),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "error: -serial tcp:x: expected tcp:HOST:PORT"


# -- the ivshmem shell module -------------------------------------------------------------------


def test_ivshmem_commands_golden(builds, vms, tmp_path):
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        con = start(vms, builds["ivshmem"], "-chardev", f"socket,path={sock},id=ivshmem")
        info = con.command("ivshmem")
        m = re.fullmatch(r"ivshmem\nIVshmem up and running: \n"
                         r"\tShared memory: 0x([0-9a-f]+) of size 4096 bytes\n"
                         r"\tPeer id: 0\n\tNotification vectors: 2\n" + re.escape(PROMPT), info)
        assert m, info
        assert con.command("ivshmem shmem").split("\n", 1)[1] == info.split("\n", 1)[1]
        assert con.command("ivshmem shmem x").startswith(
            "ivshmem shmem x\nshmem: wrong parameter count\n")
        assert con.command("ivshmem dump 0 20") == "\n".join([
            "ivshmem dump 0 20",
            "00000000: 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 |........ ........|",
            "00000010: 00 00 00 00                                      |....             |",
            PROMPT])
        errors = [
            ("ivshmem dump 0 4097", "Size is too big"),
            ("ivshmem dump 5000 4097", "Size is too big"),  # size is checked first
            ("ivshmem dump 4097 1", "Position is out of the shared memory"),
            ("ivshmem dump 4096 1", "Position and size overflow"),
            ("ivshmem dump 4000 97", "Position and size overflow"),
            ("ivshmem dump -1 1", "Position is out of the shared memory"),
            ("ivshmem dump 0 -1", "Size is too big"),
        ]
        for line, message in errors:
            assert con.command(line) == f"{line}\n{message}\n{PROMPT}"
        assert con.command("ivshmem dump 4095 1").split("\n")[1].startswith("00000000: 00 ")
        assert con.command("ivshmem dump 0 0") == "ivshmem dump 0 0\n" + PROMPT
        # non-numeric text reads as 0, as C's strtol
        assert con.command("ivshmem dump x 1").split("\n")[1].startswith("00000000: 00 ")
        assert con.command("ivshmem dump 1") == (
            "ivshmem dump 1\ndump: wrong parameter count\ndump - Dump shared memory content\n"
            + PROMPT)
        assert con.command("ivshmem int_peer 0 5") == (
            "ivshmem int_peer 0 5\nCould not notify peer 0 on 5. status -22\n" + PROMPT)
        assert con.command("retval").split("\n")[1] == "-5"  # -EIO
        assert con.command("ivshmem get_notified 9") == (
            "ivshmem get_notified 9\nCould not get notifications on vector 9\n" + PROMPT)
        assert con.command("ivshmem get_notified -1") == (
            "ivshmem get_notified -1\nCould not get notifications on vector 4294967295\n"
            + PROMPT)
        assert con.command("ivshmem int_peer") == (
            "ivshmem int_peer\nint_peer: wrong parameter count\n"
            "int_peer - Notify a vector on a peer\n" + PROMPT)
        assert con.command("ivshmem get_notified 0") == (
            "ivshmem get_notified 0\nNotifications enabled for vector 0\n" + PROMPT)
        # a ring of our own vector 0 by text that reads as peer 0, vector 0
        sent = con.command("ivshmem int_peer me you")
        assert "\nNotification sent to peer 0 on vector 0\n" in sent
        # the notification thread prints when the ring arrives: before or after that line
        if "Received a notification on vector 0" not in sent:
            con.out.wait("Received a notification on vector 0")
        # from zpy ivshmem-client: int <our id> 0
        client = subprocess.run(zpy_cmd("ivshmem-client", "-S", str(sock), "--once"),
                                input="int 0 0\n", capture_output=True, text=True,
                                timeout=TIMEOUT)
        assert client.returncode == 0, client.stderr
        got = con.out.wait("Received a notification on vector 0")
        # a line of its own (after the prompt the shell redrew), printed once
        assert got.rsplit("\n", 1)[-1].removeprefix(PROMPT) == "Received a notification on vector 0"
        assert got.count("Received a notification") == 1
        assert con.command("kernel thread list").count("notification_thread") == 1


def test_ivshmem_int_peer_rings_another_vm(builds, vms, tmp_path):
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        a = start(vms, builds["ivshmem"], "-chardev", f"socket,path={sock},id=ivshmem")
        b = start(vms, builds["ivshmem"], "-chardev", f"socket,path={sock},id=ivshmem")
        assert "\tPeer id: 1\n" in b.command("ivshmem")
        assert a.command("ivshmem get_notified 1").endswith(
            "Notifications enabled for vector 1\n" + PROMPT)
        assert b.command("ivshmem int_peer 0 1") == (
            "ivshmem int_peer 0 1\nNotification sent to peer 0 on vector 1\n" + PROMPT)
        a.out.wait("Received a notification on vector 1")


def test_ivshmem_doorbell_disabled_on_a_plain_build(builds, vms, tmp_path):
    shm = tmp_path / "shm"
    con = start(vms, builds["plain"], "-object",
                f"memory-backend-file,size=1M,share=on,mem-path={shm},id=hostmem")
    assert "\tNotification vectors: 0\n" in con.command("ivshmem")
    assert "of size 1048576 bytes" in con.command("ivshmem")
    for line in ("ivshmem int_peer 1 0", "ivshmem get_notified 0"):
        assert con.command(line) == f"{line}\nCONFIG_IVSHMEM_DOORBELL is not enabled\n{PROMPT}"
    assert con.command("retval").split("\n")[1] == "0"


def test_shared_memory_shrunk_under_the_vm_is_a_reported_bus_error(builds, vms, tmp_path):
    shm = tmp_path / "shm"
    con = start(vms, builds["plain"], "-object",
                f"memory-backend-file,size=4K,share=on,mem-path={shm},id=hostmem")
    os.truncate(shm, 0)  # another process shrinks the object the VM maps
    con.type("ivshmem dump 0 16\r")
    proc = vms[-1].proc
    assert proc.wait(TIMEOUT) == -signal.SIGBUS
    assert proc.stderr is not None
    lines = proc.stderr.read().decode().splitlines()
    assert lines[0] == "Fatal Python error: Bus error"
    assert any("virt_ivshmem_shell.py" in line and "cmd_ivshmem_dump" in line for line in lines)


def test_ivshmem_device_not_ready(builds, vms):
    con = start(vms, builds["ivshmem"], "-nodefaults")  # no ivshmem device on the PCI bus
    for line in ("ivshmem", "ivshmem dump 0 1", "ivshmem int_peer 1 0",
                 "ivshmem get_notified 0"):
        assert con.command(line) == f"{line}\nIVshmem device is not ready\n{PROMPT}"
    listing = con.command("device list").split("\n")
    assert "- ivshmem (DISABLED)" in listing and "- uart@3f8 (READY)" in listing


def test_console_client_disconnect_does_not_stop_the_vm(builds, vms):
    port = _free_port()
    proc = subprocess.Popen(zpy_cmd("run", "-d", str(builds["module"]), "--serial",
                                    f"tcp:127.0.0.1:{port},server,nowait"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    vm = VM.__new__(VM)
    vm.proc = proc
    vms.append(vm)
    for _ in range(3):
        sock = _connect(port)
        sock.sendall(b"kernel ver")  # half a line, then gone (reset)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    sock = _connect(port)  # the VM outlived them: it serves the next client
    assert proc.poll() is None
    out = Output(sock.fileno())
    con = Console(sock.sendall, out)
    con.type("\x03")  # drop what earlier clients left on the line
    out.wait(PROMPT)
    assert con.command("kernel version").endswith("Zephyr version 4.1.0\n" + PROMPT)
    proc.terminate()
    assert proc.wait(TIMEOUT) == 128 + 15
    out.stop()
    sock.close()
