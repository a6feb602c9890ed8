"""The `device` shell command (subsys/shell/modules/device_service.c), with CONFIG_DEVICE_SHELL.

`device list [<filter>]` prints `devices:` and a line per device in init
order: `- <name> (READY)` for a device whose init returned 0, `(DISABLED)`
for one that failed or has not run yet (a zephyr,deferred-init device before
device_init()), and with CONFIG_DEVICE_DEPS `  requires: <name>` lines.
"""

from __future__ import annotations

from zpy.device import device_is_ready, device_required_foreach, z_device_get_all_static
from zpy.kernel import IS_ENABLED, k_is_user_context
from zpy.shell import (
    SHELL_CMD_ARG,
    SHELL_CMD_REGISTER,
    SHELL_NORMAL,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    shell_fprintf,
)
from zpy.subsys.shell.core import Shell


def get_device_name(dev: object) -> str:
    name = getattr(dev, "name", None)
    return name if name else f"[0x{id(dev):x}]"


def cmd_device_list(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_fprintf(sh, SHELL_NORMAL, "devices:\n")
    for dev in z_device_get_all_static():
        name = get_device_name(dev)
        if argc == 2 and argv[1] not in name:
            continue
        state = "READY" if device_is_ready(dev) else "DISABLED"
        shell_fprintf(sh, SHELL_NORMAL, "- %s (%s)\n", name, state)
        if IS_ENABLED("CONFIG_DEVICE_DEPS") and not k_is_user_context():
            def visitor(required: object, ctx: object) -> int:
                shell_fprintf(sh, SHELL_NORMAL, "  requires: %s\n", get_device_name(required))
                return 0

            device_required_foreach(dev, visitor, None)
    return 0


sub_device = SHELL_STATIC_SUBCMD_SET_CREATE(
    "sub_device",
    SHELL_CMD_ARG("list", None, "List configured devices, with an optional filter",
                  cmd_device_list, 1, 1),
    SHELL_SUBCMD_SET_END,
)

SHELL_CMD_REGISTER("device", sub_device, "Device commands", None)
