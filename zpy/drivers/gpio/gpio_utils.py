"""What Zephyr's drivers/gpio/gpio_utils.h gives GPIO drivers: their list of callbacks.

A driver keeps a `list` of gpio_callback in its data (C's sys_slist_t) and
lets these two functions manage it: adding puts a callback first (C
prepends), re-adding one moves it there, removing one that is not there is
-EINVAL; firing calls, newest first, every callback whose pins interrupted.
"""

from __future__ import annotations

from zpy import errno
from zpy.drivers.gpio.api import gpio_callback, gpio_port_pins_t
from zpy.kernel.device import device
from zpy.kernel.sys_assert import __ASSERT


def gpio_manage_callback(callbacks: list[gpio_callback], callback: gpio_callback,
                         set: bool) -> int:  # noqa: A002 (C's name)
    __ASSERT(callback is not None, "No callback!")
    __ASSERT(callback.handler is not None, "No callback handler!")
    if callback in callbacks:
        callbacks.remove(callback)
    elif not set:
        return -errno.EINVAL
    if set:
        callbacks.insert(0, callback)
    return 0


def gpio_fire_callbacks(callbacks: list[gpio_callback], port: device,
                        pins: gpio_port_pins_t) -> None:
    """Call each callback whose pin_mask meets `pins`, with the pins that are its own
    (a handler may remove its own callback meanwhile: C's _SAFE iteration)."""
    for cb in list(callbacks):
        if cb.pin_mask & pins:
            __ASSERT(cb.handler is not None, "No callback handler!")
            if cb.handler is not None:
                cb.handler(port, cb, cb.pin_mask & pins)
