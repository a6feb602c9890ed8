"""`zpy ivshmem-server`: QEMU's ivshmem-server command line on zpy.ivshmem_host.server.

The short options are QEMU's (-v -F -p -S -M -m -l -n, and -h), with the same
defaults, so a script written for QEMU's contrib server works unchanged. Long
options add what the example server lacks. Everything that can be checked is
checked before daemonizing, so that errors still reach the terminal.

`ServerCommand` is the part every ivshmem server command shares (the common
options, pid file, daemon, signals, logging); `zpy ivshmem2-server`
(zpy.cli.ivshmem2_server) builds on it too.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from zpy.cli.command import ZpyCommand
from zpy.errors import MachineError, ZpyError
from zpy.ivshmem_host.peer_server import PeerServer
from zpy.ivshmem_host.protocol import (
    DEFAULT_SHM_NAME,
    DEFAULT_SHM_SIZE,
    DEFAULT_SOCKET_PATH,
    DEFAULT_VECTORS,
    MAX_VECTORS,
)
from zpy.ivshmem_host.server import (
    DEFAULT_MAX_QUEUED,
    DEFAULT_STALL_TIMEOUT,
    check_vectors,
)
from zpy.ivshmem_host.server import IvshmemServer as Server
from zpy.ivshmem_host.shm import check_shm_name, check_shm_size, format_size, parse_size

DEFAULT_PID_FILE = "/var/run/ivshmem-server.pid"


class _LevelPrefix(logging.Formatter):
    """'message' for info and debug, 'warning: message' and 'error: message' above."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno >= logging.ERROR:
            return f"error: {text}"
        if record.levelno >= logging.WARNING:
            return f"warning: {text}"
        return text


class ServerCommand(ZpyCommand):
    """An ivshmem server command: QEMU's common flags, a daemon or the foreground, signals.

    Subclasses add their own options in do_add_server_options(), turn the
    parsed options into a library server in build_server(), and describe it
    in one line with summary().
    """

    #: the logger's name and the prefix of the foreground summary line
    program = ""

    @property
    def try_help(self) -> str:
        return f"Try 'zpy {self.name} -h' for more information."

    def do_add_server_options(self, parser: argparse.ArgumentParser) -> None:
        """Options between -l and --mode (the count of vectors, peers, ...)."""

    def build_server(self, args: argparse.Namespace, logger: logging.Logger) -> PeerServer:
        """The library server from the options (raises ZpyError for bad ones)."""
        raise NotImplementedError

    def summary(self, server: PeerServer) -> str:
        """One line saying what the started server serves."""
        raise NotImplementedError

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        # -v/--verbose is added to every command by zpy.cli.main.
        parser.add_argument("-F", "--foreground", action="store_true",
                            help="stay in the foreground (required by -v)")
        parser.add_argument("-p", "--pid-file", metavar="PIDFILE", default=DEFAULT_PID_FILE,
                            help=f"where a daemon writes its pid (default: {DEFAULT_PID_FILE})")
        parser.add_argument("-S", "--socket", metavar="SOCKET", default=DEFAULT_SOCKET_PATH,
                            help=f"UNIX socket to listen on (default: {DEFAULT_SOCKET_PATH})")
        shm = parser.add_mutually_exclusive_group()
        shm.add_argument("-M", "--shm-name", metavar="SHMNAME", default=None,
                         help="POSIX shared memory name, /dev/shm/SHMNAME, created if absent, "
                              f"reused if present (default: {DEFAULT_SHM_NAME})")
        shm.add_argument("-m", "--shm-dir", metavar="SHMDIR", default=None,
                         help="make the shared memory an unlinked file in SHMDIR "
                              "(e.g. a hugetlbfs mount) instead")
        parser.add_argument("-l", "--size", metavar="SIZE", default=format_size(DEFAULT_SHM_SIZE),
                            help="shared memory size, a power of two >= 4K, K/M/G suffixes "
                                 f"(default: {format_size(DEFAULT_SHM_SIZE)})")
        self.do_add_server_options(parser)
        parser.add_argument("--mode", metavar="MODE", default=None,
                            help="octal permissions of the socket and the shared memory "
                                 "(default: 0600 for what the server creates; an existing shm "
                                 "object keeps its mode unless --mode is given)")
        parser.add_argument("--unlink-shm", action="store_true",
                            help="remove /dev/shm/SHMNAME when the server stops "
                                 "(kept by default, as QEMU's server does)")
        parser.add_argument("--max-queued", metavar="N", type=int, default=DEFAULT_MAX_QUEUED,
                            help="drop a peer with more than N messages waiting "
                                 f"(default: {DEFAULT_MAX_QUEUED})")
        parser.add_argument("--stall-timeout", metavar="SECONDS", type=float,
                            default=DEFAULT_STALL_TIMEOUT,
                            help="drop a peer that leaves its full socket unread this long "
                                 f"(default: {DEFAULT_STALL_TIMEOUT:g})")
        parser.add_argument("--log-file", metavar="FILE", default=None,
                            help="append log lines to FILE (a daemon has no terminal)")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        if args.verbose and not args.foreground:
            raise MachineError("cannot use verbose in daemon mode", hint=self.try_help)
        logger = self._make_logger(args)
        server = self._make_server(args, logger)
        _raise_fd_limit()

        pid_fd = None
        if not args.foreground:
            pid_path = Path(args.pid_file).absolute()
            try:
                pid_fd = os.open(pid_path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as e:
                raise MachineError(f"cannot write pid file {pid_path}: {e.strerror}",
                                   hint="choose another with -p, or run in the foreground "
                                        "with -F") from e
        try:
            server.start()
        except BaseException:
            if pid_fd is not None:
                os.close(pid_fd)
            raise

        summary = self.summary(server)
        if args.foreground:
            self.inf(f"{self.program}: {summary}")
        else:
            assert pid_fd is not None
            _daemonize(pid_fd)
            logger.info("daemon %d: %s", os.getpid(), summary)

        stop = threading.Event()

        def on_signal(signum: int, frame: object) -> None:
            stop.set()
            server.wakeup()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
        try:
            server.serve(stop)
        finally:
            peers = len(server.peer_ids)
            server.close()
            logger.info("server stopped (%d peer(s) disconnected)", peers)
            if pid_fd is not None:
                Path(args.pid_file).absolute().unlink(missing_ok=True)
        return 0

    def _make_server(self, args: argparse.Namespace, logger: logging.Logger) -> PeerServer:
        """build_server(), with the -h hint added to any error: one line plus the hint."""
        try:
            return self.build_server(args, logger)
        except ZpyError as e:
            if e.hint is None:
                e.hint = self.try_help
            else:
                e.hint = f"{e.hint}\n{self.try_help}"
            raise

    def common_server_options(self, args: argparse.Namespace,
                              logger: logging.Logger) -> dict[str, Any]:
        """The library options every server takes, from the common flags (--mode checked)."""
        if args.shm_name is not None:
            check_shm_name(args.shm_name)  # '' too: it is not the default name
        mode = None
        if args.mode is not None:
            try:
                mode = int(args.mode, 8)
            except ValueError:
                raise MachineError(f"invalid mode '{args.mode}': expected octal permission "
                                   "bits such as 0660") from None
        return {
            "shm_name": DEFAULT_SHM_NAME if args.shm_name is None else args.shm_name,
            "shm_dir": args.shm_dir,
            "mode": mode,
            "unlink_shm": args.unlink_shm,
            "max_queued": args.max_queued,
            "stall_timeout": args.stall_timeout,
            "logger": logger,
        }

    def _make_logger(self, args: argparse.Namespace) -> logging.Logger:
        """A logger of this command's own (not in logging's global registry): stderr or --log-file."""
        logger = logging.Logger(f"zpy {self.name}")
        logger.setLevel(logging.DEBUG if args.verbose else logging.INFO)
        if args.log_file:
            try:
                handler: logging.Handler = logging.FileHandler(args.log_file)
            except OSError as e:
                raise MachineError(f"cannot open log file {args.log_file}: {e.strerror}") from e
        elif args.foreground:
            handler = logging.StreamHandler(sys.stderr)
        else:
            handler = logging.NullHandler()
        handler.setFormatter(_LevelPrefix("%(message)s"))
        logger.addHandler(handler)
        return logger


class IvshmemServer(ServerCommand):
    name = "ivshmem-server"
    program = "ivshmem-server"
    help = "run a QEMU-compatible ivshmem server"
    description = (
        "Hand shared memory and eventfds to QEMU ivshmem-doorbell devices, ivshmem-clients\n"
        "and zpy machines, speaking QEMU's ivshmem protocol byte for byte.\n"
        "Without -F the server becomes a daemon and writes its pid to the -p file.\n\n"
        "example:\n"
        "  zpy ivshmem-server -F -S /tmp/ivshmem_socket -M ivshmem -l 4M -n 2\n"
        "  qemu-system-x86_64 ... -chardev socket,path=/tmp/ivshmem_socket,id=ivs \\\n"
        "      -device ivshmem-doorbell,chardev=ivs,vectors=2"
    )

    def do_add_server_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-n", "--vectors", metavar="VECTORS", default=str(DEFAULT_VECTORS),
                            help=f"vectors (eventfds) per peer, 1..{MAX_VECTORS}; must match "
                                 f"QEMU's vectors= (default: {DEFAULT_VECTORS})")

    def build_server(self, args: argparse.Namespace, logger: logging.Logger) -> Server:
        size = parse_size(args.size)
        check_shm_size(size, args.size)
        vectors = _parse_int(args.vectors, "number of vectors")
        check_vectors(vectors)
        common = self.common_server_options(args, logger)
        return Server(args.socket, shm_size=size, vectors=vectors, **common)

    def summary(self, server: PeerServer) -> str:
        assert isinstance(server, Server) and server.shm is not None
        vectors = f"{server.vectors} vector{'s' if server.vectors > 1 else ''}"
        return (f"listening on {server.socket_path}, shared memory {server.shm.description} "
                f"({format_size(server.shm_size)}), {vectors} per peer")


def _parse_int(text: str, what: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise MachineError(f"invalid {what} '{text}'") from None


def _raise_fd_limit() -> None:
    """Each peer costs its socket and an eventfd per vector (256 peers x 2 vectors: ~770
    fds, near the usual soft limit of 1024): allow as many as the hard limit does."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (OSError, ValueError):
            pass


def _daemonize(pid_fd: int) -> None:
    """Detach as daemon(3) does (double fork, new session, stdio on /dev/null), write the pid.

    The command's process returns to the shell only once the daemon has
    written its pid file, so a script can read the file right away.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    ready_r, ready_w = os.pipe()
    if os.fork() > 0:  # the original process: wait for the daemon, then leave without cleanup
        os.close(ready_w)
        ok = os.read(ready_r, 1) == b"1"
        os._exit(0 if ok else 1)
    os.close(ready_r)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    os.chdir("/")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.ftruncate(pid_fd, 0)
    os.write(pid_fd, f"{os.getpid()}\n".encode())
    os.close(pid_fd)
    os.write(ready_w, b"1")
    os.close(ready_w)
