"""Zephyr's IPM-over-ivshmem driver (drivers/ipm/ipm_ivshmem.c) in Python.

One device per okay `linaro,ivshmem-ipm` node. Its `ivshmem` phandle names the
ivshmem-doorbell device it rides on; that node is in the IPM node's
devicetree dependencies already (edtlib counts phandle properties), so the
device requires it, and it initializes later (POST_KERNEL at
CONFIG_APPLICATION_INIT_PRIORITY, after ivshmem's
CONFIG_KERNEL_INIT_PRIORITY_DEVICE).

A message is only a doorbell: ipm_send(dev, wait, id, ...) rings vector 0 of
peer `id`; an event-loop thread waits on our own vector 0 and calls the
registered callback with id 0 and no data. As in C, the driver provides no
max_data_size_get or max_id_val_get, and set_enabled does nothing.

Data, helpers (the event loop), API, init, API table, and the instances at
the bottom, like its C twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zpy.autoconf import (
    CONFIG_APPLICATION_INIT_PRIORITY,
    CONFIG_IPM_IVSHMEM_EVENT_LOOP_PRIO,
    CONFIG_IPM_IVSHMEM_EVENT_LOOP_STACK_SIZE,
)
from zpy.device import DEVICE_API, DEVICE_DT_GET, DEVICE_DT_INST_DEFINE, device
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PHANDLE
from zpy.drivers.ipm import ipm_callback_t, ipm_driver_api
from zpy.drivers.ivshmem import ivshmem_int_peer, ivshmem_register_handler
from zpy.init import POST_KERNEL
from zpy.kernel import (
    K_FOREVER,
    K_NO_WAIT,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_THREAD_STACK_DEFINE,
    k_panic,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_init,
    k_poll_signal_reset,
    k_thread,
    k_thread_create,
    k_thread_name_set,
)
from zpy.logging import LOG_DBG, LOG_ERR, LOG_MODULE_REGISTER

DT_DRV_COMPAT = "linaro_ivshmem_ipm"
LOG_MODULE_REGISTER("ipm_ivshmem", "CONFIG_IPM_LOG_LEVEL")

# One event loop for the driver, as C's static thread and stack (one per image).
ivshmem_ev_loop_stack = K_THREAD_STACK_DEFINE("ivshmem_ev_loop_stack",
                                              CONFIG_IPM_IVSHMEM_EVENT_LOOP_STACK_SIZE)
ivshmem_ev_loop_thread = k_thread()

# -- data -------------------------------------------------------------------------------


@dataclass
class ivshmem_ipm_data:
    cb: ipm_callback_t | None = None
    user_data: Any = None


@dataclass(frozen=True)
class ivshmem_ipm_config:
    ivshmem_dev: device


# -- helpers: the event loop ---------------------------------------------------------------


def ivshmem_ipm_event_loop_thread(dev: device, p2: object, p3: object) -> None:
    """Wait for doorbells on our vector 0 and hand each one to the callback."""
    dev_data: ivshmem_ipm_data = dev.data
    dev_cfg: ivshmem_ipm_config = dev.config
    sig = k_poll_signal()
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)]

    k_poll_signal_init(sig)
    ret = ivshmem_register_handler(dev_cfg.ivshmem_dev, sig, 0)
    if ret < 0:
        LOG_ERR("registering handlers must be supported: %d", ret)
        k_panic()

    while True:
        LOG_DBG("waiting for an interrupt from a peer...")
        k_poll(events, len(events), K_FOREVER)
        k_poll_signal_check(sig)
        k_poll_signal_reset(sig)  # ready for the next doorbell
        if dev_data.cb is not None:
            dev_data.cb(dev, dev_data.user_data, 0, None)


# -- API --------------------------------------------------------------------------------------


def ivshmem_ipm_send(dev: device, wait: int, id: int, data: Any, size: int) -> int:
    """Ring vector 0 of peer `id`; `wait`, `data` and `size` are ignored, as in C."""
    dev_cfg: ivshmem_ipm_config = dev.config
    LOG_DBG("sending notification to the peer id 0x%x", id)
    return ivshmem_int_peer(dev_cfg.ivshmem_dev, id, 0)


def ivshmem_ipm_register_callback(dev: device, cb: ipm_callback_t | None, user_data: Any) -> None:
    dev_data: ivshmem_ipm_data = dev.data
    dev_data.cb = cb
    dev_data.user_data = user_data


def ivshmem_ipm_set_enabled(dev: device, enable: int) -> int:
    """Nothing to switch: some subsystems call it, so it just succeeds."""
    return 0


# -- init ---------------------------------------------------------------------------------------


def ivshmem_ipm_init(dev: device) -> int:
    k_thread_create(ivshmem_ev_loop_thread, ivshmem_ev_loop_stack,
                    CONFIG_IPM_IVSHMEM_EVENT_LOOP_STACK_SIZE, ivshmem_ipm_event_loop_thread,
                    dev, None, None, CONFIG_IPM_IVSHMEM_EVENT_LOOP_PRIO, 0, K_NO_WAIT)
    k_thread_name_set(ivshmem_ev_loop_thread, "ipm_ivshmem")
    return 0


# -- API table ------------------------------------------------------------------------------------

ivshmem_ipm_driver_api = DEVICE_API(ipm_driver_api,
                                    send=ivshmem_ipm_send,
                                    register_callback=ivshmem_ipm_register_callback,
                                    set_enabled=ivshmem_ipm_set_enabled)

# -- instances ----------------------------------------------------------------------------------------


def IPM_IVSHMEM_INIT(inst: int) -> None:
    # DEVICE_DT_GET of a node with no device (disabled, or no ivshmem driver) fails the
    # link, as the undefined __device_dts_ord_N does in C.
    cfg = ivshmem_ipm_config(ivshmem_dev=DEVICE_DT_GET(DT_INST_PHANDLE(inst, "ivshmem")))
    DEVICE_DT_INST_DEFINE(inst, ivshmem_ipm_init, None, ivshmem_ipm_data(), cfg,
                          POST_KERNEL, CONFIG_APPLICATION_INIT_PRIORITY, ivshmem_ipm_driver_api)


DT_INST_FOREACH_STATUS_OKAY(IPM_IVSHMEM_INIT)
