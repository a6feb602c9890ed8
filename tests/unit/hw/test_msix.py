"""MSI-X: the capability, the vector table and the PBA on a BAR, masking and pending bits,
and the access sizes QEMU accepts (aligned 4 and 8 bytes)."""

from __future__ import annotations

import pytest

from zpy.hw.bus import AddressSpace
from zpy.hw.msix import (
    MSIX_CONTROL_ENABLE,
    MSIX_CONTROL_MASKALL,
    LocalApic,
    Msix,
)
from zpy.hw.pci import PciFunction

BAR = 0xFEB01000
PBA = BAR + 0x800


class Rig:
    def __init__(self, vectors: int = 4, pending_bits: bool = True) -> None:
        self.mem = AddressSpace("memory")
        self.fn = PciFunction("test", 0x1AF4, 0x1110, 0x050000, 1)
        self.fn.mem = self.mem
        self.raised: list[int] = []
        self.lapic = LocalApic(self.raised.append)
        self.msix = Msix(self.fn, vectors, 1, self.lapic, pending_bits=pending_bits)
        self.fn.write(0x14, 4, BAR)
        self.fn.write(0x04, 2, 0x6)  # memory decoding, bus master

    def program(self, vector: int, cpu_vector: int, masked: bool = False) -> None:
        entry = BAR + 16 * vector
        self.mem.write(entry, 4, 0xFEE00000)
        self.mem.write(entry + 4, 4, 0)
        self.mem.write(entry + 8, 4, cpu_vector)
        self.mem.write(entry + 12, 4, int(masked))

    def control(self, bits: int) -> None:
        self.fn.write(self.msix.cap + 2, 2, bits)

    def pba(self) -> int:
        return self.mem.read(PBA, 4)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_capability_describes_table_and_pba(rig):
    cap = rig.msix.cap
    assert rig.fn.read(cap, 1) == 0x11
    assert rig.fn.read(cap + 2, 2) == 3  # table size - 1
    assert rig.fn.read(cap + 4, 4) == 0x0 | 1  # table at offset 0 of BAR1
    assert rig.fn.read(cap + 8, 4) == 0x800 | 1  # PBA at 0x800 of BAR1
    rig.fn.write(cap + 2, 2, 0xFFFF)
    assert rig.fn.read(cap + 2, 2) == MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL | 3


def test_vectors_start_masked_and_events_wait_in_the_pba(rig):
    for v in range(4):
        assert rig.mem.read(BAR + 16 * v + 12, 4) == 1
    rig.control(MSIX_CONTROL_ENABLE)
    rig.msix.notify(2)
    assert rig.raised == []
    assert rig.pba() == 0b100


def test_unmasking_a_pending_vector_fires_it_once(rig):
    rig.control(MSIX_CONTROL_ENABLE)
    rig.program(1, 0x41, masked=True)
    rig.msix.notify(1)
    rig.msix.notify(1)
    assert rig.raised == [] and rig.pba() == 0b10
    rig.mem.write(BAR + 16 + 12, 4, 0)  # unmask
    assert rig.raised == [0x41]
    assert rig.pba() == 0
    rig.msix.notify(1)
    assert rig.raised == [0x41, 0x41]


def test_function_mask_holds_every_vector_until_cleared(rig):
    rig.program(0, 0x40)
    rig.program(3, 0x43)
    rig.control(MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL)
    rig.msix.notify(0)
    rig.msix.notify(3)
    assert rig.raised == [] and rig.pba() == 0b1001
    rig.control(MSIX_CONTROL_ENABLE)
    assert sorted(rig.raised) == [0x40, 0x43]
    assert rig.pba() == 0


def test_events_while_msix_is_disabled_are_dropped(rig):
    rig.program(0, 0x40)
    rig.msix.notify(0)
    rig.msix.notify(7)  # no such vector
    rig.control(MSIX_CONTROL_ENABLE)
    assert rig.raised == [] and rig.pba() == 0


def test_without_pending_bits_a_masked_event_is_lost():
    rig = Rig(pending_bits=False)  # ivshmem-v2
    rig.control(MSIX_CONTROL_ENABLE)
    rig.program(0, 0x40, masked=True)
    rig.msix.notify(0)
    assert rig.pba() == 0
    rig.mem.write(BAR + 12, 4, 0)
    assert rig.raised == []


def test_a_message_outside_the_local_apic_is_dropped_and_counted(rig):
    rig.control(MSIX_CONTROL_ENABLE)
    rig.mem.write(BAR + 12, 4, 0)  # vector 0 unmasked, address still 0
    rig.msix.notify(0)
    assert rig.raised == []
    assert rig.lapic.dropped == 1


def test_only_aligned_dword_and_qword_accesses_reach_the_table(rig):
    rig.program(0, 0xABCD)
    assert rig.mem.read(BAR, 8) == 0xFEE00000
    assert rig.mem.read(BAR + 8, 8) == 0xABCD  # data, then vector control (unmasked)
    assert rig.mem.read(BAR + 8, 2) == 0  # word: refused, reads 0
    assert rig.mem.read(BAR + 10, 2) == 0
    assert rig.mem.read(BAR + 8, 1) == 0
    assert rig.mem.read(BAR + 6, 4) == 0  # unaligned
    rig.mem.write(BAR + 8, 2, 0x1111)  # refused
    rig.mem.write(BAR + 9, 1, 0x22)
    assert rig.mem.read(BAR + 8, 4) == 0xABCD
    rig.mem.write(BAR + 8, 8, 0x1_0000_0042)  # data and vector control in one store
    assert rig.mem.read(BAR + 8, 4) == 0x42
    assert rig.mem.read(BAR + 12, 4) == 1


def test_pba_is_read_only_and_read_by_dwords(rig):
    rig.control(MSIX_CONTROL_ENABLE)
    rig.msix.notify(0)
    rig.mem.write(PBA, 4, 0)
    assert rig.pba() == 1
    assert rig.mem.read(PBA, 8) == 1
    assert rig.mem.read(PBA, 1) == 0
    assert rig.mem.read(BAR + 0x400, 4) == 0  # between table and PBA


def test_vector_count_is_checked():
    fn = PciFunction("test", 1, 2, 0, 0)
    with pytest.raises(ValueError):
        Msix(fn, 0, 1, LocalApic(lambda v: None))
    with pytest.raises(ValueError):
        Msix(fn, 2049, 1, LocalApic(lambda v: None))
