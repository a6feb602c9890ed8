"""PCI configuration space and BARs, as firmware and a driver see them through ports 0xCF8/0xCFC."""

from __future__ import annotations

import pytest

from zpy.hw.bus import BusError
from zpy.hw.plug import plug_devices

IVSHMEM = (0x1AF4, 0x1110)


@pytest.fixture
def plain(machine, guest, tmp_path):
    """An ivshmem-plain device (BAR0: 256-byte registers, BAR2: 1 MiB, 64-bit prefetchable)."""
    plug_devices(machine, {}, ["-nodefaults", "-object",
                               f"memory-backend-file,id=m,mem-path={tmp_path / 'shm'},size=1M,share=on",
                               "-device", "ivshmem-plain,memdev=m"])
    return guest.find(*IVSHMEM)


def test_ids_and_class_are_read_only(guest, plain):
    assert guest.cfg_read(plain, 0x00) == 0x1110_1AF4
    assert guest.cfg_read(plain, 0x08) == 0x0500_0001  # memory controller, RAM; revision 1
    guest.cfg_write(plain, 0x00, 4, 0x12345678)
    guest.cfg_write(plain, 0x08, 4, 0)
    assert guest.cfg_read(plain, 0x00) == 0x1110_1AF4
    assert guest.cfg_read(plain, 0x08) == 0x0500_0001
    assert guest.cfg_read(plain, 0x02, 2) == 0x1110  # a word inside the dword


def test_absent_function_and_disabled_mechanism_read_all_ones(guest, machine):
    assert guest.cfg_read(31 << 11, 0) == 0xFFFFFFFF
    assert guest.cfg_read(31 << 11, 0, 2) == 0xFFFF
    machine.io.write(0xCF8, 4, 0)  # enable bit clear
    assert machine.io.read(0xCFC, 4) == 0xFFFFFFFF


def test_bar_sizing_reads_back_the_size_mask_and_type(guest, plain):
    saved = guest.cfg_read(plain, 0x10)
    guest.cfg_write(plain, 0x10, 4, 0xFFFFFFFF)
    assert guest.cfg_read(plain, 0x10) == 0xFFFFFF00  # 256 bytes, 32-bit memory
    guest.cfg_write(plain, 0x10, 4, saved)
    assert guest.cfg_read(plain, 0x10) == saved

    guest.cfg_write(plain, 0x18, 4, 0xFFFFFFFF)
    guest.cfg_write(plain, 0x1C, 4, 0xFFFFFFFF)
    assert guest.cfg_read(plain, 0x18) == 0xFFF0000C  # 1 MiB, 64-bit, prefetchable
    assert guest.cfg_read(plain, 0x1C) == 0xFFFFFFFF


def test_bars_decode_where_they_point_while_memory_decoding_is_on(guest, plain, machine):
    shm = guest.bar(plain, 2)
    assert shm >= 1 << 32  # the firmware put the 64-bit BAR above 4 GiB
    guest.write(shm + 8, 4, 0xDEADBEEF)
    assert guest.read(shm + 8, 4) == 0xDEADBEEF

    command = guest.cfg_read(plain, 0x04, 2)
    guest.cfg_write(plain, 0x04, 2, command & ~0x2)  # memory decoding off
    with pytest.raises(BusError):
        guest.read(shm + 8, 4)
    guest.cfg_write(plain, 0x04, 2, command)
    assert guest.read(shm + 8, 4) == 0xDEADBEEF

    guest.cfg_write(plain, 0x18, 4, 0x4000000C)  # moved below 4 GiB
    guest.cfg_write(plain, 0x1C, 4, 0)
    assert guest.read(0x40000008, 4) == 0xDEADBEEF
    with pytest.raises(BusError):
        guest.read(shm + 8, 4)


def test_a_bar_in_sizing_state_decodes_nothing(guest, plain):
    regs = guest.bar(plain, 0)
    guest.read(regs, 4)
    guest.cfg_write(plain, 0x10, 4, 0xFFFFFFFF)
    with pytest.raises(BusError):
        guest.read(regs, 4)


def test_command_register_keeps_only_its_writable_bits(guest, plain):
    guest.cfg_write(plain, 0x04, 2, 0xFFFF)
    assert guest.cfg_read(plain, 0x04, 2) == 0x0407  # I/O, memory, bus master, INTx disable


def test_capability_list_of_a_doorbell_device_leads_to_msix(guest, machine, serve):
    server = serve(vectors=2)
    plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={server.path},id=s",
                               "-device", "ivshmem-doorbell,chardev=s,vectors=2"])
    bdf = guest.find(*IVSHMEM)
    assert guest.cfg_read(bdf, 0x06, 2) & 0x10  # capability list present
    caps = []
    pointer = guest.cfg_read(bdf, 0x34, 1)
    while pointer:
        caps.append(guest.cfg_read(bdf, pointer, 1))
        pointer = guest.cfg_read(bdf, pointer + 1, 1)
    assert caps == [0x11]
