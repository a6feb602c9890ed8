"""What the view's browser tests watch: a thread that waits for a doorbell, then sleeps.

`listener` pends in k_poll on a signal that vector 0 raises. Rung, it logs,
writes "rung on vector 0" at offset 0x40 of the shared memory, rings its own
vector 1 (a doorbell sent and received by this VM) and sleeps for ten
minutes: its state goes from pending to sleeping.
"""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ivshmem import (
    ivshmem_get_id,
    ivshmem_get_mem,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import (
    K_FOREVER,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_TYPE_SIGNAL,
    K_SECONDS,
    K_THREAD_DEFINE,
    k_poll,
    k_poll_signal,
    k_poll_signal_check,
    k_sleep,
    printk,
)
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER

LOG_MODULE_REGISTER("listener")

doorbell = k_poll_signal()
echo = k_poll_signal()
MESSAGE_AT = 0x40


def listen():
    dev = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    size, mem = ivshmem_get_mem(dev)
    me = ivshmem_get_id(dev)
    ivshmem_register_handler(dev, doorbell, 0)
    ivshmem_register_handler(dev, echo, 1)
    printk("listener: peer %u, waiting for a doorbell on vector 0\n", me)
    events = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, doorbell)]
    k_poll(events, 1, K_FOREVER)
    _, vector = k_poll_signal_check(doorbell)
    LOG_INF("rung on vector %d", vector)
    text = b"rung on vector %d" % vector
    mem[MESSAGE_AT : MESSAGE_AT + len(text)] = text
    ivshmem_int_peer(dev, me, 1)
    k_sleep(K_SECONDS(600))


K_THREAD_DEFINE("listener", 1024, listen, None, None, None, 5, 0, 0)


def main():
    return 0
