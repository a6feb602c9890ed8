"""k_timeout_t and the K_* timeout constructors.

As in Zephyr, the kernel counts time in ticks of CONFIG_SYS_CLOCK_TICKS_PER_SEC.
A k_timeout_t made from milliseconds, microseconds or nanoseconds keeps the
exact amount and is converted to ticks, rounding up, when the kernel uses it
(Zephyr rounds up at compile time; the result is the same, and a K_MSEC made
outside any image still works). K_TICKS and the absolute forms are in ticks.
"""

from __future__ import annotations

from dataclasses import dataclass

K_TICKS_FOREVER = -1
NSEC_PER_SEC = 1_000_000_000


@dataclass(frozen=True, slots=True)
class k_timeout_t:
    """A timeout: `ns` nanoseconds (< 0: forever), or `ticks` when made from ticks.

    `absolute` timeouts (K_TIMEOUT_ABS_*) name a tick count since boot instead of
    a duration.
    """

    ns: int
    ticks: int | None = None
    absolute: bool = False

    @property
    def forever(self) -> bool:
        if self.ticks is not None:
            return self.ticks == K_TICKS_FOREVER
        return self.ns < 0

    @property
    def no_wait(self) -> bool:
        if self.absolute:
            return False
        return self.ticks == 0 if self.ticks is not None else self.ns == 0

    def to_ticks(self, ticks_per_sec: int) -> int:
        """The timeout in ticks, rounded up (K_TICKS_FOREVER for K_FOREVER)."""
        if self.ticks is not None:
            return self.ticks
        if self.ns < 0:
            return K_TICKS_FOREVER
        return -(-self.ns * ticks_per_sec // NSEC_PER_SEC)


K_FOREVER = k_timeout_t(-1)
K_NO_WAIT = k_timeout_t(0)


def K_NSEC(t: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)))


def K_USEC(t: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(t * 1_000)))


def K_MSEC(ms: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(ms * 1_000_000)))


def K_SECONDS(s: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(s * NSEC_PER_SEC)))


def K_MINUTES(m: int | float) -> k_timeout_t:
    return K_SECONDS(m * 60)


def K_HOURS(h: int | float) -> k_timeout_t:
    return K_MINUTES(h * 60)


def K_TICKS(t: int) -> k_timeout_t:
    """A timeout of `t` ticks (K_TICKS_FOREVER for ever)."""
    if t == K_TICKS_FOREVER:
        return K_FOREVER
    return k_timeout_t(0, ticks=max(0, int(t)))


def K_TIMEOUT_ABS_TICKS(t: int) -> k_timeout_t:
    """The moment the tick count since boot reaches `t`."""
    return k_timeout_t(0, ticks=max(0, int(t)), absolute=True)


def K_TIMEOUT_ABS_MS(t: int) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)) * 1_000_000, absolute=True)


def K_TIMEOUT_ABS_US(t: int) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)) * 1_000, absolute=True)


def K_TIMEOUT_ABS_NS(t: int) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)), absolute=True)


def K_TIMEOUT_ABS_CYC(t: int) -> k_timeout_t:
    """The moment the hardware cycle counter reaches `t` (rounded up to a tick)."""
    from zpy.kernel.uptime import k_cyc_to_ticks_ceil64

    return K_TIMEOUT_ABS_TICKS(k_cyc_to_ticks_ceil64(t))


def K_TIMEOUT_ABS_SEC(t: int) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)) * NSEC_PER_SEC, absolute=True)


def K_TIMEOUT_EQ(a: k_timeout_t, b: k_timeout_t) -> bool:
    return a == b or (a.forever and b.forever) or (a.no_wait and b.no_wait)


def as_timeout(t: k_timeout_t) -> k_timeout_t:
    """Reject what C would not compile: a bare number where a k_timeout_t is expected."""
    if t.__class__ is not k_timeout_t:
        raise TypeError(
            f"expected a k_timeout_t (K_MSEC(...), K_FOREVER, K_NO_WAIT), got {type(t).__name__} {t!r}"
        )
    return t
