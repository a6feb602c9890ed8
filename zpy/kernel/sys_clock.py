"""The system clock: ticks since boot, real or virtual, and the timeout queue.

What Zephyr's kernel/timeout.c and its timer driver do together. The clock
counts nanoseconds since boot, either the host's (real time) or a counter that
only moves when the kernel moves it (virtual time, as native_sim runs tests:
the CPUs are infinitely fast, and when all of them idle, time jumps to the next
timeout). Ticks are derived from it at CONFIG_SYS_CLOCK_TICKS_PER_SEC.

Timeouts expire on tick boundaries. A relative timeout of n ticks set at tick t
expires when the tick count reaches t + n + 1 (the current tick is already
partly gone, so that is the first boundary at least n ticks away), except
inside an expiry callback, where "now" is exactly the expiring tick. That is
Zephyr's rule, and what a port's timing lines reproduce.

Every method but the clock reads is called with the kernel lock held.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable

from zpy import errno
from zpy.kernel.timeout import NSEC_PER_SEC, k_timeout_t


class Timeout:
    """struct _timeout: a callback due at a tick (`deadline`), while `linked`."""

    __slots__ = ("fn", "deadline", "seq", "owner")

    def __init__(self, owner: object = None) -> None:
        self.fn: Callable[[Timeout], None] | None = None
        self.deadline = 0
        #: the heap entry that is live for it (0: not in the queue)
        self.seq = 0
        #: what the timeout belongs to (a thread, a k_timer, a CPU's time slice)
        self.owner = owner

    @property
    def linked(self) -> bool:
        return self.seq != 0


class SysClock:
    def __init__(self, ticks_per_sec: int, cycles_per_sec: int, virtual: bool) -> None:
        self.ticks_per_sec = ticks_per_sec
        self.cycles_per_sec = cycles_per_sec
        self.virtual = virtual
        self._boot_ns = time.perf_counter_ns()
        self._virtual_ns = 0
        #: the last tick announced (Zephyr's curr_tick)
        self.curr_tick = 0
        #: inside an expiry callback, "now" for new timeouts is the expiring tick
        self.announcing = False
        self._heap: list[tuple[int, int, Timeout]] = []
        self._seq = itertools.count(1)

    # -- reading the clock ------------------------------------------------------------------------

    def restart(self) -> None:
        """Boot: time 0 is now."""
        self._boot_ns = time.perf_counter_ns()
        self._virtual_ns = 0
        self.curr_tick = 0

    def now_ns(self) -> int:
        if self.virtual:
            return self._virtual_ns
        return time.perf_counter_ns() - self._boot_ns

    def tick_get(self) -> int:
        """sys_clock_tick_get(): whole ticks since boot."""
        return self.now_ns() * self.ticks_per_sec // NSEC_PER_SEC

    def cycle_get(self) -> int:
        """The hardware cycle counter (k_cycle_get_64)."""
        return self.now_ns() * self.cycles_per_sec // NSEC_PER_SEC

    def tick_ns(self, tick: int) -> int:
        """When tick number `tick` begins, in ns since boot."""
        return -(-tick * NSEC_PER_SEC // self.ticks_per_sec)

    # -- virtual time -----------------------------------------------------------------------------

    def advance_to_tick(self, tick: int) -> None:
        self._virtual_ns = max(self._virtual_ns, self.tick_ns(tick))

    def advance_ns(self, ns: int) -> None:
        self._virtual_ns += ns

    # -- the timeout queue ------------------------------------------------------------------------

    def _base(self) -> int:
        return self.curr_tick if self.announcing else self.tick_get()

    def deadline_of(self, ticks: int) -> int:
        """The tick a relative timeout of `ticks` set now expires at."""
        return self._base() + ticks + 1

    def add(self, to: Timeout, fn: Callable[[Timeout], None], timeout: k_timeout_t) -> None:
        """z_add_timeout: arm `to` (K_FOREVER arms nothing)."""
        ticks = timeout.to_ticks(self.ticks_per_sec)
        if ticks < 0:
            return
        if timeout.absolute:
            deadline = max(ticks, self.curr_tick + 1)
        else:
            deadline = self._base() + ticks + 1
        self.add_at(to, fn, deadline)

    def add_at(self, to: Timeout, fn: Callable[[Timeout], None], deadline: int) -> None:
        to.fn = fn
        to.deadline = deadline
        to.seq = next(self._seq)
        heapq.heappush(self._heap, (deadline, to.seq, to))

    def abort(self, to: Timeout) -> int:
        """z_abort_timeout: 0 if it was armed, else -EINVAL."""
        if not to.seq:
            return -errno.EINVAL
        to.seq = 0
        return 0

    def remaining(self, to: Timeout) -> int:
        """Ticks until `to` expires (0 if not armed)."""
        if not to.seq:
            return 0
        return max(0, to.deadline - self.tick_get())

    @property
    def armed(self) -> bool:
        """Could a timeout be armed? (False: the queue is empty, no need to look further.)"""
        return bool(self._heap)

    def _drop_dead(self) -> None:
        heap = self._heap
        while heap and heap[0][2].seq != heap[0][1]:
            heapq.heappop(heap)

    def next_deadline(self) -> int | None:
        """The tick of the earliest armed timeout, or None."""
        self._drop_dead()
        return self._heap[0][0] if self._heap else None

    def pop_expired(self, now_tick: int) -> Timeout | None:
        """The next timeout due at or before `now_tick`, unlinked, with curr_tick moved to
        its deadline; None when none is due (curr_tick is then `now_tick`)."""
        self._drop_dead()
        heap = self._heap
        if heap and heap[0][0] <= now_tick:
            deadline, _, to = heapq.heappop(heap)
            to.seq = 0
            self.curr_tick = max(self.curr_tick, deadline)
            self.announcing = True
            return to
        self.curr_tick = max(self.curr_tick, now_tick)
        self.announcing = False
        return None
