"""The ns16550 model's receive side and the -serial back ends, driven from the test thread
(which polls the CPU's interrupt sources and runs their callbacks, as an idle CPU would)."""

from __future__ import annotations

import os
import socket
import time

import pytest

from zpy.errors import MachineError
from zpy.hw import serial as uart
from zpy.hw.chardev import NullChardev, PtyChardev, SocketChardev, StreamChardev, open_serial
from zpy.hw.cpu import CPU


def settle(cpu: CPU, rounds: int = 5) -> None:
    for _ in range(rounds):
        cpu.dispatch(cpu.poll(0.02))


@pytest.fixture
def cpu():
    c = CPU()
    yield c
    c.close()


def test_receive_fifo_interrupt_line_and_end_of_input(cpu):
    rfd, wfd = os.pipe()
    levels: list[bool] = []
    port = uart.SerialPort(StreamChardev(None, rfd), irq=levels.append)
    eofs: list[int] = []
    port.on_input_eof = lambda: eofs.append(1)
    port.attach(cpu)
    try:
        os.write(wfd, b"ab")
        settle(cpu)
        assert port.read(uart.UART_LSR, 1) & uart.UART_LSR_DR
        assert port.read(uart.UART_IIR, 1) == uart.UART_IIR_NO_INT
        assert levels == []  # receive interrupt not enabled
        port.write_reg(uart.UART_IER, 1, uart.UART_IER_RDI)
        settle(cpu)  # the register write asked the CPU to raise the line
        assert levels == [True]
        assert port.read(uart.UART_IIR, 1) == uart.UART_IIR_RDI
        assert port.read(uart.UART_RX, 1) == ord("a")
        assert port.read(uart.UART_RX, 1) == ord("b")  # refilled from the host side
        assert levels == [True, False]
        assert not port.read(uart.UART_LSR, 1) & uart.UART_LSR_DR
        # THR empty interrupt: pending as soon as enabled, acknowledged by reading IIR
        port.write_reg(uart.UART_IER, 1, uart.UART_IER_RDI | uart.UART_IER_THRI)
        settle(cpu)
        assert levels[-1] is True
        assert port.read(uart.UART_IIR, 1) == uart.UART_IIR_THRI
        assert levels[-1] is False
        os.close(wfd)
        settle(cpu)
        assert eofs == [1]
    finally:
        port.close()
        os.close(rfd)


def test_fifo_mode_holds_sixteen_and_the_rest_waits(cpu):
    rfd, wfd = os.pipe()
    port = uart.SerialPort(StreamChardev(None, rfd))
    port.write_reg(uart.UART_FCR, 1, uart.UART_FCR_ENABLE_FIFO)
    port.attach(cpu)
    try:
        os.write(wfd, bytes(range(40)))
        settle(cpu)
        assert port.read(uart.UART_IIR, 1) & uart.UART_IIR_FIFO_ENABLED
        got = []
        while port.read(uart.UART_LSR, 1) & uart.UART_LSR_DR:
            got.append(port.read(uart.UART_RX, 1))
        assert got == list(range(40))
    finally:
        port.close()
        os.close(wfd)
        os.close(rfd)


def test_divisor_latch_and_scratch(cpu):
    port = uart.SerialPort(NullChardev())
    port.write_reg(uart.UART_LCR, 1, uart.UART_LCR_DLAB)
    port.write_reg(uart.UART_DLL, 1, 1)
    port.write_reg(uart.UART_DLM, 1, 0)
    assert (port.read(uart.UART_DLL, 1), port.read(uart.UART_DLM, 1)) == (1, 0)
    port.write_reg(uart.UART_LCR, 1, 0x03)
    port.write_reg(uart.UART_SCR, 1, 0x5A)
    assert port.read(uart.UART_SCR, 1) == 0x5A and port.read(uart.UART_LCR, 1) == 0x03


def test_tcp_server_drops_output_without_client_and_serves_the_next_one(cpu):
    ch = open_serial("tcp:127.0.0.1:0,server,nowait")
    assert isinstance(ch, SocketChardev) and not ch.needs_client
    got: list[bytes] = []
    ch.attach(cpu, got.append, lambda: None)
    try:
        ch.write(b"lost")
        port = ch.address[1]
        for n in range(2):
            c = socket.create_connection(("127.0.0.1", port))
            settle(cpu)
            ch.write(b"hello %d" % n)
            assert c.recv(100) == b"hello %d" % n
            c.sendall(b"typed")
            settle(cpu)
            assert got[-1] == b"typed"
            c.close()
            settle(cpu)
        assert ch.describe() == f"tcp:127.0.0.1:{port},server=on"
    finally:
        ch.close()


def test_server_without_nowait_waits_for_its_client(cpu, tmp_path):
    path = tmp_path / "console.sock"
    ch = open_serial(f"unix:{path},server")
    assert ch.needs_client
    c = socket.socket(socket.AF_UNIX)
    c.connect(str(path))
    t0 = time.monotonic()
    ch.wait_for_client()
    assert time.monotonic() - t0 < 1
    ch.write(b"x")
    assert c.recv(1) == b"x"
    c.close()
    ch.close()
    assert not path.exists()


def test_pty_is_raw_and_outlives_its_clients(cpu):
    ch = open_serial("pty")
    assert isinstance(ch, PtyChardev) and ch.path.startswith("/dev/pts/")
    got: list[bytes] = []
    ch.attach(cpu, got.append, lambda: None)
    try:
        for _ in range(2):
            fd = os.open(ch.path, os.O_RDWR | os.O_NOCTTY)
            os.write(fd, b"a\r")
            settle(cpu)
            ch.write(b"out\n")
            assert os.read(fd, 10) == b"out\n"  # raw: no \r added, no echo
            os.close(fd)
        assert b"".join(got) == b"a\ra\r"
    finally:
        ch.close()


@pytest.mark.parametrize("spec, message", [
    ("bogus", "-serial bogus: 'bogus' is not a valid char driver name"),
    ("tcp:127.0.0.1:x", "-serial tcp:127.0.0.1:x: port 'x' is not a number"),
    ("tcp:localhost", "-serial tcp:localhost: expected tcp:HOST:PORT"),
    ("unix:/tmp/x,server=maybe", "-serial unix:/tmp/x,server=maybe: Parameter 'server' expects "
                                 "'on' or 'off'"),
    ("tcp:127.0.0.1:1", "Failed to connect to '127.0.0.1:1': Connection refused"),
])
def test_bad_specs_are_one_line(spec, message):
    with pytest.raises(MachineError) as e:
        open_serial(spec)
    assert e.value.message == message
