"""docs/ztest.md's example runs as the page says: both tests pass, with Zephyr's report."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "ztest.md"


def test_the_example_of_docs_ztest_md_passes(run_app):
    example = re.search(r"## An example\n\n```python\n(.*?)```", DOC.read_text(), re.S)
    assert example is not None, "docs/ztest.md lost its example"
    status, out = run_app(example.group(1), {"ZTEST": "y", "ZTEST_VERBOSE_OUTPUT": "y",
                                                   "ZTEST_SUMMARY": "y", "ZTEST_VERBOSE_SUMMARY": "y"})
    assert status == 0, out
    assert "Running TESTSUITE sem_fixture" in out
    assert " PASS - test_take_after_give in 0.000 seconds" in out, out
    # K_MSEC(100) is 10 ticks at 100 ticks/s, and a relative timeout waits one tick more
    assert " PASS - test_take_times_out in 0.110 seconds" in out, out
    assert ("SUITE PASS - 100.00% [sem_fixture]: pass = 2, fail = 0, skip = 0, total = 2 "
            "duration = 0.110 seconds") in out
    assert out.rstrip().endswith("PROJECT EXECUTION SUCCESSFUL"), out
