# SPDX-License-Identifier: Apache-2.0
"""ivshmem-v2 test suite for one peer of a v2 server.

Run with: zpy ivshmem2-server -F -S SOCK -l 64K -o 8K -n 3 -V 2, then
zpy run -d BUILD -chardev socket,path=SOCK,id=ivshmem. The VM is the first
peer (ID 0).
"""

from zpy import errno
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_max_peers,
    ivshmem_get_mem,
    ivshmem_get_output_mem_section,
    ivshmem_get_protocol,
    ivshmem_get_rw_mem_section,
    ivshmem_get_state,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
    ivshmem_set_state,
)
from zpy.drivers.pcie import PCI_CAP_ID_VNDR, pcie_conf_read, pcie_conf_write, pcie_get_cap
from zpy.kernel import (
    K_MSEC,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_STATE_NOT_READY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_reset,
)
from zpy.ztest import (
    ZTEST_F,
    ZTEST_SUITE,
    zassert_equal,
    zassert_false,
    zassert_is_null,
    zassert_not_null,
    zassert_true,
)

MAX_PEERS = 3
OUTPUT_SIZE = 8192
SHM_SIZE = 65536
STATE_TABLE_SIZE = 4096


class Fixture:
    def __init__(self):
        self.dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
        self.signal = k_poll_signal()
        self.events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY,
                                                self.signal)]

    def notified(self, timeout_ms):
        """The vector that fired within timeout_ms, or None."""
        self.events[0].state = K_POLL_STATE_NOT_READY
        if k_poll(self.events, 1, K_MSEC(timeout_ms)) != 0:
            return None
        _, vector = k_poll_signal_check(self.signal)
        k_poll_signal_reset(self.signal)
        return vector


def setup():
    fixture = Fixture()
    zassert_true(device_is_ready(fixture.dev), "ivshmem-v2 device is not ready")
    for vector in range(ivshmem_get_vectors(fixture.dev)):
        ivshmem_register_handler(fixture.dev, fixture.signal, vector)
    return fixture


def before(fixture):
    ivshmem_enable_interrupts(fixture.dev, False)
    k_poll_signal_reset(fixture.signal)


ZTEST_SUITE("ivshmem_v2", None, setup, before, None, None)


@ZTEST_F("ivshmem_v2")
def test_identity(fixture):
    dev = fixture.dev
    zassert_equal(ivshmem_get_id(dev), 0, "the first peer of the server is 0")
    zassert_equal(ivshmem_get_max_peers(dev), MAX_PEERS)
    zassert_equal(ivshmem_get_protocol(dev), 0, "the server's default protocol is 0")
    zassert_equal(ivshmem_get_vectors(dev), 2)


@ZTEST_F("ivshmem_v2")
def test_sections(fixture):
    dev = fixture.dev
    size, mem = ivshmem_get_mem(dev)
    zassert_equal(size, 0, "ivshmem_get_mem is not for ivshmem-v2")
    zassert_is_null(mem)
    rw_size, rw = ivshmem_get_rw_mem_section(dev)
    zassert_equal(rw_size, SHM_SIZE - STATE_TABLE_SIZE - MAX_PEERS * OUTPUT_SIZE)
    zassert_not_null(rw)
    for peer in range(MAX_PEERS):
        out_size, out = ivshmem_get_output_mem_section(dev, peer)
        zassert_equal(out_size, OUTPUT_SIZE)
        zassert_equal(len(out), OUTPUT_SIZE)
    zassert_equal(ivshmem_get_output_mem_section(dev, MAX_PEERS), (0, None),
                  "no section beyond max peers")


@ZTEST_F("ivshmem_v2")
def test_read_only_enforcement(fixture):
    dev = fixture.dev
    _, own = ivshmem_get_output_mem_section(dev, 0)
    _, other = ivshmem_get_output_mem_section(dev, 1)
    _, rw = ivshmem_get_rw_mem_section(dev)
    zassert_false(own.readonly, "our output section is writable")
    zassert_false(rw.readonly, "the R/W section is writable")
    zassert_true(other.readonly, "another peer's output section is read-only")
    own[0:6] = b"mine!\0"
    rw[0:4] = b"rw!\0"
    try:
        other[0:1] = b"x"
        wrote = True
    except TypeError:
        wrote = False
    zassert_false(wrote, "writing another peer's output section must fail")


@ZTEST_F("ivshmem_v2")
def test_state_propagation(fixture):
    dev = fixture.dev
    zassert_equal(ivshmem_set_state(dev, 0x5A5A), 0)
    zassert_equal(ivshmem_get_state(dev, 0), 0x5A5A, "our state table entry follows State")
    zassert_equal(ivshmem_get_state(dev, 1), 0, "a peer that is not there is 0")
    zassert_equal(ivshmem_get_state(dev, MAX_PEERS), 0, "no entry beyond max peers")
    zassert_equal(ivshmem_set_state(dev, 0), 0)


@ZTEST_F("ivshmem_v2")
def test_interrupt_enable_and_doorbell_checks(fixture):
    dev = fixture.dev
    zassert_equal(ivshmem_int_peer(dev, 0, 1), 0)
    zassert_equal(fixture.notified(200), None, "interrupts are off: nothing is delivered")
    zassert_equal(ivshmem_enable_interrupts(dev, True), 0)
    zassert_equal(ivshmem_int_peer(dev, 0, 1), 0)
    zassert_equal(fixture.notified(2000), 1, "a doorbell to ourselves arrives on vector 1")
    zassert_equal(ivshmem_int_peer(dev, MAX_PEERS, 0), -errno.EINVAL, "peer beyond max peers")
    zassert_equal(ivshmem_int_peer(dev, 0, 2), -errno.EINVAL, "vector beyond the vectors")


@ZTEST_F("ivshmem_v2")
def test_one_shot_mode(fixture):
    dev = fixture.dev
    bdf = dev.data.pcie.bdf
    cap = pcie_get_cap(bdf, PCI_CAP_ID_VNDR)
    word = pcie_conf_read(bdf, cap)
    pcie_conf_write(bdf, cap, word | (1 << 24))  # Privileged Control: one-shot
    ivshmem_enable_interrupts(dev, True)
    ivshmem_int_peer(dev, 0, 0)
    zassert_equal(fixture.notified(2000), 0, "the first doorbell arrives")
    ivshmem_int_peer(dev, 0, 0)
    zassert_equal(fixture.notified(200), None, "one-shot: delivery disabled itself")
    ivshmem_enable_interrupts(dev, True)  # re-arm
    ivshmem_int_peer(dev, 0, 0)
    zassert_equal(fixture.notified(2000), 0, "re-armed")
    pcie_conf_write(bdf, cap, word & ~(1 << 24))
