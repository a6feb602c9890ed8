"""The module's driver: one device per okay "demo,sensor" node."""

from demo.sensor import demo_sensor_api

from zpy.autoconf import CONFIG_KERNEL_INIT_PRIORITY_DEVICE
from zpy.device import DEVICE_DT_INST_DEFINE
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP
from zpy.init import POST_KERNEL

DT_DRV_COMPAT = "demo_sensor"


def demo_sensor_read(dev):
    return dev.config


def DEMO_SENSOR_DEFINE(inst):
    DEVICE_DT_INST_DEFINE(inst, None, None, None, DT_INST_PROP(inst, "value"), POST_KERNEL,
                          CONFIG_KERNEL_INIT_PRIORITY_DEVICE, demo_sensor_api(demo_sensor_read))


DT_INST_FOREACH_STATUS_OKAY(DEMO_SENSOR_DEFINE)
