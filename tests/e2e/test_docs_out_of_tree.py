"""docs/driver-model.md, "Write your own driver, out of tree": its commands, run as written.

Each `$ ` line of the section's code blocks is run by a shell, in order, from a
folder that looks like the zpy tree to them (its samples/ is the tree's), with
this checkout's `zpy` first on PATH; each must exit 0, and the lines shown after
it must appear in its output in that order (`...` alone skips lines, `...`
inside a line matches anything there).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .runner import ZEPHYR_BASE

DOC = ZEPHYR_BASE / "docs/driver-model.md"
SECTION = "## Write your own driver, out of tree"


def commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of every `$ ` line in the section's code blocks."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end >= 0 else None]
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```\n(.*?)^```$", section, re.M | re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


def line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in expected.split("...")) + r"\Z")


def shows(output: str, expected: list[str]) -> str | None:
    """None if every expected line (but `...`) is a line of output, in order; else the first
    one that is not."""
    lines = iter(output.splitlines())
    for want in expected:
        if want == "...":
            continue
        pattern = line_pattern(want)
        if not any(pattern.match(line) for line in lines):
            return want
    return None


def test_the_section_has_a_command_per_step():
    steps = commands(DOC.read_text())
    assert [cmd.split()[1] for cmd, _ in steps] == [
        "build", "explain", "explain", "run", "explain", "build", "run", "twister"]


def test_the_commands_run_as_written(tmp_path: Path):
    (tmp_path / "samples").symlink_to(ZEPHYR_BASE / "samples")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for cmd, expected in commands(DOC.read_text()):
        done = subprocess.run(cmd, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=600)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"$ {cmd}\n{output}"
        missing = shows(output, expected)
        assert missing is None, f"$ {cmd}: no line {missing!r} in:\n{output}"


def test_the_output_check_can_fail():
    assert shows("a\nb 12 c\n", ["...", "b ... c"]) is None
    assert shows("a\nb 12 c\n", ["b ... c", "a"]) == "a"  # order matters
    assert shows("ab\n", ["a"]) == "a"  # whole lines
