"""The shell's built-in commands (subsys/shell/shell_cmds.c), linked with CONFIG_SHELL_CMDS.

clear, history, rem, resize, retval and `shell` (backends, backspace_mode,
colors, vt100, prompt, echo, stats), with Zephyr's help texts and messages.
"""

from __future__ import annotations

import time

from zpy import errno
from zpy.kernel import IS_ENABLED
from zpy.shell import (
    SHELL_CMD,
    SHELL_CMD_ARG,
    SHELL_CMD_ARG_REGISTER,
    SHELL_CMD_REGISTER,
    SHELL_COND_CMD,
    SHELL_COND_CMD_ARG,
    SHELL_COND_CMD_ARG_REGISTER,
    SHELL_COND_CMD_REGISTER,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    registry,
    shell_error,
    shell_print,
    shell_warn,
)
from zpy.subsys.shell import ops, vt100
from zpy.subsys.shell.core import Shell

SHELL_HELP_COMMENT = "Ignore lines beginning with 'rem '"
SHELL_HELP_RETVAL = "Print return value of most recent command"
SHELL_HELP_CLEAR = "Clear screen."
SHELL_HELP_BACKENDS = "List active shell backends.\n"
SHELL_HELP_BACKSPACE_MODE = ("Toggle backspace key mode.\nSome terminals are not sending "
                             "separate escape code for backspace and delete button. This command "
                             "forces shell to interpret delete key as backspace.")
SHELL_HELP_BACKSPACE_MODE_BACKSPACE = "Set different escape code for backspace and delete key."
SHELL_HELP_BACKSPACE_MODE_DELETE = "Set the same escape code for backspace and delete key."
SHELL_HELP_COLORS = "Toggle colored syntax."
SHELL_HELP_COLORS_OFF = "Disable colored syntax."
SHELL_HELP_COLORS_ON = "Enable colored syntax."
SHELL_HELP_VT100 = "Toggle vt100 commands."
SHELL_HELP_VT100_OFF = "Disable vt100 commands."
SHELL_HELP_VT100_ON = "Enable vt100 commands."
SHELL_HELP_PROMPT = "Toggle prompt."
SHELL_HELP_PROMPT_OFF = "Disable prompt."
SHELL_HELP_PROMPT_ON = "Enable prompt."
SHELL_HELP_STATISTICS = "Shell statistics."
SHELL_HELP_STATISTICS_SHOW = "Get shell statistics for the Logger module."
SHELL_HELP_STATISTICS_RESET = "Reset shell statistics for the Logger module."
SHELL_HELP_RESIZE = ("Console gets terminal screen size or assumes default in case the readout "
                     "fails. It must be executed after each terminal width change to ensure "
                     "correct text display.")
SHELL_HELP_RESIZE_DEFAULT = "Assume 80 chars screen width and send this setting to the terminal."
SHELL_HELP_HISTORY = "Command history."
SHELL_HELP_ECHO = "Toggle shell echo."
SHELL_HELP_ECHO_ON = "Enable shell echo."
SHELL_HELP_ECHO_OFF = "Disable shell echo. Editing keys and meta-keys are not handled"
SHELL_HELP_SHELL = "Useful, not Unix-like shell commands."
SHELL_MSG_UNKNOWN_PARAMETER = " unknown parameter: "
SHELL_MAX_TERMINAL_SIZE = 250


def cmd_comment(sh: Shell, argc: int, argv: list[str]) -> int:
    return 0


def cmd_clear(sh: Shell, argc: int, argv: list[str]) -> int:
    with sh.cmd_output():
        sh.vt100(vt100.CURSORHOME)
        sh.vt100(vt100.CLEARSCREEN)
    return 0


def cmd_backends(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "Active shell backends:")
    for cnt, other in enumerate(registry().shells):
        shell_print(sh, "  %2d. :%s (%s)", cnt, other.prompt, other.name)
    return 0


def _set_flag(name: str, value: bool):  # type: ignore[no-untyped-def]
    def handler(sh: Shell, argc: int, argv: list[str]) -> int:
        setattr(sh.flags, name, value)
        return 0
    return handler


def cmd_prompt_off(sh: Shell, argc: int, argv: list[str]) -> int:
    sh.prompt = ""
    return 0


def cmd_prompt_on(sh: Shell, argc: int, argv: list[str]) -> int:
    sh.prompt = sh.default_prompt
    return 0


def cmd_echo(sh: Shell, argc: int, argv: list[str]) -> int:
    if argc == 2:
        shell_error(sh, "%s:%s%s", argv[0], SHELL_MSG_UNKNOWN_PARAMETER, argv[1])
        return -errno.EINVAL
    shell_print(sh, "Echo status: %s", "on" if sh.flags.echo else "off")
    return 0


def cmd_history(sh: Shell, argc: int, argv: list[str]) -> int:
    i = 0
    while (line := sh.history.get(True)) is not None:
        shell_print(sh, "[%3d] %s", i, line)
        i += 1
    sh.temp_buff = ""
    return 0


def cmd_shell_stats_show(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "Lost logs: %lu", sh.log_lost)
    return 0


def cmd_shell_stats_reset(sh: Shell, argc: int, argv: list[str]) -> int:
    sh.log_lost = 0
    return 0


def cmd_resize_default(sh: Shell, argc: int, argv: list[str]) -> int:
    with sh.cmd_output():
        sh.vt100(vt100.SETCOL_80)
    sh.terminal_wid = int(sh.config.get("CONFIG_SHELL_DEFAULT_TERMINAL_WIDTH", 80))
    sh.terminal_hei = int(sh.config.get("CONFIG_SHELL_DEFAULT_TERMINAL_HEIGHT", 24))
    return 0


def _terminal_size_get(sh: Shell) -> tuple[int, int] | None:
    """Ask the terminal where the cursor lands after moving it far right and down."""
    with sh.cmd_output():
        sh.vt100(vt100.SAVECURSOR)
        ops.op_cursor_vert_move(sh, -SHELL_MAX_TERMINAL_SIZE)
        ops.op_cursor_horiz_move(sh, SHELL_MAX_TERMINAL_SIZE)
        sh.vt100(vt100.GETCURSOR)
    reply = ""
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        c = sh.iface.read()
        if c is None:
            time.sleep(0.001)
            continue
        if not reply and c != "\x1b":
            continue
        reply += c
        if c == "R":
            break
    with sh.cmd_output():
        sh.vt100(vt100.RESTORECURSOR)
    if not reply.endswith("R") or not reply.startswith("\x1b["):
        return None
    try:
        y, x = (int(v) for v in reply[2:-1].split(";"))
    except ValueError:
        return None
    return min(x, SHELL_MAX_TERMINAL_SIZE), min(y, SHELL_MAX_TERMINAL_SIZE)


def cmd_resize(sh: Shell, argc: int, argv: list[str]) -> int:
    if argc != 1:
        shell_error(sh, "%s:%s%s", argv[0], SHELL_MSG_UNKNOWN_PARAMETER, argv[1])
        return -errno.EINVAL
    size = _terminal_size_get(sh) if sh.flags.use_vt100 else None
    if size is None:
        sh.terminal_wid = int(sh.config.get("CONFIG_SHELL_DEFAULT_TERMINAL_WIDTH", 80))
        sh.terminal_hei = int(sh.config.get("CONFIG_SHELL_DEFAULT_TERMINAL_HEIGHT", 24))
        shell_warn(sh, "No response from the terminal, assumed 80x24 screen size")
        return -errno.ENOEXEC
    sh.terminal_wid, sh.terminal_hei = size
    return 0


def cmd_get_retval(sh: Shell, argc: int, argv: list[str]) -> int:
    shell_print(sh, "%d", sh.ret_val)
    return 0


m_sub_colors = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_colors",
    SHELL_COND_CMD_ARG("CONFIG_SHELL_VT100_COMMANDS", "off", None, SHELL_HELP_COLORS_OFF,
                       _set_flag("use_colors", False), 1, 0),
    SHELL_COND_CMD_ARG("CONFIG_SHELL_VT100_COMMANDS", "on", None, SHELL_HELP_COLORS_ON,
                       _set_flag("use_colors", True), 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_vt100 = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_vt100",
    SHELL_COND_CMD_ARG("CONFIG_SHELL_VT100_COMMANDS", "off", None, SHELL_HELP_VT100_OFF,
                       _set_flag("use_vt100", False), 1, 0),
    SHELL_COND_CMD_ARG("CONFIG_SHELL_VT100_COMMANDS", "on", None, SHELL_HELP_VT100_ON,
                       _set_flag("use_vt100", True), 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_prompt = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_prompt",
    SHELL_CMD_ARG("off", None, SHELL_HELP_PROMPT_OFF, cmd_prompt_off, 1, 0),
    SHELL_CMD_ARG("on", None, SHELL_HELP_PROMPT_ON, cmd_prompt_on, 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_echo = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_echo",
    SHELL_CMD_ARG("off", None, SHELL_HELP_ECHO_OFF, _set_flag("echo", False), 1, 0),
    SHELL_CMD_ARG("on", None, SHELL_HELP_ECHO_ON, _set_flag("echo", True), 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_shell_stats = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_shell_stats",
    SHELL_CMD_ARG("reset", None, SHELL_HELP_STATISTICS_RESET, cmd_shell_stats_reset, 1, 0),
    SHELL_CMD_ARG("show", None, SHELL_HELP_STATISTICS_SHOW, cmd_shell_stats_show, 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_backspace_mode = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_backspace_mode",
    SHELL_CMD_ARG("backspace", None, SHELL_HELP_BACKSPACE_MODE_BACKSPACE,
                  _set_flag("mode_delete", False), 1, 0),
    SHELL_CMD_ARG("delete", None, SHELL_HELP_BACKSPACE_MODE_DELETE,
                  _set_flag("mode_delete", True), 1, 0),
    SHELL_SUBCMD_SET_END,
)

m_sub_shell = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_shell",
    SHELL_CMD_ARG("backends", None, SHELL_HELP_BACKENDS, cmd_backends, 1, 0),
    SHELL_CMD("backspace_mode", m_sub_backspace_mode, SHELL_HELP_BACKSPACE_MODE, None),
    SHELL_COND_CMD("CONFIG_SHELL_VT100_COMMANDS", "colors", m_sub_colors, SHELL_HELP_COLORS,
                   None),
    SHELL_COND_CMD("CONFIG_SHELL_VT100_COMMANDS", "vt100", m_sub_vt100, SHELL_HELP_VT100, None),
    SHELL_CMD("prompt", m_sub_prompt, SHELL_HELP_PROMPT, None),
    SHELL_CMD_ARG("echo", m_sub_echo, SHELL_HELP_ECHO, cmd_echo, 1, 1),
    SHELL_COND_CMD("CONFIG_SHELL_STATS", "stats", m_sub_shell_stats, SHELL_HELP_STATISTICS, None),
    SHELL_SUBCMD_SET_END,
)

m_sub_resize = SHELL_STATIC_SUBCMD_SET_CREATE(
    "m_sub_resize",
    SHELL_CMD_ARG("default", None, SHELL_HELP_RESIZE_DEFAULT, cmd_resize_default, 1, 0),
    SHELL_SUBCMD_SET_END,
)

SHELL_COND_CMD_REGISTER("CONFIG_SHELL_VT100_COMMANDS", "rem", None, SHELL_HELP_COMMENT,
                        cmd_comment)
SHELL_COND_CMD_ARG_REGISTER("CONFIG_SHELL_VT100_COMMANDS", "clear", None, SHELL_HELP_CLEAR,
                            cmd_clear, 1, 0)
SHELL_CMD_REGISTER("shell", m_sub_shell, SHELL_HELP_SHELL, None)
SHELL_COND_CMD_ARG_REGISTER("CONFIG_SHELL_HISTORY", "history", None, SHELL_HELP_HISTORY,
                            cmd_history, 1, 0)
SHELL_COND_CMD_ARG_REGISTER("CONFIG_SHELL_CMDS_RESIZE", "resize", m_sub_resize,
                            SHELL_HELP_RESIZE, cmd_resize, 1, 1)
if IS_ENABLED("CONFIG_SHELL_CMDS_RETURN_VALUE"):
    SHELL_CMD_ARG_REGISTER("retval", None, SHELL_HELP_RETVAL, cmd_get_retval, 1, 0)
