"""tests_thread_apis.h: the thread, stack and stack size the test files share (main.c
defines them)."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE

from .main import tdata, tstack, tstack_size

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE

__all__ = ["STACK_SIZE", "tdata", "tstack", "tstack_size"]
