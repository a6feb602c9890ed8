# SPDX-License-Identifier: Apache-2.0
"""Read the thermo sensor a few times: the app knows the driver's API, not the emulator."""

from app.drivers.thermo import thermo_get_millicelsius, thermo_sample_fetch

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.kernel import k_msleep, printk


def main():
    sensor = DEVICE_DT_GET(DT_NODELABEL("thermo0"))
    if not device_is_ready(sensor):
        printk("%s is not ready\n", sensor.name)
        return 1
    printk("%s is ready\n", sensor.name)

    for _ in range(3):
        rc = thermo_sample_fetch(sensor)
        if rc != 0:
            printk("fetch failed: %d\n", rc)
            return 1
        rc, mc = thermo_get_millicelsius(sensor)
        sign = "-" if mc < 0 else ""
        printk("%s: %s%d.%02d C\n", sensor.name, sign, abs(mc) // 1000, abs(mc) % 1000 // 10)
        k_msleep(1000)
    return 0
