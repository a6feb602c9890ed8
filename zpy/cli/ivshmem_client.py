"""`zpy ivshmem-client`: QEMU's ivshmem-client on zpy.ivshmem_host.client.

It behaves as QEMU's contrib client does: it connects (retrying every second),
prints `listen on server socket <fd>`, then reads commands (`help`, `dump`,
`int <peer> <vector>`, `int <peer> all`, `int all`) split on newlines, carriage
returns and `;`, and prints `receive notification from peer_id=<our id>
vector=<v>` whenever one of its own eventfds is rung. When the server goes away
it prints `disconnected from server` and connects again.

It also works from scripts: with stdin a pipe or a file there is no banner or
prompt, the commands run once the peer table has arrived, and the client exits
at end of input (after --wait seconds, to see notifications). --once gives up
instead of retrying or reconnecting.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import selectors
import sys
import time
from collections.abc import Callable

from zpy.cli.command import ZpyCommand
from zpy.errors import MachineError, ProtocolError
from zpy.ivshmem_host.client import (
    PeerConnection,
    ProtocolFault,
    ServerGone,
    ServerUnreachable,
    read_eventfd,
)
from zpy.ivshmem_host.protocol import DEFAULT_SOCKET_PATH, MAX_VECTORS

HELP_TEXT = """\
available commands:
  help                  show this help
  dump                  show our vectors and every peer's vectors
  int <peer> <vector>   notify one vector of a peer (our own ID loops back)
  int <peer> all        notify every vector of a peer
  int all               notify every vector of every peer but us
commands can be separated by ';'"""
PROMPT = "cmd> "
RETRY_DELAY = 1.0
#: how long, after setup, a script's commands wait for the peer table to arrive
_TABLE_WAIT = 1.0
_COMMAND_SPLIT = re.compile(r"[\n\r;]")


class ClientSession:
    """One interactive client: a connection, a command interpreter and the output lines.

    Kept apart from argparse so that it can be driven in-process too.
    """

    def __init__(self, socket_path: str, out: Callable[[str], None],
                 err: Callable[[str], None], verbose: bool = False) -> None:
        self.socket_path = socket_path
        self.out = out
        self.err = err
        self.verbose = verbose
        self.conn: PeerConnection | None = None
        #: why the last connection attempt failed
        self.last_error = ""

    # -- Connection -------------------------------------------------------------------

    def try_connect(self) -> bool:
        """One attempt; True once connected and set up."""
        conn = PeerConnection(MAX_VECTORS)
        try:
            conn.connect(self.socket_path)
            conn.setup()
        except ServerUnreachable as e:
            conn.close()
            self.last_error = str(e)
            if self.verbose:
                self.err(str(e))
            return False
        except ProtocolError as e:
            conn.close()
            self.last_error = str(e)
            self.err(f"error: {e}")
            return False
        self.conn = conn
        self.out(f"listen on server socket {conn.fileno()}")
        return True

    def wait_for_table(self) -> None:
        """Let the rest of the greeting arrive (peers, then our own vectors, sent last)."""
        assert self.conn is not None
        deadline = time.monotonic() + _TABLE_WAIT
        with selectors.DefaultSelector() as selector:
            selector.register(self.conn.fileno(), selectors.EVENT_READ)
            while self.conn is not None:
                settled = bool(self.conn.own_vectors)
                timeout = 0.02 if settled else deadline - time.monotonic()
                if timeout <= 0 or not selector.select(timeout):
                    return
                self.on_server_readable()

    def disconnect(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def on_server_readable(self) -> None:
        assert self.conn is not None
        for event in self.conn.handle_readable():
            if self.verbose:
                self.out(f"server: {event}")
            if isinstance(event, ProtocolFault):
                # QEMU's client gives up on the connection at any error, then reconnects.
                self.err(f"error: {self.socket_path}: {event.message}")
                self.out("disconnected from server")
                self.disconnect()
                return
            if isinstance(event, ServerGone):
                self.out("disconnected from server")
                self.disconnect()
                return

    def on_own_vector(self, vector: int) -> None:
        assert self.conn is not None
        count = read_eventfd(self.conn.own_vectors[vector])
        if count:
            self.out(f"receive notification from peer_id={self.conn.own_id} vector={vector}")

    # -- Commands ---------------------------------------------------------------------

    def run_commands(self, text: str) -> None:
        for command in _COMMAND_SPLIT.split(text):
            if command.strip():
                self.run_command(command)

    def run_command(self, command: str) -> None:
        words = command.split()
        if words[0] in ("help", "?") and len(words) == 1:
            self.out(HELP_TEXT)
        elif words == ["dump"]:
            self.dump()
        elif words[0] == "int" and len(words) in (2, 3):
            self.interrupt(words[1:])
        else:
            self.out("invalid command, type help")

    def dump(self) -> None:
        conn = self.conn
        if conn is None:
            return
        self.out(f"our_id = {conn.own_id}")
        for vector, fd in enumerate(conn.own_vectors):
            self.out(f"  vector {vector} is enabled (fd={fd})")
        for peer_id, fds in conn.peers.items():
            self.out(f"peer_id = {peer_id}")
            for vector, fd in enumerate(fds):
                self.out(f"  vector {vector} is enabled (fd={fd})")

    def interrupt(self, args: list[str]) -> None:
        conn = self.conn
        if conn is None:
            return
        if args == ["all"]:
            for peer_id, fds in conn.peers.items():
                for vector in range(len(fds)):
                    conn.notify(peer_id, vector)
            return
        if len(args) != 2 or not _is_int(args[0]) or not (args[1] == "all" or _is_int(args[1])):
            self.out("invalid command, type help")
            return
        peer_id = int(args[0])
        target = conn.own_vectors if peer_id == conn.own_id else conn.peers.get(peer_id)
        if target is None:
            self.out(f"cannot find peer_id = {peer_id}")
            return
        vectors = range(len(target)) if args[1] == "all" else [int(args[1])]
        for vector in vectors:
            if not conn.notify(peer_id, vector) and self.verbose:
                self.out(f"invalid vector {vector} on peer_id = {peer_id}")


def _is_int(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+", text) is not None


class IvshmemClient(ZpyCommand):
    name = "ivshmem-client"
    help = "connect to an ivshmem server as a peer and ring other peers"
    description = (
        "A peer of an ivshmem server, as QEMU's ivshmem-client: 'dump' shows the vectors,\n"
        "'int PEER VECTOR' rings one, notifications received are printed.\n"
        "Commands come from the terminal, or from a pipe for scripts:\n"
        "  echo 'int 1 0' | zpy ivshmem-client -S /tmp/ivshmem_socket --once\n"
        "  zpy ivshmem-client -S /tmp/ivshmem_socket --once --wait 5 </dev/null   # listen 5 s"
    )

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        # -v/--verbose is added to every command by zpy.cli.main.
        parser.add_argument("-S", "--socket", metavar="SOCKET", default=DEFAULT_SOCKET_PATH,
                            help=f"the server's UNIX socket (default: {DEFAULT_SOCKET_PATH})")
        parser.add_argument("--once", action="store_true",
                            help="fail instead of retrying when there is no server, and exit "
                                 "instead of reconnecting when it goes away")
        parser.add_argument("--wait", metavar="SECONDS", type=float, default=0.0,
                            help="at end of input, keep printing notifications this long "
                                 "before exiting (default: 0)")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        if args.wait < 0:
            raise MachineError(f"invalid --wait {args.wait:g}: must be 0 or more")
        interactive = os.isatty(0)
        logger = logging.getLogger("zpy.ivshmem_host.client")
        if args.verbose:
            handler = logging.StreamHandler(sys.stdout)
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
        session = ClientSession(args.socket, _print_out, _print_err, bool(args.verbose))
        try:
            return self._loop(session, args, interactive)
        finally:
            session.disconnect()
            if args.verbose:
                logger.removeHandler(handler)

    def _loop(self, session: ClientSession, args: argparse.Namespace, interactive: bool) -> int:
        if interactive:
            _print_out(HELP_TEXT)
            _prompt()
        commands = _CommandInput(session, interactive)
        leave_at: float | None = None
        while True:
            if session.conn is None:
                if not self._connect(session, args.once):
                    raise MachineError(session.last_error,
                                       hint="start one with: zpy ivshmem-server -F -S "
                                            f"{args.socket}")
                session.wait_for_table()
                if session.conn is None:  # it went away again during the greeting
                    if args.once:
                        return 1
                    continue
            conn = session.conn
            with selectors.DefaultSelector() as selector:
                if commands.open and commands.pollable:
                    selector.register(0, selectors.EVENT_READ, "stdin")
                selector.register(conn.fileno(), selectors.EVENT_READ, "server")
                for vector, fd in enumerate(conn.own_vectors):
                    selector.register(fd, selectors.EVENT_READ, vector)
                if commands.open and not commands.pollable:
                    timeout: float | None = 0.0  # a file: always readable, epoll refuses it
                else:
                    timeout = None if leave_at is None else max(0.0, leave_at - time.monotonic())
                ready = [(key.data, events) for key, events in selector.select(timeout)]
            if commands.open and not commands.pollable:
                ready.insert(0, ("stdin", selectors.EVENT_READ))
            for source, _ in ready:
                if session.conn is None:
                    break
                if source == "stdin":
                    if not commands.read():
                        leave_at = time.monotonic() + (0.0 if interactive else args.wait)
                elif source == "server":
                    session.on_server_readable()
                    if session.conn is None and args.once:
                        return 1
                else:
                    session.on_own_vector(source)
            if leave_at is not None and time.monotonic() >= leave_at:
                return 0

    @staticmethod
    def _connect(session: ClientSession, once: bool) -> bool:
        while not session.try_connect():
            if once:
                return False
            _print_err("cannot connect to server, retry in 1 second")
            time.sleep(RETRY_DELAY)
        return True


class _CommandInput:
    """Commands from stdin: a terminal, a pipe, or a file (which epoll cannot watch)."""

    def __init__(self, session: ClientSession, interactive: bool) -> None:
        self.session = session
        self.interactive = interactive
        self.open = True
        self.pollable = _pollable(0)
        self._pending = ""  # a command split across two reads of a pipe

    def read(self) -> bool:
        """Read what is there and run the complete commands; False at end of input."""
        data = os.read(0, 4096)
        if not data:
            self.open = False
            self.session.run_commands(self._pending)
            self._pending = ""
            return False
        self._pending += data.decode(errors="replace")
        complete, _, self._pending = _split_last(self._pending)
        self.session.run_commands(complete)
        if self.interactive:
            _prompt()
        return True


def _pollable(fd: int) -> bool:
    with selectors.DefaultSelector() as selector:
        try:
            selector.register(fd, selectors.EVENT_READ)
        except PermissionError:  # EPERM: a regular file or /dev/null
            return False
    return True


def _split_last(text: str) -> tuple[str, str, str]:
    """Split at the last command separator: (complete commands, separator, unfinished rest)."""
    matches = list(_COMMAND_SPLIT.finditer(text))
    if not matches:
        return "", "", text
    last = matches[-1]
    return text[: last.start()], last.group(), text[last.end():]


def _print_out(line: str) -> None:
    print(line, flush=True)


def _print_err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _prompt() -> None:
    print(PROMPT, end="", flush=True)
