# SPDX-License-Identifier: Apache-2.0
"""The thermo driver against its emulator: values, bus errors, the data-ready interrupt.

Each test steers the emulator through its backend (thermo_emul_set_temperature)
or replaces its bus side with a mock (the i2c_emul's mock_api, as Zephyr's
tests do), and checks what the driver's API returns.
"""

from app.drivers.emul_thermo import thermo_emul_set_temperature
from app.drivers.thermo import (
    thermo_get_millicelsius,
    thermo_sample_fetch,
    thermo_set_drdy_handler,
)

from zpy import errno
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.emul import EMUL_DT_GET, emul_get_binding
from zpy.drivers.i2c import (
    I2C_DT_SPEC_GET,
    i2c_is_ready_dt,
    i2c_reg_read_byte,
    i2c_reg_read_byte_dt,
    i2c_reg_write_byte_dt,
)
from zpy.drivers.i2c_emul import i2c_emul_api
from zpy.kernel import K_MSEC, k_is_in_isr, k_sem, k_sem_give, k_sem_init, k_sem_take
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_true

WHO_AM_I = 0x0F
CHIP_ID = 0x54

sensor0 = DEVICE_DT_GET(DT_NODELABEL("thermo0"))
sensor1 = DEVICE_DT_GET(DT_NODELABEL("thermo1"))
emul0 = EMUL_DT_GET(DT_NODELABEL("thermo0"))
emul1 = EMUL_DT_GET(DT_NODELABEL("thermo1"))


@ZTEST("thermo")
def test_devices_and_emulators():
    zassert_true(device_is_ready(sensor0), "thermo0 is not ready")
    zassert_true(device_is_ready(sensor1), "thermo1 is not ready")
    zassert_true(emul_get_binding(sensor0.name) is emul0, "thermo0's emulator not found")
    zassert_true(emul0.dev is sensor0, "the emulator emulates another device")


@ZTEST("thermo")
def test_chip_id_over_i2c():
    spec = I2C_DT_SPEC_GET(DT_NODELABEL("thermo0"))
    zassert_true(i2c_is_ready_dt(spec), "the I2C bus is not ready")
    zassert_equal(spec.addr, 0x48, "wrong I2C address from the devicetree")
    zassert_equal(i2c_reg_read_byte_dt(spec, WHO_AM_I), (0, CHIP_ID), "wrong chip id")


@ZTEST("thermo")
def test_fetch_reads_the_emulated_temperature():
    for centi, milli in ((2345, 23450), (-1050, -10500), (0, 0)):
        zassert_equal(thermo_emul_set_temperature(emul0, centi), 0, "emulator refused %d", centi)
        zassert_equal(thermo_sample_fetch(sensor0), 0, "fetch failed")
        zassert_equal(thermo_get_millicelsius(sensor0), (0, milli), "wrong temperature")


@ZTEST("thermo")
def test_two_sensors_are_independent():
    thermo_emul_set_temperature(emul0, 1000)
    thermo_emul_set_temperature(emul1, 3000)
    zassert_equal(thermo_sample_fetch(sensor0), 0, "fetch 0 failed")
    zassert_equal(thermo_sample_fetch(sensor1), 0, "fetch 1 failed")
    zassert_equal(thermo_get_millicelsius(sensor0), (0, 10000), "thermo0 read thermo1")
    zassert_equal(thermo_get_millicelsius(sensor1), (0, 30000), "thermo1 read thermo0")


@ZTEST("thermo")
def test_emulator_refuses_what_a_register_cannot_hold():
    zassert_equal(thermo_emul_set_temperature(emul0, 40000), -errno.EINVAL,
                  "an out-of-range temperature was taken")


@ZTEST("thermo")
def test_bus_errors_reach_the_caller():
    failing = i2c_emul_api(transfer=lambda target, msgs, num_msgs, addr: -errno.EIO)
    emul0.bus.mock_api = failing
    try:
        zassert_equal(thermo_sample_fetch(sensor0), -errno.EIO, "a failed transfer was hidden")
    finally:
        emul0.bus.mock_api = None
    zassert_equal(thermo_sample_fetch(sensor0), 0, "the bus did not recover")


@ZTEST("thermo")
def test_read_only_registers_and_absent_devices():
    spec = I2C_DT_SPEC_GET(DT_NODELABEL("thermo0"))
    zassert_equal(i2c_reg_write_byte_dt(spec, WHO_AM_I, 0), -errno.EIO,
                  "a write to a read-only register was acknowledged")
    zassert_equal(i2c_reg_read_byte(spec.bus, 0x50, WHO_AM_I), (-errno.EIO, 0),
                  "nothing at 0x50, yet it answered")


drdy = k_sem()
drdy_in_isr = []


def on_drdy(dev):
    drdy_in_isr.append(k_is_in_isr())
    k_sem_give(drdy)


@ZTEST("thermo")
def test_data_ready_interrupt():
    k_sem_init(drdy, 0, 1)
    zassert_equal(thermo_set_drdy_handler(sensor0, on_drdy), 0, "cannot set the handler")
    zassert_equal(thermo_emul_set_temperature(emul0, 1234), 0, "emulator refused")
    zassert_equal(k_sem_take(drdy, K_MSEC(100)), 0, "no data-ready interrupt")
    zassert_equal(drdy_in_isr, [True], "the handler did not run in the ISR")
    zassert_equal(thermo_sample_fetch(sensor0), 0, "fetch failed")
    zassert_equal(thermo_get_millicelsius(sensor0), (0, 12340), "wrong temperature")

    zassert_equal(thermo_set_drdy_handler(sensor0, None), 0, "cannot remove the handler")
    thermo_emul_set_temperature(emul0, 4321)
    zassert_equal(k_sem_take(drdy, K_MSEC(100)), -errno.EAGAIN, "interrupt while disabled")


@ZTEST("thermo")
def test_no_data_ready_without_an_interrupt_line():
    zassert_equal(thermo_set_drdy_handler(sensor1, on_drdy), -errno.ENOTSUP,
                  "thermo1 has no interrupt, yet took a handler")


ZTEST_SUITE("thermo", None, None, None, None, None)
