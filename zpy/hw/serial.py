"""The console UART: COM1, an ns16550 at I/O port 0x3f8 on IRQ 4, on a host chardev.

Receive is the 16550's: bytes from the chardev fill a 16-byte FIFO (1 byte with
the FIFO off), LSR.DR says one is there, RBR pops it, and with IER's receive
interrupt enabled IIR reports "received data available" and the IRQ line is
raised on the I/O APIC. Bytes the FIFO cannot hold wait on the host side, and
the chardev stops being read while too many wait, so nothing is dropped (QEMU
does the same with its can_receive()). Transmit: THR goes straight out, so THR
is always empty and its interrupt (IER.ETBEI) fires as soon as it is enabled.

Output fast path: `write(bytes)` sends a whole string to the chardev without
touching a register; printk, logging and the shell use it, as QEMU's UART is
infinitely fast anyway.

Interrupt delivery: lowering the line happens wherever the guest touches a
register; raising it happens only in the thread that takes interrupts (a chardev
callback, or a kick through an eventfd when a register write enables an
interrupt), so that an ISR never runs inside another thread's register access.
A new byte re-asserts the line even if it is still high (an edge-triggered pin
would otherwise stay stuck when a driver leaves data behind).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable

from zpy.hw.chardev import Chardev
from zpy.hw.cpu import CPU

# Register offsets (DLAB=0 unless noted)
UART_RX = 0  # RBR (read)
UART_TX = 0  # THR (write)
UART_DLL = 0  # DLAB=1
UART_IER = 1
UART_DLM = 1  # DLAB=1
UART_IIR = 2  # read
UART_FCR = 2  # write
UART_LCR = 3
UART_MCR = 4
UART_LSR = 5
UART_MSR = 6
UART_SCR = 7

UART_IER_RDI = 0x01
UART_IER_THRI = 0x02
UART_IER_RLSI = 0x04
UART_IER_MSI = 0x08

UART_IIR_NO_INT = 0x01
UART_IIR_THRI = 0x02
UART_IIR_RDI = 0x04
UART_IIR_FIFO_ENABLED = 0xC0

UART_FCR_ENABLE_FIFO = 0x01
UART_FCR_CLEAR_RCVR = 0x02
UART_FCR_CLEAR_XMIT = 0x04

UART_LCR_DLAB = 0x80
UART_MCR_LOOP = 0x10

UART_LSR_DR = 0x01
UART_LSR_THRE = 0x20
UART_LSR_TEMT = 0x40

UART_MSR_DCD = 0x80
UART_MSR_DSR = 0x20
UART_MSR_CTS = 0x10

FIFO_SIZE = 16
#: Host bytes held back before the chardev stops being read.
MAX_PENDING = 64 * 1024

_ONE = (1).to_bytes(8, "little")


class SerialPort:
    """An ns16550 whose line is a host chardev (see the module docstring)."""

    def __init__(self, chardev: Chardev, irq: Callable[[bool], None] | None = None) -> None:
        self.chardev = chardev
        self._irq = irq
        self._lock = threading.Lock()
        # registers
        self.ier = 0
        self.lcr = 0
        self.mcr = 0
        self.scr = 0
        self.dll = 0x0C  # 9600 baud at reset, as QEMU
        self.dlm = 0
        self.fifo_enabled = False
        self.thr_ipending = False
        # receive side
        self._rx: deque[int] = deque()
        self._pending = bytearray()
        self._eof = False
        self._eof_reported = False
        #: called (once) when the host closed the input and the guest has read every byte
        self.on_input_eof: Callable[[], None] | None = None
        # interrupt line state and the kick that raises it from the right thread
        self._line = False
        self._cpu: CPU | None = None
        self._kick_fd: int | None = None
        #: gets a copy of every byte transmitted (zpy run --view keeps the console), else None
        self.tap: Callable[[bytes], None] | None = None

    # -- host side ---------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Transmit a whole string (the console's fast path: no register traffic)."""
        if data:
            tap = self.tap
            if tap is not None:
                tap(data)
            self.chardev.write(data)

    def attach(self, cpu: CPU) -> None:
        """Connect the chardev's input and the interrupt kick to the CPU."""
        self._cpu = cpu
        self._kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        cpu.add_source(self._kick_fd, self._kicked, internal=True)
        self.chardev.attach(cpu, self._on_input, self._on_eof)

    def close(self) -> None:
        self.chardev.close()
        if self._kick_fd is not None:
            if self._cpu is not None:
                self._cpu.remove_source(self._kick_fd)
            os.close(self._kick_fd)
            self._kick_fd = None

    def _on_input(self, data: bytes) -> None:
        with self._lock:
            self._pending += data
            self._fill_fifo()
            if len(self._pending) > MAX_PENDING:
                self.chardev.pause(True)
        self._assert(new_data=True)

    def _on_eof(self) -> None:
        with self._lock:
            self._eof = True
        self._check_eof()

    def _kicked(self, fd: int) -> None:
        try:
            os.read(fd, 8)
        except BlockingIOError:
            pass
        self._assert(new_data=False)

    def _check_eof(self) -> None:
        with self._lock:
            done = self._eof and not self._rx and not self._pending and not self._eof_reported
            if done:
                self._eof_reported = True
        if done and self.on_input_eof is not None:
            self.on_input_eof()

    # -- interrupt line --------------------------------------------------------------------

    def _condition(self) -> bool:
        """Is an enabled interrupt pending? (call with the lock held)"""
        if self.ier & UART_IER_RDI and self._rx:
            return True
        return bool(self.ier & UART_IER_THRI and self.thr_ipending)

    def _assert(self, new_data: bool) -> None:
        """In the interrupt-taking thread: drive the line from the current state."""
        with self._lock:
            level = self._condition()
            was = self._line
            self._line = level
        if self._irq is None:
            return
        if level and was and not new_data:
            return
        if level and was:
            self._irq(False)  # re-arm the edge for the new byte
        if level or was:
            self._irq(level)

    def _update(self) -> None:
        """After a guest register access: lower the line now, or ask the CPU to raise it."""
        with self._lock:
            level = self._condition()
            was = self._line
            if not level:
                self._line = False
        if not level:
            if was and self._irq is not None:
                self._irq(False)
        elif not was and self._kick_fd is not None:
            try:
                os.write(self._kick_fd, _ONE)
            except OSError:
                pass

    # -- guest side: the eight I/O ports ---------------------------------------------------

    def _fill_fifo(self) -> None:
        cap = FIFO_SIZE if self.fifo_enabled else 1
        while self._pending and len(self._rx) < cap:
            take = min(cap - len(self._rx), len(self._pending))
            self._rx.extend(self._pending[:take])
            del self._pending[:take]

    def _iir(self) -> int:
        if self.ier & UART_IER_RDI and self._rx:
            iir = UART_IIR_RDI
        elif self.ier & UART_IER_THRI and self.thr_ipending:
            iir = UART_IIR_THRI
        else:
            iir = UART_IIR_NO_INT
        return iir | (UART_IIR_FIFO_ENABLED if self.fifo_enabled else 0)

    def read(self, offset: int, size: int) -> int:
        update = eof = False
        resume = False
        with self._lock:
            dlab = self.lcr & UART_LCR_DLAB
            if offset == UART_RX:
                if dlab:
                    return self.dll
                value = self._rx.popleft() if self._rx else 0
                self._fill_fifo()
                resume = len(self._pending) <= MAX_PENDING // 2
                update = True
                eof = self._eof and not self._rx
            elif offset == UART_IER:
                return self.dlm if dlab else self.ier
            elif offset == UART_IIR:
                value = self._iir()
                if value & 0x0F == UART_IIR_THRI:
                    self.thr_ipending = False  # reading IIR acknowledges THRE
                    update = True
            elif offset == UART_LCR:
                return self.lcr
            elif offset == UART_MCR:
                return self.mcr
            elif offset == UART_LSR:
                return (UART_LSR_DR if self._rx else 0) | UART_LSR_THRE | UART_LSR_TEMT
            elif offset == UART_MSR:
                return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS
            else:
                return self.scr
        if resume:
            self.chardev.pause(False)
        if update:
            self._update()
        if eof:
            self._check_eof()
        return value

    def write_reg(self, offset: int, size: int, value: int) -> None:
        value &= 0xFF
        out: bytes | None = None
        with self._lock:
            dlab = self.lcr & UART_LCR_DLAB
            if offset == UART_TX:
                if dlab:
                    self.dll = value
                    return
                if self.mcr & UART_MCR_LOOP:
                    self._pending.append(value)
                    self._fill_fifo()
                else:
                    out = bytes((value,))
                if self.ier & UART_IER_THRI:
                    self.thr_ipending = True  # the byte left at once: THR is empty again
            elif offset == UART_IER:
                if dlab:
                    self.dlm = value
                    return
                enabling_thri = value & UART_IER_THRI and not self.ier & UART_IER_THRI
                self.ier = value & 0x0F
                if enabling_thri:
                    self.thr_ipending = True
                elif not self.ier & UART_IER_THRI:
                    self.thr_ipending = False
            elif offset == UART_FCR:
                self.fifo_enabled = bool(value & UART_FCR_ENABLE_FIFO)
                if value & UART_FCR_CLEAR_RCVR:
                    self._rx.clear()
                    self._fill_fifo()
            elif offset == UART_LCR:
                self.lcr = value
                return
            elif offset == UART_MCR:
                self.mcr = value & 0x1F
                return
            elif offset == UART_SCR:
                self.scr = value
                return
            else:
                return
        if out is not None:
            tap = self.tap
            if tap is not None:
                tap(out)
            self.chardev.write(out)
        self._update()


class SerialIoRegion:
    """The UART's eight I/O ports, as a bus region."""

    def __init__(self, port: SerialPort) -> None:
        self._port = port

    def read(self, offset: int, size: int) -> int:
        return self._port.read(offset, size)

    def write(self, offset: int, size: int, value: int) -> None:
        self._port.write_reg(offset, size, value)
