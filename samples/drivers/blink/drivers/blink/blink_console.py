"""A blink driver whose "LED" is a line on the console (compatible "zpy,console-blink").

Each instance gets a thread that toggles the LED every half period and prints
its state; the initial period comes from the node's blink-period-ms property.
Data, helpers, API, init, API table, and the instances at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.drivers.blink import blink_driver_api

from zpy import errno
from zpy.autoconf import CONFIG_KERNEL_INIT_PRIORITY_DEVICE
from zpy.device import DEVICE_API, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP_OR
from zpy.init import POST_KERNEL
from zpy.kernel import (
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
    k_thread_create,
    k_thread_name_set,
    printk,
)
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER

DT_DRV_COMPAT = "zpy_console_blink"
LOG_MODULE_REGISTER("blink_console")

#: shortest period the "LED" accepts, as a real LED driver would refuse silly rates
MIN_PERIOD_MS = 10

# -- data ---------------------------------------------------------------------------------


@dataclass
class blink_console_config:
    initial_period_ms: int


@dataclass
class blink_console_data:
    period_ms: int = 0
    on: bool = False
    toggles: int = 0
    wake: k_sem = field(default_factory=k_sem)
    thread: k_thread = field(default_factory=k_thread)


# -- helpers --------------------------------------------------------------------------------


def _blink_thread(dev: device, p2: object, p3: object) -> None:
    data: blink_console_data = dev.data
    while True:
        timeout = K_FOREVER if data.period_ms == 0 else K_MSEC(data.period_ms // 2)
        if k_sem_take(data.wake, timeout) == 0:
            continue  # the period changed: start over with the new one
        data.on = not data.on
        data.toggles += 1
        printk("[%s] %s\n", dev.name, "*" if data.on else ".")


# -- API ------------------------------------------------------------------------------------------


def blink_console_set_period_ms(dev: device, period_ms: int) -> int:
    if period_ms != 0 and period_ms < MIN_PERIOD_MS:
        return -errno.EINVAL
    data: blink_console_data = dev.data
    data.period_ms = period_ms
    if period_ms == 0 and data.on:
        data.on = False
        printk("[%s] .\n", dev.name)
    k_sem_give(data.wake)
    return 0


# -- init -------------------------------------------------------------------------------------------


def blink_console_init(dev: device) -> int:
    config: blink_console_config = dev.config
    data: blink_console_data = dev.data
    k_sem_init(data.wake, 0, 1)
    data.period_ms = config.initial_period_ms
    k_thread_create(data.thread, None, 0, _blink_thread, dev, None, None, 5, 0, K_NO_WAIT)
    k_thread_name_set(data.thread, dev.name)
    LOG_INF("%s: blinking every %d ms", dev.name, data.period_ms)
    return 0


# -- API table ---------------------------------------------------------------------------------------

blink_console_api = DEVICE_API(blink_driver_api, set_period_ms=blink_console_set_period_ms)

# -- instances -----------------------------------------------------------------------------------------


def BLINK_CONSOLE_DEFINE(inst: int) -> None:
    config = blink_console_config(DT_INST_PROP_OR(inst, "blink_period_ms", 0))
    DEVICE_DT_INST_DEFINE(inst, blink_console_init, None, blink_console_data(), config,
                          POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEVICE, blink_console_api)


DT_INST_FOREACH_STATUS_OKAY(BLINK_CONSOLE_DEFINE)
