# Copyright (c) 2016 Intel Corporation
# SPDX-License-Identifier: Apache-2.0
#
# Zephyr's samples/basic/blinky/src/main.c, line by line.

from zpy.devicetree import DT_ALIAS
from zpy.drivers.gpio import (
    GPIO_DT_SPEC_GET,
    GPIO_OUTPUT_ACTIVE,
    gpio_is_ready_dt,
    gpio_pin_configure_dt,
    gpio_pin_toggle_dt,
)
from zpy.kernel import k_msleep, printk

# 1000 msec = 1 sec
SLEEP_TIME_MS = 1000

# The devicetree node identifier for the "led0" alias.
LED0_NODE = DT_ALIAS("led0")

# A build error on this line means your board is unsupported.
# See the sample documentation for information on how to fix this.
led = GPIO_DT_SPEC_GET(LED0_NODE, "gpios")


def main() -> int:
    led_state = True

    if not gpio_is_ready_dt(led):
        return 0

    ret = gpio_pin_configure_dt(led, GPIO_OUTPUT_ACTIVE)
    if ret < 0:
        return 0

    while True:
        ret = gpio_pin_toggle_dt(led)
        if ret < 0:
            return 0

        led_state = not led_state
        printk("LED state: %s\n", "ON" if led_state else "OFF")  # C: printf (stdio)
        k_msleep(SLEEP_TIME_MS)
    return 0
