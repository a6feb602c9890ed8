"""Run a documentation page's commands as written, in one shell, as a reader would.

A page's ```console blocks hold commands (`$ ` lines, `\\` continues one) and,
under each, lines of what it prints. Every command runs, in order, in one bash
started in the source tree, with this venv's `zpy` first on PATH; one that
ends with `&` keeps running in the background, as in a terminal. A command
must exit 0, and every line shown under it must then appear in the shell's
output after the command started (from it, or from a background job), in
order; `...` stands for anything, as a whole line or inside one. The shell
and its background jobs end with the run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: seconds a command may take, and then what it shows
TIMEOUT = 60


@dataclass(frozen=True)
class Step:
    command: str
    expected: tuple[str, ...]
    line: int  # of the page


def steps(page: Path) -> list[Step]:
    """The commands of the page's ```console blocks, with the lines shown under each."""
    out: list[Step] = []
    in_block = False
    command: list[str] = []
    expected: list[str] = []
    start = 0

    def flush() -> None:
        if command:
            shown = tuple(e for e in expected if e.strip() not in ("", "..."))
            out.append(Step("\n".join(command), shown, start))
        command.clear()
        expected.clear()

    for number, line in enumerate(page.read_text().splitlines(), 1):
        if line.startswith("```"):
            if in_block:
                flush()
            in_block = line.strip() == "```console"
            continue
        if not in_block:
            continue
        if command and command[-1].endswith("\\") and not expected:
            command.append(line)
        elif line.startswith("$ "):
            flush()
            command.append(line[2:])
            start = number
        elif command:
            expected.append(line)
    return out


def _pattern(shown: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in shown.strip().split("...")))


class Shell:
    """One bash, fed the commands on its standard input; its output goes to `log`."""

    def __init__(self, cwd: Path, log: Path) -> None:
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                   f"{os.environ.get('PATH', '')}")
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=self._out,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self._n = 0

    def _send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def _wait(self, what: str, found: object) -> str:
        deadline = time.monotonic() + TIMEOUT
        while True:
            text = self.text()
            if found(text):  # type: ignore[operator]
                return text
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{what} within {TIMEOUT} s; the shell printed:\n{text}")
            time.sleep(0.05)

    def run(self, step: Step, where: str) -> str:
        """Run `step`; its output and its background jobs' since it started."""
        self._n += 1
        mark, done = f"@@ step {self._n} @@", f"@@ done {self._n} "
        self._send(f"echo '{mark}'\n{step.command}\necho \"{done}$? @@\"")
        text = self._wait(f"{where}: `{step.command}` did not finish", lambda t: done in t)
        rc = int(text.split(done, 1)[1].split(" ", 1)[0])
        since = text.split(mark + "\n", 1)[1]
        assert rc == 0, f"{where}: `{step.command}` exited with {rc}:\n{since}"

        def shown(text: str) -> bool:
            lines = text.split(mark + "\n", 1)[1].splitlines()
            i = 0
            for pattern in map(_pattern, step.expected):
                while i < len(lines) and not pattern.search(lines[i]):
                    i += 1
                if i == len(lines):
                    return False
                i += 1
            return True

        text = self._wait(f"{where}: `{step.command}` did not show what the page shows "
                          f"({list(step.expected)})", shown)
        return text.split(mark + "\n", 1)[1]

    def close(self) -> None:
        """End the background jobs, then the shell."""
        try:
            self._send("kill $(jobs -p) 2>/dev/null; wait; exit 0")
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self._out.close()
