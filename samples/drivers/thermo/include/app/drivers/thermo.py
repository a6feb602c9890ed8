"""The thermo driver class's API: what C puts in include/app/drivers/thermo.h.

The module's CMakeLists.txt makes include/ an include directory, so apps,
drivers and tests import this file as `app.drivers.thermo`. A driver provides
a `thermo_driver_api` table; the calls below dispatch through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zpy.device import device

#: void (*thermo_drdy_handler_t)(const struct device *dev): called in the sensor's ISR
thermo_drdy_handler_t = Callable[[device], None]


@dataclass(frozen=True)
class thermo_driver_api:
    """struct thermo_driver_api: what every thermo driver implements."""

    sample_fetch: Callable[[device], int]
    get_millicelsius: Callable[[device], tuple[int, int]]
    set_drdy_handler: Callable[[device, thermo_drdy_handler_t | None], int]


def thermo_sample_fetch(dev: device) -> int:
    """Read a new sample from the sensor: 0, or -EIO when the bus transfer fails."""
    return dev.api.sample_fetch(dev)  # type: ignore[no-any-return]


def thermo_get_millicelsius(dev: device) -> tuple[int, int]:
    """(0, temperature in m°C) of the last fetched sample; (-ENODATA, 0) before the first."""
    return dev.api.get_millicelsius(dev)  # type: ignore[no-any-return]


def thermo_set_drdy_handler(dev: device, handler: thermo_drdy_handler_t | None) -> int:
    """Call handler(dev) in the sensor's ISR when a new sample is ready (None: stop).
    0, -ENOTSUP when the sensor's interrupt is not wired (no `interrupts` in its node),
    -EIO when the bus transfer fails."""
    return dev.api.set_drdy_handler(dev, handler)  # type: ignore[no-any-return]
