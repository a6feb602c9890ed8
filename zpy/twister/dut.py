"""A running `zpy run` seen as a device under test: console lines out, bytes in.

The same object serves the line harnesses (readline with a deadline), the
shell harness and the pytest fixtures (`dut`, `shell`), in the manner of
pytest-twister-harness's DeviceAdapter and Shell. A reader thread copies the
console into handler.log and a line buffer; a line still being written (a
shell prompt has no newline) is visible to readlines_until.
"""

from __future__ import annotations

import codecs
import os
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

PROMPT = "uart:~$ "
_ANSI = re.compile(r"\x1b(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])")


class DUTError(Exception):
    """The device did not do what was expected (it exited, or output never came)."""


class DUTTimeout(DUTError, TimeoutError):
    """Output did not come in time."""


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def exit_status(returncode: int | None) -> int | None:
    """A shell's view of an exit: a signal N is 128 + N."""
    if returncode is None or returncode >= 0:
        return returncode
    return 128 - returncode


class DeviceAdapter:
    """A VM process with its console. launch() it, read lines, write input, close() it."""

    def __init__(self, command: Sequence[str], log_path: Path | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None,
                 on_line: Callable[[str], None] | None = None) -> None:
        self.command = list(command)
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self.on_line = on_line
        self.proc: subprocess.Popen[bytes] | None = None
        self._lines: deque[str] = deque()
        self._partial = ""
        self._eof = False
        self._cond = threading.Condition()
        self._reader: threading.Thread | None = None
        self._log: IO[bytes] | None = None
        self.started_at = 0.0
        self.ended_at: float | None = None

    # -- life cycle ------------------------------------------------------------------------

    def launch(self) -> None:
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed by the reader)
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd, start_new_session=True)
        self._reader = threading.Thread(target=self._read, name="dut-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if self._log is not None and chunk:
                    self._log.write(chunk)
                    self._log.flush()
                text = decoder.decode(chunk, final=not chunk)
                with self._cond:
                    self._partial += text.replace("\r", "")
                    *complete, self._partial = self._partial.split("\n")
                    if not chunk and self._partial:
                        complete.append(self._partial)
                        self._partial = ""
                    self._lines.extend(complete)
                    if not chunk:
                        self._eof = True
                    self._cond.notify_all()
                if self.on_line is not None:
                    for line in complete:
                        self.on_line(line)
                if not chunk:
                    break
        finally:
            if self._log is not None:
                self._log.close()
            self.ended_at = time.monotonic()

    @property
    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else exit_status(self.proc.poll())

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the process to end by itself; its exit status, or None if it did not."""
        if self.proc is None:
            return None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self._reader is not None:
            self._reader.join(2)
        return self.returncode

    def _final_status(self) -> int | None:
        """The exit status once the console has closed (the process ends right after)."""
        if self.proc is not None:
            try:
                self.proc.wait(1.0)
            except subprocess.TimeoutExpired:
                pass
        return self.returncode

    def close(self, grace: float = 0.0) -> int | None:
        """Stop the VM (after `grace` seconds of letting it end by itself): SIGTERM, then
        SIGKILL if it is still there after a second, as twister stops QEMU."""
        if self.proc is None:
            return None
        if grace > 0:
            self.wait(grace)
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(1.0)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join(2)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.returncode

    def _signal(self, sig: int) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)  # its own session: the VM and anything it started
        except (ProcessLookupError, PermissionError):
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass

    # -- console ---------------------------------------------------------------------------

    def write(self, data: bytes | str) -> None:
        if self.proc is None or self.proc.stdin is None:
            raise DUTError("the device is not running")
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise DUTError(f"the device is not running (exit status {self.returncode})") \
                from None

    def clear_buffer(self) -> None:
        """Forget what was printed but not read yet."""
        with self._cond:
            self._lines.clear()
            self._partial = ""

    def readline(self, timeout: float | None = None) -> str | None:
        """The next complete line; None once the VM has exited and everything was read.

        Raises DUTTimeout if no line comes within `timeout` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._lines:
                if self._eof:
                    return None
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise DUTTimeout(f"no output within {timeout:.1f} s")
                self._cond.wait(left)
            return self._lines.popleft()

    def readlines(self) -> list[str]:
        """Every complete line printed so far and not read yet."""
        with self._cond:
            lines = list(self._lines)
            self._lines.clear()
            return lines

    def read_until(self, match: Callable[[str], bool], timeout: float | None = None,
                   partial: bool = True) -> list[str]:
        """Lines up to and including the first one `match` accepts.

        With `partial`, a line still being written counts too (a prompt ends
        without a newline). Raises DUTTimeout, or DUTError if the VM exits first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        out: list[str] = []
        with self._cond:
            while True:
                while self._lines:
                    line = self._lines.popleft()
                    out.append(line)
                    if match(line):
                        return out
                if partial and self._partial and match(self._partial):
                    out.append(self._partial)
                    self._partial = ""
                    return out
                if self._eof:
                    raise DUTError(f"the device exited (status {self._final_status()}) before "
                                   "the expected output; it printed:\n" + "\n".join(out))
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise DUTTimeout(f"expected output did not come within {timeout:.1f} s; "
                                     "got:\n" + "\n".join(out))
                self._cond.wait(left)

    def readlines_until(self, regex: str | None = None, num_of_lines: int | None = None,
                        timeout: float | None = None, print_output: bool = True) -> list[str]:
        """pytest-twister-harness's call: lines until one matches `regex` (searched), or
        `num_of_lines` lines; with neither, what is there now."""
        del print_output  # the console is in handler.log already
        if regex is not None:
            pattern = re.compile(regex)
            return self.read_until(lambda line: pattern.search(line) is not None, timeout)
        if num_of_lines is not None:
            count = [0]

            def enough(line: str) -> bool:
                count[0] += 1
                return count[0] >= num_of_lines

            return self.read_until(enough, timeout, partial=False)
        return self.readlines()


class Shell:
    """The Zephyr shell on a DUT's console: send a command, get its output lines."""

    def __init__(self, dut: DeviceAdapter, prompt: str = PROMPT, timeout: float = 10.0) -> None:
        self.dut = dut
        self.prompt = prompt
        self.base_timeout = timeout

    def is_prompt(self, line: str) -> bool:
        return strip_ansi(line).rstrip() == self.prompt.rstrip()

    def wait_for_prompt(self, timeout: float | None = None) -> bool:
        """True once the prompt shows; presses Enter now and then, as a user would.
        False if it does not come in time or the device exits."""
        deadline = time.monotonic() + (timeout or self.base_timeout)
        poke = 0.5
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                self.dut.read_until(self.is_prompt, min(poke, left))
                return True
            except DUTTimeout:
                try:
                    self.dut.write(b"\n")
                except DUTError:
                    return False
            except DUTError:
                return False
            poke = min(poke * 2, 2.0)

    def exec_command(self, command: str, timeout: float | None = None,
                     print_output: bool = True) -> list[str]:
        """Run `command`; the lines it printed, without the echo and the prompt.

        As pytest-twister-harness does, first the echo, then the next line that
        starts with the prompt: a printk from another thread may land on the
        prompt's line ("uart:~$ Received ..."), and that text is output too.
        """
        del print_output
        timeout = timeout or self.base_timeout
        deadline = time.monotonic() + timeout
        self.dut.clear_buffer()
        self.dut.write(f"{command}\n".encode())
        typed = command.strip()
        if typed:
            self.dut.read_until(lambda line: strip_ansi(line).rstrip().endswith(typed),
                                timeout, partial=False)
        left = max(0.0, deadline - time.monotonic())
        lines = [strip_ansi(line) for line in self.dut.read_until(self.starts_with_prompt, left)]
        rest = lines.pop()[len(self.prompt.rstrip()):].strip()
        return lines + ([rest] if rest else [])

    def starts_with_prompt(self, line: str) -> bool:
        return strip_ansi(line).startswith(self.prompt.rstrip())
