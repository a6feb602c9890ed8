"""The shell instance: the receive state machine, command execution, output (subsys/shell/shell.c;
the line editing of shell_ops.c is in zpy.subsys.shell.ops, Tab completion in .tab).

One `Shell` per backend (zpy has the UART one). Its thread waits on k_poll for
"bytes received", then reads them one at a time through its transport and
acts as Zephyr's shell does: echo, VT100 line editing and history, Tab
completion, and on Enter the command is parsed and the deepest matching
handler runs (with the shell's write lock released, so handlers and other
threads can print). What reaches the terminal is Zephyr's byte stream: "\\n"
goes out as "\\r\\n", the prompt is green, errors red, and any thread that
prints through the shell first erases the prompt line and then draws it again.

Rule that keeps zpy's host threads deadlock-free: an ISR never waits for the
shell's write lock (it prints straight to the console if the lock is taken).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from zpy import errno
from zpy.kernel.cformat import c_format
from zpy.kernel.irq import k_is_in_isr
from zpy.kernel.mutex import k_mutex, k_mutex_lock, k_mutex_unlock
from zpy.kernel.poll import (
    K_POLL_MODE_NOTIFY_ONLY,
    K_POLL_STATE_NOT_READY,
    K_POLL_TYPE_SIGNAL,
    k_poll,
    k_poll_event,
    k_poll_signal,
    k_poll_signal_check,
    k_poll_signal_init,
    k_poll_signal_raise,
    k_poll_signal_reset,
)
from zpy.kernel.timeout import K_FOREVER, K_NO_WAIT
from zpy.subsys.shell import help as shell_help
from zpy.subsys.shell import ops, tab, vt100
from zpy.subsys.shell.entry import (
    SHELL_CMD_HELP_PRINTED,
    SHELL_OPT_ARG_CHECK_SKIP,
    SHELL_OPT_ARG_RAW,
    find_cmd,
    shell_static_entry,
)
from zpy.subsys.shell.history import ShellHistory
from zpy.subsys.shell.utils import spaces_trim, split_first
from zpy.subsys.shell.vt100 import (
    SHELL_ERROR,
    SHELL_NORMAL,
    SHELL_WARNING,
    VT100_COLOR_END,
)

SHELL_STATE_UNINITIALIZED = 0
SHELL_STATE_INITIALIZED = 1
SHELL_STATE_ACTIVE = 2
SHELL_STATE_PANIC_MODE_ACTIVE = 3
SHELL_STATE_PANIC_MODE_INACTIVE = 4

_RECEIVE_DEFAULT, _RECEIVE_ESC, _RECEIVE_ESC_SEQ, _RECEIVE_TILDE_EXP = range(4)

SHELL_SIGNAL_RXRDY = 0
SHELL_SIGNAL_LOG_MSG = 1
SHELL_SIGNAL_KILL = 2
SHELL_SIGNAL_TXDONE = 3

SHELL_MSG_CMD_NOT_FOUND = ": command not found"
SHELL_MSG_TOO_MANY_ARGS = "Too many arguments in the command.\n"
SHELL_MSG_SPECIFY_SUBCOMMAND = "Please specify a subcommand.\n"
SHELL_MSG_BACKEND_NOT_ACTIVE = "WARNING: A print request was detected on not active shell backend.\n"

SHELL_HEXDUMP_BYTES_IN_LINE = 16
#: how long the shell thread lets main() run before it starts (ms)


@dataclass
class shell_backend_config_flags:
    insert_mode: bool = False
    echo: bool = True
    obscure: bool = False
    mode_delete: bool = True
    use_colors: bool = True
    use_vt100: bool = True


#: SHELL_DEFAULT_BACKEND_CONFIG_FLAGS
def SHELL_DEFAULT_BACKEND_CONFIG_FLAGS() -> shell_backend_config_flags:
    return shell_backend_config_flags()


class ShellMutex:
    """The shell's write lock, a k_mutex as Zephyr's wr_mtx: a thread that waits for it
    gives up its CPU (a host lock would hold the CPU while waiting)."""

    def __init__(self) -> None:
        self._mutex = k_mutex()

    def acquire(self, blocking: bool = True) -> bool:
        return k_mutex_lock(self._mutex, K_FOREVER if blocking else K_NO_WAIT) == 0

    def release(self) -> None:
        k_mutex_unlock(self._mutex)

    def __enter__(self) -> ShellMutex:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class ShellTransport(Protocol):
    """struct shell_transport_api, as zpy's shell uses it."""

    def init(self, sh: Shell, evt_handler: Callable[[int], None]) -> int: ...

    def enable(self, blocking_tx: bool) -> int: ...

    def write(self, text: str) -> None: ...

    def read(self) -> str | None: ...

    def update(self) -> None: ...

    def uninit(self) -> int: ...


class Shell:
    """struct shell and its context."""

    def __init__(self, name: str, prompt: str, transport: ShellTransport, kernel: Any) -> None:
        self.name = name
        self.thread_name = name
        self.default_prompt = prompt
        self.prompt = prompt
        self.iface = transport
        self.kernel = kernel
        self.config: dict[str, Any] = kernel.config
        cfg = self.config
        self.terminal_wid = int(cfg.get("CONFIG_SHELL_DEFAULT_TERMINAL_WIDTH", 80))
        self.terminal_hei = int(cfg.get("CONFIG_SHELL_DEFAULT_TERMINAL_HEIGHT", 24))
        self.argc_max = int(cfg.get("CONFIG_SHELL_ARGC_MAX", 20))
        self.cmd_buff_size = int(cfg.get("CONFIG_SHELL_CMD_BUFF_SIZE", 256))
        self._colors_on = bool(cfg.get("CONFIG_SHELL_VT100_COLORS"))
        self._vt100_on = bool(cfg.get("CONFIG_SHELL_VT100_COMMANDS"))
        self._history_on = bool(cfg.get("CONFIG_SHELL_HISTORY"))
        self._metakeys = bool(cfg.get("CONFIG_SHELL_METAKEYS"))
        self.history = ShellHistory(int(cfg.get("CONFIG_SHELL_HISTORY_BUFFER", 512)))
        self.flags = shell_backend_config_flags()
        self.state = SHELL_STATE_UNINITIALIZED
        self.receive_state = _RECEIVE_DEFAULT
        # the command line
        self.cmd_buff = ""
        self.cmd_buff_pos = 0
        self.temp_buff = ""
        self.active_cmd = shell_static_entry()
        self.selected_cmd: shell_static_entry | None = None
        self.ret_val = 0
        self.last_nl = ""
        self.history_exit = False
        self.print_noinit = False
        self.cmd_ctx = False
        self.bypass: Callable[[Shell, bytes], None] | None = None
        self.printed_cmd = 0
        # colours
        self.col = vt100.SHELL_VT100_COLOR_BLACK
        self.bgcol = vt100.SHELL_VT100_COLOR_BLACK
        # the write mutex (wr_mtx) and the output buffer it protects
        self._wr = ShellMutex()
        self._out: list[str] = []
        self.signals = [k_poll_signal() for _ in range(4)]
        self.events = [k_poll_event(K_POLL_TYPE_SIGNAL, K_POLL_MODE_NOTIFY_ONLY, sig)
                       for sig in self.signals]
        self.tid: Any = None
        self.log_lost = 0
        #: route the image's log lines through this shell (shell_init decides)
        self.log_backend = False

    # -- output primitives (the fprintf buffer) ---------------------------------------------

    def raw(self, text: str) -> None:
        """z_shell_raw_fprintf: text as is (no colour handling)."""
        if text:
            self._out.append(text)

    write = raw  # z_shell_write: same stream here

    def vt100(self, seq: str) -> None:
        """Z_SHELL_VT100_CMD: only when VT100 commands are on for this shell."""
        if self._vt100_on and self.flags.use_vt100:
            self._out.append(seq)

    def flush(self) -> None:
        """Send the buffered output, "\\n" as "\\r\\n" (SHELL_FLAG_OLF_CRLF)."""
        if self._out:
            text = "".join(self._out).replace("\n", "\r\n")
            self._out.clear()
            self.iface.write(text)

    def color_set(self, color: int) -> None:
        if not self._colors_on or color >= VT100_COLOR_END or self.col == color:
            return
        self.col = color
        self.vt100(vt100.color(color) if color != SHELL_NORMAL else vt100.MODESOFF)

    def zfprintf(self, color: int, text: str) -> None:
        """z_shell_fprintf: preformatted text in `color`, restoring the colour after it."""
        if self._colors_on and self.flags.use_colors and color != self.col:
            saved = self.col
            self.color_set(color)
            self.raw(text)
            self.color_set(saved)
        else:
            self.raw(text)

    def cursor_next_line_move(self) -> None:
        self.raw("\n")

    # -- state ---------------------------------------------------------------------------------

    def _cmd_buffer_clear(self) -> None:
        self.cmd_buff = ""
        self.cmd_buff_pos = 0

    def state_set(self, state: int) -> None:
        self.state = state
        if state == SHELL_STATE_ACTIVE and self.bypass is None:
            self._cmd_buffer_clear()
            if self.print_noinit:
                self.zfprintf(SHELL_WARNING, SHELL_MSG_BACKEND_NOT_ACTIVE)
                self.print_noinit = False
            ops.print_prompt_and_cmd(self)

    # -- history ---------------------------------------------------------------------------------

    def _history_mode_exit(self) -> None:
        if self._history_on:
            self.history_exit = False
            self.history.mode_exit()

    def _history_handle(self, up: bool) -> None:
        if not self._history_on:
            return
        if self.history_exit:
            self.history_exit = False
            self.history.mode_exit()
        if not self.history.active():
            if not up:
                return  # down outside history mode does nothing
            self.temp_buff = self.cmd_buff
        line = self.history.get(up)
        if line is None:
            line = self.temp_buff
        ops.op_cursor_home_move(self)
        self.vt100(vt100.CLEAREOS)
        self.cmd_buff = line
        ops.print_cmd(self)
        self.cmd_buff_pos = len(line)
        ops.op_cond_next_line(self)

    # -- execution ------------------------------------------------------------------------------

    def internal_help_print(self) -> None:
        if not self.config.get("CONFIG_SHELL_HELP"):
            return
        shell_help.help_cmd_print(self, self.active_cmd)
        shell_help.help_subcmd_print(self, self.active_cmd, "Subcommands:\n")

    def _cmd_precheck(self, arg_cnt_ok: bool) -> int:
        if not arg_cnt_ok:
            self.zfprintf(SHELL_ERROR, f"{self.active_cmd.syntax}: wrong parameter count\n")
            if self.config.get("CONFIG_SHELL_HELP_ON_WRONG_ARGUMENT_COUNT"):
                self.internal_help_print()
            return -errno.EINVAL
        return 0

    def _specify_subcommand(self) -> None:
        if self.config.get("CONFIG_SHELL_MSG_SPECIFY_SUBCOMMAND"):
            self.zfprintf(SHELL_ERROR, SHELL_MSG_SPECIFY_SUBCOMMAND)

    def _exec_cmd(self, argv: list[str], help_entry: shell_static_entry | None) -> int:
        active = self.active_cmd
        if active.handler is None:
            if self.config.get("CONFIG_SHELL_HELP"):
                if help_entry is None or help_entry.help is None:
                    return -errno.ENOEXEC
                if help_entry.help is not active.help:
                    self.active_cmd = help_entry
                self.internal_help_print()
                return SHELL_CMD_HELP_PRINTED
            self._specify_subcommand()
            return -errno.ENOEXEC
        rc = 0
        argc = len(argv)
        if active.args.mandatory:
            mand = active.args.mandatory
            opt = 0xFFFF if active.args.optional == SHELL_OPT_ARG_CHECK_SKIP \
                else active.args.optional
            rc = self._cmd_precheck(mand <= argc <= mand + opt)
        if rc == 0:
            self.cmd_ctx = True
            self.flush()
            self._wr.release()  # handlers may print, and lend the shell to other threads
            try:
                result = active.handler(self, argc, argv)
            finally:
                self._wr.acquire()
                self.cmd_ctx = False
            rc = 0 if result is None else int(result)
        return rc

    def execute(self) -> int:
        """Parse the command line and run the deepest command with a handler."""
        ops.op_cursor_end_move(self)
        if not ops.cursor_in_empty_line(self):
            self.cursor_next_line_move()
        self.active_cmd = shell_static_entry()
        if self._history_on:
            self.cmd_buff = spaces_trim(self.cmd_buff)
            self.cmd_buff_pos = len(self.cmd_buff)
            self.history.put(self.cmd_buff)
            self.history_exit = False
        parent = self.selected_cmd
        help_entry: shell_static_entry | None = None
        argv: list[str] = []
        cmd_lvl = handler_lvl = 0
        argc = 0
        args_left = float("inf")
        rest = self.cmd_buff
        has_last_handler = False
        entry: shell_static_entry | None = None
        help_on = bool(self.config.get("CONFIG_SHELL_HELP"))
        while argc != 1 and cmd_lvl < self.argc_max and args_left > 0:
            argc, token, rest, quote = split_first(rest)
            if argc == 0:
                return -errno.ENOEXEC
            if argc == 1 and quote:
                self.zfprintf(SHELL_ERROR, f"not terminated: {quote}\n")
                return -errno.ENOEXEC
            argv.append(token)
            if help_on and cmd_lvl > 0 and shell_help.help_request(token, self.config):
                if help_entry is not None and help_entry.help:
                    self.active_cmd = help_entry
                    self.internal_help_print()
                    return SHELL_CMD_HELP_PRINTED
                self._specify_subcommand()
                return -errno.ENOEXEC
            if not has_last_handler:
                entry = find_cmd(parent, token)
            args_left -= 1
            if entry is not None:
                if entry.handler is not None:
                    handler_lvl = cmd_lvl
                    self.active_cmd = entry
                    if entry.subcmd is None and entry.args.optional == SHELL_OPT_ARG_RAW:
                        args_left = entry.args.mandatory - 1
                if entry.help:
                    help_entry = entry
                parent = entry
            else:
                if cmd_lvl == 0 and self.config.get("CONFIG_SHELL_MSG_CMD_NOT_FOUND"):
                    self.zfprintf(SHELL_ERROR, f"{argv[0]}{SHELL_MSG_CMD_NOT_FOUND}\n")
                has_last_handler = True
            if args_left or argc == 2:
                cmd_lvl += 1
        if cmd_lvl >= self.argc_max and argc == 2:
            self.zfprintf(SHELL_ERROR, f"{SHELL_MSG_TOO_MANY_ARGS}\n")
            return -errno.ENOEXEC
        if argc == 2:
            argv.append(rest)  # the unparsed rest of the line (a raw argument)
        if parent is not None and parent.args.optional == SHELL_OPT_ARG_RAW \
                and len(argv) > cmd_lvl:
            cmd_lvl += 1
        return self._exec_cmd(argv[handler_lvl:cmd_lvl], help_entry)

    # -- keys -------------------------------------------------------------------------------------

    def _alt_metakeys_handle(self, data: int) -> None:
        if not self._metakeys:
            return
        if data == vt100.ALT_B:
            ops.op_cursor_word_move(self, -1)
        elif data == vt100.ALT_F:
            ops.op_cursor_word_move(self, 1)

    def _ctrl_metakeys_handle(self, data: int) -> None:
        if not self._metakeys:
            return
        if data == vt100.CTRL_A:
            ops.op_cursor_home_move(self)
        elif data == vt100.CTRL_B:
            ops.op_left_arrow(self)
        elif data == vt100.CTRL_C:
            ops.op_cursor_end_move(self)
            if not ops.cursor_in_empty_line(self):
                self.cursor_next_line_move()
            self.history_exit = True
            self.state_set(SHELL_STATE_ACTIVE)
        elif data == vt100.CTRL_D:
            ops.op_char_delete(self)
        elif data == vt100.CTRL_E:
            ops.op_cursor_end_move(self)
        elif data == vt100.CTRL_F:
            ops.op_right_arrow(self)
        elif data == vt100.CTRL_K:
            ops.op_delete_from_cursor(self)
        elif data == vt100.CTRL_L:
            self.vt100(vt100.CURSORHOME)
            self.vt100(vt100.CLEARSCREEN)
            ops.print_prompt_and_cmd(self)
        elif data == vt100.CTRL_N:
            self._history_handle(False)
        elif data == vt100.CTRL_P:
            self._history_handle(True)
        elif data == vt100.CTRL_U:
            ops.op_cursor_home_move(self)
            self._cmd_buffer_clear()
            self.history_exit = True
            self.vt100(vt100.CLEAREOS)
        elif data == vt100.CTRL_W:
            ops.op_word_remove(self)
            self.history_exit = True

    def _process_nl(self, c: str) -> bool:
        if c not in "\r\n":
            self.last_nl = ""
            return False
        if not self.last_nl or c == self.last_nl:
            self.last_nl = c
            return True
        return False

    def _receive(self, c: str) -> None:
        """One received character (state_collect's switch)."""
        state = self.receive_state
        if state == _RECEIVE_DEFAULT:
            self._receive_default(c)
        elif state == _RECEIVE_ESC:
            if c == "[":
                self.receive_state = _RECEIVE_ESC_SEQ
                return
            if self.flags.echo:
                self._alt_metakeys_handle(ord(c))
            self.receive_state = _RECEIVE_DEFAULT
        elif state == _RECEIVE_ESC_SEQ:
            self.receive_state = _RECEIVE_DEFAULT
            if self.flags.echo:
                self._escape_sequence(c)
        else:  # the '~' that ends "ESC [ n ~"
            self.receive_state = _RECEIVE_DEFAULT

    def _receive_default(self, c: str) -> None:
        """A character outside an escape sequence: Enter, editing keys, text."""
        data, echo = ord(c), self.flags.echo
        if self._process_nl(c):
            if not self.cmd_buff:
                self._history_mode_exit()
                self.cursor_next_line_move()
            else:
                self.ret_val = self.execute()
            self.state_set(SHELL_STATE_ACTIVE)
        elif data == vt100.ESC:
            self.receive_state = _RECEIVE_ESC
        elif data == 0:
            pass
        elif c.isprintable():
            self.history_exit = True
            ops.op_char_insert(self, c)
        elif not echo:
            pass
        elif c == "\t":
            if self.config.get("CONFIG_SHELL_TAB"):
                self.history_exit = True
                tab.tab_handle(self)
        elif data == vt100.BSPACE or (data == vt100.DEL and self.flags.mode_delete):
            self.history_exit = True
            ops.op_char_backspace(self)
        elif data == vt100.DEL:
            self.history_exit = True
            ops.op_char_delete(self)
        else:
            self._ctrl_metakeys_handle(data)

    def _escape_sequence(self, c: str) -> None:
        """The key of "ESC [ c" (arrows, Home, End, Insert, Delete); "ESC [ n ~" keys start
        with a digit and wait for their '~'."""
        if c.isdigit():
            self.receive_state = _RECEIVE_TILDE_EXP
        if c in "AB":
            self._history_handle(c == "A")
        elif c == "C":
            ops.op_right_arrow(self)
        elif c == "D":
            ops.op_left_arrow(self)
        elif c in "4F":
            ops.op_cursor_end_move(self)
        elif c in "1H":
            ops.op_cursor_home_move(self)
        elif c in "2L":
            self.flags.insert_mode = not self.flags.insert_mode
        elif c == "3":
            ops.op_char_delete(self)
        elif c.isdigit():
            self.receive_state = _RECEIVE_DEFAULT  # not a key zpy knows: no '~' to wait for

    def _bypass_collect(self, bypass: Callable[[Shell, bytes], None]) -> None:
        data = []
        while (c := self.iface.read()) is not None:
            data.append(c)
        if not data:
            return
        self.cmd_ctx = True
        self._wr.release()
        try:
            bypass(self, "".join(data).encode("latin-1"))
        finally:
            self._wr.acquire()
            self.cmd_ctx = False
        if self.bypass is None:
            self.state_set(SHELL_STATE_ACTIVE)

    def state_collect(self) -> None:
        if self.bypass is not None:
            self._bypass_collect(self.bypass)
            self.flush()
            return
        ascii_only = bool(self.config.get("CONFIG_SHELL_ASCII_FILTER"))
        while True:
            c = self.iface.read()
            if c is None:
                break
            if ascii_only and ord(c) > 127:
                continue
            self._receive(c)
        self.flush()

    # -- life cycle -------------------------------------------------------------------------------

    def _evt_handler(self, evt: int) -> None:
        """Transport events: data received (from the UART ISR)."""
        k_poll_signal_raise(self.signals[SHELL_SIGNAL_RXRDY if evt == 0 else SHELL_SIGNAL_TXDONE],
                            0)

    def instance_init(self, cfg_flags: shell_backend_config_flags) -> int:
        self.prompt = self.default_prompt
        for sig in self.signals:
            k_poll_signal_init(sig)
        cfg = self.config
        cfg_flags.obscure = cfg_flags.obscure and bool(cfg.get("CONFIG_SHELL_START_OBSCURED"))
        cfg_flags.use_colors = cfg_flags.use_colors and self._colors_on
        cfg_flags.use_vt100 = cfg_flags.use_vt100 and self._vt100_on
        cfg_flags.echo = cfg_flags.echo and bool(cfg.get("CONFIG_SHELL_ECHO_STATUS"))
        cfg_flags.mode_delete = cfg_flags.mode_delete and \
            bool(cfg.get("CONFIG_SHELL_BACKSPACE_MODE_DELETE"))
        self.flags = cfg_flags
        rc = self.iface.init(self, self._evt_handler)
        if rc == 0:
            self.state = SHELL_STATE_INITIALIZED
        return rc

    def start(self) -> int:
        """shell_start: colours reset, two new lines, the prompt."""
        if self.state != SHELL_STATE_INITIALIZED:
            return -errno.ENOTSUP
        with self._wr:
            if self._colors_on:
                self.color_set(SHELL_NORMAL)
            if self.default_prompt:
                self.raw("\n\n")
            self.state_set(SHELL_STATE_ACTIVE)
            self.flush()
        return 0

    def stop(self) -> int:
        if self.state in (SHELL_STATE_INITIALIZED, SHELL_STATE_UNINITIALIZED):
            return -errno.ENOTSUP
        self.state_set(SHELL_STATE_INITIALIZED)
        return 0

    def thread(self) -> None:
        """The shell thread: wait for input (or a kill), process it, repeat."""
        if self.state != SHELL_STATE_INITIALIZED or self.iface.enable(False) != 0:
            return
        if self.log_backend:
            from zpy.subsys.logging import log_output_route

            log_output_route(self.kernel, self.log_output)
        if self.config.get("CONFIG_SHELL_AUTOSTART") and self.start() != 0:
            return
        rxrdy = self.signals[SHELL_SIGNAL_RXRDY]
        kill = self.signals[SHELL_SIGNAL_KILL]
        events = [self.events[SHELL_SIGNAL_RXRDY], self.events[SHELL_SIGNAL_KILL]]
        while True:
            for ev in events:
                ev.state = K_POLL_STATE_NOT_READY
            k_poll(events, len(events), getattr(self.iface, "poll_period", K_FOREVER))
            with self._wr:
                signaled, _ = k_poll_signal_check(kill)
                if signaled:
                    k_poll_signal_reset(kill)
                    self.iface.uninit()
                    self.state = SHELL_STATE_UNINITIALIZED
                    return
                signaled, _ = k_poll_signal_check(rxrdy)
                if signaled:
                    k_poll_signal_reset(rxrdy)
                    if self.state == SHELL_STATE_ACTIVE:
                        self.state_collect()
                self.iface.update()

    # -- printing from commands and other threads (shell_fprintf) ----------------------------------

    def _locked(self) -> bool:
        """Take the write lock; in an ISR only if it is free (never wait there)."""
        if k_is_in_isr():
            return self._wr.acquire(blocking=False)
        self._wr.acquire()
        return True

    def vfprintf(self, color: int, text: str) -> None:
        if self.state != SHELL_STATE_ACTIVE:
            self.print_noinit = True
            return
        if not self._locked():
            self.kernel.console_write(text)  # an ISR while the shell writes: no redraw
            return
        try:
            redraw = not self.cmd_ctx and self.bypass is None
            if redraw:
                ops.cmd_line_erase(self)
            self.zfprintf(color, text)
            if redraw:
                ops.print_prompt_and_cmd(self)
            self.flush()
        finally:
            self._wr.release()

    def fprintf(self, color: int, fmt: str, *args: Any) -> None:
        self.vfprintf(color, c_format(fmt, *args))

    def print(self, fmt: str, *args: Any) -> None:
        self.vfprintf(SHELL_NORMAL, c_format(fmt, *args) + "\n")

    @contextmanager
    def cmd_output(self) -> Iterator[None]:
        """Use the internal printers from a command handler (wr lock held, flushed after)."""
        with self._wr:
            try:
                yield
            finally:
                self.flush()

    def log_output(self, text: str) -> None:
        """The shell's log backend: a log line between the erased and the redrawn prompt."""
        if self.state != SHELL_STATE_ACTIVE or not self._locked():
            self.kernel.console_write(text)
            return
        try:
            redraw = not self.cmd_ctx and self.bypass is None
            if redraw:
                ops.cmd_line_erase(self)
            self.raw(text)
            if redraw:
                ops.print_prompt_and_cmd(self)
            self.flush()
        finally:
            self._wr.release()

    def execute_cmd(self, cmd: str | None) -> int:
        """shell_execute_cmd: run a command line as if typed (not from a command handler)."""
        if cmd is None:
            return -errno.ENOEXEC
        if len(cmd) > self.cmd_buff_size - 1:
            return -errno.ENOMEM
        with self._wr:
            self.cmd_buff = cmd
            self.cmd_buff_pos = len(cmd)
            rc = self.execute()
            self.flush()
        self._cmd_buffer_clear()
        return rc

    def help(self) -> None:
        with self._wr:
            self.internal_help_print()
            self.flush()

    def hexdump_line(self, offset: int, data: bytes) -> None:
        parts = [f"{offset & 0xFFFFFFFF:08X}: "]
        for i in range(SHELL_HEXDUMP_BYTES_IN_LINE):
            if i > 0 and i % 8 == 0:
                parts.append(" ")
            parts.append(f"{data[i]:02x} " if i < len(data) else "   ")
        parts.append("|")
        for i in range(SHELL_HEXDUMP_BYTES_IN_LINE):
            if i > 0 and i % 8 == 0:
                parts.append(" ")
            if i < len(data):
                c = data[i]
                parts.append(chr(c) if 0x20 <= c < 0x7F else ".")
            else:
                parts.append(" ")
        parts.append("|\n")
        self.vfprintf(SHELL_NORMAL, "".join(parts))

    def hexdump(self, data: Any, length: int) -> None:
        raw = bytes(memoryview(data)[:length]) if not isinstance(data, bytes) else data[:length]
        for off in range(0, len(raw), SHELL_HEXDUMP_BYTES_IN_LINE):
            self.hexdump_line(off, raw[off : off + SHELL_HEXDUMP_BYTES_IN_LINE])


__all__ = ["Shell", "ShellTransport", "shell_backend_config_flags",
           "SHELL_DEFAULT_BACKEND_CONFIG_FLAGS", "SHELL_STATE_ACTIVE", "SHELL_SIGNAL_KILL"]
