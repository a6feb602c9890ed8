"""The driver of the ACME thermo I2C temperature sensor (compatible "acme,thermo").

One device per okay node, on the I2C bus of its parent. Init checks the chip
id and starts conversions; a fetch reads the status and temperature
registers in one burst; with the node's `interrupts` wired, the data-ready
interrupt calls the app's handler in the ISR. The driver only knows the I2C
API and the kernel's interrupt calls: on an emulated bus the emulator
(thermo_emul.py) answers, on a real one the chip would.

Data and config, API, ISR, init, API table, instances at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.drivers.thermo import thermo_drdy_handler_t, thermo_driver_api

from zpy import errno
from zpy.device import DEVICE_API, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import (
    DT_INST_FOREACH_STATUS_OKAY,
    DT_INST_IRQ,
    DT_INST_IRQ_HAS_IDX,
    DT_INST_IRQN,
)
from zpy.drivers.i2c import (
    I2C_DT_SPEC_INST_GET,
    i2c_burst_read_dt,
    i2c_dt_spec,
    i2c_is_ready_dt,
    i2c_reg_read_byte_dt,
    i2c_reg_update_byte_dt,
    i2c_reg_write_byte_dt,
)
from zpy.init import POST_KERNEL
from zpy.kernel import irq_connect_dynamic, irq_enable
from zpy.logging import LOG_ERR, LOG_INF, LOG_MODULE_REGISTER

from .thermo_regs import CHIP_ID, CTRL, CTRL_DRDY_IE, CTRL_EN, STATUS, WHO_AM_I

DT_DRV_COMPAT = "acme_thermo"
LOG_MODULE_REGISTER("thermo", "CONFIG_THERMO_LOG_LEVEL")

#: after the I2C controllers (CONFIG_I2C_INIT_PRIORITY), as Zephyr's sensors
THERMO_INIT_PRIORITY = 90

# -- data ---------------------------------------------------------------------------------


@dataclass
class thermo_config:
    i2c: i2c_dt_spec
    #: the data-ready interrupt line (-1: not wired)
    irq: int = -1
    irq_priority: int = 0
    irq_flags: int = 0


@dataclass
class thermo_data:
    centicelsius: int = 0
    fetched: bool = False
    handler: thermo_drdy_handler_t | None = None


# -- API ------------------------------------------------------------------------------------


def thermo_sample_fetch(dev: device) -> int:
    config: thermo_config = dev.config
    data: thermo_data = dev.data
    buf = bytearray(3)  # STATUS, TEMP_L, TEMP_H
    rc = i2c_burst_read_dt(config.i2c, STATUS, buf, len(buf))
    if rc != 0:
        LOG_ERR("%s: cannot read the temperature (%d)", dev.name, rc)
        return rc
    data.centicelsius = int.from_bytes(buf[1:3], "little", signed=True)
    data.fetched = True
    return 0


def thermo_get_millicelsius(dev: device) -> tuple[int, int]:
    data: thermo_data = dev.data
    if not data.fetched:
        return -errno.ENODATA, 0
    return 0, data.centicelsius * 10


def thermo_set_drdy_handler(dev: device, handler: thermo_drdy_handler_t | None) -> int:
    config: thermo_config = dev.config
    data: thermo_data = dev.data
    if config.irq < 0:
        return -errno.ENOTSUP
    data.handler = handler
    return i2c_reg_update_byte_dt(config.i2c, CTRL, CTRL_DRDY_IE,
                                  CTRL_DRDY_IE if handler is not None else 0)


# -- ISR ------------------------------------------------------------------------------------


def thermo_isr(dev: device) -> None:
    data: thermo_data = dev.data
    if data.handler is not None:
        data.handler(dev)


# -- init -----------------------------------------------------------------------------------


def thermo_init(dev: device) -> int:
    config: thermo_config = dev.config
    if not i2c_is_ready_dt(config.i2c):
        LOG_ERR("%s: I2C bus %s is not ready", dev.name, config.i2c.bus.name)
        return -errno.ENODEV
    rc, chip_id = i2c_reg_read_byte_dt(config.i2c, WHO_AM_I)
    if rc != 0:
        LOG_ERR("%s: no answer at I2C address 0x%02x (%d)", dev.name, config.i2c.addr, rc)
        return -errno.EIO
    if chip_id != CHIP_ID:
        LOG_ERR("%s: chip id 0x%02x is not a thermo's (0x%02x)", dev.name, chip_id, CHIP_ID)
        return -errno.ENODEV
    rc = i2c_reg_write_byte_dt(config.i2c, CTRL, CTRL_EN)
    if rc != 0:
        return rc
    if config.irq >= 0:
        irq_connect_dynamic(config.irq, config.irq_priority, thermo_isr, dev, config.irq_flags)
        irq_enable(config.irq)
    LOG_INF("%s: chip id 0x%02x at I2C address 0x%02x", dev.name, chip_id, config.i2c.addr)
    return 0


# -- API table --------------------------------------------------------------------------------

thermo_api = DEVICE_API(thermo_driver_api, sample_fetch=thermo_sample_fetch,
                        get_millicelsius=thermo_get_millicelsius,
                        set_drdy_handler=thermo_set_drdy_handler)

# -- instances ----------------------------------------------------------------------------------


def THERMO_DEFINE(inst: int) -> None:
    config = thermo_config(I2C_DT_SPEC_INST_GET(inst))
    if DT_INST_IRQ_HAS_IDX(inst, 0):
        config.irq = DT_INST_IRQN(inst)
        config.irq_priority = DT_INST_IRQ(inst, "priority")
        config.irq_flags = DT_INST_IRQ(inst, "sense")
    DEVICE_DT_INST_DEFINE(inst, thermo_init, None, thermo_data(), config, POST_KERNEL,
                          THERMO_INIT_PRIORITY, thermo_api)


DT_INST_FOREACH_STATUS_OKAY(THERMO_DEFINE)
