"""A bare machine and a guest that pokes it as firmware and drivers do: PCI configuration
mechanism #1 on ports 0xCF8/0xCFC, loads and stores on the memory bus. Interrupts the CPU
takes are recorded instead of run by a kernel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.ivshmem_host.ivshmem_helpers import peers, peers2, serve, serve2, sock_dir  # noqa: F401
from zpy.hw.machine import Machine

CONFIG_ADDRESS, CONFIG_DATA = 0xCF8, 0xCFC


class Guest:
    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        #: CPU vectors raised, in order
        self.interrupts: list[int] = []
        machine.cpu.interrupt_entry = self.interrupts.append

    def cfg_read(self, bdf: int, offset: int, size: int = 4) -> int:
        self.machine.io.write(CONFIG_ADDRESS, 4, 0x80000000 | bdf | (offset & 0xFC))
        return self.machine.io.read(CONFIG_DATA + (offset & 3), size)

    def cfg_write(self, bdf: int, offset: int, size: int, value: int) -> None:
        self.machine.io.write(CONFIG_ADDRESS, 4, 0x80000000 | bdf | (offset & 0xFC))
        self.machine.io.write(CONFIG_DATA + (offset & 3), size, value)

    def find(self, vendor: int, device: int) -> int:
        for slot in range(32):
            bdf = slot << 11
            if self.cfg_read(bdf, 0) == (device << 16 | vendor):
                return bdf
        raise AssertionError(f"no PCI device {vendor:04x}:{device:04x}")

    def bar(self, bdf: int, index: int) -> int:
        """A memory BAR's address, 64-bit BARs included."""
        lo = self.cfg_read(bdf, 0x10 + 4 * index)
        addr = lo & ~0xF
        if lo & 0x6 == 0x4:
            addr |= self.cfg_read(bdf, 0x14 + 4 * index) << 32
        return addr

    def read(self, addr: int, size: int) -> int:
        return self.machine.mem.read(addr, size)

    def write(self, addr: int, size: int, value: int) -> None:
        self.machine.mem.write(addr, size, value)


@pytest.fixture
def machine() -> Iterator[Machine]:
    m = Machine("qemu_x86_64", log=lambda message: None)
    yield m
    m.close()


@pytest.fixture
def guest(machine: Machine) -> Guest:
    return Guest(machine)
