"""Fuzzing with hypothesis: every case must end in success or a ZpyError (the errors the
command line prints as one line), never another exception, a hang or harm to a peer.

Two budgets: `make test` runs the `ci` profile (a few dozen cases per target, the
same ones every run); `make fuzz` sets ZPY_FUZZ_PROFILE=fuzz (10,000 cases per target,
new ones each run). The number of cases each target ran is printed at the end.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

from tests.unit.ivshmem_host.ivshmem_helpers import sock_dir  # noqa: F401

_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("fuzz", max_examples=int(os.environ.get("ZPY_FUZZ_CASES", "10000")), **_COMMON)
settings.load_profile(os.environ.get("ZPY_FUZZ_PROFILE", "ci"))

#: cases run per fuzz target (a target calls `cases.count(name)` once per case)
CASES: Counter[str] = Counter()


@pytest.fixture
def cases() -> Counter[str]:
    return CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CASES:
        terminalreporter.section("fuzz cases per target")
        for name, count in sorted(CASES.items()):
            terminalreporter.write_line(f"{name}: {count}")
