"""<zephyr/drivers/gpio/gpio_emul.h>: the backend of the emulated GPIO controller.

The app uses the ordinary GPIO API on a "zephyr,gpio-emul" port; a test (or
an emulator whose device's output is wired to one of its pins) plays the
world outside: it drives input pins with gpio_emul_input_set() (edges and
levels then interrupt as configured) and reads output pins with
gpio_emul_output_get(). Calls on a port of another driver raise TypeError
(C would read the wrong driver's data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from zpy.kernel.device import device


def _backend(port: device, call: str) -> _Any:
    api = getattr(port, "api", None)
    if getattr(api, "input_set_masked", None) is None:
        name = getattr(port, "name", port)
        raise TypeError(f"{call}: {name!r} is not an emulated GPIO controller "
                        "(a zephyr,gpio-emul node's device)")
    return api


def gpio_emul_input_set_masked(port: device, pins: int, values: int) -> int:
    """Set input `pins` to `values` (bits outside pins must be 0): 0, or -EINVAL for a pin
    the port lacks or that is not an input. Pins whose change matches their interrupt
    configuration interrupt (their callbacks run in the controller's ISR)."""
    return _backend(port, "gpio_emul_input_set_masked").input_set_masked(  # type: ignore[no-any-return]
        port, pins, values)


def gpio_emul_input_set(port: device, pin: int, value: int) -> int:
    """Set one input pin's physical level (0 or not 0): 0, or -EINVAL."""
    return gpio_emul_input_set_masked(port, 1 << pin, (1 << pin) if value else 0)


def gpio_emul_output_get_masked(port: device, pins: int) -> tuple[int, int]:
    """(0, the physical levels of the port's output pins), or (-EINVAL, 0) for a pin the port
    lacks (C's *values; like C, every output pin's level is given, not only `pins`)."""
    return _backend(port, "gpio_emul_output_get_masked").output_get_masked(  # type: ignore[no-any-return]
        port, pins)


def gpio_emul_output_get(port: device, pin: int) -> int:
    """The physical level of one output pin, 1 or 0, or -EINVAL."""
    ret, values = gpio_emul_output_get_masked(port, 1 << pin)
    if ret == 0:
        ret = 1 if values & (1 << pin) else 0
    return ret


def gpio_emul_flags_get(port: device, pin: int) -> tuple[int, int]:
    """(0, the pin's GPIO flags, interrupt bits included), or (-EINVAL, 0)."""
    return _backend(port, "gpio_emul_flags_get").flags_get(port, pin)  # type: ignore[no-any-return]


__all__ = [
    "gpio_emul_flags_get",
    "gpio_emul_input_set",
    "gpio_emul_input_set_masked",
    "gpio_emul_output_get",
    "gpio_emul_output_get_masked",
]
