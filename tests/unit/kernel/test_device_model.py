"""The device model: DEVICE_DT_INST_DEFINE per okay instance, init order, readiness, lookups."""

from __future__ import annotations

import pytest

from zpy.errors import BootError

from .conftest import node

DRIVER = """
from zpy.device import DEVICE_DT_INST_DEFINE, DEVICE_API, device_is_ready
from zpy.devicetree import DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP
from zpy.init import POST_KERNEL, PRE_KERNEL_1
from zpy.kernel import printk
from zpy import errno
from dataclasses import dataclass

DT_DRV_COMPAT = "zpy_blinker"

@dataclass
class blinker_driver_api:
    blink: object

@dataclass
class blinker_data:
    count: int = 0

def blinker_blink(dev):
    dev.data.count += 1
    return dev.data.count

def blinker_init(dev):
    printk("init %s rate=%d\\n", dev.name, dev.config)
    return -errno.EIO if dev.config == 0 else 0

API = DEVICE_API(blinker_driver_api, blink=blinker_blink)

def define(inst):
    DEVICE_DT_INST_DEFINE(inst, blinker_init, None, blinker_data(), DT_INST_PROP(inst, "rate"),
                          POST_KERNEL, 60, API)

DT_INST_FOREACH_STATUS_OKAY(define)
"""


def nodes():
    return [
        node("/blinker@1", 3, labels=["b1"], compats=["zpy,blinker"], props={"rate": 5}),
        node("/blinker@2", 2, labels=["b2"], compats=["zpy,blinker"], props={"rate": 0}),
        node("/blinker@3", 4, labels=["b3"], compats=["zpy,blinker"], status="disabled",
             props={"rate": 9}),
        node("/blinker@4", 5, labels=["b4"], compats=["zpy,blinker"],
             props={"rate": 7, "label": "LATE", "zephyr,deferred-init": True}),
    ]


def test_one_device_per_okay_instance_in_ordinal_order(make_image, boot):
    build = make_image("""
        from zpy.device import *
        from zpy.devicetree import DT_NODELABEL, DT_NODE_HAS_STATUS_OKAY, DT_NUM_INST_STATUS_OKAY
        from zpy.kernel import printk
        from zpy import errno

        def main():
            b1 = DEVICE_DT_GET(DT_NODELABEL("b1"))
            b2 = DEVICE_DT_GET(DT_NODELABEL("b2"))
            b4 = DEVICE_DT_GET(DT_NODELABEL("b4"))
            printk("%d okay\\n", DT_NUM_INST_STATUS_OKAY("zpy,blinker"))
            printk("ready %d %d %d\\n", device_is_ready(b1), device_is_ready(b2), device_is_ready(b4))
            printk("init_res %d initialized %d\\n", b2.state.init_res, b2.state.initialized)
            printk("binding %s %s %s\\n", device_get_binding("blinker@1") is b1,
                   device_get_binding("blinker@2"), device_get_binding("LATE"))
            printk("device_init %d\\n", device_init(b4))
            printk("again %d ready %d\\n", device_init(b4), device_is_ready(b4))
            printk("api %d %d\\n", b1.api.blink(b1), DEVICE_API_GET(None, b1).blink(b1))
            printk("okay-or-null %s\\n", DEVICE_DT_GET_OR_NULL(DT_NODELABEL("b3")))
            printk("any %s\\n", DEVICE_DT_GET_ANY("zpy_blinker").name)
            printk("none %s\\n", DEVICE_DT_GET_ANY("zpy,nothing"))
    """, config={"BOOT_BANNER": "n"}, nodes=nodes(), modules=[("drivers.blinker", DRIVER)])
    rt, console = boot(build)
    assert rt.wait(5) == 0, console.text()
    assert console.text().splitlines() == [
        "init blinker@2 rate=0",       # ordinal 2 before ordinal 3, same level and priority
        "init blinker@1 rate=5",
        "3 okay",
        "ready 1 0 0",
        "init_res 5 initialized 1",    # -EIO stored as a positive errno
        "binding True (null) (null)",  # not ready: not found
        "init LATE rate=7",
        "device_init 0",
        "again -120 ready 1",          # -EALREADY
        "api 1 2",
        "okay-or-null (null)",
        "any blinker@2",
        "none (null)",
    ]


def test_device_of_a_node_without_driver_is_a_link_error(make_image, boot):
    build = make_image("""
        from zpy.device import DEVICE_DT_GET
        from zpy.devicetree import DT_NODELABEL
        DEV = DEVICE_DT_GET(DT_NODELABEL("b1"))
        def main():
            pass
    """, nodes=nodes())
    with pytest.raises(BootError, match=r"undefined reference to `__device_dts_ord_3' \(node /blinker@1"):
        boot(build)


def test_devices_only_at_device_levels(make_image, boot):
    bad = DRIVER.replace("POST_KERNEL, 60", "APPLICATION, 60").replace(
        "from zpy.init import POST_KERNEL, PRE_KERNEL_1", "from zpy.init import APPLICATION")
    build = make_image("def main():\n    pass\n", nodes=nodes(), modules=[("drivers.bad", bad)])
    with pytest.raises(BootError, match="init level APPLICATION is not allowed for devices"):
        boot(build)


def test_exception_in_driver_init_is_fatal(make_image, boot):
    bad = DRIVER.replace('printk("init %s rate=%d\\n", dev.name, dev.config)', "1 / dev.config")
    build = make_image("def main():\n    pass\n", config={"BOOT_BANNER": "n"}, nodes=nodes(),
                       modules=[("drivers.bad", bad)])
    rt, console = boot(build)
    assert rt.wait(5) == 1
    out = console.text()
    assert out.startswith(">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 "
                          "(init of device 'blinker@2'): ZeroDivisionError: division by zero at ")
    assert "in blinker_init()" in out


def test_sys_init_and_devices_share_one_order(make_image, boot):
    build = make_image("""
        from zpy.init import SYS_INIT, POST_KERNEL
        from zpy.kernel import printk
        SYS_INIT(lambda: printk("sys 60\\n"), POST_KERNEL, 60)
        SYS_INIT(lambda: printk("sys 59\\n"), POST_KERNEL, 59)
        def main():
            pass
    """, config={"BOOT_BANNER": "n"}, nodes=nodes(), modules=[("drivers.blinker", DRIVER)])
    rt, console = boot(build)
    assert rt.wait(5) == 0
    # SYS_INITs have sub-priority 0, devices their ordinal: sys 60 before both devices at 60
    assert console.text().splitlines() == [
        "sys 59", "sys 60", "init blinker@2 rate=0", "init blinker@1 rate=5"]
