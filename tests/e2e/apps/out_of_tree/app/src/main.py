# SPDX-License-Identifier: Apache-2.0
"""Uses the app's counter and the module's sensor; imports a sibling source plainly."""

import report
from demo.sensor import sensor_read

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.kernel import printk


def main():
    sensor = DEVICE_DT_GET(DT_NODELABEL("sensor0"))
    printk("sensor0 ready: %s, reads %d\n", device_is_ready(sensor), sensor_read(sensor))
    counter = DEVICE_DT_GET(DT_NODELABEL("counter0"))
    printk("%s\n", report.line(counter.api.next(counter)))
    return 0
