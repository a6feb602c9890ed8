"""zpy's ivshmem-doorbell model against QEMU's, register by register.

The same script of loads and stores, in every access size at every offset of BAR0
(the registers) and BAR1 (the MSI-X table and PBA), runs on QEMU's device under
qtest and on zpy's model; every value read must be the same. Each side has a
server of its own, so both devices are peer 0 with 2 vectors.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.interop.qtest import QTest, qemu_binary
from tests.unit.hw.conftest import Guest
from zpy.hw.machine import Machine
from zpy.hw.plug import plug_devices

pytestmark = pytest.mark.qemu

BAR0, BAR1 = 0xFEB00000, 0xFEB01000
SIZES = (1, 2, 4, 8)
Read = Callable[[int, int], int]
Write = Callable[[int, int, int], None]


@pytest.fixture(autouse=True)
def need_qemu() -> None:
    if qemu_binary() is None:
        pytest.skip("qemu-system-x86_64 is not installed (Debian package qemu-system-x86)")


def script(read: Read, write: Write, regs: int, msix: int) -> list[tuple[str, int]]:
    """What a curious guest does; returns each load's (description, value) in order."""
    seen: list[tuple[str, int]] = []

    def sweep(what: str, base: int, length: int) -> None:
        for offset in range(length):
            for size in SIZES:
                seen.append((f"{what}+{offset:#x}/{size}", read(base + offset, size)))

    write(regs + 0x0, 4, 0x12345678)  # IntrMask
    sweep("BAR0", regs, 0x14)
    write(regs + 0x2, 2, 0xABCD)  # a word store inside IntrMask
    sweep("BAR0 after a word store", regs, 0x4)
    write(regs + 0x1, 1, 0xEF)
    sweep("BAR0 after a byte store", regs, 0x4)
    write(regs + 0x0, 8, 0x0000_0001_0000_0003)  # IntrMask and IntrStatus in one store
    sweep("BAR0 after a qword store", regs, 0x8)

    write(msix + 0x0, 4, 0xFEE00000)  # vector 0: address, data; still masked
    write(msix + 0x8, 4, 0x0000A5A5)
    write(msix + 0x10, 8, 0x1122334455667788)  # vector 1's address in one qword
    sweep("MSI-X table", msix, 0x20)
    write(msix + 0x8, 2, 0xFFFF)  # refused: table accesses are 4 or 8 bytes
    write(msix + 0x9, 1, 0xFF)
    write(msix + 0x6, 4, 0xFFFFFFFF)  # unaligned: refused
    sweep("MSI-X table after narrow stores", msix, 0x10)
    sweep("MSI-X PBA", msix + 0x800, 0x10)
    sweep("MSI-X BAR between table and PBA", msix + 0x400, 0x8)
    return seen


def qemu_side(server_path: str) -> list[tuple[str, int]]:
    qemu = QTest.start("-machine", "q35", "-chardev", f"socket,path={server_path},id=ivs",
                       "-device", "ivshmem-doorbell,chardev=ivs,vectors=2")
    with qemu:
        qemu.wait_ready()
        bdf = qemu.pci_find(0x1AF4, 0x1110)
        qemu.pci_cfg_writel(bdf, 0x10, BAR0)
        qemu.pci_cfg_writel(bdf, 0x14, BAR1)
        qemu.pci_cfg_writel(bdf, 0x04, qemu.pci_cfg_readl(bdf, 0x04) | 0x6)
        readers = {1: qemu.readb, 2: qemu.readw, 4: qemu.readl, 8: qemu.readq}
        writers = {1: qemu.writeb, 2: qemu.writew, 4: qemu.writel, 8: qemu.writeq}
        return script(lambda a, s: readers[s](a), lambda a, s, v: writers[s](a, v), BAR0, BAR1)


def zpy_side(server_path: str) -> list[tuple[str, int]]:
    machine = Machine("qemu_x86_64", log=lambda message: None)
    try:
        plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={server_path},id=s",
                                   "-device", "ivshmem-doorbell,chardev=s,vectors=2"])
        guest = Guest(machine)
        bdf = guest.find(0x1AF4, 0x1110)
        return script(guest.read, guest.write, guest.bar(bdf, 0), guest.bar(bdf, 1))
    finally:
        machine.close()


def test_every_access_to_bar0_and_msix_reads_as_on_qemu(serve):
    expected = qemu_side(serve("qemu", vectors=2).path)
    got = zpy_side(serve("zpy", vectors=2).path)
    assert len(got) == len(expected) > 400
    differences = [f"{what}: QEMU {q:#x}, zpy {z:#x}"
                   for (what, q), (_, z) in zip(expected, got, strict=True) if q != z]
    assert differences == []
