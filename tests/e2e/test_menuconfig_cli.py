"""`zpy menuconfig` / `zpy guiconfig` on a build folder: a real curses session in a pty that
turns CONFIG_BOOT_BANNER off, and the one-line errors without a terminal or a display."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pexpect

from . import console
from .runner import build, zpy, zpy_cmd


def test_menuconfig_in_a_terminal_turns_the_banner_off(tmp_path: Path) -> None:
    build("samples/hello_world", tmp_path / "b")
    env = dict(os.environ, TERM="xterm")
    cmd = zpy_cmd("menuconfig", "-d", str(tmp_path / "b"))
    term = console.terminal(cmd, env=env)
    try:
        term.expect_exact("Jump to symbol")
        term.send("/")
        term.expect_exact("Jump to symbol/choice/menu/comment")
        term.send("BOOT_BANNER\r")  # keys are read in order: the first match is chosen
        term.expect_exact("Boot banner string")
        term.send(" S")  # [*] Boot banner -> [ ], then save
        term.expect_exact("Filename to save")
        term.send("\r")
        term.expect_exact("Configuration saved to")
        term.send("\rQ")  # dismiss the message, quit: the build runs again
        term.expect_exact("Linking image")
        term.expect(pexpect.EOF)
    finally:
        term.close(force=True)
    assert term.exitstatus == 0
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
