"""Character back ends: where the console UART's bytes go and come from (QEMU's -serial).

`open_serial(spec)` takes QEMU's -serial syntax:

    stdio                              the terminal or pipes of the zpy process (the default)
    pty                                a new pseudo-terminal; its path is `chardev.path`
    tcp:[HOST]:PORT[,server][,nowait]  a TCP client, or with `server` a listening server
    unix:PATH[,server][,nowait]        the same on a UNIX socket
    file:PATH                          output to a file (no input)
    null                               nothing in, everything dropped

QEMU's semantics: a server without `nowait` (`wait=off`) waits for its first
client before the machine boots (`wait_for_client()`); output while no client
is connected is dropped; a client that disconnects does not stop the machine
and the next one is served. Input reaches the UART through the CPU: each back
end registers its file descriptors as interrupt sources, so bytes arrive in the
thread that takes interrupts, never in a thread of its own.
"""

from __future__ import annotations

import os
import stat
import termios
import threading
import tty
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from zpy.errors import MachineError
from zpy.hw.cpu import CPU

if TYPE_CHECKING:
    import socket

#: A write that a connected client does not take within this time is dropped (seconds).
SEND_TIMEOUT = 5.0
_READ_SIZE = 4096

OnInput = Callable[[bytes], None]
OnEof = Callable[[], None]


class Chardev:
    """Base class: output sink, input source, and pausing (the UART's receive flow control)."""

    label = "serial0"
    #: a server that must see a client before the machine boots (QEMU's `wait=on`)
    needs_client = False

    def __init__(self) -> None:
        self._cpu: CPU | None = None
        self._on_input: OnInput | None = None
        self._on_eof: OnEof | None = None
        self._in_fd: int | None = None  # the fd registered with the CPU for input
        self._paused = False
        self._wlock = threading.Lock()

    # -- output ------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Send `data` out; never raises (a vanished reader drops output)."""

    # -- input -------------------------------------------------------------------------

    def attach(self, cpu: CPU, on_input: OnInput, on_eof: OnEof) -> None:
        """Start delivering input: on_input(bytes) and on_eof() run in the CPU's halting thread."""
        self._cpu, self._on_input, self._on_eof = cpu, on_input, on_eof

    def pause(self, paused: bool) -> None:
        """Stop (or resume) reading input: the UART's buffers are full."""
        if paused == self._paused:
            return
        self._paused = paused
        if self._cpu is None or self._in_fd is None:
            return
        if paused:
            self._cpu.remove_source(self._in_fd)
        else:
            self._cpu.add_source(self._in_fd, self._readable)

    def _watch(self, fd: int | None) -> None:
        """Make `fd` the input source (None: no input now)."""
        if self._in_fd is not None and self._cpu is not None:
            self._cpu.remove_source(self._in_fd)
        self._in_fd = fd
        if fd is not None and self._cpu is not None and not self._paused:
            self._cpu.add_source(fd, self._readable)

    def _readable(self, fd: int) -> None:
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: the other side hung up
        if data:
            if self._on_input is not None:
                self._on_input(data)
        else:
            self._input_closed(fd)

    def _input_closed(self, fd: int) -> None:
        """The input fd reached end of file (a pipe closed, a client left)."""
        self._watch(None)
        if self._on_eof is not None:
            self._on_eof()

    # -- life cycle --------------------------------------------------------------------

    def wait_for_client(self) -> None:
        """Block until a client connects (servers with `wait=on`)."""

    def describe(self) -> str:
        """QEMU's name for the back end, as in its `info chardev` and waiting messages."""
        return "null"

    def close(self) -> None:
        self._watch(None)


def _write_fd(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class NullChardev(Chardev):
    """`-serial null`: no input, output dropped."""


class StreamChardev(Chardev):
    """Output to a host stream or fd, input from a host fd: `stdio`, and synthetic consoles.

    An input fd that epoll refuses (a regular file, /dev/null) is read by a helper
    thread into a pipe, so that every input reaches the CPU the same way. A
    terminal on input is put in QEMU's -serial stdio mode when `raw` is set:
    no echo, no line editing, Enter as CR, Ctrl-C still a signal, and output
    post-processing kept (so "\\n" still starts a new line).
    """

    def __init__(self, out: BinaryIO | int | None, in_fd: int | None = None,
                 raw: bool = False, label: str = "serial0") -> None:
        super().__init__()
        self.label = label
        self._out = out
        self._src_fd = in_fd
        self._raw = raw
        self._saved_tty: list[Any] | None = None
        self._pipe: tuple[int, int] | None = None

    def write(self, data: bytes) -> None:
        out = self._out
        if out is None or not data:
            return
        with self._wlock:
            try:
                if isinstance(out, int):
                    _write_fd(out, data)
                else:
                    out.write(data)
                    out.flush()
            except (BrokenPipeError, ValueError, OSError):
                self._out = None  # the reader went away: drop output, keep running

    def attach(self, cpu: CPU, on_input: OnInput, on_eof: OnEof) -> None:
        super().attach(cpu, on_input, on_eof)
        fd = self._src_fd
        if fd is None:
            return
        if self._raw and os.isatty(fd):
            self._enter_raw(fd)
        if _pollable(fd):
            self._watch(fd)
            return
        rd, wr = os.pipe()
        self._pipe = (rd, wr)
        threading.Thread(target=_pump, args=(fd, wr), name="zpy:stdin", daemon=True).start()
        self._watch(rd)

    def _enter_raw(self, fd: int) -> None:
        try:
            mode = termios.tcgetattr(fd)
        except termios.error:
            return
        self._saved_tty = mode
        new = list(mode)
        new[0] &= ~(termios.IGNBRK | termios.BRKINT | termios.PARMRK | termios.ISTRIP
                    | termios.INLCR | termios.IGNCR | termios.ICRNL | termios.IXON)
        new[1] |= termios.OPOST
        new[3] &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.IEXTEN)
        cc = list(new[6])
        cc[termios.VMIN] = 1
        cc[termios.VTIME] = 0
        new[6] = cc
        termios.tcsetattr(fd, termios.TCSANOW, new)

    def describe(self) -> str:
        return "stdio"

    def close(self) -> None:
        super().close()
        if self._saved_tty is not None and self._src_fd is not None:
            try:
                termios.tcsetattr(self._src_fd, termios.TCSADRAIN, self._saved_tty)
            except termios.error:
                pass
            self._saved_tty = None
        if self._pipe is not None:
            os.close(self._pipe[0])  # the pump thread sees EPIPE and ends
            self._pipe = None


def _pollable(fd: int) -> bool:
    """epoll refuses regular files and some character devices (/dev/null)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return False
    if stat.S_ISCHR(mode) and not os.isatty(fd):
        return False
    return True


def _pump(src: int, dst: int) -> None:
    """Copy src to the pipe dst until end of file (for fds epoll cannot watch)."""
    try:
        while True:
            data = os.read(src, _READ_SIZE)
            if not data:
                break
            _write_fd(dst, data)
    except OSError:
        pass
    finally:
        os.close(dst)


class PtyChardev(Chardev):
    """`-serial pty`: a new pseudo-terminal in raw mode; users open `path` (screen, minicom).

    zpy keeps the terminal's other end open, so that clients may come and go: output
    written while nobody reads stays in the terminal's buffer until it is full, then
    is dropped.
    """

    def __init__(self, label: str = "serial0") -> None:
        super().__init__()
        self.label = label
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave, termios.TCSANOW)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)

    def write(self, data: bytes) -> None:
        with self._wlock:
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self._master, view)
                except BlockingIOError:
                    return  # nobody reads: drop the rest
                except OSError:
                    return
                view = view[n:]

    def attach(self, cpu: CPU, on_input: OnInput, on_eof: OnEof) -> None:
        super().attach(cpu, on_input, on_eof)
        self._watch(self._master)

    def _input_closed(self, fd: int) -> None:
        pass  # cannot happen while zpy holds the other end; never an end of input

    def describe(self) -> str:
        return f"pty:{self.path}"

    def close(self) -> None:
        super().close()
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


class SocketChardev(Chardev):
    """`-serial tcp:...` and `-serial unix:...`, as a client or (with `server`) a server."""

    def __init__(self, family: int, address: tuple[str, int] | str, server: bool, wait: bool,
                 label: str = "serial0") -> None:
        super().__init__()
        self.label = label
        self.family = family
        self.server = server
        self.needs_client = server and wait
        self._client: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._unlink: str | None = None
        if server:
            self._listener = self._listen(address)
            self.address = self._listener.getsockname()
        else:
            self.address = address
            self._client = self._connect(address)

    # -- sockets -------------------------------------------------------------------------

    def _where(self, address: tuple[str, int] | str) -> str:
        if isinstance(address, tuple):
            return f"{address[0]}:{address[1]}"
        return str(address)

    def _listen(self, address: tuple[str, int] | str) -> socket.socket:
        import socket  # only socket consoles need the module (a boot on stdio is faster)

        sock = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            if self.family == socket.AF_UNIX:
                assert isinstance(address, str)
                try:
                    os.unlink(address)
                except FileNotFoundError:
                    pass
                self._unlink = address
            else:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(1)
        except OSError as e:
            sock.close()
            raise MachineError(f"Failed to bind socket to {self._where(address)}: "
                               f"{e.strerror or e}") from None
        return sock

    def _connect(self, address: tuple[str, int] | str) -> socket.socket:
        import socket

        sock = socket.socket(self.family, socket.SOCK_STREAM)
        try:
            sock.connect(address)
        except OSError as e:
            sock.close()
            raise MachineError(f"Failed to connect to '{self._where(address)}': "
                               f"{e.strerror or e}") from None
        self._prepare(sock)
        return sock

    @staticmethod
    def _prepare(sock: socket.socket) -> None:
        import socket

        sock.settimeout(SEND_TIMEOUT)
        if sock.family != socket.AF_UNIX:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- output ------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        with self._wlock:
            client = self._client
            if client is None:
                return  # no client: QEMU drops the output too
            try:
                client.sendall(data)
            except TimeoutError:
                return  # a client that does not read loses output, the machine runs on
            except OSError:
                self._drop_client()

    # -- input -------------------------------------------------------------------------

    def attach(self, cpu: CPU, on_input: OnInput, on_eof: OnEof) -> None:
        super().attach(cpu, on_input, on_eof)
        if self._client is not None:
            self._watch(self._client.fileno())
        elif self._listener is not None:
            cpu.add_source(self._listener.fileno(), self._accept)

    def _readable(self, fd: int) -> None:
        import socket

        client = self._client
        if client is None or client.fileno() != fd:
            return
        try:
            data = client.recv(_READ_SIZE, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            if self._on_input is not None:
                self._on_input(data)
        else:
            self._drop_client()

    def _accept(self, fd: int) -> None:
        if self._listener is None or self._client is not None:
            return
        try:
            sock, _ = self._listener.accept()
        except (BlockingIOError, OSError):
            return
        self._take(sock)

    def _take(self, sock: socket.socket) -> None:
        self._prepare(sock)
        with self._wlock:
            self._client = sock
        if self._cpu is not None and self._listener is not None:
            self._cpu.remove_source(self._listener.fileno())
        self._watch(sock.fileno())

    def _drop_client(self) -> None:
        """The client left (or broke): a server listens again, a client stays silent."""
        client = self._client
        if client is None:
            return
        self._client = None
        if self._cpu is not None:
            if self._in_fd == client.fileno():
                self._cpu.remove_source(self._in_fd)
                self._in_fd = None
            if self._listener is not None:
                self._cpu.add_source(self._listener.fileno(), self._accept)
        client.close()

    def wait_for_client(self) -> None:
        if self._listener is None or self._client is not None:
            return
        sock, _ = self._listener.accept()
        self._take(sock)

    # -- life cycle --------------------------------------------------------------------

    def describe(self) -> str:
        import socket

        kind = "unix" if self.family == socket.AF_UNIX else "tcp"
        where = self._where(self.address)
        return f"{kind}:{where},server=on" if self.server else f"{kind}:{where}"

    def close(self) -> None:
        if self._cpu is not None and self._listener is not None:
            self._cpu.remove_source(self._listener.fileno())
        super().close()
        with self._wlock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._unlink is not None:
            try:
                os.unlink(self._unlink)
            except OSError:
                pass
            self._unlink = None


class FileChardev(StreamChardev):
    """`-serial file:PATH`: output written to PATH (truncated first, as QEMU does)."""

    def __init__(self, path: str, label: str = "serial0") -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        except OSError as e:
            raise MachineError(f"Could not open '{path}': {e.strerror or e}") from None
        super().__init__(fd, None, label=label)
        self._fd = fd
        self.path = path

    def describe(self) -> str:
        return f"file:{self.path}"

    def close(self) -> None:
        super().close()
        try:
            os.close(self._fd)
        except OSError:
            pass


# -- QEMU's -serial syntax --------------------------------------------------------------

_ON = {"on", "yes", "true"}
_OFF = {"off", "no", "false"}


def _flags(spec: str, words: list[str]) -> tuple[bool, bool]:
    """(server, wait) from QEMU's server/nowait/server=on/wait=off words."""
    server, wait = False, True
    for word in words:
        key, sep, value = word.partition("=")
        value = value.lower() if sep else "on"
        if value not in _ON | _OFF:
            raise MachineError(f"-serial {spec}: Parameter '{key}' expects 'on' or 'off'")
        on = value in _ON
        if key == "server":
            server = on
        elif key == "wait":
            wait = on
        elif key == "nowait":
            wait = not on
        elif key in ("nodelay", "telnet", "reconnect", "websocket", "mux", "logfile",
                     "logappend", "ipv4", "ipv6", "to", "tls-creds"):
            if key in ("telnet", "websocket", "mux") and on:
                raise MachineError(f"-serial {spec}: zpy does not support '{key}'")
        else:
            raise MachineError(f"-serial {spec}: Invalid parameter '{key}'")
    return server, wait


def open_serial(spec: str, stdin: int | None = 0, stdout: BinaryIO | int | None = 1,
                raw_tty: bool = False, label: str = "serial0") -> Chardev:
    """Open the back end QEMU's `-serial SPEC` names (see the module docstring).

    `stdin`/`stdout` are what `stdio` uses; `raw_tty` puts a terminal on stdin in
    QEMU's character-at-a-time mode (for an image that reads its console).
    """
    kind, _, rest = spec.partition(":")
    if kind == "stdio" and not rest:
        return StreamChardev(stdout, stdin, raw=raw_tty, label=label)
    if kind in ("null", "none") and not rest:
        return NullChardev()
    if kind == "pty" and not rest:
        return PtyChardev(label)
    if kind == "file":
        if not rest:
            raise MachineError(f"-serial {spec}: a file name is needed (file:PATH)")
        return FileChardev(rest, label)
    if kind == "tcp":
        where, *words = rest.split(",")
        host, sep, port_text = where.rpartition(":")
        if not sep:
            raise MachineError(f"-serial {spec}: expected tcp:HOST:PORT")
        try:
            port = int(port_text, 10)
        except ValueError:
            raise MachineError(f"-serial {spec}: port '{port_text}' is not a number") from None
        if not 0 <= port <= 65535:
            raise MachineError(f"-serial {spec}: port {port} is out of range")
        server, wait = _flags(spec, words)
        host = host.strip("[]") or ("0.0.0.0" if server else "127.0.0.1")
        import socket

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        if not server and port == 0:
            raise MachineError(f"-serial {spec}: a client needs a port")
        return SocketChardev(family, (host, port), server, wait, label)
    if kind == "unix":
        path, *words = rest.split(",")
        if not path:
            raise MachineError(f"-serial {spec}: expected unix:PATH")
        server, wait = _flags(spec, words)
        import socket

        return SocketChardev(socket.AF_UNIX, path, server, wait, label)
    raise MachineError(f"-serial {spec}: '{kind}' is not a valid char driver name",
                       hint="use stdio, pty, null, file:PATH, tcp:HOST:PORT[,server][,nowait] "
                            "or unix:PATH[,server][,nowait]")


__all__ = ["Chardev", "FileChardev", "NullChardev", "PtyChardev", "SocketChardev",
           "StreamChardev", "open_serial"]
