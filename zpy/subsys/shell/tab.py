"""Tab completion (subsys/shell/shell.c's tab_handle): complete the command or subcommand
being typed when one candidate fits, else list the candidates and complete their common
part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zpy.subsys.shell import ops
from zpy.subsys.shell.entry import cmd_get, find_cmd, shell_static_entry
from zpy.subsys.shell.utils import is_space, make_argv
from zpy.subsys.shell.vt100 import SHELL_OPTION

if TYPE_CHECKING:
    from zpy.subsys.shell.core import Shell


def _prepare(sh: Shell) -> tuple[bool, shell_static_entry | None, list[str], int]:
    if sh.cmd_buff_size - 1 - len(sh.cmd_buff) == 0:
        return False, None, [], 0
    argv, _ = make_argv(sh.cmd_buff[: sh.cmd_buff_pos], sh.argc_max)
    if len(argv) > sh.argc_max:
        return False, None, [], 0
    pos = sh.cmd_buff_pos
    space = pos > 0 and is_space(sh.cmd_buff[pos - 1])
    if not argv or (not space and len(argv) == 1):
        return True, sh.selected_cmd, argv, 0
    search_argc = len(argv) if space else len(argv) - 1
    cmd = sh.selected_cmd
    idx = 0
    while idx < search_argc:
        found = find_cmd(cmd, argv[idx])
        if found is None:
            break
        cmd = found
        idx += 1
    if idx == 0 and search_argc != 0:
        return False, None, [], 0
    return True, cmd, argv, idx


def _candidates(sh: Shell, cmd: shell_static_entry | None, prefix: str) -> list[int]:
    out = []
    idx = 0
    while (candidate := cmd_get(cmd, idx)) is not None:
        if (candidate.syntax or "").startswith(prefix):
            out.append(idx)
        idx += 1
    return out


def _item_print(sh: Shell, option: str, longest: int) -> None:
    tab = "  "
    longest += len(tab)
    columns = max(1, (sh.terminal_wid - len(tab)) // longest)
    diff = longest - len(option)
    if sh.printed_cmd % columns == 0:
        sh.zfprintf(SHELL_OPTION, f"\n{tab}{option}")
    else:
        sh.zfprintf(SHELL_OPTION, option)
    sh.printed_cmd += 1
    ops.op_cursor_horiz_move(sh, diff)


def tab_handle(sh: Shell) -> None:
    ok, cmd, argv, arg_idx = _prepare(sh)
    if not ok:
        return
    prefix = argv[arg_idx] if arg_idx < len(argv) else ""
    found = _candidates(sh, cmd, prefix)
    if not found:
        return
    autocompletion = bool(sh.config.get("CONFIG_SHELL_TAB_AUTOCOMPLETION"))
    if len(found) == 1:
        match = cmd_get(cmd, found[0])
        assert match is not None and match.syntax is not None
        if not autocompletion:
            if len(match.syntax) == len(prefix):
                ops.op_char_insert(sh, " ")
            return
        if len(match.syntax) != len(prefix):
            ops.op_completion_insert(sh, match.syntax[len(prefix):])
        nxt = sh.cmd_buff[sh.cmd_buff_pos: sh.cmd_buff_pos + 1]
        if not is_space(nxt):
            insert_mode = sh.flags.insert_mode
            sh.flags.insert_mode = False
            ops.op_char_insert(sh, " ")
            sh.flags.insert_mode = insert_mode
        else:
            ops.op_cursor_move(sh, 1)
        return
    names = [(cmd_get(cmd, i) or shell_static_entry()).syntax or "" for i in found]
    longest = max(len(n) for n in names)
    sh.printed_cmd = 0
    for name in names:
        _item_print(sh, name, longest)
    sh.cursor_next_line_move()
    ops.print_prompt_and_cmd(sh)
    if autocompletion:
        common = names[0]
        for name in names[1:]:
            n = 0
            while n < min(len(common), len(name)) and common[n] == name[n]:
                n += 1
            common = common[:n]
        if len(common) > len(prefix):
            ops.op_completion_insert(sh, common[len(prefix):])
