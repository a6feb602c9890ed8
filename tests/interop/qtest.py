"""QTest: drive a real QEMU through its qtest line protocol on stdio.

QEMU started with `-qtest stdio` runs no guest code; it reads one command per
line on stdin (`readl 0x1000`, `outl 0xcf8 0x80000800`, ...) and answers `OK`,
`OK <value>`, or `FAIL`/`ERR <reason>` on stdout. Tests use it to poke
devices exactly as a guest driver would, e.g. an ivshmem-doorbell's BARs.

    with QTest.start("-machine", "q35", "-device", "...") as qt:
        bdf = qt.pci_find(0x1AF4, 0x1110)
        qt.pci_cfg_writel(bdf, 0x10, 0xFEB00000)

Errors are QTestError with the command, QEMU's answer or exit status, and the
end of QEMU's stderr, so a failing test says why QEMU went away.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import tempfile
import time

QEMU = "qemu-system-x86_64"
#: PCI configuration mechanism #1 (type 1 accesses through I/O ports)
PCI_CONFIG_ADDRESS = 0xCF8
PCI_CONFIG_DATA = 0xCFC


class QTestError(Exception):
    """QEMU refused a command, answered nonsense, or is gone."""


def qemu_binary() -> str | None:
    """The path of qemu-system-x86_64, or None if it is not installed."""
    return shutil.which(QEMU)


class QTest:
    """A QEMU process speaking the qtest protocol on its stdin/stdout."""

    def __init__(self, argv: list[str], timeout: float = 10.0) -> None:
        self.argv = argv
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._out = self.proc.stdout.fileno()
        os.set_blocking(self._out, False)
        self._buf = b""

    @classmethod
    def start(cls, *qemu_args: str, binary: str | None = None, timeout: float = 10.0) -> QTest:
        """Start QEMU with qtest on stdio, no display, no default devices, CPUs stopped."""
        exe = binary or qemu_binary()
        if exe is None:
            raise QTestError(f"{QEMU} is not installed")
        argv = [exe, "-qtest", "stdio", "-qtest-log", "/dev/null", "-display", "none",
                "-nodefaults", "-S", *qemu_args]
        return cls(argv, timeout)

    def __enter__(self) -> QTest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- The line protocol --------------------------------------------------------------

    def command(self, line: str) -> str:
        """Send one command; return what follows 'OK' in the answer ('' for a bare OK)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise self._gone(line) from None
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_line(line, deadline)
            if answer.startswith("IRQ "):  # asynchronous, with irq_intercept_in/out
                continue
            if answer == "OK":
                return ""
            if answer.startswith("OK "):
                return answer[3:]
            raise QTestError(f"qtest command '{line}' failed: {answer}")

    def wait_ready(self) -> None:
        """Return once QEMU answers commands (for ivshmem-doorbell: its server setup passed)."""
        self.command("readl 0x0")

    def _read_line(self, line: str, deadline: float) -> str:
        with selectors.DefaultSelector() as selector:
            selector.register(self._out, selectors.EVENT_READ)
            while b"\n" not in self._buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QTestError(f"no answer to qtest command '{line}' within "
                                     f"{self.timeout:g} s{self._stderr_tail()}")
                if not selector.select(remaining):
                    continue
                try:
                    data = os.read(self._out, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    raise self._gone(line)
                self._buf += data
        answer, self._buf = self._buf.split(b"\n", 1)
        return answer.decode(errors="replace").strip()

    def _gone(self, line: str) -> QTestError:
        try:
            status = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
        return QTestError(f"QEMU went away (exit status {status}) during '{line}'"
                          f"{self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f"; QEMU said: {text[-2000:]}" if text else ""

    @property
    def stderr(self) -> str:
        """Everything QEMU wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    @staticmethod
    def _int(answer: str, line: str) -> int:
        try:
            return int(answer, 16)
        except ValueError:
            raise QTestError(f"qtest command '{line}' gave a non-number: {answer!r}") from None

    # -- Port I/O -----------------------------------------------------------------------

    def outb(self, port: int, value: int) -> None:
        self.command(f"outb {port:#x} {value:#x}")

    def outw(self, port: int, value: int) -> None:
        self.command(f"outw {port:#x} {value:#x}")

    def outl(self, port: int, value: int) -> None:
        self.command(f"outl {port:#x} {value:#x}")

    def inb(self, port: int) -> int:
        line = f"inb {port:#x}"
        return self._int(self.command(line), line)

    def inw(self, port: int) -> int:
        line = f"inw {port:#x}"
        return self._int(self.command(line), line)

    def inl(self, port: int) -> int:
        line = f"inl {port:#x}"
        return self._int(self.command(line), line)

    # -- Memory ---------------------------------------------------------------------------

    def readb(self, addr: int) -> int:
        line = f"readb {addr:#x}"
        return self._int(self.command(line), line)

    def readw(self, addr: int) -> int:
        line = f"readw {addr:#x}"
        return self._int(self.command(line), line)

    def readl(self, addr: int) -> int:
        line = f"readl {addr:#x}"
        return self._int(self.command(line), line)

    def readq(self, addr: int) -> int:
        line = f"readq {addr:#x}"
        return self._int(self.command(line), line)

    def writeb(self, addr: int, value: int) -> None:
        self.command(f"writeb {addr:#x} {value:#x}")

    def writew(self, addr: int, value: int) -> None:
        self.command(f"writew {addr:#x} {value:#x}")

    def writel(self, addr: int, value: int) -> None:
        self.command(f"writel {addr:#x} {value:#x}")

    def writeq(self, addr: int, value: int) -> None:
        self.command(f"writeq {addr:#x} {value:#x}")

    def read(self, addr: int, size: int) -> bytes:
        """`size` bytes of guest physical memory (or MMIO) at `addr`."""
        line = f"read {addr:#x} {size:#x}"
        answer = self.command(line)
        try:
            return bytes.fromhex(answer.removeprefix("0x"))
        except ValueError:
            raise QTestError(f"qtest command '{line}' gave no hex data: {answer!r}") from None

    def write(self, addr: int, data: bytes) -> None:
        """Write `data` to guest physical memory (or MMIO) at `addr`."""
        if data:
            self.command(f"write {addr:#x} {len(data):#x} 0x{data.hex()}")

    # -- PCI configuration space (mechanism #1) ------------------------------------------

    @staticmethod
    def _cfg_address(bdf: tuple[int, int, int], offset: int) -> int:
        bus, dev, fn = bdf
        return 0x80000000 | bus << 16 | dev << 11 | fn << 8 | (offset & 0xFC)

    def pci_cfg_readl(self, bdf: tuple[int, int, int], offset: int) -> int:
        self.outl(PCI_CONFIG_ADDRESS, self._cfg_address(bdf, offset))
        return self.inl(PCI_CONFIG_DATA)

    def pci_cfg_writel(self, bdf: tuple[int, int, int], offset: int, value: int) -> None:
        self.outl(PCI_CONFIG_ADDRESS, self._cfg_address(bdf, offset))
        self.outl(PCI_CONFIG_DATA, value)

    def pci_find(self, vendor: int, device: int, bus: int = 0) -> tuple[int, int, int]:
        """The (bus, device, function 0) of the first device with these IDs on `bus`."""
        for dev in range(32):
            ids = self.pci_cfg_readl((bus, dev, 0), 0)
            if ids == (device << 16 | vendor):
                return (bus, dev, 0)
        raise QTestError(f"no PCI device {vendor:04x}:{device:04x} on bus {bus}")

    # -- Teardown -----------------------------------------------------------------------

    def close(self) -> int:
        """Stop QEMU (SIGTERM, then SIGKILL) and return its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
        self._stderr.close()
        return self.proc.returncode
