"""k_timeout_t and the K_* timeout constructors.

A timeout is kept in nanoseconds, so it does not depend on the image's tick rate
(CONFIG_SYS_CLOCK_TICKS_PER_SEC): zpy waits with the host's timers, which are
finer than a tick. K_FOREVER and K_NO_WAIT are the two special values.
"""

from __future__ import annotations

from dataclasses import dataclass

K_TICKS_FOREVER = -1


@dataclass(frozen=True, slots=True)
class k_timeout_t:
    """A relative timeout; ns < 0 means forever."""

    ns: int

    @property
    def forever(self) -> bool:
        return self.ns < 0

    def seconds(self) -> float | None:
        """The timeout in seconds for the host's wait calls, None for forever."""
        return None if self.ns < 0 else self.ns / 1e9


K_FOREVER = k_timeout_t(-1)
K_NO_WAIT = k_timeout_t(0)


def K_NSEC(t: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(t)))


def K_USEC(t: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(t * 1_000)))


def K_MSEC(ms: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(ms * 1_000_000)))


def K_SECONDS(s: int | float) -> k_timeout_t:
    return k_timeout_t(max(0, int(s * 1_000_000_000)))


def K_MINUTES(m: int | float) -> k_timeout_t:
    return K_SECONDS(m * 60)


def K_HOURS(h: int | float) -> k_timeout_t:
    return K_MINUTES(h * 60)


def K_TIMEOUT_EQ(a: k_timeout_t, b: k_timeout_t) -> bool:
    return a.ns == b.ns


def as_timeout(t: k_timeout_t) -> k_timeout_t:
    """Reject what C would not compile: a bare number where a k_timeout_t is expected."""
    if not isinstance(t, k_timeout_t):
        raise TypeError(
            f"expected a k_timeout_t (K_MSEC(...), K_FOREVER, K_NO_WAIT), got {type(t).__name__} {t!r}"
        )
    return t
