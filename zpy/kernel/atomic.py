"""atomic_t and the atomic_* calls (<zephyr/sys/atomic.h>).

C passes `&var` to every atomic call; in Python an atomic_t is a small mutable
object that the port passes instead, and reads with `.val` (or atomic_get):

    total = atomic_t()             # C: static atomic_t total;
    atomic_inc(total)              # C: atomic_inc(&total);
    ATOMIC_DEFINE(flags, 100)      # C: ATOMIC_DEFINE(flags, 100);  -> a list of atomic_t
    atomic_set_bit(flags, 42)      # the bit calls take an atomic_t or such a list

Values wrap as C's `long` on qemu_x86_64 does (64 bits, two's complement). The
calls are not kernel entry points (in Zephyr they are compiler builtins): a
thread is never preempted inside one. One host lock makes each call atomic
across CPUs, as kernel/atomic_c.c's single spinlock does where an architecture
has no atomic instructions.
"""

from __future__ import annotations

import threading
from typing import Any

#: bits in an atomic_t: a C `long` on qemu_x86_64
ATOMIC_BITS = 64
_MASK = (1 << ATOMIC_BITS) - 1
_SIGN = 1 << (ATOMIC_BITS - 1)

_lock = threading.Lock()


def _wrap(value: int) -> int:
    """The value a C `long` holds after the operation."""
    value &= _MASK
    return value - (1 << ATOMIC_BITS) if value & _SIGN else value


class atomic_t:
    """atomic_t (and atomic_val_t's holder): `val` is the current value."""

    __slots__ = ("val",)

    def __init__(self, val: int = 0) -> None:
        self.val = _wrap(val)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, atomic_t):
            return self.val == other.val
        if isinstance(other, int):
            return self.val == _wrap(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as the C variable is

    def __int__(self) -> int:
        return self.val

    __index__ = __int__

    def __repr__(self) -> str:
        return f"atomic_t({self.val:#x})"


class atomic_ptr_t:
    """atomic_ptr_t: holds any Python object (C's void *)."""

    __slots__ = ("val",)

    def __init__(self, val: Any = None) -> None:
        self.val = val

    def __repr__(self) -> str:
        return f"atomic_ptr_t({self.val!r})"


AtomicBits = atomic_t | list[atomic_t]


def ATOMIC_INIT(i: int) -> atomic_t:
    return atomic_t(i)


def ATOMIC_PTR_INIT(p: Any) -> atomic_ptr_t:
    return atomic_ptr_t(p)


def ATOMIC_BITMAP_SIZE(num_bits: int) -> int:
    return -(-num_bits // ATOMIC_BITS)


def ATOMIC_DEFINE(name: str, num_bits: int) -> list[atomic_t]:
    """An array of atomic_t holding `num_bits` bits, all clear (C: ATOMIC_DEFINE(name, n))."""
    return [atomic_t() for _ in range(ATOMIC_BITMAP_SIZE(num_bits))]


def ATOMIC_MASK(bit: int) -> int:
    return 1 << (bit & (ATOMIC_BITS - 1))


def _elem(target: AtomicBits, bit: int) -> atomic_t:
    """ATOMIC_ELEM: the atomic_t of an array that holds `bit`."""
    if isinstance(target, atomic_t):
        if not 0 <= bit < ATOMIC_BITS:
            raise IndexError(f"bit {bit} is outside an atomic_t ({ATOMIC_BITS} bits): "
                             "use ATOMIC_DEFINE for more")
        return target
    return target[bit // ATOMIC_BITS]


def _update(target: atomic_t, op: Any) -> int:
    """Apply op(old) -> new atomically; return the old value."""
    with _lock:
        old = target.val
        target.val = _wrap(op(old))
    return old


# -- values ---------------------------------------------------------------------------------------


def atomic_get(target: atomic_t) -> int:
    return target.val


def atomic_set(target: atomic_t, value: int) -> int:
    """Set; returns the previous value."""
    return _update(target, lambda old: value)


def atomic_clear(target: atomic_t) -> int:
    return _update(target, lambda old: 0)


def atomic_add(target: atomic_t, value: int) -> int:
    """Add; returns the previous value (as every read-modify-write call does)."""
    return _update(target, lambda old: old + value)


def atomic_sub(target: atomic_t, value: int) -> int:
    return _update(target, lambda old: old - value)


def atomic_inc(target: atomic_t) -> int:
    return _update(target, lambda old: old + 1)


def atomic_dec(target: atomic_t) -> int:
    return _update(target, lambda old: old - 1)


def atomic_or(target: atomic_t, value: int) -> int:
    return _update(target, lambda old: old | value)


def atomic_xor(target: atomic_t, value: int) -> int:
    return _update(target, lambda old: old ^ value)


def atomic_and(target: atomic_t, value: int) -> int:
    return _update(target, lambda old: old & value)


def atomic_nand(target: atomic_t, value: int) -> int:
    return _update(target, lambda old: ~(old & value))


def atomic_cas(target: atomic_t, old_value: int, new_value: int) -> bool:
    """Compare and set: True (and set) if the value was `old_value`."""
    with _lock:
        if target.val != _wrap(old_value):
            return False
        target.val = _wrap(new_value)
        return True


# -- pointers -------------------------------------------------------------------------------------


def atomic_ptr_get(target: atomic_ptr_t) -> Any:
    return target.val


def atomic_ptr_set(target: atomic_ptr_t, value: Any) -> Any:
    with _lock:
        old, target.val = target.val, value
    return old


def atomic_ptr_clear(target: atomic_ptr_t) -> Any:
    return atomic_ptr_set(target, None)


def atomic_ptr_cas(target: atomic_ptr_t, old_value: Any, new_value: Any) -> bool:
    with _lock:
        if target.val is not old_value and target.val != old_value:
            return False
        target.val = new_value
        return True


# -- bits -----------------------------------------------------------------------------------------


def atomic_test_bit(target: AtomicBits, bit: int) -> bool:
    return bool(_elem(target, bit).val & ATOMIC_MASK(bit))


def atomic_test_and_clear_bit(target: AtomicBits, bit: int) -> bool:
    mask = ATOMIC_MASK(bit)
    return bool(atomic_and(_elem(target, bit), ~mask) & mask)


def atomic_test_and_set_bit(target: AtomicBits, bit: int) -> bool:
    mask = ATOMIC_MASK(bit)
    return bool(atomic_or(_elem(target, bit), mask) & mask)


def atomic_clear_bit(target: AtomicBits, bit: int) -> None:
    atomic_and(_elem(target, bit), ~ATOMIC_MASK(bit))


def atomic_set_bit(target: AtomicBits, bit: int) -> None:
    atomic_or(_elem(target, bit), ATOMIC_MASK(bit))


def atomic_set_bit_to(target: AtomicBits, bit: int, val: bool) -> None:
    if val:
        atomic_set_bit(target, bit)
    else:
        atomic_clear_bit(target, bit)
