"""ivshmem-plain through the real driver, PCIe scan and device model, on a real shared file."""

from __future__ import annotations

import mmap
import os

from .conftest import IVSHMEM_CONFIG, PCIE_INIT, VIRT_IVSHMEM, ivshmem_nodes

APP = """
from zpy import errno
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import *
from zpy.kernel import printk, k_poll_signal

def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    printk("ready %d\\n", device_is_ready(dev))
    size, mem = ivshmem_get_mem(dev)
    printk("size %d id %d vectors %d\\n", size, ivshmem_get_id(dev), ivshmem_get_vectors(dev))
    printk("int_peer %d handler %d\\n", ivshmem_int_peer(dev, 0, 0),
           ivshmem_register_handler(dev, None, 0))
    mem[0:4] = (8108).to_bytes(4, "little")
    printk("readback %d\\n", int.from_bytes(mem[0:4], "little"))
    printk("host says %s\\n", bytes(mem[16:32]).rstrip(b"\\0").decode())
    mem[32:48] = b"from the guest!\\0"
"""


def test_plain_device_shares_a_real_file(make_image, boot, tmp_path):
    shm = tmp_path / "ivshmem"
    with open(shm, "wb") as f:
        f.truncate(1 << 20)
        f.seek(16)
        f.write(b"hello from host")
    build = make_image(APP, config=IVSHMEM_CONFIG, nodes=ivshmem_nodes(),
                       modules=[PCIE_INIT, VIRT_IVSHMEM])
    rt, console = boot(build, machine_args=[
        "-object", f"memory-backend-file,id=hostmem,mem-path={shm},size=1M,share=on",
        "-device", "ivshmem-plain,memdev=hostmem"])
    assert rt.wait(5) == 0, console.text()
    assert console.text().splitlines() == [
        "ready 1",
        "size 1048576 id 0 vectors 0",
        "int_peer -88 handler -88",
        "readback 8108",
        "host says hello from host",
    ]
    with open(shm, "rb") as f, mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) as m:
        assert m[0:4] == (8108).to_bytes(4, "little")
        assert m[32:47] == b"from the guest!"
    assert os.stat(shm).st_size == 1 << 20


def test_two_plain_devices_in_one_vm(make_image, boot, tmp_path):
    build = make_image("""
        from zpy.device import DEVICE_DT_GET, device_is_ready
        from zpy.devicetree import DT_NODELABEL
        from zpy.drivers.ivshmem import ivshmem_get_mem
        from zpy.kernel import printk
        def main():
            for label in ("ivshmem0", "ivshmem1"):
                dev = DEVICE_DT_GET(DT_NODELABEL(label))
                size, mem = ivshmem_get_mem(dev)
                mem[0:len(label)] = label.encode()
                printk("%s ready %d size %d\\n", label, device_is_ready(dev), size)
    """, config=IVSHMEM_CONFIG, nodes=ivshmem_nodes(2), modules=[PCIE_INIT, VIRT_IVSHMEM])
    args = []
    for i, size in ((0, "64K"), (1, "128K")):
        args += ["-object", f"memory-backend-file,id=m{i},mem-path={tmp_path}/shm{i},size={size},share",
                 "-device", f"ivshmem-plain,memdev=m{i}"]
    rt, console = boot(build, machine_args=args)
    assert rt.wait(5) == 0, console.text()
    assert console.text().splitlines() == ["ivshmem0 ready 1 size 65536", "ivshmem1 ready 1 size 131072"]
    assert (tmp_path / "shm0").read_bytes()[:8] == b"ivshmem0"
    assert (tmp_path / "shm1").read_bytes()[:8] == b"ivshmem1"


def test_node_without_device_is_not_ready(make_image, boot):
    build = make_image("""
        from zpy.device import DEVICE_DT_GET, device_is_ready
        from zpy.devicetree import DT_NODELABEL
        from zpy.kernel import printk
        def main():
            dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
            printk("ready %d res %d\\n", device_is_ready(dev), dev.state.init_res)
    """, config=dict(IVSHMEM_CONFIG, LOG="y", LOG_DEFAULT_LEVEL="3"), nodes=ivshmem_nodes(),
        modules=[PCIE_INIT, VIRT_IVSHMEM])
    rt, console = boot(build, machine_args=["-nodefaults"])
    assert rt.wait(5) == 0
    out = console.text()
    assert "<wrn> ivshmem: ivshmem device not found" in out
    assert "ready 0 res 134" in out  # -ENOTSUP, stored positive
