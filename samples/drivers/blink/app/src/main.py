# SPDX-License-Identifier: Apache-2.0
"""Use a device of a custom driver class: find it, check it is ready, drive it."""

from app.drivers.blink import blink_off, blink_set_period_ms

from zpy.device import DEVICE_DT_GET, DEVICE_DT_GET_OR_NULL, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.kernel import k_msleep, printk


def main():
    led = DEVICE_DT_GET(DT_NODELABEL("blink_led"))
    if not device_is_ready(led):
        printk("blink_led is not ready\n")
        return 1
    printk("blink_led is ready: %s\n", led.name)
    if DEVICE_DT_GET_OR_NULL(DT_NODELABEL("led1")) is None:
        printk("led1 has no device (its status is disabled)\n")

    printk("too fast: %d\n", blink_set_period_ms(led, 1))
    k_msleep(250)
    printk("faster\n")
    blink_set_period_ms(led, 40)
    k_msleep(120)
    blink_off(led)
    printk("done: %s off\n", led.name)
    return 0
