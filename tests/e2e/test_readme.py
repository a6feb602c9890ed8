"""The README's worked example, run as a user types it, compared with what it shows.

Each command line (`$ ...`) of the example's blocks runs in one bash, in order, with
background jobs (`&`) as written; the lines under a command are what the terminal
shows before the next one: that command's output and the background jobs' lines.
Within a step, lines of different processes may come in any order, so a step
matches when its lines are the expected ones as a multiset. `...` alone stands for
any lines; inside a line, for any text (a path prefix).

The example uses Zephyr's default socket and shared memory name, so it runs in a
mount namespace of its own with a private /tmp and /dev/shm (CI runs as root).
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TIMEOUT = 60.0


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)

    @property
    def background(self) -> bool:
        return self.command.split("#")[0].rstrip().endswith("&")


def example_steps(text: str) -> list[Step]:
    """The `$ command` lines of the worked example's indented blocks, with their output."""
    section = text.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    in_block = False
    for line in section.splitlines():
        if line.startswith("    $ "):
            steps.append(Step(line[6:]))
            in_block = True
        elif line.startswith("    ") and in_block and line.strip():
            steps[-1].expected.append(line[4:])
        else:
            in_block = False
    return steps


def line_matches(pattern: str, line: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("..."))
    return re.fullmatch(regex, line) is not None


def step_matches(expected: list[str], got: list[str]) -> bool:
    if "..." in expected:  # one process's output, in order, with gaps
        regex = "".join("(?:.*\n)*?" if e == "..." else
                        ".*".join(re.escape(p) for p in e.split("...")) + "\n"
                        for e in expected)
        return re.fullmatch(regex, "".join(g + "\n" for g in got)) is not None
    left = list(got)
    for pattern in expected:
        hit = next((g for g in left if line_matches(pattern, g)), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def unshare_works() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


class Terminal:
    """One bash in a private mount namespace; stdout and stderr on one pipe, as a terminal."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["unshare", "-m", "bash", "--norc", "--noprofile"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._buf = b""
        self.marks = 0

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def run(self, command: str) -> list[str]:
        """A foreground command: its lines once bash has moved on."""
        self.marks += 1
        mark = f"@@zpy-readme-{self.marks}@@"
        self.send(f"{command}\necho {mark}")
        lines = self.lines_until(lambda got: mark in got)
        return [line for line in lines if line != mark]

    def lines_until(self, done, timeout: float = TIMEOUT,  # type: ignore[no-untyped-def]
                    or_what_came: bool = False) -> list[str]:
        """Lines until done(lines); on timeout, an error (or the lines, with or_what_came)."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while not done(got):
                left = deadline - time.monotonic()
                if left <= 0:
                    if or_what_came:
                        return got
                    raise AssertionError(f"timed out; the terminal showed {got}")
                if selector.select(left):
                    data = os.read(self._fd, 65536)
                    assert data, f"bash exited; the terminal showed {got}"
                    self._buf += data
                    *complete, self._buf = self._buf.split(b"\n")
                    got += [c.decode(errors="replace") for c in complete]
        return got

    def close(self) -> None:
        self.send("kill $(jobs -p) 2>/dev/null; exit")
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def test_readme_example_is_parsed():
    steps = example_steps(README.read_text())
    commands = [s.command.split("  #")[0] for s in steps]
    assert commands[:2] == ["zpy build -b qemu_x86_64 samples/hello_world", "zpy run"]
    assert "echo \"int 0 0\" | zpy ivshmem-client --once" in commands
    assert sum(s.background for s in steps) == 2


@pytest.mark.skipif(not unshare_works(), reason="needs root for a private /tmp and /dev/shm "
                    "(the example uses Zephyr's default socket and shared memory)")
def test_readme_example_prints_what_the_readme_shows():
    term = Terminal()
    try:
        venv_bin = Path(sys.executable).parent
        term.run("set -m; exec 2>&1; mount --make-rprivate / && mount --bind /tmp /mnt "
                 "&& mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /dev/shm")
        # A checkout under /tmp (a CI clone, say) stays reachable at its path.
        for top in {Path("/tmp", p.relative_to("/tmp").parts[0])
                    for p in (ROOT, venv_bin) if p.is_relative_to("/tmp")}:
            term.run(f"ln -s /mnt/{top.name} {top}")
        term.run(f"mkdir /tmp/readme && cd /tmp/readme && ln -s {ROOT}/samples samples "
                 f"&& export PATH={venv_bin}:$PATH")
        for step in example_steps(README.read_text()):
            want = [e for e in step.expected if e != "..."]
            if step.background:
                term.send(step.command)
                got = term.lines_until(
                    lambda got, want=want: step_matches(want, got) or len(got) > len(want))
            else:
                got = term.run(step.command)
                if not step_matches(step.expected, got):  # background lines may trail
                    got += term.lines_until(
                        lambda more, got=got, step=step: step_matches(step.expected, got + more)
                        or len(got + more) > len(step.expected) + 50, timeout=10,
                        or_what_came=True)
            assert step_matches(step.expected, got), (step.command, got)
    finally:
        term.close()
