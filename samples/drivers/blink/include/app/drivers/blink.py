"""The blink driver class's API: what C puts in include/app/drivers/blink.h.

The module's CMakeLists.txt makes include/ an include directory, so apps and
drivers import this file as `app.drivers.blink`, as C includes
<app/drivers/blink.h>. Drivers of the class (drivers/blink/blink_console.py)
provide a `blink_driver_api` table; only the table differs between drivers,
the app's code does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zpy.device import device


@dataclass(frozen=True)
class blink_driver_api:
    """struct blink_driver_api: what every blink driver implements."""

    set_period_ms: Callable[[device, int], int]


def blink_set_period_ms(dev: device, period_ms: int) -> int:
    """Blink with this period (0 turns it off). 0, or -EINVAL for a period the driver refuses."""
    return dev.api.set_period_ms(dev, period_ms)  # type: ignore[no-any-return]


def blink_off(dev: device) -> int:
    return blink_set_period_ms(dev, 0)
