"""Shell images booted in-process on a synthetic console: a pipe in, a byte sink out.

The app is built once per session with the real build front end (Kconfig gives
every CONFIG_SHELL_* its Zephyr default); each test links and boots it afresh.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.unit.kernel.conftest import Console
from zpy.build import build
from zpy.build.paths import zephyr_base
from zpy.hw.chardev import StreamChardev
from zpy.runtime import Runtime

APP = Path(__file__).parent / "apps" / "cmds"
#: the blink driver its overlay's LEDs need: a Zephyr module in zpy's samples
BLINK_MODULE = f"-DZEPHYR_EXTRA_MODULES={zephyr_base() / 'samples/drivers/blink'}"
_ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[78])")


_RIGHT = re.compile(r"\x1b\[(\d+)C")


def plain(text: str) -> str:
    """The transcript as text: cursor-right moves as spaces (what a fresh line shows), other
    escapes and carriage returns dropped."""
    text = _RIGHT.sub(lambda m: " " * int(m.group(1)), text)
    return _ANSI.sub("", text).replace("\r", "")


class Term:
    """A user at the shell: types bytes, waits for output."""

    def __init__(self, runtime: Runtime, console: Console, wfd: int) -> None:
        self.rt = runtime
        self.console = console
        self._wfd = wfd
        self.mark = 0

    def type(self, data: str | bytes) -> None:
        os.write(self._wfd, data.encode() if isinstance(data, str) else data)

    def raw(self) -> str:
        return self.console.text()

    def wait(self, needle: str, timeout: float = 5.0) -> str:
        """Wait for needle in the output after the mark; returns that output (raw)."""
        def seen() -> bool:  # runs with the console's lock held
            return needle in self.console._buf.decode()[self.mark:]
        with self.console.changed:
            ok = self.console.changed.wait_for(seen, timeout)
        text = self.console.text()[self.mark:]
        assert ok, f"{needle!r} not seen in:\n{text!r}"
        return text

    def wait_for(self, done: Callable[[str], bool], timeout: float = 5.0) -> str:
        """Wait until done(output after the mark) holds; returns that output (raw)."""
        def seen() -> bool:  # runs with the console's lock held
            return done(self.console._buf.decode()[self.mark:])
        with self.console.changed:
            ok = self.console.changed.wait_for(seen, timeout)
        text = self.console.text()[self.mark:]
        assert ok, f"not seen in:\n{text!r}"
        return text

    def command(self, line: str, timeout: float = 5.0) -> str:
        """Type a line; the raw output up to and including the next prompt."""
        self.mark = len(self.console.text())
        self.type(line + "\r")
        out = self.wait("uart:~$ ", timeout)
        end = out.index("uart:~$ ")
        return out[: end + len("uart:~$ ")]

    def close_input(self) -> None:
        os.close(self._wfd)
        self._wfd = -1


@pytest.fixture(scope="session")
def shell_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shell-builds")
    out: dict[str, Path] = {}
    for name, extra in (("plain", ["-DCONFIG_SHELL_VT100_COLORS=n"]), ("color", [])):
        result = build(APP, "qemu_x86_64", root / name, "always", [*extra, BLINK_MODULE],
                       out=lambda s: None, warn=lambda s: None)
        out[name] = result.build_dir
    return out


@pytest.fixture
def term(shell_builds: dict[str, Path]) -> Iterator[callable]:
    """term(kind="plain") -> a booted shell image at its first prompt."""
    opened: list[tuple[Runtime, Term, int]] = []

    def start(kind: str = "plain") -> Term:
        rfd, wfd = os.pipe()
        console = Console()
        rt = Runtime(shell_builds[kind], serial=StreamChardev(console, rfd))
        t = Term(rt, console, wfd)
        opened.append((rt, t, rfd))
        rt.start()
        t.wait("uart:~$ ")
        t.mark = len(console.text())
        return t

    yield start
    for rt, t, rfd in opened:
        rt.close()
        for fd in (rfd, t._wfd):
            try:
                os.close(fd)
            except OSError:
                pass


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
