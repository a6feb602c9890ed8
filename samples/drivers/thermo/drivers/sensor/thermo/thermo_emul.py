"""The emulator of the ACME thermo sensor: the chip's side of the I2C bus.

One emulator per okay "acme,thermo" node (EMUL_DT_INST_DEFINE), which the
emulated I2C controller brings up and routes the transfers for the node's
address to. It keeps the chip's register file: the first byte written after a
start sets the register pointer and the next ones are written from there on;
a read reads from the pointer on; read-only registers refuse writes, as the
chip would not acknowledge them (-EIO). A test sets the measured temperature
with thermo_emul_set_temperature() (app.drivers.emul_thermo): a new sample
is ready, and the chip's data-ready output pulses its interrupt line if the
driver enabled it, through the emul API, never by touching the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.drivers.emul_thermo import thermo_emul_backend_api

from zpy import errno
from zpy.device import device
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY
from zpy.drivers.emul import EMUL_DT_INST_DEFINE, emul, emul_irq_pulse
from zpy.drivers.i2c import I2C_MSG_RESTART, i2c_is_read_op, i2c_msg
from zpy.drivers.i2c_emul import i2c_emul_api

from .thermo_regs import (
    CHIP_ID,
    CTRL,
    CTRL_DRDY_IE,
    STATUS,
    STATUS_DRDY,
    TEMP_H,
    TEMP_L,
    WHO_AM_I,
)

DT_DRV_COMPAT = "acme_thermo"

#: the registers a write may change; writing any other one is not acknowledged
WRITABLE = {CTRL}
#: the registers the chip has; an access to any other one is not acknowledged
REGISTERS = {WHO_AM_I, CTRL, STATUS, TEMP_L, TEMP_H}
#: what the chip measures at power-on: 25.00 degC
POWER_ON_CENTICELSIUS = 2500


@dataclass
class thermo_emul_data:
    regs: bytearray = field(default_factory=lambda: bytearray(256))
    pointer: int = 0


def _set_temp(data: thermo_emul_data, centicelsius: int) -> None:
    data.regs[TEMP_L:TEMP_H + 1] = centicelsius.to_bytes(2, "little", signed=True)
    data.regs[STATUS] |= STATUS_DRDY


# -- the bus side ----------------------------------------------------------------------------


def thermo_emul_transfer(target: emul, msgs: list[i2c_msg], num_msgs: int, addr: int) -> int:
    data: thermo_emul_data = target.data
    addressing = True  # the first byte written after a (repeated) start is the pointer
    for msg in msgs[:num_msgs]:
        buf = memoryview(msg.buf)
        if msg.flags & I2C_MSG_RESTART:
            addressing = True
        if i2c_is_read_op(msg):
            for i in range(msg.len):
                if data.pointer not in REGISTERS:
                    return -errno.EIO
                buf[i] = data.regs[data.pointer]
                if data.pointer == TEMP_H:
                    data.regs[STATUS] &= ~STATUS_DRDY
                data.pointer = (data.pointer + 1) & 0xFF
            continue
        for value in buf[:msg.len]:
            if addressing:
                data.pointer, addressing = value, False
            elif data.pointer not in WRITABLE:
                return -errno.EIO
            else:
                data.regs[data.pointer] = value
                data.pointer = (data.pointer + 1) & 0xFF
    return 0


# -- the backend (what tests call) -------------------------------------------------------------


def thermo_emul_set_temperature(target: emul, centicelsius: int) -> int:
    data: thermo_emul_data = target.data
    if not -0x8000 <= centicelsius <= 0x7FFF:
        return -errno.EINVAL
    _set_temp(data, centicelsius)
    if data.regs[CTRL] & CTRL_DRDY_IE:
        emul_irq_pulse(target.dev, 0)
    return 0


def thermo_emul_init(target: emul, parent: device) -> int:
    data: thermo_emul_data = target.data
    data.regs[WHO_AM_I] = CHIP_ID
    _set_temp(data, POWER_ON_CENTICELSIUS)
    return 0


thermo_emul_api_i2c = i2c_emul_api(transfer=thermo_emul_transfer)
thermo_emul_backend = thermo_emul_backend_api(set_temperature=thermo_emul_set_temperature)


def THERMO_EMUL_DEFINE(inst: int) -> None:
    EMUL_DT_INST_DEFINE(inst, thermo_emul_init, thermo_emul_data(), None, thermo_emul_api_i2c,
                        thermo_emul_backend)


DT_INST_FOREACH_STATUS_OKAY(THERMO_EMUL_DEFINE)
