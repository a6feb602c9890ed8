"""<zephyr/drivers/i2c_emul.h>: the interface between the emulated I2C controller and the
emulators of the devices on its bus.

An I2C emulator gives EMUL_DT_DEFINE an `i2c_emul_api` whose transfer(target,
msgs, num_msgs, addr) plays the device's side of each transaction: it fills
the read messages' buffers and takes in the written bytes, and returns 0, or
-EIO as a device that does not acknowledge. A test may set `mock_api` on the
bus end (EMUL_DT_GET(node).bus) to answer first: its transfer's result wins
unless it is -ENOSYS, as in Zephyr.
"""

from __future__ import annotations

from collections.abc import Callable as _Callable
from dataclasses import dataclass as _dataclass
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from zpy.errors import LinkError as _LinkError

if _TYPE_CHECKING:
    from zpy.drivers.i2c.api import i2c_msg
    from zpy.kernel.device import device
    from zpy.subsys.emul import emul

#: int (*i2c_emul_transfer_t)(const struct emul *target, struct i2c_msg *msgs, int num_msgs,
#:                            int addr)
i2c_emul_transfer_t = _Callable[["emul", list["i2c_msg"], int, int], int]


@_dataclass(frozen=True)
class i2c_emul_api:
    """struct i2c_emul_api: what an I2C emulator implements."""

    transfer: i2c_emul_transfer_t


@_dataclass(eq=False)
class i2c_emul:
    """struct i2c_emul: an emulator's end of the bus (its address and its API)."""

    api: i2c_emul_api | None = None
    addr: int = 0
    #: the emulator this belongs to (set by emul_init_for_bus)
    target: _Any = None
    #: a test's stand-in, asked first (None: none)
    mock_api: i2c_emul_api | None = None


def i2c_emul_register(dev: device, emul: i2c_emul) -> int:
    """Put an emulator on an emulated I2C controller's bus (emul_init_for_bus does it)."""
    from zpy.subsys.emul import EMUL_BUS_TYPE_I2C, emul_registry

    register = emul_registry().bus_register.get(EMUL_BUS_TYPE_I2C)
    if register is None:
        raise _LinkError("undefined reference to `i2c_emul_register' (enable CONFIG_I2C_EMUL)")
    return register(dev, emul)


__all__ = ["i2c_emul", "i2c_emul_api", "i2c_emul_register", "i2c_emul_transfer_t"]
