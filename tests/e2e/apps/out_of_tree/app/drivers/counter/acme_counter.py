"""An app-level driver: one device per okay "acme,counter" node."""

from dataclasses import dataclass

from zpy.autoconf import CONFIG_KERNEL_INIT_PRIORITY_DEVICE
from zpy.device import DEVICE_DT_INST_DEFINE
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP
from zpy.init import POST_KERNEL

from .acme_counter_regs import STEP

DT_DRV_COMPAT = "acme_counter"


@dataclass
class acme_counter_api:
    next: object


def acme_counter_next(dev):
    dev.data["value"] += STEP
    return dev.data["value"]


def acme_counter_init(dev):
    dev.data["value"] = dev.config
    return 0


def ACME_COUNTER_DEFINE(inst):
    DEVICE_DT_INST_DEFINE(inst, acme_counter_init, None, {}, DT_INST_PROP(inst, "start"),
                          POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEVICE,
                          acme_counter_api(acme_counter_next))


DT_INST_FOREACH_STATUS_OKAY(ACME_COUNTER_DEFINE)
