# SPDX-License-Identifier: Apache-2.0
"""A shell command of the app's own, as in Zephyr's samples/subsys/shell/shell_module.

`demo ping` answers pong, `demo params` prints its arguments, `demo board`
the board; the built-in help, kernel and device commands sit beside it.
"""

from zpy.autoconf import CONFIG_BOARD
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER
from zpy.shell import (
    SHELL_CMD,
    SHELL_CMD_ARG,
    SHELL_CMD_REGISTER,
    SHELL_OPT_ARG_MAX,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    shell_print,
)

LOG_MODULE_REGISTER("app")


def cmd_demo_ping(sh, argc, argv):
    shell_print(sh, "pong")
    return 0


def cmd_demo_params(sh, argc, argv):
    shell_print(sh, "argc = %zd", argc)
    for cnt in range(argc):
        shell_print(sh, "  argv[%zd] = %s", cnt, argv[cnt])
    return 0


def cmd_demo_board(sh, argc, argv):
    shell_print(sh, CONFIG_BOARD)
    return 0


sub_demo = SHELL_STATIC_SUBCMD_SET_CREATE(
    "sub_demo",
    SHELL_CMD("board", None, "Show board name command.", cmd_demo_board),
    SHELL_CMD("ping", None, "Ping command.", cmd_demo_ping),
    SHELL_CMD_ARG("params", None, "Print params command.", cmd_demo_params, 1, SHELL_OPT_ARG_MAX),
    SHELL_SUBCMD_SET_END,
)
SHELL_CMD_REGISTER("demo", sub_demo, "Demo commands", None)


def main() -> int:
    LOG_INF("shell_module sample started")
    return 0
