# SPDX-License-Identifier: Apache-2.0
"""The I2C API on the emulated I2C controller: messages, registers, errors, emulators.

What a call puts on the bus is checked through the target's emulator
(test_target.py records each transfer's message flags); the return codes are
Zephyr's: -EIO when no device answers at an address or a device refuses a
transfer, -ENOSYS for an operation the controller's driver lacks.
"""

import test_target

from zpy import errno
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.emul import EMUL_BUS_TYPE_I2C, EMUL_DT_GET, emul_get_binding
from zpy.drivers.i2c import (
    I2C_DT_SPEC_GET,
    I2C_MODE_CONTROLLER,
    I2C_MSG_READ,
    I2C_MSG_RESTART,
    I2C_MSG_STOP,
    I2C_MSG_WRITE,
    I2C_SPEED_FAST,
    I2C_SPEED_SET,
    I2C_SPEED_STANDARD,
    i2c_burst_read_dt,
    i2c_burst_write,
    i2c_configure,
    i2c_get_config,
    i2c_is_ready_dt,
    i2c_msg,
    i2c_read,
    i2c_recover_bus,
    i2c_reg_read_byte_dt,
    i2c_reg_update_byte_dt,
    i2c_reg_write_byte_dt,
    i2c_transfer,
    i2c_write,
    i2c_write_read_dt,
)
from zpy.drivers.i2c_emul import i2c_emul_api
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_is_null, zassert_true

spec = I2C_DT_SPEC_GET(DT_NODELABEL("target0"))
bus = spec.bus
target0 = EMUL_DT_GET(DT_NODELABEL("target0"))


def transfers():
    return target0.data.transfers


@ZTEST("i2c_emul")
def test_spec_and_config():
    zassert_true(i2c_is_ready_dt(spec), "the bus is not ready")
    zassert_equal((bus.name, spec.addr), ("i2c@100", 0x50), "wrong spec from the devicetree")
    zassert_equal(i2c_get_config(bus), (0, I2C_MODE_CONTROLLER | I2C_SPEED_SET(I2C_SPEED_FAST)),
                  "the configuration is not the devicetree's 400 kHz")
    cfg = I2C_MODE_CONTROLLER | I2C_SPEED_SET(I2C_SPEED_STANDARD)
    zassert_equal(i2c_configure(bus, cfg), 0, "configure")
    zassert_equal(i2c_get_config(bus), (0, cfg), "configuration not kept")
    zassert_equal(i2c_recover_bus(bus), -errno.ENOSYS, "the emulated bus cannot recover")


@ZTEST("i2c_emul")
def test_write_then_read():
    zassert_equal(i2c_write(bus, bytes([3, 0xAA, 0xBB]), 3, 0x50), 0, "write")
    zassert_equal(i2c_write(bus, bytes([3]), 1, 0x50), 0, "set the pointer")
    buf = bytearray(2)
    zassert_equal(i2c_read(bus, buf, 2, 0x50), 0, "read")
    zassert_equal(bytes(buf), b"\xaa\xbb", "read back")
    zassert_equal(transfers()[-1], [I2C_MSG_READ | I2C_MSG_STOP], "a read is one message")


@ZTEST("i2c_emul")
def test_burst_and_write_read_messages():
    zassert_equal(i2c_burst_write(bus, 0x50, 8, b"\x01\x02\x03", 3), 0, "burst write")
    zassert_equal(transfers()[-1], [I2C_MSG_WRITE, I2C_MSG_WRITE | I2C_MSG_STOP],
                  "a burst write is two write messages")
    buf = bytearray(3)
    zassert_equal(i2c_burst_read_dt(spec, 8, buf, 3), 0, "burst read")
    zassert_equal(bytes(buf), b"\x01\x02\x03", "read back")
    zassert_equal(transfers()[-1], [I2C_MSG_WRITE, I2C_MSG_READ | I2C_MSG_RESTART | I2C_MSG_STOP],
                  "a burst read is a write, then a read after a repeated start")
    one = bytearray(1)
    zassert_equal(i2c_write_read_dt(spec, b"\x09", 1, one, 1), 0, "write_read")
    zassert_equal(one[0], 2, "register 9")


@ZTEST("i2c_emul")
def test_register_bytes():
    zassert_equal(i2c_reg_write_byte_dt(spec, 1, 0x5A), 0, "write")
    zassert_equal(i2c_reg_read_byte_dt(spec, 1), (0, 0x5A), "read")
    zassert_equal(i2c_reg_update_byte_dt(spec, 1, 0x0F, 0x03), 0, "update")
    zassert_equal(i2c_reg_read_byte_dt(spec, 1), (0, 0x53), "updated under the mask only")
    before = len(transfers())
    zassert_equal(i2c_reg_update_byte_dt(spec, 1, 0x0F, 0x03), 0, "update to the same value")
    zassert_equal(len(transfers()), before + 1, "an update that changes nothing only reads")


@ZTEST("i2c_emul")
def test_transfer_messages():
    before = len(transfers())
    zassert_equal(i2c_transfer(bus, [], 0, 0x50), 0, "no messages")
    zassert_equal(len(transfers()), before, "no messages, yet a transfer")
    msgs = [i2c_msg(b"\x00", 1, I2C_MSG_WRITE)]
    zassert_equal(i2c_transfer(bus, msgs, 1, 0x50), 0, "one message")
    zassert_equal(msgs[0].flags, I2C_MSG_WRITE | I2C_MSG_STOP, "the last message gets a STOP")


@ZTEST("i2c_emul")
def test_nobody_answers():
    zassert_equal(i2c_write(bus, b"\x00", 1, 0x33), -errno.EIO, "nothing at 0x33")
    zassert_equal(i2c_write(bus, b"\x00", 1, 0x51), -errno.EIO, "0x51 has no emulator")
    zassert_equal(i2c_reg_write_byte_dt(spec, test_target.SIZE, 0), -errno.EIO,
                  "the target refuses a register it lacks")


@ZTEST("i2c_emul")
def test_mock_api():
    i2c_reg_write_byte_dt(spec, 0, 0x11)
    target0.bus.mock_api = i2c_emul_api(transfer=lambda t, m, n, a: -errno.ENOSYS)
    try:
        zassert_equal(i2c_reg_read_byte_dt(spec, 0), (0, 0x11), "-ENOSYS falls through")
        target0.bus.mock_api = i2c_emul_api(transfer=lambda t, m, n, a: -errno.EIO)
        zassert_equal(i2c_reg_read_byte_dt(spec, 0), (-errno.EIO, 0), "the mock's error wins")
    finally:
        target0.bus.mock_api = None
    zassert_equal(i2c_reg_read_byte_dt(spec, 0), (0, 0x11), "the emulator is back")


@ZTEST("i2c_emul")
def test_emulator_lookup():
    zassert_true(emul_get_binding("target@50") is target0, "emul_get_binding by device name")
    zassert_is_null(emul_get_binding("nothing"), "an emulator for no device")
    zassert_is_null(emul_get_binding(None), "NULL name")
    zassert_equal((target0.bus_type, target0.bus.addr), (EMUL_BUS_TYPE_I2C, 0x50), "bus end")
    zassert_true(target0.bus.target is target0, "emul_init_for_bus links the bus end")


@ZTEST("i2c_emul")
def test_failed_emulator_init_still_registers():
    zassert_equal(i2c_write(bus, b"\x00\x07", 2, 0x52), 0,
                  "an emulator whose init failed is on the bus anyway, as in Zephyr")


ZTEST_SUITE("i2c_emul", None, None, None, None, None)
