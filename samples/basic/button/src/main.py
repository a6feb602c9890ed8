# Copyright (c) 2016 Open-RnD Sp. z o.o.
# Copyright (c) 2020 Nordic Semiconductor ASA
# SPDX-License-Identifier: Apache-2.0
#
# Zephyr's samples/basic/button/src/main.c, line by line.

from zpy.devicetree import DT_ALIAS, DT_NODE_HAS_STATUS_OKAY
from zpy.drivers.gpio import (
    GPIO_DT_SPEC_GET_OR,
    GPIO_INPUT,
    GPIO_INT_EDGE_TO_ACTIVE,
    GPIO_OUTPUT,
    gpio_add_callback,
    gpio_callback,
    gpio_dt_spec,
    gpio_init_callback,
    gpio_is_ready_dt,
    gpio_pin_configure_dt,
    gpio_pin_get_dt,
    gpio_pin_interrupt_configure_dt,
    gpio_pin_set_dt,
)
from zpy.kernel import BIT, k_cycle_get_32, k_msleep, printk

SLEEP_TIME_MS = 1

# Get button configuration from the devicetree sw0 alias. This is mandatory.
SW0_NODE = DT_ALIAS("sw0")
if not DT_NODE_HAS_STATUS_OKAY(SW0_NODE):
    raise SystemExit("Unsupported board: sw0 devicetree alias is not defined")  # C: #error
button = GPIO_DT_SPEC_GET_OR(SW0_NODE, "gpios", gpio_dt_spec())
button_cb_data = gpio_callback()

# The led0 devicetree alias is optional. If present, we'll use it
# to turn on the LED whenever the button is pressed.
led = GPIO_DT_SPEC_GET_OR(DT_ALIAS("led0"), "gpios", gpio_dt_spec())


def button_pressed(dev, cb, pins):
    printk("Button pressed at %u\n", k_cycle_get_32())


def main() -> int:
    if not gpio_is_ready_dt(button):
        printk("Error: button device %s is not ready\n", button.port.name)
        return 0

    ret = gpio_pin_configure_dt(button, GPIO_INPUT)
    if ret != 0:
        printk("Error %d: failed to configure %s pin %d\n", ret, button.port.name, button.pin)
        return 0

    ret = gpio_pin_interrupt_configure_dt(button, GPIO_INT_EDGE_TO_ACTIVE)
    if ret != 0:
        printk("Error %d: failed to configure interrupt on %s pin %d\n",
               ret, button.port.name, button.pin)
        return 0

    gpio_init_callback(button_cb_data, button_pressed, BIT(button.pin))
    gpio_add_callback(button.port, button_cb_data)
    printk("Set up button at %s pin %d\n", button.port.name, button.pin)

    if led.port and not gpio_is_ready_dt(led):
        printk("Error %d: LED device %s is not ready; ignoring it\n", ret, led.port.name)
        led.port = None
    if led.port:
        ret = gpio_pin_configure_dt(led, GPIO_OUTPUT)
        if ret != 0:
            printk("Error %d: failed to configure LED device %s pin %d\n",
                   ret, led.port.name, led.pin)
            led.port = None
        else:
            printk("Set up LED at %s pin %d\n", led.port.name, led.pin)

    printk("Press the button\n")
    if led.port:
        while True:
            # If we have an LED, match its state to the button's.
            val = gpio_pin_get_dt(button)

            if val >= 0:
                gpio_pin_set_dt(led, val)
            k_msleep(SLEEP_TIME_MS)
    return 0
