"""The ivshmem v1 and v2 device models' registers, as a driver reaches them on BAR0, with
real servers (in threads) on the other side of the socket."""

from __future__ import annotations

import os
import select
import time

import pytest

from tests.unit.ivshmem_host.ivshmem_helpers import wait_until
from zpy.hw.msix import MSIX_CONTROL_ENABLE
from zpy.hw.plug import plug_devices
from zpy.ivshmem_host.v2.layout import V2Layout

V1 = (0x1AF4, 0x1110)
V2 = (0x110A, 0x4106)
INTRMASK, INTRSTATUS, IVPOSITION, DOORBELL = 0x00, 0x04, 0x08, 0x0C
REG_ID, REG_MAX_PEERS, REG_INT_CONTROL, REG_DOORBELL, REG_STATE = 0x00, 0x04, 0x08, 0x0C, 0x10


def readable(fd: int, timeout: float = 5.0) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def take_interrupts(guest, count: int, timeout: float = 5.0) -> list[int]:
    """Let the CPU run its interrupt sources (as an idle kernel does) until `count` arrived."""
    deadline = time.monotonic() + timeout
    while len(guest.interrupts) < count and time.monotonic() < deadline:
        cpu = guest.machine.cpu
        cpu.dispatch(cpu.poll(0.1))
    return guest.interrupts


@pytest.fixture
def plain(machine, guest, tmp_path):
    plug_devices(machine, {}, ["-nodefaults", "-object",
                               f"memory-backend-file,id=m,mem-path={tmp_path / 'shm'},size=1M,share=on",
                               "-device", "ivshmem-plain,memdev=m"])
    return guest.bar(guest.find(*V1), 0)


def doorbell(machine, guest, path: str, vectors: int = 2):
    plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={path},id=s",
                               "-device", f"ivshmem-doorbell,chardev=s,vectors={vectors}"])
    bdf = guest.find(*V1)
    return bdf, guest.bar(bdf, 0)


def test_v1_plain_registers(guest, plain):
    assert guest.read(plain + IVPOSITION, 4) == 0
    guest.write(plain + INTRMASK, 4, 0xFFFF)
    assert guest.read(plain + INTRMASK, 4) == 0xFFFF
    guest.write(plain + INTRSTATUS, 4, 1)
    assert guest.read(plain + INTRSTATUS, 4) == 1
    assert guest.read(plain + INTRSTATUS, 4) == 0  # reading cleared it
    guest.write(plain + DOORBELL, 4, 0x10000)  # no server: nothing to ring
    assert guest.read(plain + DOORBELL, 4) == 0  # write-only
    assert guest.read(plain + 0x40, 4) == 0


def test_v1_narrow_and_wide_accesses_as_qemu(guest, plain):
    guest.write(plain + INTRMASK, 4, 0x12345678)
    assert guest.read(plain + INTRMASK, 1) == 0x78  # cut to the access size
    assert guest.read(plain + INTRMASK, 2) == 0x5678
    assert guest.read(plain + INTRMASK + 1, 1) == 0  # inside the register: 0
    assert guest.read(plain + INTRMASK + 2, 2) == 0
    assert guest.read(plain + INTRMASK + 1, 2) == 0  # unaligned: two byte reads inside it
    guest.write(plain + INTRSTATUS, 4, 0xBEEF)
    assert guest.read(plain + INTRMASK + 2, 4) == 0xBEEF_0000  # a word inside, the low word of the next
    assert guest.read(plain + INTRSTATUS, 4) == 0  # which that read cleared
    guest.write(plain + INTRSTATUS, 4, 5)
    assert guest.read(plain + INTRMASK, 8) == 0x5_12345678  # two dword reads
    assert guest.read(plain + INTRSTATUS, 4) == 0
    guest.write(plain + INTRMASK + 2, 1, 0xAB)  # a store lands on the register's dword
    assert guest.read(plain + INTRMASK, 4) == 0xAB


def test_v1_doorbell_rings_the_peer_named_in_the_register(guest, machine, serve, peers):
    server = serve(vectors=2)
    other = peers(server.path)
    _, regs = doorbell(machine, guest, server.path)
    own = guest.read(regs + IVPOSITION, 4)
    assert own != other.own_id
    wait_until(other, lambda: len(other.peers.get(own, [])) == 2)
    target = other.own_vectors[1]
    guest.write(regs + DOORBELL, 4, (other.own_id << 16) | 1)
    assert readable(target)
    assert os.eventfd_read(target) == 1
    guest.write(regs + DOORBELL, 4, (other.own_id << 16) | 0x101)  # vector's low 8 bits: 1
    assert readable(target)
    guest.write(regs + DOORBELL, 4, (99 << 16) | 0)  # no such peer: dropped
    assert not readable(other.own_vectors[0], 0.05)


def test_v1_a_peer_rings_our_vector_through_msix(guest, machine, serve, peers):
    server = serve(vectors=2)
    bdf, regs = doorbell(machine, guest, server.path)
    other = peers(server.path)
    own = guest.read(regs + IVPOSITION, 4)
    msix = guest.bar(bdf, 1)
    for v, cpu_vector in ((0, 0x30), (1, 0x31)):
        guest.write(msix + 16 * v, 4, 0xFEE00000)
        guest.write(msix + 16 * v + 8, 4, cpu_vector)
        guest.write(msix + 16 * v + 12, 4, 0)
    cap = guest.cfg_read(bdf, 0x34, 1)
    guest.cfg_write(bdf, cap + 2, 2, MSIX_CONTROL_ENABLE)
    wait_until(other, lambda: len(other.peers.get(own, [])) == 2)
    assert other.notify(own, 1)
    assert take_interrupts(guest, 1) == [0x31]
    assert other.notify(own, 0)
    assert take_interrupts(guest, 2) == [0x31, 0x30]


def test_v2_registers_and_state_changes(guest, machine, serve2, peers2):
    server = serve2(max_peers=3, vectors=2)
    other = peers2(server.path)
    plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={server.path},id=s",
                               "-device", "ivshmem,chardev=s"])
    bdf = guest.find(*V2)
    regs, shm = guest.bar(bdf, 0), guest.bar(bdf, 2)
    own = guest.read(regs + REG_ID, 4)
    assert own != other.own_id
    assert guest.read(regs + REG_MAX_PEERS, 4) == 3
    guest.write(regs + REG_INT_CONTROL, 4, 0xFF)
    assert guest.read(regs + REG_INT_CONTROL, 4) == 1  # only the enable bit
    assert guest.read(regs + REG_ID + 1, 1) == 0  # inside a register, as v1
    wait_until(other, lambda: own in other.peers)

    guest.write(regs + REG_STATE, 4, 0x2A)
    assert guest.read(regs + REG_STATE, 4) == 0x2A
    assert guest.read(shm + V2Layout.state_offset(own), 4) == 0x2A  # into the state table
    assert readable(other.own_vectors[0])  # the other peer's vector 0 rang
    os.eventfd_read(other.own_vectors[0])
    guest.write(regs + REG_STATE, 4, 0x2A)  # unchanged: nobody is rung
    assert not readable(other.own_vectors[0], 0.05)

    guest.write(regs + REG_DOORBELL, 4, (other.own_id << 16) | 1)
    assert readable(other.own_vectors[1])


def test_v2_read_only_shared_memory_refuses_stores(guest, machine, serve2):
    server = serve2(max_peers=2, vectors=1)
    plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={server.path},id=s",
                               "-device", "ivshmem,chardev=s"])
    bdf = guest.find(*V2)
    shm = guest.bar(bdf, 2)
    guest.write(shm, 4, 0xFFFF)  # the state table belongs to the device
    assert guest.read(shm, 4) == 0


class Calls:
    """A watcher (zpy.hw.watch.Watch) that keeps what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def interrupt(self, vector: int) -> None:
        self.calls.append(("interrupt", vector))

    def ring_sent(self, device: str, peer: int, vector: int) -> None:
        self.calls.append(("sent", device, peer, vector))

    def ring_received(self, device: str, vector: int) -> None:
        self.calls.append(("received", device, vector))


def test_a_watcher_hears_doorbells_and_interrupts_only_while_attached(guest, machine, serve,
                                                                      peers):
    server = serve(vectors=2)
    bdf, regs = doorbell(machine, guest, server.path)
    other = peers(server.path)
    own = guest.read(regs + IVPOSITION, 4)
    msix = guest.bar(bdf, 1)
    guest.write(msix, 4, 0xFEE00000)
    guest.write(msix + 8, 4, 0x30)
    guest.write(msix + 12, 4, 0)
    guest.cfg_write(bdf, guest.cfg_read(bdf, 0x34, 1) + 2, 2, MSIX_CONTROL_ENABLE)
    wait_until(other, lambda: len(other.peers.get(own, [])) == 2)

    watch = Calls()
    machine.set_watch(watch)
    guest.write(regs + DOORBELL, 4, (other.own_id << 16) | 1)
    assert other.notify(own, 0)
    assert take_interrupts(guest, 1) == [0x30]
    assert watch.calls == [("sent", "ivshmem0", other.own_id, 1), ("received", "ivshmem0", 0),
                           ("interrupt", 0x30)]

    machine.set_watch(None)  # nobody watches: nothing is recorded
    guest.write(regs + DOORBELL, 4, (other.own_id << 16) | 1)
    assert other.notify(own, 0)
    assert take_interrupts(guest, 2) == [0x30, 0x30]
    assert len(watch.calls) == 3


def test_a_watcher_hears_a_v2_state_change_ring_every_other_peer(guest, machine, serve2, peers2):
    server = serve2(max_peers=3, vectors=1)
    others = [peers2(server.path), peers2(server.path)]
    plug_devices(machine, {}, ["-nodefaults", "-chardev", f"socket,path={server.path},id=s",
                               "-device", "ivshmem,chardev=s"])
    regs = guest.bar(guest.find(*V2), 0)
    own = guest.read(regs + REG_ID, 4)
    watch = Calls()
    machine.set_watch(watch)
    guest.write(regs + REG_STATE, 4, 7)
    assert sorted(watch.calls) == sorted(("sent", "ivshmem0", o.own_id, 0) for o in others)
    assert own not in {c[2] for c in watch.calls}
