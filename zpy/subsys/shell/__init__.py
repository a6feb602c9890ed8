"""<zephyr/shell/shell.h>: commands, printing, and the shell instance API.

A command is a function `def cmd(sh, argc, argv) -> int` registered at module
level of an image module (an app's src/*.py or a driver), as C does at file scope:

    sub_demo = SHELL_STATIC_SUBCMD_SET_CREATE("sub_demo",
        SHELL_CMD_ARG("ping", None, "Answer pong", cmd_ping, 1, 0),
        SHELL_SUBCMD_SET_END,
    )
    SHELL_CMD_REGISTER("demo", sub_demo, "Demo commands", None)

`mandatory` counts the command itself (1: no arguments); `optional` may be
SHELL_OPT_ARG_MAX, SHELL_OPT_ARG_CHECK_SKIP or SHELL_OPT_ARG_RAW. Handlers
print with shell_print/shell_info/shell_warn/shell_error (C formats) and
return 0 or a negative errno. The commands and the shells of an image live in
its kernel.service(ShellRegistry); see docs/shell.md.
"""

from __future__ import annotations

from typing import Any

from zpy import errno
from zpy.kernel.cformat import c_format
from zpy.kernel.context import current_kernel
from zpy.subsys.shell.core import (
    SHELL_DEFAULT_BACKEND_CONFIG_FLAGS,
    SHELL_SIGNAL_KILL,
    SHELL_STATE_ACTIVE,
    Shell,
    ShellTransport,
    shell_backend_config_flags,
)
from zpy.subsys.shell.entry import (
    SHELL_CMD,
    SHELL_CMD_ARG,
    SHELL_CMD_ARG_REGISTER,
    SHELL_CMD_HELP_PRINTED,
    SHELL_CMD_REGISTER,
    SHELL_COND_CMD,
    SHELL_COND_CMD_ARG,
    SHELL_COND_CMD_ARG_REGISTER,
    SHELL_COND_CMD_REGISTER,
    SHELL_DYNAMIC_CMD_CREATE,
    SHELL_OPT_ARG_CHECK_SKIP,
    SHELL_OPT_ARG_MAX,
    SHELL_OPT_ARG_RAW,
    SHELL_STATIC_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_ADD,
    SHELL_SUBCMD_COND_ADD,
    SHELL_SUBCMD_SET_CREATE,
    SHELL_SUBCMD_SET_END,
    registry,
    shell_static_args,
    shell_static_entry,
)
from zpy.subsys.shell.utils import shell_strtobool, shell_strtol, shell_strtoul
from zpy.subsys.shell.vt100 import (
    SHELL_ERROR,
    SHELL_INFO,
    SHELL_NORMAL,
    SHELL_OPTION,
    SHELL_VT100_COLOR_BLACK,
    SHELL_VT100_COLOR_BLUE,
    SHELL_VT100_COLOR_CYAN,
    SHELL_VT100_COLOR_DEFAULT,
    SHELL_VT100_COLOR_GREEN,
    SHELL_VT100_COLOR_MAGENTA,
    SHELL_VT100_COLOR_RED,
    SHELL_VT100_COLOR_WHITE,
    SHELL_VT100_COLOR_YELLOW,
    SHELL_WARNING,
)

# -- printing ---------------------------------------------------------------------------------


def shell_fprintf(sh: Shell, color: int, fmt: str, *args: Any) -> None:
    """Print in `color` (SHELL_NORMAL, SHELL_INFO, SHELL_OPTION, SHELL_WARNING, SHELL_ERROR).
    From outside a command the prompt line is erased first and drawn again after."""
    sh.vfprintf(color, c_format(fmt, *args))


def shell_vfprintf(sh: Shell, color: int, fmt: str, args: tuple[Any, ...]) -> None:
    sh.vfprintf(color, c_format(fmt, *args))


def shell_print(sh: Shell, fmt: str, *args: Any) -> None:
    """shell_fprintf(sh, SHELL_NORMAL, fmt "\\n", ...)."""
    sh.vfprintf(SHELL_NORMAL, c_format(fmt, *args) + "\n")


def shell_info(sh: Shell, fmt: str, *args: Any) -> None:
    sh.vfprintf(SHELL_INFO, c_format(fmt, *args) + "\n")


def shell_warn(sh: Shell, fmt: str, *args: Any) -> None:
    sh.vfprintf(SHELL_WARNING, c_format(fmt, *args) + "\n")


def shell_error(sh: Shell, fmt: str, *args: Any) -> None:
    sh.vfprintf(SHELL_ERROR, c_format(fmt, *args) + "\n")


def shell_hexdump_line(sh: Shell, offset: int, data: Any, length: int) -> None:
    """One line: `%08X: ` offset, 16 bytes in hex (a gap after 8), `|ASCII|`."""
    raw = bytes(memoryview(data)[:length]) if not isinstance(data, bytes) else data[:length]
    sh.hexdump_line(offset, raw)


def shell_hexdump(sh: Shell, data: Any, length: int) -> None:
    """Dump `length` bytes of data, 16 a line, offsets counted from data."""
    sh.hexdump(data, length)


def shell_help(sh: Shell) -> None:
    """Print the help of the command being run (from its handler)."""
    sh.help()


# -- the instance -------------------------------------------------------------------------------


def SHELL_DEFINE(name: str, prompt: str, transport: ShellTransport) -> Shell:
    """A shell instance of this image (its thread is started by the backend)."""
    sh = Shell(str(name), prompt, transport, current_kernel())
    registry().shells.append(sh)
    return sh


def shell_init(sh: Shell, transport_config: Any, cfg_flags: shell_backend_config_flags,
               log_backend: bool, init_log_level: int) -> int:
    """Initialize the instance and its transport. Its console is a terminal, so console
    lines end in "\\r\\n"."""
    if sh.state != 0:
        return -errno.EALREADY
    rc = sh.instance_init(cfg_flags)
    if rc != 0:
        return rc
    kernel = sh.kernel
    kernel.console_crlf = True
    sh.log_backend = bool(log_backend) and init_log_level > 0 \
        and bool(kernel.config.get("CONFIG_SHELL_LOG_BACKEND"))
    return 0


def shell_start(sh: Shell) -> int:
    return sh.start()


def shell_stop(sh: Shell) -> int:
    return sh.stop()


def shell_uninit(sh: Shell, cb: Any = None) -> None:
    from zpy.kernel.poll import k_poll_signal_raise

    k_poll_signal_raise(sh.signals[SHELL_SIGNAL_KILL], 0)


def shell_ready(sh: Shell) -> bool:
    return sh.state == SHELL_STATE_ACTIVE


def shell_execute_cmd(sh: Shell | None, cmd: str | None) -> int:
    """Run a command line (not from a command handler); its return value."""
    if sh is None:
        return -errno.EINVAL
    return sh.execute_cmd(cmd)


def shell_prompt_change(sh: Shell, prompt: str | None) -> int:
    if prompt is None:
        return -errno.EINVAL
    sh.prompt = prompt
    return 0


def _flag(sh: Shell | None, name: str, val: bool) -> int:
    if sh is None:
        return -errno.EINVAL
    old = getattr(sh.flags, name)
    setattr(sh.flags, name, bool(val))
    return int(old)


def shell_insert_mode_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "insert_mode", val)


def shell_use_colors_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "use_colors", val)


def shell_use_vt100_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "use_vt100", val)


def shell_echo_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "echo", val)


def shell_obscure_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "obscure", val)


def shell_mode_delete_set(sh: Shell, val: bool) -> int:
    return _flag(sh, "mode_delete", val)


def shell_set_bypass(sh: Shell, bypass: Any) -> None:
    """Give every received byte to bypass(sh, data) instead of the command line (None: back)."""
    sh.bypass = bypass


def shell_get_return_value(sh: Shell) -> int:
    return sh.ret_val


def shell_backend_uart_get_ptr() -> Shell | None:
    """The UART backend's shell (None if the image has none)."""
    for sh in registry().shells:
        if sh.name == "shell_uart":
            return sh  # type: ignore[no-any-return]
    return None


__all__ = [
    "SHELL_CMD",
    "SHELL_CMD_ARG",
    "SHELL_CMD_ARG_REGISTER",
    "SHELL_CMD_HELP_PRINTED",
    "SHELL_CMD_REGISTER",
    "SHELL_COND_CMD",
    "SHELL_COND_CMD_ARG",
    "SHELL_COND_CMD_ARG_REGISTER",
    "SHELL_COND_CMD_REGISTER",
    "SHELL_DEFAULT_BACKEND_CONFIG_FLAGS",
    "SHELL_DEFINE",
    "SHELL_DYNAMIC_CMD_CREATE",
    "SHELL_ERROR",
    "SHELL_INFO",
    "SHELL_NORMAL",
    "SHELL_OPTION",
    "SHELL_OPT_ARG_CHECK_SKIP",
    "SHELL_OPT_ARG_MAX",
    "SHELL_OPT_ARG_RAW",
    "SHELL_SIGNAL_KILL",
    "SHELL_STATE_ACTIVE",
    "SHELL_STATIC_SUBCMD_SET_CREATE",
    "SHELL_SUBCMD_ADD",
    "SHELL_SUBCMD_COND_ADD",
    "SHELL_SUBCMD_SET_CREATE",
    "SHELL_SUBCMD_SET_END",
    "SHELL_VT100_COLOR_BLACK",
    "SHELL_VT100_COLOR_BLUE",
    "SHELL_VT100_COLOR_CYAN",
    "SHELL_VT100_COLOR_DEFAULT",
    "SHELL_VT100_COLOR_GREEN",
    "SHELL_VT100_COLOR_MAGENTA",
    "SHELL_VT100_COLOR_RED",
    "SHELL_VT100_COLOR_WHITE",
    "SHELL_VT100_COLOR_YELLOW",
    "SHELL_WARNING",
    "Shell",
    "ShellTransport",
    "registry",
    "shell_backend_config_flags",
    "shell_backend_uart_get_ptr",
    "shell_echo_set",
    "shell_error",
    "shell_execute_cmd",
    "shell_fprintf",
    "shell_get_return_value",
    "shell_help",
    "shell_hexdump",
    "shell_hexdump_line",
    "shell_info",
    "shell_init",
    "shell_insert_mode_set",
    "shell_mode_delete_set",
    "shell_obscure_set",
    "shell_print",
    "shell_prompt_change",
    "shell_ready",
    "shell_set_bypass",
    "shell_start",
    "shell_static_args",
    "shell_static_entry",
    "shell_stop",
    "shell_strtobool",
    "shell_strtol",
    "shell_strtoul",
    "shell_uninit",
    "shell_use_colors_set",
    "shell_use_vt100_set",
    "shell_vfprintf",
    "shell_warn",
]
