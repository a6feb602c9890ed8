"""Help printing (subsys/shell/shell_help.c) and the `help` command.

Layouts are Zephyr's: `name - help text` for a command, and for a list
`  <name padded to the longest>  :<help>`, help text wrapped at the terminal
width and indented under itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zpy.subsys.shell import ops
from zpy.subsys.shell.entry import cmd_get, shell_static_args, shell_static_entry
from zpy.subsys.shell.vt100 import SHELL_NORMAL

if TYPE_CHECKING:
    from zpy.subsys.shell.core import Shell
    from zpy.subsys.shell.entry import ShellRegistry

_TAB = "  "
_SEP = " - "


def formatted_text_print(sh: Shell, text: str | None, terminal_offset: int,
                         offset_first_line: bool) -> None:
    """Print text from the cursor, breaking lines between words at the terminal width and
    starting each new line at column terminal_offset."""
    if text is None:
        return
    wid = sh.terminal_wid
    if offset_first_line:
        ops.op_cursor_horiz_move(sh, terminal_offset)
    offset = 0
    while offset < len(text) and text[offset].isspace():
        offset += 1
    while True:
        length = len(text) - offset
        if length <= wid - terminal_offset:
            # fits: only its first explicit line break is indented (as in Zephyr)
            nl = text.find("\n", offset)
            if nl >= 0:
                sh.write(text[offset:nl])
                offset = nl + 1
                sh.cursor_next_line_move()
                ops.op_cursor_horiz_move(sh, terminal_offset)
            sh.raw(text[offset:])
            break
        length = wid - terminal_offset
        idx = 0
        while True:
            c = text[offset + idx] if offset + idx < len(text) else ""
            if c.isspace():
                length = idx
                if c == "\n":
                    break
            if idx + terminal_offset >= wid:
                break
            idx += 1
        sh.write(text[offset : offset + length])
        offset += length
        while offset < len(text) and text[offset].isspace():
            offset += 1
        sh.cursor_next_line_move()
        ops.op_cursor_horiz_move(sh, terminal_offset)
    sh.cursor_next_line_move()


def help_item_print(sh: Shell, name: str | None, width: int, text: str | None) -> None:
    if name is None:
        return
    sh.zfprintf(SHELL_NORMAL, f"{_TAB}{name:<{width}}{_TAB}:")
    if text is None:
        sh.cursor_next_line_move()
        return
    formatted_text_print(sh, text, 2 * len(_TAB) + width + 1, False)


def help_subcmd_print(sh: Shell, parent: shell_static_entry | None,
                      description: str | None) -> None:
    """Every subcommand of parent (root commands for None) with its help."""
    entries = []
    idx = 0
    while (entry := cmd_get(parent, idx)) is not None:
        entries.append(entry)
        idx += 1
    longest = max((len(e.syntax or "") for e in entries), default=0)
    if longest == 0:
        return
    if description is not None:
        sh.zfprintf(SHELL_NORMAL, description)
    for entry in entries:
        help_item_print(sh, entry.syntax, longest, entry.help)


def help_cmd_print(sh: Shell, cmd: shell_static_entry) -> None:
    syntax = cmd.syntax or ""
    sh.zfprintf(SHELL_NORMAL, f"{syntax}{_SEP}")
    formatted_text_print(sh, cmd.help, len(syntax) + len(_SEP), False)


def help_request(arg: str, config: dict[str, object]) -> bool:
    """-h or --help (CONFIG_SHELL_HELP_OPT_PARSE)."""
    return bool(config.get("CONFIG_SHELL_HELP_OPT_PARSE")) and arg in ("-h", "--help")


# -- the help command (shell.c) ---------------------------------------------------------


def cmd_help(sh: Shell, argc: int, argv: list[str]) -> int:
    cfg = sh.config
    if cfg.get("CONFIG_SHELL_TAB"):
        sh.print("Please press the <Tab> button to see all available commands.")
    if cfg.get("CONFIG_SHELL_TAB_AUTOCOMPLETION"):
        sh.print("You can also use the <Tab> button to prompt or auto-complete all commands "
                 "or its subcommands.")
    if cfg.get("CONFIG_SHELL_HELP"):
        sh.print("You can try to call commands with <-h> or <--help> parameter for more "
                 "information.")
    if cfg.get("CONFIG_SHELL_METAKEYS"):
        sh.print("\nShell supports following meta-keys:\n"
                 "  Ctrl + (a key from: abcdefklnpuw)\n"
                 "  Alt  + (a key from: bf)\n"
                 "Please refer to shell documentation for more details.")
    if cfg.get("CONFIG_SHELL_HELP"):
        with sh.cmd_output():
            help_subcmd_print(sh, None, "\nAvailable commands:\n")
    else:
        sh.print("\nAvailable commands:")
        idx = 0
        while (entry := cmd_get(None, idx)) is not None:
            sh.print("  %s", entry.syntax)
            idx += 1
    return 0


def register_help(reg: ShellRegistry) -> None:
    reg.register_root(shell_static_entry("help", "Prints the help message.", None, cmd_help,
                                         shell_static_args(1, 0)))
