"""IPM over ivshmem through the real drivers, on a real ivshmem server: one VM's ipm_send
reaches another VM's callback; the IPM device requires and follows its ivshmem device;
a phandle to a disabled node fails the link; a device without vectors is a k_panic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zpy.errors import BootError
from zpy.ivshmem_host.server import IvshmemServer

from .conftest import DOORBELL_CONFIG, PCIE_INIT, VIRT_IVSHMEM, ZPY, ivshmem_nodes, node

IPM_IVSHMEM = ("zpy.drivers.ipm.ipm_ivshmem", str(ZPY / "drivers/ipm/ipm_ivshmem.py"))
MODULES = [PCIE_INIT, VIRT_IVSHMEM, IPM_IVSHMEM]
IPM_CONFIG = dict(DOORBELL_CONFIG, IPM="y", IPM_IVSHMEM="y", APPLICATION_INIT_PRIORITY="90",
                  IPM_IVSHMEM_EVENT_LOOP_STACK_SIZE="8192", IPM_IVSHMEM_EVENT_LOOP_PRIO="2")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[IvshmemServer]:
    """A real ivshmem server (2 vectors) serving from a thread of this process."""
    srv = IvshmemServer(tmp_path / "sock", shm_dir=tmp_path, shm_size=1 << 12, vectors=2)
    srv.start()
    stop = threading.Event()
    thread = threading.Thread(target=srv.serve, args=(stop,), daemon=True)
    thread.start()
    yield srv
    stop.set()
    srv.wakeup()
    thread.join(5)
    srv.close()


def doorbell_args(server: IvshmemServer, **props: str) -> list[str]:
    extra = "".join(f",{k}={v}" for k, v in props.items())
    return ["-nodefaults", "-chardev", f"socket,path={server.socket_path},id=ivs",
            "-device", f"ivshmem-doorbell,chardev=ivs,vectors=2{extra}"]


def ipm_nodes(ivshmem_status: str = "okay") -> list:
    """/pcie0/ivshmem0 (ord 2) and /ipm_ivshmem (ord 3) whose `ivshmem` phandle points at it."""
    pcie, ivshmem = ivshmem_nodes()
    if ivshmem_status != "okay":
        ivshmem = node(ivshmem.path, ivshmem.ord, labels=ivshmem.labels, compats=ivshmem.compats,
                       props=ivshmem.props, depends_on=ivshmem.depends_on, status=ivshmem_status)
    ipm = node("/ipm_ivshmem", 3, labels=["ipm_ivshmem0"], compats=["linaro,ivshmem-ipm"],
               props={"ivshmem": ivshmem.path}, depends_on=[0, ivshmem.ord])
    return [pcie, ivshmem, ipm]


RECEIVER = """
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import *
from zpy.drivers.ivshmem import ivshmem_get_id
from zpy.kernel import *

got = k_sem()
k_sem_init(got, 0, 10)

def on_ipm(ipmdev, user_data, id, data):
    printk("callback dev=%s user=%s id=%d data is None=%d thread=%s isr=%d\\n", ipmdev.name,
           user_data, id, data is None, k_thread_name_get(k_current_get()), k_is_in_isr())
    k_sem_give(got)

def main():
    ipm = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    ipm_register_callback(ipm, on_ipm, "cookie")
    printk("peer %d listening\\n", ivshmem_get_id(DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))))
    if k_sem_take(got, K_SECONDS(10)) != 0:
        return 1
    return 0
"""

SENDER = """
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import *
from zpy.kernel import *

def main():
    ipm = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    printk("ready %d set_enabled %d\\n", device_is_ready(ipm), ipm_set_enabled(ipm, 1))
    printk("send %d\\n", ipm_send(ipm, 1, 0, b"ignored", 7))
    ipm_complete(ipm)   # no `complete` in this driver: a no-op, as in C
    return 0
"""


def test_send_reaches_the_other_vms_callback(make_image, boot, server):
    rx = make_image(RECEIVER, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    tx = make_image(SENDER, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    rt_rx, c_rx = boot(rx, machine_args=doorbell_args(server))
    c_rx.wait_for("peer 0 listening\n")
    rt_tx, c_tx = boot(tx, machine_args=doorbell_args(server))
    # main() returns; the IPM driver's event loop thread keeps each VM running, as in Zephyr
    assert rt_tx.kernel.wait_main(10) == 0, c_tx.text()
    assert c_tx.text() == "ready 1 set_enabled 0\nsend 0\n"
    assert rt_rx.kernel.wait_main(10) == 0, c_rx.text()
    assert c_rx.text() == ("peer 0 listening\n"
                           "callback dev=ipm_ivshmem user=cookie id=0 data is None=1 "
                           "thread=ipm_ivshmem isr=0\n")


def test_each_doorbell_is_one_callback_and_none_unregisters(make_image, boot, server):
    main = """
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import *
from zpy.kernel import *

calls = []
done = k_sem()
k_sem_init(done, 0, 10)

def on_ipm(ipmdev, user_data, id, data):
    calls.append(id)
    k_sem_give(done)

def main():
    ipm = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    ipm_register_callback(ipm, on_ipm, None)
    for _ in range(3):   # to ourselves (peer 0): one callback each
        ipm_send(ipm, 0, 0, None, 0)
        if k_sem_take(done, K_SECONDS(5)) != 0:
            return 1
    ipm_register_callback(ipm, None, None)
    ipm_send(ipm, 0, 0, None, 0)
    printk("calls %s, after unregistering %d\\n", calls, k_sem_take(done, K_MSEC(300)))
    return 0
"""
    build = make_image(main, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    rt, console = boot(build, machine_args=doorbell_args(server))
    assert rt.kernel.wait_main(10) == 0, console.text()
    assert console.text() == "calls [0, 0, 0], after unregistering -11\n"


DEPS = """
from zpy.device import *
from zpy.devicetree import DT_NODELABEL
from zpy.kernel import printk

def visit(dev, seen):
    seen.append(dev.name)
    return 0

def main():
    ipm = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    ivshmem = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    seen = []
    printk("handles %s ivshmem %d\\n", device_required_handles_get(ipm), device_handle_get(ivshmem))
    printk("foreach %d %s\\n", device_required_foreach(ipm, visit, seen), seen)
    printk("order %s\\n", [d.name for d in z_device_get_all_static()])
    printk("ready %d %d\\n", device_is_ready(ivshmem), device_is_ready(ipm))
    return 0
"""


def test_ipm_device_requires_and_follows_its_ivshmem_device(make_image, boot, server):
    build = make_image(DEPS, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    rt, console = boot(build, machine_args=doorbell_args(server))
    assert rt.kernel.wait_main(10) == 0, console.text()
    assert console.text().splitlines() == [
        "handles [1] ivshmem 1",
        "foreach 1 ['ivshmem0']",
        "order ['ivshmem0', 'ipm_ivshmem']",
        "ready 1 1",
    ]
    # POST_KERNEL both; ivshmem at CONFIG_KERNEL_INIT_PRIORITY_DEVICE, ipm at the application's
    entries = sorted((e for e in rt.kernel.init_entries if e.dev is not None),
                     key=lambda e: e.sort_key())
    assert [(e.dev.name, e.level.name, e.prio) for e in entries] == [
        ("ivshmem0", "POST_KERNEL", 50), ("ipm_ivshmem", "POST_KERNEL", 90)]


def test_phandle_to_a_disabled_ivshmem_node_fails_the_link(make_image, boot):
    build = make_image("def main():\n    return 0\n", config=IPM_CONFIG,
                       nodes=ipm_nodes(ivshmem_status="disabled"), modules=MODULES)
    with pytest.raises(BootError) as info:
        boot(build, run=False, machine_args=["-nodefaults"])
    assert "undefined reference to `__device_dts_ord_2'" in str(info.value)
    assert info.value.filename.endswith("ipm_ivshmem.py")


def test_ivshmem_without_vectors_is_a_k_panic_in_the_event_loop(make_image, boot, server):
    main = """
from zpy.kernel import *

def main():
    k_sleep(K_SECONDS(5))
    return 0
"""
    build = make_image(main, config=dict(IPM_CONFIG, LOG="y", LOG_DEFAULT_LEVEL="3",
                                         LOG_MODE_MINIMAL="y"),
                       nodes=ipm_nodes(), modules=MODULES)
    rt, console = boot(build, machine_args=doorbell_args(server, msi="off"))
    assert rt.wait(10) == 1
    text = console.text()
    assert "E: registering handlers must be supported: -22\n" in text
    assert ">>> ZEPHYR FATAL ERROR 4: Kernel panic on CPU 0\n" \
           "Current thread: ipm_ivshmem: k_panic()\n" in text


def test_null_api_entries_fault_as_in_c(make_image, boot, server):
    main = """
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import ipm_max_data_size_get

def main():
    return ipm_max_data_size_get(DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0")))
"""
    build = make_image(main, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    rt, console = boot(build, machine_args=doorbell_args(server))
    assert rt.wait(10) == 1
    assert ("NullApiCall: ipm_max_data_size_get() on 'ipm_ivshmem': its driver's ipm_driver_api "
            "has no max_data_size_get (a call through a NULL function pointer in C)") \
        in console.text()


def test_register_callback_type_checks(make_image, boot, server):
    main = """
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import ipm_register_callback
from zpy.kernel import printk

def main():
    try:
        ipm_register_callback(DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0")), 42, None)
    except TypeError as e:
        printk("%s\\n", e)
    return 0
"""
    build = make_image(main, config=IPM_CONFIG, nodes=ipm_nodes(), modules=MODULES)
    rt, console = boot(build, machine_args=doorbell_args(server))
    assert rt.kernel.wait_main(10) == 0
    assert console.text() == "ipm_register_callback: cb must be a function or None, got 42\n"
