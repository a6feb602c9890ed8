# SPDX-License-Identifier: Apache-2.0
"""The GPIO API on the emulated GPIO controller: return codes, levels, interrupts.

The return codes are Zephyr's: -ENOTSUP for what the controller cannot do,
-EINVAL for a pin it lacks (or reserves) or the wrong direction, -ENOSYS for
an operation its driver lacks. gpio0 has an interrupt line: its callbacks run
in its ISR. gpio1 has none: they run in the caller, as in Zephyr.
"""

from zpy import errno
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.gpio import (
    GPIO_ACTIVE_LOW,
    GPIO_DT_SPEC_GET,
    GPIO_DT_SPEC_GET_OR,
    GPIO_INPUT,
    GPIO_INT_DISABLE,
    GPIO_INT_EDGE_BOTH,
    GPIO_INT_EDGE_FALLING,
    GPIO_INT_EDGE_RISING,
    GPIO_INT_EDGE_TO_ACTIVE,
    GPIO_INT_LEVEL_HIGH,
    GPIO_OPEN_DRAIN,
    GPIO_OPEN_SOURCE,
    GPIO_OUTPUT,
    GPIO_OUTPUT_ACTIVE,
    GPIO_OUTPUT_INIT_LOW,
    GPIO_OUTPUT_LOW,
    GPIO_PULL_DOWN,
    GPIO_PULL_UP,
    gpio_add_callback,
    gpio_callback,
    gpio_dt_spec,
    gpio_get_pending_int,
    gpio_init_callback,
    gpio_is_ready_dt,
    gpio_pin_configure,
    gpio_pin_configure_dt,
    gpio_pin_get,
    gpio_pin_get_config,
    gpio_pin_get_raw,
    gpio_pin_interrupt_configure,
    gpio_pin_is_input,
    gpio_pin_set,
    gpio_pin_set_dt,
    gpio_pin_toggle_dt,
    gpio_port_clear_bits_raw,
    gpio_port_get_raw,
    gpio_port_set_bits_raw,
    gpio_port_set_clr_bits_raw,
    gpio_port_set_masked_raw,
    gpio_port_toggle_bits,
    gpio_remove_callback,
)
from zpy.drivers.gpio.gpio_emul import (
    gpio_emul_flags_get,
    gpio_emul_input_set,
    gpio_emul_input_set_masked,
    gpio_emul_output_get,
    gpio_emul_output_get_masked,
)
from zpy.kernel import BIT, k_is_in_isr
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_is_null, zassert_true

gpio0 = DEVICE_DT_GET(DT_NODELABEL("gpio0"))
gpio1 = DEVICE_DT_GET(DT_NODELABEL("gpio1"))

added = []  # (port, callback) pairs each test added; after() removes them
calls = []  # (pins, in ISR) per callback call


def record(port, cb, pins):
    calls.append((pins, k_is_in_isr()))


def add(port, pin, handler=record):
    cb = gpio_callback()
    gpio_init_callback(cb, handler, BIT(pin))
    zassert_equal(gpio_add_callback(port, cb), 0, "cannot add a callback")
    added.append((port, cb))
    return cb


@ZTEST("gpio_emul")
def test_configure_return_codes():
    zassert_true(device_is_ready(gpio0) and device_is_ready(gpio1), "a controller is not ready")
    zassert_equal(gpio_pin_configure(gpio0, 0, GPIO_OUTPUT | GPIO_OPEN_DRAIN), -errno.ENOTSUP,
                  "open drain is not emulated")
    zassert_equal(gpio_pin_configure(gpio0, 0, GPIO_OUTPUT | GPIO_OPEN_SOURCE), -errno.ENOTSUP,
                  "open source is not emulated")
    zassert_equal(gpio_pin_configure(gpio0, 8, GPIO_INPUT), -errno.EINVAL, "pin 8 of 8")
    zassert_equal(gpio_pin_configure(gpio0, 2, GPIO_INPUT), -errno.EINVAL, "a reserved pin")
    zassert_equal(gpio_pin_interrupt_configure(gpio0, 3, GPIO_INT_EDGE_RISING), -errno.EINVAL,
                  "interrupt on a reserved pin")
    zassert_equal(gpio_pin_get_config(gpio0, 0), (-errno.ENOSYS, 0), "no pin_get_config")
    zassert_equal(gpio_pin_is_input(gpio0, 0), -errno.ENOSYS, "no port_get_direction")


@ZTEST("gpio_emul")
def test_backend_return_codes():
    zassert_equal(gpio_pin_configure(gpio0, 0, GPIO_OUTPUT_LOW), 0, "configure")
    zassert_equal(gpio_emul_input_set(gpio0, 0, 1), -errno.EINVAL, "input on an output pin")
    zassert_equal(gpio_pin_configure(gpio0, 1, GPIO_INPUT), 0, "configure")
    zassert_equal(gpio_emul_input_set_masked(gpio0, BIT(1), BIT(0)), -errno.EINVAL,
                  "a value outside the mask")
    zassert_equal(gpio_emul_input_set(gpio0, 2, 1), -errno.EINVAL, "a reserved pin")
    zassert_equal(gpio_emul_input_set_masked(gpio0, 0, 0), 0, "an empty mask")
    zassert_equal(gpio_emul_output_get(gpio0, 9), -errno.EINVAL, "pin 9 of 8")
    zassert_equal(gpio_emul_flags_get(gpio0, 2), (-errno.EINVAL, 0), "a reserved pin's flags")
    zassert_equal(gpio_emul_flags_get(gpio0, 1), (0, GPIO_INPUT), "pin 1's flags")


@ZTEST("gpio_emul")
def test_pulls_set_the_input():
    zassert_equal(gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_UP), 0, "pull-up")
    zassert_equal(gpio_pin_get_raw(gpio0, 1), 1, "a pulled-up input reads 1")
    zassert_equal(gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_DOWN), 0, "pull-down")
    zassert_equal(gpio_pin_get_raw(gpio0, 1), 0, "a pulled-down input reads 0")
    gpio_emul_input_set(gpio0, 1, 1)
    zassert_equal(gpio_pin_get_raw(gpio0, 1), 1, "the emulator drove it high")


@ZTEST("gpio_emul")
def test_active_low_output():
    led = GPIO_DT_SPEC_GET(DT_NODELABEL("led_low"), "gpios")
    zassert_true(gpio_is_ready_dt(led), "led's port is not ready")
    zassert_equal((led.pin, led.dt_flags), (5, GPIO_ACTIVE_LOW), "wrong spec from devicetree")
    zassert_equal(gpio_pin_configure_dt(led, GPIO_OUTPUT_ACTIVE), 0, "configure")
    zassert_equal(gpio_emul_output_get(gpio0, 5), 0, "active is low on an active-low pin")
    zassert_equal(gpio_emul_flags_get(gpio0, 5),
                  (0, GPIO_ACTIVE_LOW | GPIO_OUTPUT | GPIO_OUTPUT_INIT_LOW), "stored flags")
    zassert_equal(gpio_pin_set_dt(led, 0), 0, "set inactive")
    zassert_equal(gpio_emul_output_get(gpio0, 5), 1, "inactive is high")
    zassert_equal(gpio_pin_toggle_dt(led), 0, "toggle")
    zassert_equal(gpio_emul_output_get(gpio0, 5), 0, "toggled low")


@ZTEST("gpio_emul")
def test_port_operations():
    for pin in (0, 4, 6, 7):
        zassert_equal(gpio_pin_configure(gpio0, pin, GPIO_OUTPUT_LOW), 0, "configure %d", pin)
    gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_UP)
    zassert_equal(gpio_port_set_masked_raw(gpio0, BIT(0) | BIT(4), BIT(4)), 0, "set_masked")
    zassert_equal(gpio_emul_output_get_masked(gpio0, 0xF3)[1] & 0xF1, BIT(4), "after set_masked")
    gpio_port_set_bits_raw(gpio0, BIT(6) | BIT(7))
    gpio_port_clear_bits_raw(gpio0, BIT(4))
    zassert_equal(gpio_emul_output_get_masked(gpio0, 0xF3)[1] & 0xF1, BIT(6) | BIT(7), "bits")
    gpio_port_toggle_bits(gpio0, BIT(0) | BIT(7))
    zassert_equal(gpio_emul_output_get_masked(gpio0, 0xF3)[1] & 0xF1, BIT(0) | BIT(6), "toggle")
    gpio_port_set_clr_bits_raw(gpio0, BIT(4), BIT(0))
    zassert_equal(gpio_emul_output_get_masked(gpio0, 0xF3)[1] & 0xF1, BIT(4) | BIT(6), "set_clr")
    zassert_equal(gpio_port_get_raw(gpio0), (0, BIT(1)), "only inputs are read")


@ZTEST("gpio_emul")
def test_push_pull_pin_reads_its_output():
    zassert_equal(gpio_pin_configure(gpio0, 4, GPIO_INPUT | GPIO_OUTPUT_LOW), 0, "in/out")
    zassert_equal(gpio_pin_get_raw(gpio0, 4), 0, "reads its low output")
    gpio_pin_set(gpio0, 4, 1)
    zassert_equal(gpio_pin_get_raw(gpio0, 4), 1, "reads its high output")


@ZTEST("gpio_emul")
def test_edge_interrupts_run_in_the_isr():
    gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_DOWN)
    add(gpio0, 1)
    for flags, levels, expected in (
            (GPIO_INT_EDGE_RISING, (1, 0, 1), 2),
            (GPIO_INT_EDGE_FALLING, (0, 1, 0), 2),
            (GPIO_INT_EDGE_BOTH, (1, 0, 1), 3),
            (GPIO_INT_DISABLE, (0, 1, 0), 0)):
        gpio_emul_input_set(gpio0, 1, 1 if flags == GPIO_INT_EDGE_FALLING else 0)
        calls.clear()
        zassert_equal(gpio_pin_interrupt_configure(gpio0, 1, flags), 0, "interrupt config")
        for level in levels:
            gpio_emul_input_set(gpio0, 1, level)
        zassert_equal(len(calls), expected, "wrong number of interrupts for %#x", flags)
        zassert_true(all(c == (BIT(1), True) for c in calls), "not pin 1 in the ISR: %s", calls)
    zassert_equal(gpio_get_pending_int(gpio0), 0, "an interrupt left pending")


def disable_in_callback(port, cb, pins):
    calls.append((pins, k_is_in_isr()))
    gpio_pin_interrupt_configure(port, 1, GPIO_INT_DISABLE)


@ZTEST("gpio_emul")
def test_level_interrupt_until_disabled():
    gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_DOWN)
    add(gpio0, 1, disable_in_callback)
    calls.clear()
    zassert_equal(gpio_pin_interrupt_configure(gpio0, 1, GPIO_INT_LEVEL_HIGH), 0, "level high")
    zassert_equal(len(calls), 0, "interrupt while low")
    gpio_emul_input_set(gpio0, 1, 1)
    zassert_equal(calls, [(BIT(1), True)], "one interrupt, then disabled by its callback")


@ZTEST("gpio_emul")
def test_edge_to_active_on_an_active_low_pin():
    gpio_pin_configure(gpio0, 6, GPIO_INPUT | GPIO_PULL_UP | GPIO_ACTIVE_LOW)
    zassert_equal(gpio_pin_get(gpio0, 6), 0, "high is inactive")
    add(gpio0, 6)
    calls.clear()
    gpio_pin_interrupt_configure(gpio0, 6, GPIO_INT_EDGE_TO_ACTIVE)
    gpio_emul_input_set(gpio0, 6, 0)
    zassert_equal(gpio_pin_get(gpio0, 6), 1, "low is active")
    gpio_emul_input_set(gpio0, 6, 1)
    zassert_equal(calls, [(BIT(6), True)], "one interrupt, on the falling edge")


@ZTEST("gpio_emul")
def test_controller_without_interrupt_line():
    gpio_pin_configure(gpio1, 0, GPIO_INPUT | GPIO_PULL_DOWN)
    zassert_equal(gpio_pin_interrupt_configure(gpio1, 0, GPIO_INT_EDGE_FALLING), -errno.ENOTSUP,
                  "gpio1 has no falling edges")
    zassert_equal(gpio_pin_interrupt_configure(gpio1, 0, GPIO_INT_LEVEL_HIGH), -errno.ENOTSUP,
                  "gpio1 has no levels")
    zassert_equal(gpio_pin_interrupt_configure(gpio1, 0, GPIO_INT_EDGE_RISING), 0, "rising")
    add(gpio1, 0)
    calls.clear()
    gpio_emul_input_set(gpio1, 0, 1)
    zassert_equal(calls, [(BIT(0), False)], "called in the caller's context")


@ZTEST("gpio_emul")
def test_callback_list():
    stray = gpio_callback()
    gpio_init_callback(stray, record, BIT(1))
    zassert_equal(gpio_remove_callback(gpio0, stray), -errno.EINVAL, "never added")
    gpio_pin_configure(gpio0, 1, GPIO_INPUT | GPIO_PULL_DOWN)
    order = []
    first = add(gpio0, 1, lambda port, cb, pins: order.append("first"))
    add(gpio0, 1, lambda port, cb, pins: order.append("second"))
    gpio_pin_interrupt_configure(gpio0, 1, GPIO_INT_EDGE_RISING)
    gpio_emul_input_set(gpio0, 1, 1)
    zassert_equal(order, ["second", "first"], "the newest callback is called first")
    gpio_add_callback(gpio0, first)
    gpio_emul_input_set(gpio0, 1, 0)
    gpio_emul_input_set(gpio0, 1, 1)
    zassert_equal(order[2:], ["first", "second"], "adding again moves it first")
    zassert_equal(gpio_remove_callback(gpio0, first), 0, "remove")
    gpio_emul_input_set(gpio0, 1, 0)
    gpio_emul_input_set(gpio0, 1, 1)
    zassert_equal(order[4:], ["second"], "a removed callback is not called")


@ZTEST("gpio_emul")
def test_spec_of_a_missing_node_is_the_default():
    spec = GPIO_DT_SPEC_GET_OR(DT_NODELABEL("no_such_led"), "gpios", gpio_dt_spec())
    zassert_is_null(spec.port, "a port for a node that does not exist")


def after(fixture):
    for port, cb in added:
        gpio_remove_callback(port, cb)
    added.clear()
    for pin in (0, 1, 4, 5, 6, 7):
        gpio_pin_interrupt_configure(gpio0, pin, GPIO_INT_DISABLE)
    gpio_pin_interrupt_configure(gpio1, 0, GPIO_INT_DISABLE)


ZTEST_SUITE("gpio_emul", None, None, None, after, None)
