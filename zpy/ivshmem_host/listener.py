"""The listening socket of an ivshmem server, and the care its path needs.

A server's socket path outlives the server when it is killed, and two servers
started on one path would hand the same peers two views of the world. So:
a live server on the path is detected without disturbing it and refused; a
socket file left by a dead server is replaced; a path that is not a socket is
never removed; the file gets its permissions before bind(), so it is never
reachable more widely than asked; and on close only our own socket is unlinked.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import stat
from pathlib import Path

from zpy.errors import MachineError

#: owner-only unless asked otherwise
DEFAULT_MODE = 0o600
#: QEMU's server uses 10; peers arriving in bursts need more
DEFAULT_BACKLOG = 128
#: longest AF_UNIX path (sun_path is 108 bytes with the NUL)
MAX_SOCKET_PATH = 107


class UnixListener:
    """A non-blocking AF_UNIX listening socket bound to `path`, removed again by close().

    :param path: where to listen
    :param mode: permissions of the socket file (None: DEFAULT_MODE)
    :param backlog: listen() backlog (at least 10)
    :param log: where to say that a stale socket was replaced
    """

    def __init__(self, path: str | Path, mode: int | None, backlog: int,
                 log: logging.Logger | logging.LoggerAdapter) -> None:
        self.path = Path(path)
        self.mode = DEFAULT_MODE if mode is None else mode
        self.backlog = max(backlog, 10)
        self.log = log
        self.sock: socket.socket | None = None
        self._inode: tuple[int, int] | None = None

    def open(self) -> socket.socket:
        """Check the path, bind, listen; returns the listening socket. Raises MachineError."""
        path = self.path
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise MachineError(f"socket path {path} is too long "
                               f"({len(os.fsencode(path))} bytes, at most {MAX_SOCKET_PATH})")
        self._clear_path()
        if not path.parent.is_dir():
            raise MachineError(f"cannot listen on {path}: directory {path.parent} does not exist")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self._bind_and_listen(sock)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        info = os.lstat(path)
        self._inode = (info.st_dev, info.st_ino)
        self.sock = sock
        return sock

    def close(self) -> None:
        """Close the socket and remove the path, if it is still our socket."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self._inode is None:
            return
        try:
            info = os.lstat(self.path)
            if (info.st_dev, info.st_ino) == self._inode:
                self.path.unlink()
        except FileNotFoundError:
            pass
        self._inode = None

    def _clear_path(self) -> None:
        """Refuse to start over a live server or a non-socket; remove a dead server's socket.

        A live server is recognised in /proc/net/unix first, so that it is not
        disturbed: a probing connect() would make it hand out an ID and tell
        all its peers about a newcomer that leaves at once. The probe is only
        the fallback (a server in another network namespace is not listed).
        """
        path = self.path
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        except OSError as e:
            raise MachineError(f"cannot listen on {path}: {e.strerror}") from e
        if not stat.S_ISSOCK(info.st_mode):
            raise MachineError(f"cannot listen on {path}: it exists and is not a socket",
                               hint="remove it, or choose another path with -S")
        if listed_as_listening(path) or answers(path):
            raise MachineError(f"another server is listening on {path}",
                               hint="stop it, or choose another socket with -S")
        self.log.info("removing stale socket %s (its server is gone)", path)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise MachineError(f"cannot remove stale socket {path}: {e.strerror}") from e

    def _bind_and_listen(self, sock: socket.socket) -> None:
        """Bind so that the socket file is never reachable with wider permissions than `mode`.

        Linux creates the file with the socket inode's mode minus the umask, so
        setting the mode on the socket before bind() leaves no window to race;
        the chmod() afterwards only undoes what the umask took away. listen()
        follows bind() at once: whoever sees the path appear may connect.
        """
        path = self.path
        os.fchmod(sock.fileno(), self.mode)
        try:
            sock.bind(str(path))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise MachineError(f"another server is listening on {path}",
                                   hint="stop it, or choose another socket with -S") from e
            raise MachineError(f"cannot listen on {path}: {e.strerror}") from e
        try:
            sock.listen(self.backlog)
            os.chmod(path, self.mode)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def listed_as_listening(path: Path) -> bool:
    """True if /proc/net/unix shows a listening socket bound to `path` (in this network namespace)."""
    try:
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as table:
            next(table, None)  # the header
            for line in table:
                fields = line.split(maxsplit=7)
                # Flags 00010000 is __SO_ACCEPTCON: listen() was called
                if len(fields) == 8 and fields[7].rstrip("\n") == str(path) \
                        and int(fields[3], 16) & 0x10000:
                    return True
    except OSError:
        pass
    return False


def answers(path: Path) -> bool:
    """True if something accepts connections on `path` (the fallback probe)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except ConnectionRefusedError:
            return False
        except OSError as e:
            raise MachineError(f"cannot check the existing socket {path}: {e.strerror}") from e
    return True
