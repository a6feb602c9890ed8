"""Zephyr's emulated I2C controller (drivers/i2c/i2c_emul.c) in Python.

A bus with no hardware: one device per okay "zephyr,i2c-emul-controller"
node, whose children are I2C devices with emulators (EMUL_DT_DEFINE). Init
brings the children's emulators up (emul_init_for_bus) and they register
here; a transfer goes to the emulator at its address (a test's mock_api is
asked first), and to nobody (-EIO) when no emulator answers there. The I2C
target mode and the `forwards` property are not modelled.

Data and config, emulator lookup, API, init, API table, instances at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zpy import errno
from zpy.autoconf import CONFIG_I2C_INIT_PRIORITY
from zpy.device import device
from zpy.devicetree import (
    DT_DRV_INST,
    DT_FOREACH_CHILD_STATUS_OKAY,
    DT_INST_FOREACH_STATUS_OKAY,
    DT_INST_PROP,
    DT_INST_PROP_OR,
)
from zpy.drivers.emul import (
    EMUL_BUS_TYPE_I2C,
    emul_init_for_bus,
    emul_link_for_bus,
    emul_list_for_bus,
)
from zpy.drivers.i2c import (
    I2C_BITRATE_STANDARD,
    I2C_DEVICE_DT_INST_DEFINE,
    I2C_MODE_CONTROLLER,
    i2c_driver_api,
    i2c_map_dt_bitrate,
    i2c_msg,
)
from zpy.drivers.i2c_emul import i2c_emul
from zpy.init import POST_KERNEL
from zpy.kernel import __ASSERT_NO_MSG
from zpy.logging import LOG_DBG, LOG_INF, LOG_MODULE_REGISTER
from zpy.subsys.emul import emul_registry

DT_DRV_COMPAT = "zephyr_i2c_emul_controller"
LOG_MODULE_REGISTER("i2c_emul_ctlr", "CONFIG_I2C_LOG_LEVEL")

# -- data --------------------------------------------------------------------------------------


@dataclass
class i2c_emul_data:
    #: the emulators on this bus (C's sys_slist_t of struct i2c_emul)
    emuls: list[i2c_emul] = field(default_factory=list)
    #: I2C host configuration
    config: int = 0
    bitrate: int = I2C_BITRATE_STANDARD


@dataclass
class i2c_emul_config:
    emul_list: emul_list_for_bus
    target_buffered_mode: bool = False


# -- emulators ---------------------------------------------------------------------------------


def i2c_emul_find(dev: device, addr: int) -> i2c_emul | None:
    """The emulator at this address on the bus, or None."""
    data: i2c_emul_data = dev.data
    for emul in data.emuls:
        if emul.addr == addr:
            return emul
    return None


def i2c_emul_register(dev: device, emul: i2c_emul) -> int:
    data: i2c_emul_data = dev.data
    name = emul.target.dev.name
    data.emuls.append(emul)
    LOG_INF("Register emulator '%s' at I2C addr %02x", name, emul.addr)
    return 0


# -- API ---------------------------------------------------------------------------------------


def i2c_emul_configure(dev: device, dev_config: int) -> int:
    data: i2c_emul_data = dev.data
    data.config = dev_config
    return 0


def i2c_emul_get_config(dev: device) -> tuple[int, int]:
    data: i2c_emul_data = dev.data
    return 0, data.config


def i2c_emul_transfer(dev: device, msgs: list[i2c_msg], num_msgs: int, addr: int) -> int:
    LOG_DBG("i2c_emul_transfer(dev=%s, addr=0x%02x)", dev.name, addr)
    emul = i2c_emul_find(dev, addr)
    if emul is None:
        return -errno.EIO
    __ASSERT_NO_MSG(emul.api is not None)
    if emul.mock_api is not None and emul.mock_api.transfer is not None:
        ret = emul.mock_api.transfer(emul.target, msgs, num_msgs, addr)
        if ret != -errno.ENOSYS:
            return ret
    assert emul.api is not None
    return emul.api.transfer(emul.target, msgs, num_msgs, addr)


# -- init --------------------------------------------------------------------------------------


def i2c_emul_init(dev: device) -> int:
    data: i2c_emul_data = dev.data
    data.emuls = []
    rc = emul_init_for_bus(dev)
    # the configuration starts as the devicetree's speed, in controller mode
    data.config = I2C_MODE_CONTROLLER | i2c_map_dt_bitrate(data.bitrate)
    return rc


# -- API table ---------------------------------------------------------------------------------

i2c_emul_api = i2c_driver_api(
    configure=i2c_emul_configure,
    get_config=i2c_emul_get_config,
    transfer=i2c_emul_transfer,
)

# emul_init_for_bus registers this image's I2C emulators here (C: #ifdef CONFIG_I2C_EMUL)
emul_registry().bus_register[EMUL_BUS_TYPE_I2C] = i2c_emul_register

# -- instances ---------------------------------------------------------------------------------


def I2C_EMUL_INIT(n: int) -> None:
    emuls = DT_FOREACH_CHILD_STATUS_OKAY(DT_DRV_INST(n), emul_link_for_bus)
    config = i2c_emul_config(emul_list_for_bus(emuls),
                             target_buffered_mode=DT_INST_PROP(n, "target_buffered_mode"))
    data = i2c_emul_data(bitrate=DT_INST_PROP_OR(n, "clock_frequency", I2C_BITRATE_STANDARD))
    I2C_DEVICE_DT_INST_DEFINE(n, i2c_emul_init, None, data, config, POST_KERNEL,
                              CONFIG_I2C_INIT_PRIORITY, i2c_emul_api)


DT_INST_FOREACH_STATUS_OKAY(I2C_EMUL_INIT)
