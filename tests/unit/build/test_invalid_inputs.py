"""Every malformed input of the build layer gives one error line that names file:line.

Each fixtures/invalid_*/ folder is an app (or the remains of one). Its sidecar
files say what to expect:

  expected  first line: the exact error line (or, after '~', a prefix of it);
            further lines: text that must also appear on stderr (warnings)
  args      optional: the words after `zpy build` (default: -b qemu_x86_64 -d {build} {app})

Placeholders: {app} (the fixture folder), {build} (the build folder), {base}
(ZEPHYR_BASE). The command runs in-process through zpy's real entry point.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from zpy.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("invalid_*"))
DEFAULT_ARGS = "-b qemu_x86_64 -d {build} {app}"
ERROR_LINE = re.compile(r"(^|: )error: ")


def test_enough_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name.removeprefix("invalid_"))
def test_invalid(case: Path, tmp_path: Path, base: Path,
                 capsys: pytest.CaptureFixture[str]) -> None:
    def fill(text: str) -> str:
        return (text.replace("{app}", str(case)).replace("{build}", str(tmp_path / "build"))
                .replace("{base}", str(base)))

    args_file = case / "args"
    args = args_file.read_text().strip() if args_file.exists() else DEFAULT_ARGS
    expected, *also = fill((case / "expected").read_text()).splitlines()

    status = main(["build", *shlex.split(fill(args))])
    captured = capsys.readouterr()
    stderr = captured.err

    assert status != 0
    assert "Traceback" not in captured.out + stderr
    errors = [line for line in stderr.splitlines() if ERROR_LINE.search(line)]
    assert len(errors) == 1, stderr
    if expected.startswith("~"):
        assert errors[0].startswith(expected[1:]), stderr
    else:
        assert errors[0] == expected, stderr
    for text in also:
        assert text in stderr
