# SPDX-License-Identifier: Apache-2.0
"""ivshmem-v2 handshake and streaming between two peers.

Each peer publishes its state through ivshmem_set_state() (RESET, INIT, READY,
RUN: the state machine of Zephyr's eth_ivshmem driver) and reads the other's
with ivshmem_get_state(); a state change interrupts the other peer on vector 0.
In RUN both stream CONFIG_HANDSHAKE_BLOCKS blocks, each written into the
writer's own output section (the only section it may write) and announced on
vector 1; the reader checks each block's CRC in the writer's section (mapped
read-only for it) and acknowledges it in its own section.

Output section layout: seq (u32), ack (u32), crc (u32), length (u32), payload.
"""

import struct
import zlib

from zpy.autoconf import CONFIG_HANDSHAKE_BLOCKS
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_max_peers,
    ivshmem_get_output_mem_section,
    ivshmem_get_protocol,
    ivshmem_get_rw_mem_section,
    ivshmem_get_state,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
    ivshmem_set_state,
)
from zpy.kernel import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_SECONDS,
    k_poll,
    k_poll_signal,
    k_poll_signal_reset,
    printk,
)

RESET, INIT, READY, RUN = 0, 1, 2, 3
NAMES = {RESET: "RESET", INIT: "INIT", READY: "READY", RUN: "RUN"}
HEADER = struct.Struct("<IIII")
STATE_VECTOR, DATA_VECTOR = 0, 1


def payload(peer, seq, size):
    """Block `seq` of `peer`: deterministic, so the reader knows what to expect."""
    pattern = f"block {seq} from peer {peer};".encode()
    return (pattern * (size // len(pattern) + 1))[:size]


class Peer:
    def __init__(self, dev):
        self.dev = dev
        self.me = ivshmem_get_id(dev)
        self.other = 1 - self.me
        self.size, self.out = ivshmem_get_output_mem_section(dev, self.me)
        _, self.peer_out = ivshmem_get_output_mem_section(dev, self.other)
        self.state = RESET
        self.sent = self.acked_by_peer = self.received = 0
        self.signal = k_poll_signal()
        for vector in range(ivshmem_get_vectors(dev)):
            ivshmem_register_handler(dev, self.signal, vector)
        self.events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY,
                                                self.signal)]

    def publish(self, state):
        printk("peer %u: %s -> %s\n", self.me, NAMES[self.state], NAMES[state])
        self.state = state
        ivshmem_set_state(self.dev, state)

    def wait(self):
        if k_poll(self.events, 1, K_SECONDS(30)) != 0:
            return False
        k_poll_signal_reset(self.signal)
        return True

    def step_state(self):
        peer_state = ivshmem_get_state(self.dev, self.other)
        if self.state == RESET and peer_state in (RESET, INIT):
            self.publish(INIT)
        elif self.state == INIT and peer_state != RESET:
            self.out[:] = bytes(self.size)  # reset our queue before we say we are ready
            self.publish(READY)
        elif self.state in (READY, RUN) and peer_state == RESET:
            self.publish(RESET)
        elif self.state == READY and peer_state in (READY, RUN):
            self.publish(RUN)

    def send_next(self):
        data = payload(self.me, self.sent + 1, self.size - HEADER.size)
        self.out[HEADER.size:] = data
        self.sent += 1
        HEADER.pack_into(self.out, 0, self.sent, self.received, zlib.crc32(data), len(data))
        ivshmem_int_peer(self.dev, self.other, DATA_VECTOR)

    def step_data(self):
        seq, ack, crc, length = HEADER.unpack_from(self.peer_out, 0)
        if seq == self.received + 1:
            data = bytes(self.peer_out[HEADER.size : HEADER.size + length])
            if zlib.crc32(data) != crc or data != payload(self.other, seq, length):
                printk("peer %u: block %u from peer %u is corrupt\n", self.me, seq, self.other)
                return False
            self.received = seq
            HEADER.pack_into(self.out, 0, self.sent, self.received, *HEADER.unpack_from(self.out, 0)[2:])
            ivshmem_int_peer(self.dev, self.other, DATA_VECTOR)  # tell it we took it
        self.acked_by_peer = ack
        if self.sent < CONFIG_HANDSHAKE_BLOCKS and self.acked_by_peer == self.sent:
            self.send_next()
        return True

    def done(self):
        return self.received == CONFIG_HANDSHAKE_BLOCKS and self.acked_by_peer == self.sent == \
            CONFIG_HANDSHAKE_BLOCKS


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(dev):
        printk("ivshmem-v2 device is not ready\n")
        return 1
    rw_size, _ = ivshmem_get_rw_mem_section(dev)
    peer = Peer(dev)
    printk("peer %u of %u: protocol 0x%04x, R/W section %zu bytes, output sections %zu bytes\n",
           peer.me, ivshmem_get_max_peers(dev), ivshmem_get_protocol(dev), rw_size, peer.size)
    ivshmem_set_state(dev, RESET)
    ivshmem_enable_interrupts(dev, True)
    peer.step_state()
    while not peer.done():
        if peer.state == RUN:
            if peer.sent == 0:
                peer.send_next()
            if not peer.step_data():
                return 1
            if peer.done():
                break
        if not peer.wait():
            printk("peer %u: stuck in %s (peer in %s)\n", peer.me, NAMES[peer.state],
                   NAMES.get(ivshmem_get_state(dev, peer.other), "?"))
            return 1
        peer.step_state()
    printk("peer %u: RUN: sent %u blocks, received %u blocks, all intact\n", peer.me, peer.sent,
           peer.received)
    return 0
