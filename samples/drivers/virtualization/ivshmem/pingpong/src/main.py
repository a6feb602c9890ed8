# SPDX-License-Identifier: Apache-2.0
"""Ping-pong over ivshmem: two VMs share memory and ring each other's doorbell.

The first VM to boot writes its ID into the shared memory and waits. The second
finds it there, says hello and rings it on vector 0. Then they take turns: the
first writes "ping N" and rings vector 1 of the second; the second answers
"pong N" on vector 0. Each side prints what it receives.

Shared memory layout (little-endian):
  0  magic "ZPNG"   4  ID of the first VM   8  sequence number   12  text length
  16 text (UTF-8)
"""

import struct

from zpy.autoconf import CONFIG_PINGPONG_INTERVAL_MS, CONFIG_PINGPONG_ROUNDS
from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_get_id,
    ivshmem_get_mem,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import (
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_SECONDS,
    k_msleep,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_reset,
    printk,
)

MAGIC = 0x474E505A  # "ZPNG"
HEADER = struct.Struct("<IIII")
VECTOR_TO_FIRST = 0
VECTOR_TO_SECOND = 1
TIMEOUT = K_SECONDS(30)


class Link:
    """One side of the conversation: the device, its memory, its signal."""

    def __init__(self, dev, mem):
        self.dev = dev
        self.mem = mem
        self.me = ivshmem_get_id(dev)
        self.signal = k_poll_signal()
        self.events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY,
                                                self.signal)]
        for vector in range(ivshmem_get_vectors(dev)):
            ivshmem_register_handler(dev, self.signal, vector)

    def send(self, peer, vector, seq, text):
        data = text.encode()
        self.mem[8:16] = struct.pack("<II", seq, len(data))
        self.mem[16 : 16 + len(data)] = data
        return ivshmem_int_peer(self.dev, peer, vector)

    def receive(self):
        """Wait for a doorbell; (vector, seq, text), or None on timeout."""
        if k_poll(self.events, 1, TIMEOUT) != 0:
            return None
        _, vector = k_poll_signal_check(self.signal)
        k_poll_signal_reset(self.signal)
        _, _, seq, length = HEADER.unpack_from(self.mem, 0)
        return vector, seq, bytes(self.mem[16 : 16 + length]).decode()


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(dev):
        printk("ivshmem device is not ready\n")
        return 1
    size, mem = ivshmem_get_mem(dev)
    link = Link(dev, mem)
    me = link.me
    printk("VM %u: %zu bytes of shared memory, %u vectors\n", me, size, ivshmem_get_vectors(dev))

    magic, first, _, _ = HEADER.unpack_from(mem, 0)
    if magic != MAGIC:
        mem[0:8] = struct.pack("<II", MAGIC, me)
        printk("VM %u: first here; waiting for a peer\n", me)
        got = link.receive()
        if got is None:
            printk("VM %u: no peer came\n", me)
            return 1
        vector, _, text = got
        peer = int(text.rsplit(" ", 1)[1])
        printk("VM %u: received \"%s\" on vector %u\n", me, text, vector)
        for n in range(1, CONFIG_PINGPONG_ROUNDS + 1):
            if CONFIG_PINGPONG_INTERVAL_MS:
                k_msleep(CONFIG_PINGPONG_INTERVAL_MS)
            link.send(peer, VECTOR_TO_SECOND, n, f"ping {n}")
            got = link.receive()
            if got is None:
                printk("VM %u: no answer to ping %d\n", me, n)
                return 1
            vector, seq, text = got
            printk("VM %u: received \"%s\" on vector %u\n", me, text, vector)
            if seq != n:
                printk("VM %u: expected answer %d, got %d\n", me, n, seq)
                return 1
    else:
        peer = first
        printk("VM %u: found VM %u in shared memory; saying hello\n", me, peer)
        link.send(peer, VECTOR_TO_FIRST, 0, f"hello from VM {me}")
        for n in range(1, CONFIG_PINGPONG_ROUNDS + 1):
            got = link.receive()
            if got is None:
                printk("VM %u: no ping %d came\n", me, n)
                return 1
            vector, seq, text = got
            printk("VM %u: received \"%s\" on vector %u\n", me, text, vector)
            link.send(peer, VECTOR_TO_FIRST, seq, f"pong {seq}")
    printk("VM %u: done after %d round trips\n", me, CONFIG_PINGPONG_ROUNDS)
    return 0
