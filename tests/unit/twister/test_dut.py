"""DeviceAdapter and Shell against a fake VM: a small script that behaves like a Zephyr shell
on a console (prompt without a newline, echo of what is typed, colored output)."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from zpy.twister.dut import DeviceAdapter, DUTError, DUTTimeout, Shell, exit_status

FAKE_VM = textwrap.dedent(r'''
    import sys, time
    out = sys.stdout
    out.write("*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***\n")
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
    out.write("uart:~$ ")
    out.flush()
    for line in sys.stdin:
        cmd = line.strip()
        out.write(cmd + "\r\n")   # the echo, on the prompt's line
        if cmd == "kernel version":
            out.write("Zephyr version 4.1.0\r\n")
        elif cmd == "device list":
            out.write("devices:\r\n- ivshmem0 (READY)\r\n")
        elif cmd == "color":
            out.write("\x1b[1;31mred alert\x1b[0m\r\n")
        elif cmd == "notify":  # another thread's printk lands on the next prompt's line
            out.write("sent\r\nuart:~$ Received notification\r\n")
        elif cmd == "hang":
            out.flush()
            time.sleep(60)
        elif cmd == "exit":
            out.flush()
            sys.exit(3)
        out.write("uart:~$ ")
        out.flush()
''')


@pytest.fixture
def fake_vm(tmp_path: Path) -> Path:
    script = tmp_path / "fake_vm.py"
    script.write_text(FAKE_VM)
    return script


@pytest.fixture
def dut(fake_vm, tmp_path):
    device = DeviceAdapter([sys.executable, "-u", str(fake_vm)], tmp_path / "handler.log")
    device.launch()
    yield device
    device.close()


def test_shell_commands(dut, tmp_path):
    shell = Shell(dut, timeout=5)
    assert shell.wait_for_prompt()
    assert shell.exec_command("kernel version") == ["Zephyr version 4.1.0"]
    assert shell.exec_command("device list") == ["devices:", "- ivshmem0 (READY)"]
    assert shell.exec_command("color") == ["red alert"]
    assert shell.exec_command("unknown") == []
    assert shell.exec_command("notify") == ["sent", "Received notification"]
    assert shell.exec_command("kernel version") == ["Zephyr version 4.1.0"]
    dut.close()
    log = (tmp_path / "handler.log").read_bytes()  # the console as it came, \r and all
    assert b"uart:~$ kernel version\r\nZephyr version 4.1.0\r\n" in log


def test_shell_prompt_that_comes_late(fake_vm, tmp_path):
    device = DeviceAdapter([sys.executable, "-u", str(fake_vm), "0.7"])
    device.launch()
    try:
        assert Shell(device, timeout=5).wait_for_prompt()
    finally:
        device.close()


def test_shell_command_timeout(dut):
    shell = Shell(dut, timeout=5)
    assert shell.wait_for_prompt()
    start = time.monotonic()
    with pytest.raises(DUTTimeout):
        shell.exec_command("hang", timeout=0.5)
    assert time.monotonic() - start < 2


def test_device_exits_during_a_command(dut):
    shell = Shell(dut, timeout=5)
    assert shell.wait_for_prompt()
    with pytest.raises(DUTError, match=r"exited \(status 3\)"):
        shell.exec_command("exit")
    assert dut.wait(2) == 3


def test_readlines_until_and_readline(dut):
    assert dut.readlines_until(regex="Booting", timeout=5) == [
        "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***"]
    dut.write("kernel version\n")
    assert dut.readlines_until(regex="^Zephyr version", timeout=5) == [
        "uart:~$ kernel version", "Zephyr version 4.1.0"]
    dut.write(b"device list\n")
    assert dut.readlines_until(num_of_lines=2, timeout=5) == ["uart:~$ device list", "devices:"]
    assert dut.readline(timeout=5) == "- ivshmem0 (READY)"
    with pytest.raises(DUTTimeout):
        dut.readline(timeout=0.2)  # the prompt has no newline: not a line yet


def test_close_stops_a_hung_vm_quickly(dut):
    dut.write("hang\n")
    start = time.monotonic()
    status = dut.close()
    assert time.monotonic() - start < 3
    assert status == 128 + 15  # SIGTERM, as a shell reports it
    assert not dut.is_running


def test_readline_returns_none_at_the_end(tmp_path):
    device = DeviceAdapter([sys.executable, "-c", "print('one'); print('two', end='')"])
    device.launch()
    assert device.readline(5) == "one"
    assert device.readline(5) == "two"  # the last, unterminated line counts at the end
    assert device.readline(5) is None
    assert device.wait(5) == 0


def test_exit_status():
    assert exit_status(None) is None
    assert exit_status(0) == 0
    assert exit_status(-9) == 137
