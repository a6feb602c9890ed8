"""A zpy VM and a real QEMU guest on one ivshmem: same memory, each other's doorbells.

QEMU (Debian's qemu-system-x86_64, machine q35) runs under qtest, so the test
itself plays QEMU's guest driver: it programs the device's BARs and MSI-X
through PCI configuration space and reads and writes its registers and shared
memory. The zpy VM runs the real driver stack (`zpy run` of a built app).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.runner import build, wait_for_path, zpy_cmd
from tests.interop.qtest import QTest, qemu_binary

pytestmark = pytest.mark.qemu

APPS = Path(__file__).parent / "apps"
BAR0 = 0xFEB00000  # registers
BAR1 = 0xFEB01000  # MSI-X: table at +0, PBA at +0x800
BAR2 = 0x80000000  # shared memory (64-bit BAR)
MSI_TARGET = 0x1000  # guest RAM the unmasked MSI-X vector 0 writes its message to
MSI_DATA = 0xCAFE
IVPOSITION, DOORBELL = 0x08, 0x0C


@pytest.fixture(autouse=True)
def need_qemu() -> None:
    if qemu_binary() is None:
        pytest.skip("qemu-system-x86_64 is not installed (Debian package qemu-system-x86)")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Path]:
    sock = tmp_path / "ivshmem.sock"
    proc = subprocess.Popen(zpy_cmd("ivshmem-server", "-F", "-S", str(sock), "-m", str(tmp_path),
                                    "-l", "1M", "-n", "2"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_path(sock)
    yield sock
    proc.terminate()
    proc.wait(10)


def map_bars(qemu: QTest, bdf: tuple[int, int, int], msix: bool) -> None:
    """What a guest's firmware and driver do: place the BARs, turn on memory and bus master."""
    qemu.pci_cfg_writel(bdf, 0x10, BAR0)
    if msix:
        qemu.pci_cfg_writel(bdf, 0x14, BAR1)
    qemu.pci_cfg_writel(bdf, 0x18, BAR2 | 0xC)
    qemu.pci_cfg_writel(bdf, 0x1C, 0)
    qemu.pci_cfg_writel(bdf, 0x04, qemu.pci_cfg_readl(bdf, 0x04) | 0x6)


def start_vm(build_dir: Path, server: Path) -> subprocess.Popen[str]:
    """`zpy run` of a doorbell app whose default device uses the server's socket."""
    return subprocess.Popen(zpy_cmd("run", "-d", str(build_dir),
                                    "-chardev", f"socket,path={server},id=ivshmem"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_line(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    line = proc.stdout.readline()
    assert time.monotonic() < deadline
    return line


def test_zpy_vm_and_qemu_guest_share_memory_and_ring_each_other(tmp_path, server):
    build(APPS / "doorbell_peer", tmp_path / "vm")
    qemu = QTest.start("-machine", "q35", "-chardev", f"socket,path={server},id=ivs",
                       "-device", "ivshmem-doorbell,chardev=ivs,vectors=2")
    with qemu:
        qemu.wait_ready()  # QEMU's realize got version, ID and shm from the zpy server
        bdf = qemu.pci_find(0x1AF4, 0x1110)
        map_bars(qemu, bdf, msix=True)
        assert qemu.readl(BAR0 + IVPOSITION) == 0  # the first peer of this server
        # MSI-X on; vector 0 unmasked with a message that lands in guest RAM, vector 1 masked
        qemu.writel(BAR1 + 0x0, MSI_TARGET)
        qemu.writel(BAR1 + 0x4, 0)
        qemu.writel(BAR1 + 0x8, MSI_DATA)
        qemu.writel(BAR1 + 0xC, 0)
        cap = qemu.pci_cfg_readl(bdf, 0x40)
        assert cap & 0xFF == 0x11
        qemu.pci_cfg_writel(bdf, 0x40, cap | 1 << 31)

        vm = start_vm(tmp_path / "vm", server)
        try:
            assert read_line(vm) == "id 1 size 1048576 vectors 2: wrote greeting\n"
            # text written by the zpy VM is read by the QEMU guest
            assert qemu.read(BAR2, 20) == b"hello from a zpy VM\0"
            # the QEMU guest writes text and rings the zpy VM's vector 1
            qemu.write(BAR2 + 256, b"hello from the QEMU guest\0")
            qemu.writel(BAR0 + DOORBELL, (1 << 16) | 1)
            assert read_line(vm) == "doorbell on vector 1: hello from the QEMU guest\n"
            # the zpy VM's ivshmem_int_peer(dev, 0, 0) raises QEMU's MSI-X vector 0
            assert read_line(vm) == "ringing peer 0: 0\n"
            deadline = time.monotonic() + 5
            while qemu.readl(MSI_TARGET) != MSI_DATA:
                assert time.monotonic() < deadline, "QEMU's device never sent the MSI"
                time.sleep(0.01)
            assert vm.wait(10) == 0
        finally:
            if vm.poll() is None:
                vm.kill()
            vm.wait()
        assert vm.stderr is not None and "Traceback" not in vm.stderr.read()


def test_qemu_masked_vector_gets_pending_bit_from_zpy_vm(tmp_path, server):
    """With the vector masked, the doorbell from the zpy VM shows as QEMU's PBA bit."""
    build(APPS / "doorbell_peer", tmp_path / "vm")
    qemu = QTest.start("-machine", "q35", "-chardev", f"socket,path={server},id=ivs",
                       "-device", "ivshmem-doorbell,chardev=ivs,vectors=2")
    with qemu:
        qemu.wait_ready()
        bdf = qemu.pci_find(0x1AF4, 0x1110)
        map_bars(qemu, bdf, msix=True)
        cap = qemu.pci_cfg_readl(bdf, 0x40)
        qemu.pci_cfg_writel(bdf, 0x40, cap | 1 << 31)  # enabled, every vector still masked
        vm = start_vm(tmp_path / "vm", server)
        try:
            assert read_line(vm).startswith("id 1 ")
            qemu.writel(BAR0 + DOORBELL, (1 << 16) | 0)
            assert read_line(vm) == "doorbell on vector 0: \n"
            assert read_line(vm) == "ringing peer 0: 0\n"
            deadline = time.monotonic() + 5
            while not qemu.readl(BAR1 + 0x800) & 1:
                assert time.monotonic() < deadline, "no pending bit"
                time.sleep(0.01)
            assert vm.wait(10) == 0
        finally:
            if vm.poll() is None:
                vm.kill()
            vm.wait()


def test_ivshmem_plain_memory_file_shared_by_qemu_and_zpy(tmp_path):
    build(APPS / "plain_peer", tmp_path / "vm")
    shm = tmp_path / "plain-shm"
    backend = f"memory-backend-file,id=hostmem,mem-path={shm},size=1M,share=on"
    qemu = QTest.start("-machine", "q35", "-object", backend, "-device", "ivshmem-plain,memdev=hostmem")
    with qemu:
        qemu.wait_ready()
        bdf = qemu.pci_find(0x1AF4, 0x1110)
        map_bars(qemu, bdf, msix=False)
        assert qemu.readl(BAR0 + IVPOSITION) == 0
        qemu.write(BAR2 + 0x100, b"plain hello from QEMU\0")
        done = subprocess.run(zpy_cmd("run", "-d", str(tmp_path / "vm"), "-object", backend,
                                      "-device", "ivshmem-plain,memdev=hostmem"),
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout == "size 1048576 id 0 found: plain hello from QEMU\n"
        assert qemu.read(BAR2, 21) == b"plain hello from zpy\0"
