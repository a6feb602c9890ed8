"""A small driver class for teaching the driver model (after Zephyr's example-application).

The class API is what an app includes (`zpy.drivers.blink`); drivers of the
class (blink_console.py) provide a `blink_driver_api` table. Only the table
differs between drivers; the app's code does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zpy.kernel.device import device


@dataclass(frozen=True)
class blink_driver_api:
    """struct blink_driver_api: what every blink driver implements."""

    set_period_ms: Callable[[device, int], int]


def blink_set_period_ms(dev: device, period_ms: int) -> int:
    """Blink with this period (0 turns it off). 0, or -EINVAL for a period the driver refuses."""
    return dev.api.set_period_ms(dev, period_ms)  # type: ignore[no-any-return]


def blink_off(dev: device) -> int:
    return blink_set_period_ms(dev, 0)
