"""The runner of documentation commands fails where the page and the commands disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import doc_commands
from tests.e2e.doc_commands import Shell, Step, steps

PAGE = """\
Some text, and a block that is not run:

```
$ false
```

```console
$ printf 'one\\ntwo\\nthree\\n'
one
...
three
$ until [ -e go ]; do sleep 0.01; done && echo "late: $((6 * 7))" &
$ echo \\
  continued && touch go
continued
late: 42
```
"""


def test_console_blocks_are_commands_with_what_they_show(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert steps(page) == [
        Step("printf 'one\\ntwo\\nthree\\n'", ("one", "three"), 8),
        Step('until [ -e go ]; do sleep 0.01; done && echo "late: $((6 * 7))" &', (), 12),
        Step("echo \\\n  continued && touch go", ("continued", "late: 42"), 13),
    ]


def test_commands_run_in_one_shell_and_must_show_what_the_page_shows(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    shell = Shell(tmp_path, tmp_path / "log")
    try:
        for step in steps(page):
            shell.run(step, "page")  # the background job's line counts for the next command
    finally:
        shell.close()


@pytest.mark.parametrize(("command", "shown", "why"), [
    ("echo two; echo one", ("one", "two"), "did not show what the page shows"),
    ("exit_status() { return 3; }; exit_status", (), "exited with 3"),
])
def test_a_disagreement_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str,
                              shown: tuple[str, ...], why: str) -> None:
    monkeypatch.setattr(doc_commands, "TIMEOUT", 1)
    shell = Shell(tmp_path, tmp_path / "log")
    try:
        with pytest.raises(AssertionError, match=why):
            shell.run(Step(command, shown, 1), "page")
    finally:
        shell.close()
