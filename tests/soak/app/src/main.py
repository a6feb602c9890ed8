"""A soak peer (tests/soak): pings every live peer in turn, answers their pings, and
changes its ivshmem-v2 state now and then; prints its counters every second.

Doorbells cannot be counted one by one (an eventfd adds up rings that come before
they are taken), so each ping is a round trip: the sender writes a sequence number
for the target into its output section and rings the target's vector 1; the target
copies the number into its own output section and rings back on vector 2. A ping
not answered within LOSS_MS by a target that is still the same live peer (its state
is set and its epoch is the one the ping was sent to) is a lost doorbell.

Output section of each peer: epoch (u32), then ping[p] and pong[p] (u32) per peer p.
"""

import random
import struct

from zpy.device import DEVICE_DT_GET, device_is_ready
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_enable_interrupts,
    ivshmem_get_id,
    ivshmem_get_max_peers,
    ivshmem_get_output_mem_section,
    ivshmem_get_state,
    ivshmem_int_peer,
    ivshmem_register_handler,
    ivshmem_set_state,
)
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
    k_uptime_get,
    printk,
)

VEC_STATE, VEC_PING, VEC_PONG = 0, 1, 2
LOSS_MS = 20_000
STATS_MS = 1000
STATE_MS = 500


def main():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    if not device_is_ready(dev):
        printk("not ready\n")
        return 1
    me, peers = ivshmem_get_id(dev), ivshmem_get_max_peers(dev)
    out = ivshmem_get_output_mem_section(dev, me)[1]
    views = [ivshmem_get_output_mem_section(dev, p)[1] for p in range(peers)]

    def epoch_of(p):
        return struct.unpack_from("<I", views[p], 0)[0]

    def ping_of(p, to):
        return struct.unpack_from("<I", views[p], 4 + 4 * to)[0]

    def pong_of(p, to):
        return struct.unpack_from("<I", views[p], 4 + 4 * peers + 4 * to)[0]

    epoch = random.randrange(1, 2**32)
    struct.pack_into("<I", out, 0, epoch)
    sigs = [k_poll_signal() for _ in range(3)]
    for vector, sig in enumerate(sigs):
        ivshmem_register_handler(dev, sig, vector)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, s)
              for s in sigs]
    ivshmem_enable_interrupts(dev, True)
    ivshmem_set_state(dev, 1)

    seq = random.randrange(1, 2**31)
    outstanding = {}  # peer -> (seq, its epoch, sent at)
    answered = {}  # peer -> the last ping of theirs we answered
    n = {"sent": 0, "done": 0, "answered": 0, "lost": 0, "abandoned": 0, "states": 0}
    next_stats = next_state = k_uptime_get()
    state = 1
    printk("up %u epoch %u\n", me, epoch)
    while True:
        now = k_uptime_get()
        for p in range(peers):
            if p == me or p in outstanding or ivshmem_get_state(dev, p) == 0:
                continue
            seq = seq % (2**32 - 1) + 1
            struct.pack_into("<I", out, 4 + 4 * p, seq)
            outstanding[p] = (seq, epoch_of(p), now)
            ivshmem_int_peer(dev, p, VEC_PING)
            n["sent"] += 1
        k_poll(events, 3, K_MSEC(50))
        for vector, sig in enumerate(sigs):
            if not k_poll_signal_check(sig)[0]:
                continue
            k_poll_signal_reset(sig)  # before looking: a ring after this raises it again
            if vector == VEC_STATE:
                n["states"] += 1
            elif vector == VEC_PING:
                for p in range(peers):
                    value = ping_of(p, me) if p != me else 0
                    if value and value != answered.get(p):
                        answered[p] = value
                        struct.pack_into("<I", out, 4 + 4 * peers + 4 * p, value)
                        ivshmem_int_peer(dev, p, VEC_PONG)
                        n["answered"] += 1
            else:
                for p, (value, _, _) in list(outstanding.items()):
                    if pong_of(p, me) == value:
                        del outstanding[p]
                        n["done"] += 1
        for event in events:
            event.state = K_POLL_STATE_NOT_READY
        now = k_uptime_get()
        for p, (value, their_epoch, sent) in list(outstanding.items()):
            gone = ivshmem_get_state(dev, p) == 0 or epoch_of(p) != their_epoch
            if gone:
                del outstanding[p]
                n["abandoned"] += 1
            elif now - sent > LOSS_MS:
                del outstanding[p]
                n["lost"] += 1
                printk("lost ping to %u seq %u\n", p, value)
        if now >= next_state:
            state = state % 1000 + 1
            ivshmem_set_state(dev, state)
            next_state = now + STATE_MS
        if now >= next_stats:
            printk("stats %u sent=%u done=%u answered=%u lost=%u abandoned=%u states=%u\n", me,
                   n["sent"], n["done"], n["answered"], n["lost"], n["abandoned"], n["states"])
            next_stats = now + STATS_MS
