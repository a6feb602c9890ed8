"""k_stack: a bounded stack of stack_data_t words (Zephyr's kernel/stack.c).

The entries live in the buffer the caller gives k_stack_init() (a list of
`num_entries` words, C's `stack_data_t buffer[num_entries]`), or in one
k_stack_alloc_init() takes from the thread's resource pool. A push wakes the
highest-priority popper and hands it the word directly.
"""

from __future__ import annotations

from typing import Any

from zpy import errno
from zpy.kernel.context import current_kernel
from zpy.kernel.heap import z_thread_free, z_thread_malloc
from zpy.kernel.sched import WaitQ
from zpy.kernel.timeout import as_timeout, k_timeout_t

#: uintptr_t: a number, or (as C casts pointers to it) any object
stack_data_t = Any

K_STACK_FLAG_ALLOC = 1 << 0
_WORD = 8  # sizeof(stack_data_t) on x86_64


class k_stack:
    """struct k_stack: `next` indexes the first free entry of `base`, `top` is the count."""

    def __init__(self) -> None:
        self.wait_q = WaitQ()
        self.base: list[stack_data_t] | None = None
        self.next = 0
        self.top = 0
        self.flags = 0
        self._block: tuple[Any, bytearray] | None = None


def K_STACK_DEFINE(name: str, stack_num_entries: int) -> k_stack:
    stack = k_stack()
    k_stack_init(stack, [0] * stack_num_entries, stack_num_entries)
    return stack


def k_stack_init(stack: k_stack, buffer: list[stack_data_t], num_entries: int) -> None:
    if len(buffer) < num_entries:
        raise ValueError(f"k_stack_init: the buffer holds {len(buffer)} entries, "
                         f"not {num_entries}")
    stack.wait_q = WaitQ()
    stack.base = buffer
    stack.next = 0
    stack.top = num_entries
    stack.flags = 0


def k_stack_alloc_init(stack: k_stack, num_entries: int) -> int:
    """0, or -ENOMEM when the thread's resource pool cannot hold the entries."""
    got = z_thread_malloc(num_entries * _WORD)
    if got is None:
        return -errno.ENOMEM
    k_stack_init(stack, [0] * num_entries, num_entries)
    stack.flags = K_STACK_FLAG_ALLOC
    stack._block = got
    return 0


def k_stack_cleanup(stack: k_stack) -> int:
    """Give back what k_stack_alloc_init() took; -EAGAIN while a thread waits on it."""
    if stack.wait_q:
        return -errno.EAGAIN
    if stack.flags & K_STACK_FLAG_ALLOC:
        if stack._block is not None:
            z_thread_free(stack._block)
            stack._block = None
        stack.base = None
        stack.flags &= ~K_STACK_FLAG_ALLOC
    return 0


def k_stack_push(stack: k_stack, data: stack_data_t) -> int:
    """0, or -ENOMEM when the stack is full. Callable from ISRs."""
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if stack.next == stack.top:
        sched.lock.release()
        return -errno.ENOMEM
    if sched.wake_locked(stack.wait_q, 0, data) is not None:
        sched.reschedule_locked()
        return 0
    assert stack.base is not None
    stack.base[stack.next] = data
    stack.next += 1
    sched.lock.release()
    return 0


def k_stack_pop(stack: k_stack, timeout: k_timeout_t) -> tuple[int, stack_data_t]:
    """C: k_stack_pop(stack, &data, timeout). Returns (0, data); (-EBUSY, None) with
    K_NO_WAIT on an empty stack; (-EAGAIN, None) on timeout."""
    timeout = as_timeout(timeout)
    sched = current_kernel().sched
    sched.entry()
    sched.lock.acquire()
    if stack.next > 0:
        assert stack.base is not None
        stack.next -= 1
        data = stack.base[stack.next]
        sched.lock.release()
        return 0, data
    if timeout.no_wait:
        sched.lock.release()
        return -errno.EBUSY, None
    result = sched.pend_curr_locked(stack.wait_q, timeout)
    if result == -errno.EAGAIN:
        return -errno.EAGAIN, None
    return 0, sched.running_thread().swap_data
