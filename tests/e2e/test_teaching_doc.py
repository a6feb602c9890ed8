"""docs/teaching.md, run as written: every command, in order, in one shell (doc_commands)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.doc_commands import Shell, steps
from tests.e2e.runner import ZEPHYR_BASE

PAGE = ZEPHYR_BASE / "docs" / "teaching.md"
PICTURE = ZEPHYR_BASE / "docs" / "images" / "tour-init-order.svg"


def test_the_page_has_the_tour_in_commands() -> None:
    commands = [s.command for s in steps(PAGE)]
    assert commands[0].startswith("zpy build -p always ")
    assert any("--view" in c for c in commands)
    assert any(c.startswith("zpy draw init-order") for c in commands)
    assert sum(c.startswith("zpy explain") for c in commands) >= 3
    assert all(s.expected for s in steps(PAGE) if s.command.startswith("zpy explain"))


@pytest.mark.timeout(600)
def test_every_command_of_the_tour_as_written(tmp_path: Path) -> None:
    shell = Shell(ZEPHYR_BASE, tmp_path / "shell.log")
    try:
        for step in steps(PAGE):
            out = shell.run(step, f"docs/teaching.md:{step.line}")
            if "--view" in step.command:
                # the page the tour asks the reader to open is there
                url = re.search(r"view of the running VM on (http://\S+/)", out)
                assert url is not None, out
                with urllib.request.urlopen(url.group(1) + "config.json", timeout=10) as r:
                    assert json.load(r)["vms"][0]["label"] == "doorbell"
            if step.command.startswith("zpy draw init-order"):
                drawn = ZEPHYR_BASE / "build" / "tour" / "init-order.svg"
                assert drawn.read_text() == PICTURE.read_text(), (
                    f"{PICTURE} is not what the tour draws: copy {drawn} over it")
    finally:
        shell.close()
