"""k_spinlock: k_spin_lock / k_spin_unlock with a key, k_spin_trylock, K_SPINLOCK.

As in Zephyr, taking a spinlock masks interrupts on the caller's CPU (the key
remembers the previous state), so the holder is neither interrupted nor
preempted; with several CPUs the lock also excludes the others, which spin
(their host thread waits on the lock while keeping its CPU) until it is free.
Holding a spinlock across a blocking call is a bug, as in Zephyr.

    key = k_spin_lock(lock)        # C: k_spinlock_key_t key = k_spin_lock(&lock);
    ...
    k_spin_unlock(lock, key)

    with K_SPINLOCK(lock):         # C: K_SPINLOCK(&lock) { ... }
        ...
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from zpy import errno
from zpy.kernel.irq import irq_lock, irq_unlock


class k_spinlock:
    """struct k_spinlock (zero-initialized in C: just make one)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class k_spinlock_key_t:
    """The interrupt state to restore on k_spin_unlock (C's k_spinlock_key_t)."""

    key: int


def k_spin_lock(l: k_spinlock) -> k_spinlock_key_t:  # noqa: E741 (Zephyr's name)
    key = irq_lock()
    l._lock.acquire()
    return k_spinlock_key_t(key)


def k_spin_trylock(l: k_spinlock) -> tuple[int, k_spinlock_key_t | None]:  # noqa: E741
    """C: int k_spin_trylock(l, k_spinlock_key_t *k). Returns (0, key) or (-EBUSY, None)."""
    key = irq_lock()
    if not l._lock.acquire(blocking=False):
        irq_unlock(key)
        return -errno.EBUSY, None
    return 0, k_spinlock_key_t(key)


def k_spin_unlock(l: k_spinlock, key: k_spinlock_key_t) -> None:  # noqa: E741
    """Release; interrupts raised while it was held are taken now."""
    l._lock.release()
    irq_unlock(key.key)


def k_spin_release(l: k_spinlock) -> None:  # noqa: E741
    """Release without restoring the interrupt state (the caller does it later)."""
    l._lock.release()


@contextmanager
def K_SPINLOCK(lck: k_spinlock) -> Iterator[None]:
    """`with K_SPINLOCK(lock):` holds it for the block (C's K_SPINLOCK(&lock) { })."""
    key = k_spin_lock(lck)
    try:
        yield
    finally:
        k_spin_unlock(lck, key)
