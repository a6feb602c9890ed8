# SPDX-License-Identifier: Apache-2.0
"""IPM over ivshmem: VMs notify each other through the IPM API.

A port of Zephyr's samples/drivers/ipm/ipm_ivshmem. main() registers a
callback on the IPM device that prints a line for every notification, and the
shell command `ivshmem_ipm_send <peer_id>` sends one to another VM (the
`ivshmem` command shows this VM's peer ID).
"""

from zpy.device import DEVICE_DT_GET
from zpy.devicetree import DT_NODELABEL
from zpy.drivers.ipm import ipm_register_callback, ipm_send
from zpy.kernel import printk
from zpy.shell import SHELL_CMD_ARG_REGISTER, shell_error, shell_strtol

ipm_dev = None


def ipm_receive_callback(ipmdev, user_data, id, data):
    printk("Received IPM notification over IVSHMEM\n")


def cmd_ipm_send(sh, argc, argv):
    peer_id, err = shell_strtol(argv[1], 10, 0)
    if err:
        shell_error(sh, "Invalid peer id: %s", argv[1])
        return err
    ipm_send(ipm_dev, 0, peer_id, None, 0)
    return 0


SHELL_CMD_ARG_REGISTER("ivshmem_ipm_send", None, "Send notification to other side using IPM",
                       cmd_ipm_send, 2, 0)


def main():
    global ipm_dev
    ipm_dev = DEVICE_DT_GET(DT_NODELABEL("ipm_ivshmem0"))
    ipm_register_callback(ipm_dev, ipm_receive_callback, None)
    return 0
