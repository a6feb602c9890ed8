"""Commands that exercise the shell core: argument counts, raw arguments, groups, return
values, and output from other threads (shell_fprintf and LOG_INF) while a line is typed."""

from zpy.kernel import K_MSEC, K_NO_WAIT, k_sleep, k_thread, k_thread_create
from zpy.logging import LOG_INF, LOG_MODULE_REGISTER
from zpy.shell import (
    SHELL_CMD,
    SHELL_CMD_ARG,
    SHELL_CMD_ARG_REGISTER,
    SHELL_CMD_REGISTER,
    SHELL_OPT_ARG_CHECK_SKIP,
    SHELL_OPT_ARG_RAW,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    shell_error,
    shell_hexdump,
    shell_info,
    shell_print,
    shell_warn,
)

LOG_MODULE_REGISTER("app")


def show(sh, argc, argv):
    shell_print(sh, "argc=%d %s", argc, "|".join(argv))
    return 0


def cmd_ret(sh, argc, argv):
    return -5


def cmd_colors(sh, argc, argv):
    shell_info(sh, "info")
    shell_warn(sh, "warn")
    shell_error(sh, "error")
    return 0


def cmd_hex(sh, argc, argv):
    shell_hexdump(sh, bytes(range(0x3E, 0x3E + 20)), 20)
    return 0


talker = k_thread()


def _talk(sh, n):
    for i in range(n):
        k_sleep(K_MSEC(300))
        if i % 2:
            LOG_INF("log line %d", i)
        else:
            sh_print = shell_print
            sh_print(sh, "thread line %d", i)


def cmd_talk(sh, argc, argv):
    k_thread_create(talker, None, 0, _talk, sh, int(argv[1]), None, 5, 0, K_NO_WAIT)
    return 0


sub_grp = SHELL_STATIC_SUBCMD_SET_CREATE(
    "sub_grp",
    SHELL_CMD_ARG("one", None, "First subcommand.", show, 1, 0),
    SHELL_CMD_ARG("two", None, "Second subcommand, with a help text long enough to be wrapped "
                  "by the shell at the width of the terminal.", show, 2, 1),
    SHELL_CMD("twice", None, "Third.", show),
    SHELL_SUBCMD_SET_END,
)

SHELL_CMD_ARG_REGISTER("args", None, "Two to four words.", show, 2, 2)
SHELL_CMD_ARG_REGISTER("raw", None, "One word, then the rest raw.", show, 2, SHELL_OPT_ARG_RAW)
SHELL_CMD_ARG_REGISTER("any", None, "Any number of words.", show, 1, SHELL_OPT_ARG_CHECK_SKIP)
SHELL_CMD_REGISTER("grp", sub_grp, "A group without a handler.", None)
SHELL_CMD_ARG_REGISTER("ret", None, "Returns -5.", cmd_ret, 1, 0)
SHELL_CMD_ARG_REGISTER("colors", None, "Info, warning, error.", cmd_colors, 1, 0)
SHELL_CMD_ARG_REGISTER("hex", None, "A hexdump.", cmd_hex, 1, 0)
SHELL_CMD_ARG_REGISTER("talk", None, "Print from another thread.", cmd_talk, 2, 0)


def main():
    return 0
