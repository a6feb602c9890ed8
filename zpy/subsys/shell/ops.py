"""Cursor and line editing on the terminal (subsys/shell/shell_ops.c): moving the cursor
over a command line that may wrap, inserting and deleting characters with the rest of the
line redrawn, and printing the prompt and the command. Each takes the shell as `sh`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zpy.subsys.shell import vt100
from zpy.subsys.shell.vt100 import SHELL_INFO, SHELL_NORMAL

if TYPE_CHECKING:
    from zpy.subsys.shell.core import Shell


def op_cursor_vert_move(sh: Shell, delta: int) -> None:
    if delta:
        sh.vt100(f"\x1b[{abs(delta)}{'A' if delta > 0 else 'B'}")


def op_cursor_horiz_move(sh: Shell, delta: int) -> None:
    if delta:
        sh.vt100(f"\x1b[{abs(delta)}{'C' if delta > 0 else 'D'}")


def _line_of(sh: Shell, pos: int) -> int:
    return (pos + len(sh.prompt)) // sh.terminal_wid


def _col_of(sh: Shell, pos: int) -> int:
    return 1 + (pos + len(sh.prompt)) % sh.terminal_wid


def _full_line_cmd(sh: Shell) -> bool:
    n = len(sh.cmd_buff) + len(sh.prompt)
    return n != 0 and n % sh.terminal_wid == 0


def cursor_in_empty_line(sh: Shell) -> bool:
    pos = sh.cmd_buff_pos if sh.flags.echo else 0
    return (pos + len(sh.prompt)) % sh.terminal_wid == 0


def op_cond_next_line(sh: Shell) -> None:
    if cursor_in_empty_line(sh) or _full_line_cmd(sh):
        sh.cursor_next_line_move()


def op_cursor_position_synchronize(sh: Shell) -> None:
    pos, end = sh.cmd_buff_pos, len(sh.cmd_buff)
    last_line = _line_of(sh, pos) == _line_of(sh, end)
    if _full_line_cmd(sh):
        sh.cursor_next_line_move()
    if not last_line:
        op_cursor_vert_move(sh, _line_of(sh, end) - _line_of(sh, pos))
    op_cursor_horiz_move(sh, _col_of(sh, pos) - _col_of(sh, end))


def op_cursor_move(sh: Shell, val: int) -> None:
    new_pos = sh.cmd_buff_pos + val
    op_cursor_vert_move(sh, -(_line_of(sh, new_pos) - _line_of(sh, sh.cmd_buff_pos)))
    op_cursor_horiz_move(sh, _col_of(sh, new_pos) - _col_of(sh, sh.cmd_buff_pos))
    sh.cmd_buff_pos = new_pos


def _shift_calc(sh: Shell, pos: int, sign: int) -> int:
    buff, n = sh.cmd_buff, len(sh.cmd_buff)
    found = False
    ret = 0
    while True:
        idx = pos + ret * sign
        if (idx == 0 and sign < 0) or (idx == n and sign > 0):
            break
        if idx < n and buff[idx].isalnum():
            found = True
        elif found:
            break
        ret += 1
    return ret


def op_cursor_word_move(sh: Shell, val: int) -> None:
    sign = -1 if val < 0 else 1
    for _ in range(abs(val)):
        op_cursor_move(sh, sign * _shift_calc(sh, sh.cmd_buff_pos, sign))


def op_word_remove(sh: Shell) -> None:
    if not sh.cmd_buff or sh.cmd_buff_pos == 0:
        return
    i = sh.cmd_buff_pos - 1
    while i >= 0 and sh.cmd_buff[i] == " ":
        i -= 1
    while i >= 0 and sh.cmd_buff[i] != " ":
        i -= 1
    count = sh.cmd_buff_pos - 1 - i
    start = i + 1
    sh.cmd_buff = sh.cmd_buff[:start] + sh.cmd_buff[start + count:]
    op_cursor_move(sh, -count)
    sh.vt100(vt100.SAVECURSOR)
    sh.zfprintf(SHELL_NORMAL, sh.cmd_buff[start:])
    sh.vt100(vt100.CLEAREOS)
    sh.vt100(vt100.RESTORECURSOR)


def op_cursor_home_move(sh: Shell) -> None:
    op_cursor_move(sh, -sh.cmd_buff_pos)


def op_cursor_end_move(sh: Shell) -> None:
    op_cursor_move(sh, len(sh.cmd_buff) - sh.cmd_buff_pos)


def op_left_arrow(sh: Shell) -> None:
    if sh.cmd_buff_pos > 0:
        op_cursor_move(sh, -1)


def op_right_arrow(sh: Shell) -> None:
    if sh.cmd_buff_pos < len(sh.cmd_buff):
        op_cursor_move(sh, 1)


def _reprint_from_cursor(sh: Shell, diff: int, data_removed: bool) -> None:
    if data_removed:
        sh.vt100(vt100.CLEAREOS)
    tail = sh.cmd_buff[sh.cmd_buff_pos:]
    if sh.flags.obscure:
        sh.raw("*" * len(tail))
    else:
        wid = sh.terminal_wid
        line_len = len(sh.cmd_buff) + len(sh.prompt)
        buff_pos = sh.cmd_buff_pos + len(sh.prompt)
        if buff_pos // wid != line_len // wid:
            pos = sh.cmd_buff_pos
            while buff_pos < line_len:
                if buff_pos % wid == 0:
                    sh.cursor_next_line_move()
                buff_pos += 1
                sh.zfprintf(SHELL_NORMAL, sh.cmd_buff[pos])
                pos += 1
        else:
            sh.zfprintf(SHELL_NORMAL, tail)
    sh.cmd_buff_pos = len(sh.cmd_buff)
    if _full_line_cmd(sh) and ((data_removed and diff > 0) or not data_removed):
        sh.cursor_next_line_move()
    op_cursor_move(sh, -diff)


def _data_insert(sh: Shell, data: str) -> None:
    after = len(sh.cmd_buff) - sh.cmd_buff_pos
    if len(sh.cmd_buff) + len(data) >= sh.cmd_buff_size:
        return
    pos = sh.cmd_buff_pos
    sh.cmd_buff = sh.cmd_buff[:pos] + data + sh.cmd_buff[pos:]
    if not sh.flags.echo:
        sh.cmd_buff_pos += len(data)
        return
    _reprint_from_cursor(sh, after, False)


def _char_replace(sh: Shell, data: str) -> None:
    pos = sh.cmd_buff_pos
    sh.cmd_buff = sh.cmd_buff[:pos] + data + sh.cmd_buff[pos + 1:]
    sh.cmd_buff_pos += 1
    if not sh.flags.echo:
        return
    sh.raw("*" if sh.flags.obscure else data)
    if cursor_in_empty_line(sh):
        sh.cursor_next_line_move()


def op_char_insert(sh: Shell, data: str) -> None:
    if sh.flags.insert_mode and len(sh.cmd_buff) != sh.cmd_buff_pos:
        _char_replace(sh, data)
    else:
        _data_insert(sh, data)


def op_char_backspace(sh: Shell) -> None:
    if not sh.cmd_buff or sh.cmd_buff_pos == 0:
        return
    op_cursor_move(sh, -1)
    op_char_delete(sh)


def op_char_delete(sh: Shell) -> None:
    diff = len(sh.cmd_buff) - sh.cmd_buff_pos
    if diff == 0:
        return
    pos = sh.cmd_buff_pos
    sh.cmd_buff = sh.cmd_buff[:pos] + sh.cmd_buff[pos + 1:]
    _reprint_from_cursor(sh, diff - 1, True)


def op_delete_from_cursor(sh: Shell) -> None:
    sh.cmd_buff = sh.cmd_buff[: sh.cmd_buff_pos]
    sh.vt100(vt100.CLEAREOS)


def op_completion_insert(sh: Shell, compl: str) -> None:
    _data_insert(sh, compl)


def cmd_line_erase(sh: Shell) -> None:
    """Move to the start of the prompt line(s) and clear to the end of the screen."""
    pos = sh.cmd_buff_pos
    op_cursor_horiz_move(sh, -(_col_of(sh, pos) - 1))
    op_cursor_vert_move(sh, _line_of(sh, pos))
    sh.vt100(vt100.CLEAREOS)


def print_prompt(sh: Shell) -> None:
    sh.zfprintf(SHELL_INFO, sh.prompt)


def print_cmd(sh: Shell) -> None:
    buff = sh.cmd_buff
    room = sh.terminal_wid - len(sh.prompt)
    begin = 0
    while len(buff) - begin > room:
        sh.raw(buff[begin : begin + room] + "\n")
        begin += room
        room = sh.terminal_wid
    if begin < len(buff):
        sh.raw(buff[begin:])


def print_prompt_and_cmd(sh: Shell) -> None:
    print_prompt(sh)
    if sh.flags.echo:
        print_cmd(sh)
        op_cursor_position_synchronize(sh)
