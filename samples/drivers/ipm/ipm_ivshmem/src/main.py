# SPDX-License-Identifier: Apache-2.0
"""IPM over ivshmem: VMs notify each other through the IPM API.

A port of Zephyr's samples/drivers/ipm/ipm_ivshmem. main() registers a
callback on the IPM device that prints a line for every notification. Zephyr's
sample sends with the shell command `ivshmem_ipm_send <peer_id>`; zpy has no
shell yet, so this port sends one notification at boot to the peer named by
CONFIG_IPM_IVSHMEM_SAMPLE_PEER_ID (-1: none) and prints its own peer ID so
that another VM can be built to ring it. main() then stays, as Zephyr's system
does after its main() returns, so that notifications keep arriving.
"""

from zpy.autoconf import CONFIG_IPM_IVSHMEM_SAMPLE_PEER_ID
from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import ipm_register_callback, ipm_send
from zpy.drivers.ivshmem import ivshmem_get_id
from zpy.kernel import K_FOREVER, k_sleep, printk


def ipm_receive_callback(ipmdev, user_data, id, data):
    printk("Received IPM notification over IVSHMEM\n")


def main():
    ipm_dev = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    ipm_register_callback(ipm_dev, ipm_receive_callback, None)

    # What Zephyr's `ivshmem` shell command shows: the ID other VMs send to.
    ivshmem = DEVICE_DT_GET(DT_NODELABEL("ivshmem0"))
    printk("IPM over IVSHMEM: this VM is peer %u\n", ivshmem_get_id(ivshmem))

    peer_id = CONFIG_IPM_IVSHMEM_SAMPLE_PEER_ID
    if peer_id >= 0:
        rc = ipm_send(ipm_dev, 0, peer_id, None, 0)
        printk("Sent IPM notification to peer %d: %d\n", peer_id, rc)

    while True:
        k_sleep(K_FOREVER)
