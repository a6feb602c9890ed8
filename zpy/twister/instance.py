"""A scenario on one platform (twister's TestInstance), its test cases and their statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario


class Status(StrEnum):
    """twister's statuses, spelled as in twister.json."""

    NONE = "none"
    PASS = "passed"
    FAIL = "failed"
    ERROR = "error"
    SKIP = "skipped"
    FILTER = "filtered"
    BLOCK = "blocked"
    STARTED = "started"
    NOTRUN = "not run"

    @property
    def shout(self) -> str:
        """The word of the progress line: PASSED, FAILED, NOT RUN, ..."""
        return {"passed": "PASSED", "failed": "FAILED", "error": "ERROR",
                "skipped": "SKIPPED", "filtered": "FILTERED", "blocked": "BLOCKED",
                "not run": "NOT RUN"}.get(self.value, self.value.upper())


@dataclass
class TestCase:
    __test__ = False  # not a pytest class, whatever its name
    identifier: str  # <scenario id>.<suite>.<test> for ztest, the scenario id otherwise
    status: Status = Status.NONE
    duration: float = 0.0
    reason: str | None = None
    output: str = ""  # what the console printed for a failed case


@dataclass
class TestInstance:
    """What twister builds and runs once: a scenario (or a broken one) on a platform."""

    __test__ = False

    name: str  # <app path>/<scenario id>
    scenario_id: str
    platform: Platform
    scenario: Scenario | None  # None for a scenario file that could not be loaded
    build_dir: Path | None = None
    status: Status = Status.NONE
    reason: str | None = None
    filters: list[str] = field(default_factory=list)
    testcases: list[TestCase] = field(default_factory=list)
    build_time: float = 0.0
    execution_time: float = 0.0
    handler: str = ""  # "qemu" for a run, "build" for a build-only instance
    recording: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    #: the one-line error message (file:line) of an errored instance
    error_line: str | None = None
    run: bool = False  # twister's "runnable": will (or did) it run, not just build

    # -- test cases ------------------------------------------------------------------------

    def case(self, identifier: str) -> TestCase:
        """The test case called `identifier`, created if new."""
        for tc in self.testcases:
            if tc.identifier == identifier:
                return tc
        tc = TestCase(identifier)
        self.testcases.append(tc)
        return tc

    def set_all_cases(self, status: Status, reason: str | None = None) -> None:
        if not self.testcases:
            self.case(self.scenario_id)
        for tc in self.testcases:
            tc.status = status
            tc.reason = reason

    def set_missing_cases(self, status: Status, reason: str | None = None) -> None:
        """Cases that never got a result (not run, or cut short) get `status`."""
        for tc in self.testcases:
            if tc.status in (Status.NONE, Status.STARTED):
                tc.status = Status.FAIL if tc.status == Status.STARTED else status
                tc.reason = tc.reason or reason

    def add_filter(self, reason: str) -> None:
        self.filters.append(reason)
        if self.status != Status.FILTER:
            self.status = Status.FILTER
            self.reason = reason

    @property
    def done(self) -> bool:
        return self.status not in (Status.NONE, Status.STARTED)
