"""The ivshmem shell module (drivers/virtualization/virt_ivshmem_shell.c), CONFIG_IVSHMEM_SHELL.

    ivshmem                            shared memory address and size, peer id, vectors
    ivshmem shmem                      the same
    ivshmem dump <pos> <size>          hexdump of the shared memory
    ivshmem int_peer <peer_id> <vector>   ring a peer (CONFIG_IVSHMEM_DOORBELL)
    ivshmem get_notified <vector>      print "Received a notification on vector N" on rings

As upstream: "the" device is DEVICE_DT_GET_ONE(qemu_ivshmem); numbers are read
with C's strtol in base 10 (text that is not a number reads as 0) and then
cast as C casts them (peer and vector to 16 bits for the driver); the checks
of `dump` run in upstream's order; every failed check prints an error and
returns 0, except a failing driver call (-EIO). One k_poll_signal and one
cooperative "notification_thread" (started by the first get_notified) serve
every vector. It uses the ivshmem API only.
"""

from __future__ import annotations

from zpy import errno
from zpy.device import DEVICE_DT_GET_ONE, device_is_ready
from zpy.drivers.ivshmem import (
    ivshmem_get_id,
    ivshmem_get_mem,
    ivshmem_get_vectors,
    ivshmem_int_peer,
    ivshmem_register_handler,
)
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_NO_WAIT,
    K_POLL_EVENT_INITIALIZER,
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_SIGNAL_INITIALIZER,
    K_POLL_TYPE_SIGNAL,
    K_PRIO_COOP,
    K_THREAD_STACK_DEFINE,
    POINTER_TO_UINT,
    k_poll,
    k_poll_signal_check,
    k_poll_signal_init,
    k_thread,
    k_thread_create,
    k_thread_name_set,
    k_thread_start,
)
from zpy.shell import (
    SHELL_CMD_ARG,
    SHELL_CMD_REGISTER,
    SHELL_NORMAL,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    shell_error,
    shell_fprintf,
    shell_hexdump,
)
from zpy.subsys.shell.core import Shell
from zpy.subsys.shell.utils import strtol

DOORBELL = IS_ENABLED("CONFIG_IVSHMEM_DOORBELL")

_U64 = (1 << 64) - 1

ivshmem = DEVICE_DT_GET_ONE("qemu_ivshmem")

# -- the notification thread (CONFIG_IVSHMEM_DOORBELL) ---------------------------------------

STACK_SIZE = 512
doorbell_sig = K_POLL_SIGNAL_INITIALIZER("doorbell_sig")
doorbell_evt = K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, doorbell_sig)
doorbell_stack = K_THREAD_STACK_DEFINE("doorbell_stack", STACK_SIZE)
doorbell_started = False
doorbell_thread = k_thread()


def doorbell_notification_thread(sh: Shell) -> None:
    while True:
        k_poll([doorbell_evt], 1, K_FOREVER)
        signaled, vector = k_poll_signal_check(doorbell_sig)
        if signaled == 0:
            continue
        shell_fprintf(sh, SHELL_NORMAL, "Received a notification on vector %u\n", vector)
        k_poll_signal_init(doorbell_sig)


# -- helpers --------------------------------------------------------------------------------


def get_ivshmem(sh: Shell) -> bool:
    if not device_is_ready(ivshmem):
        shell_error(sh, "IVshmem device is not ready")
        return False
    return True


def _c_long(text: str) -> int:
    """strtol(text, NULL, 10): the number at the start of text, 0 if there is none."""
    return strtol(text, 10)[0]


def _c_int(value: int) -> int:
    """A long stored in a C int (32 bits, two's complement)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


# -- commands --------------------------------------------------------------------------------


def cmd_ivshmem_shmem(sh: Shell, argc: int, argv: list[str]) -> int:
    if not get_ivshmem(sh):
        return 0
    size, mem = ivshmem_get_mem(ivshmem)
    peer_id = ivshmem_get_id(ivshmem)
    vectors = ivshmem_get_vectors(ivshmem)
    shell_fprintf(sh, SHELL_NORMAL,
                  "IVshmem up and running: \n"
                  "\tShared memory: 0x%lx of size %lu bytes\n"
                  "\tPeer id: %u\n"
                  "\tNotification vectors: %u\n",
                  POINTER_TO_UINT(mem), size, peer_id, vectors & 0xFFFF)
    return 0


def cmd_ivshmem_dump(sh: Shell, argc: int, argv: list[str]) -> int:
    if not get_ivshmem(sh):
        return 0
    dump_pos = _c_long(argv[1]) & _U64  # uintptr_t
    dump_size = _c_long(argv[2]) & _U64  # size_t
    size, mem = ivshmem_get_mem(ivshmem)
    base = POINTER_TO_UINT(mem)
    if dump_size > size:
        shell_error(sh, "Size is too big")
    elif dump_pos > size:
        shell_error(sh, "Position is out of the shared memory")
    elif (base + dump_pos + dump_size) & _U64 > (base + size) & _U64:
        shell_error(sh, "Position and size overflow")
    elif dump_size:
        shell_hexdump(sh, mem[dump_pos : dump_pos + dump_size], dump_size)
    return 0


def cmd_ivshmem_int(sh: Shell, argc: int, argv: list[str]) -> int:
    if not DOORBELL:
        shell_error(sh, "CONFIG_IVSHMEM_DOORBELL is not enabled")
        return 0
    if not get_ivshmem(sh):
        return 0
    peer_id = _c_int(_c_long(argv[1]))
    vector = _c_int(_c_long(argv[2]))
    ret = ivshmem_int_peer(ivshmem, peer_id & 0xFFFF, vector & 0xFFFF)
    if ret != 0:
        shell_error(sh, "Could not notify peer %u on %u. status %d", peer_id, vector, ret)
        return -errno.EIO
    shell_fprintf(sh, SHELL_NORMAL, "Notification sent to peer %u on vector %u\n", peer_id, vector)
    return 0


def cmd_ivshmem_get_notified(sh: Shell, argc: int, argv: list[str]) -> int:
    global doorbell_started
    if not DOORBELL:
        shell_error(sh, "CONFIG_IVSHMEM_DOORBELL is not enabled")
        return 0
    if not get_ivshmem(sh):
        return 0
    vector = _c_int(_c_long(argv[1]))
    if ivshmem_register_handler(ivshmem, doorbell_sig, vector & 0xFFFF):
        shell_error(sh, "Could not get notifications on vector %u", vector)
        return -errno.EIO
    shell_fprintf(sh, SHELL_NORMAL, "Notifications enabled for vector %u\n", vector)
    if not doorbell_started:
        tid = k_thread_create(doorbell_thread, doorbell_stack, STACK_SIZE,
                              doorbell_notification_thread, sh, None, None, K_PRIO_COOP(2), 0,
                              K_NO_WAIT)
        if tid is None:
            shell_error(sh, "Cannot start notification thread")
            return -errno.ENOEXEC
        k_thread_name_set(tid, "notification_thread")
        k_thread_start(tid)
        doorbell_started = True
    return 0


sub_ivshmem_cmds = SHELL_STATIC_SUBCMD_SET_CREATE(
    "sub_ivshmem_cmds",
    SHELL_CMD_ARG("shmem", None, "Show shared memory info", cmd_ivshmem_shmem, 1, 0),
    SHELL_CMD_ARG("dump", None, "Dump shared memory content", cmd_ivshmem_dump, 3, 0),
    SHELL_CMD_ARG("int_peer", None, "Notify a vector on a peer", cmd_ivshmem_int, 3, 0),
    SHELL_CMD_ARG("get_notified", None, "Get notification on vector", cmd_ivshmem_get_notified,
                  2, 0),
    SHELL_SUBCMD_SET_END,
)

SHELL_CMD_REGISTER("ivshmem", sub_ivshmem_cmds, "IVshmem information", cmd_ivshmem_shmem)
