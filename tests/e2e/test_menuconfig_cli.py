"""`zpy menuconfig` / `zpy guiconfig` on a build folder: a real curses session in a pty that
turns CONFIG_BOOT_BANNER off, and the one-line errors without a terminal or a display."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

from .runner import build, zpy, zpy_cmd


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} not seen"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break


def test_menuconfig_in_a_terminal_turns_the_banner_off(tmp_path: Path) -> None:
    build("samples/hello_world", tmp_path / "b")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm")
    proc = subprocess.Popen(zpy_cmd("menuconfig", "-d", str(tmp_path / "b")), stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"Jump to symbol", seen)
        os.write(master, b"/")
        _read_until(master, b"Jump to symbol/choice/menu/comment", seen)
        # keys are read in order: the search sees all of BOOT_BANNER before Enter
        os.write(master, b"BOOT_BANNER\r")
        _read_until(master, b"Boot banner string", seen)
        os.write(master, b" S")  # [*] Boot banner -> [ ], then save
        _read_until(master, b"Filename to save", seen)
        os.write(master, b"\r")
        _read_until(master, b"Configuration saved to", seen)
        os.write(master, b"\rQ")  # dismiss "Configuration saved", quit
        _read_until(master, b"Linking image", seen, 20)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert "# CONFIG_BOOT_BANNER is not set" in (tmp_path / "b/zephyr/.config").read_text()
    run = zpy("run", "-d", str(tmp_path / "b"))
    assert run.stdout == "Hello World! qemu_x86_64\n"


def test_guiconfig_without_a_display_and_menuconfig_without_a_terminal(tmp_path: Path) -> None:
    build("samples/hello_world", tmp_path / "b")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(zpy_cmd("guiconfig", "-d", str(tmp_path / "b")), env=env,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert done.stderr == ("error: guiconfig needs a graphical display and DISPLAY is not set: "
                           "use zpy menuconfig in a terminal\n")
    done = subprocess.run(zpy_cmd("menuconfig", "-d", str(tmp_path / "b")),
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stderr) == (1, "error: menuconfig needs an interactive "
                                                 "terminal\n")
    done = zpy("menuconfig", "-d", str(tmp_path / "none"))
    assert done.returncode == 1 and done.stderr.startswith(
        f"error: {tmp_path / 'none'} is not a configured build folder\n")
