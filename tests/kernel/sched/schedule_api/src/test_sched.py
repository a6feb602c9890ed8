"""test_sched.h: what the test files share (main.c defines the stacks)."""

from dataclasses import dataclass
from typing import Any

MAX_NUM_THREAD = 10
STACK_SIZE = 640


@dataclass
class thread_data:
    tid: Any = None
    priority: int = 0
    executed: int = 0
