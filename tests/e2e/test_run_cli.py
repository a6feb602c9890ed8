"""`zpy run` as a user runs it: exit statuses, signals, errors, the samples and ztest apps."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .runner import ZEPHYR_BASE, build, ivshmem_server, wait_for_path, zpy, zpy_cmd

BANNER = "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***\n"


def app(tmp_path: Path, main: str, prj: str = "# nothing\n") -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "prj.conf").write_text(prj)
    (root / "src" / "main.py").write_text(main)
    return root


def test_hello_world(tmp_path):
    build("samples/hello_world", tmp_path / "b")
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 0
    assert done.stdout == BANNER + "Hello World! qemu_x86_64\n"
    assert done.stderr == ""


def test_draw_writes_its_pictures_when_main_returns_at_once(tmp_path):
    """hello_world's main() returns before a drawing thread would run: the pictures are drawn
    when the run ends."""
    build("samples/hello_world", tmp_path / "b")
    draw = tmp_path / "pictures"
    done = zpy("run", "-d", str(tmp_path / "b"), "--draw", str(draw))
    assert done.returncode == 0
    assert done.stderr == f"zpy: drew init-order.svg in {draw}\n"
    text = " ".join(ET.parse(draw / "init-order.svg").getroot().itertext())
    assert "hello_world: init order (qemu_x86_64, running)" in text


def test_main_status_is_the_exit_status(tmp_path):
    build(app(tmp_path, "def main():\n    return 7\n"), tmp_path / "b")
    assert zpy("run", "-d", str(tmp_path / "b")).returncode == 7


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_a_running_image_within_a_second(tmp_path, sig):
    # a thread that keeps waking keeps the run going (one that waited for ever would end it)
    build(app(tmp_path, "from zpy.kernel import *\n\ndef main():\n"
                        "    printk('up\\n')\n    while True:\n        k_msleep(100)\n"),
          tmp_path / "b")
    proc = subprocess.Popen(zpy_cmd("run", "-d", str(tmp_path / "b")), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == BANNER
    assert proc.stdout.readline() == "up\n"
    start = time.monotonic()
    proc.send_signal(sig)
    status = proc.wait(5)
    assert time.monotonic() - start < 1.0
    assert status == 128 + sig
    assert "Traceback" not in proc.stderr.read()


def test_exception_in_main_is_one_line_and_non_zero(tmp_path):
    build(app(tmp_path, "def main():\n    return 1 // 0\n"), tmp_path / "b")
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[1].startswith(">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (thread 'main'): "
                               "ZeroDivisionError: integer division or modulo by zero at ")
    assert lines[1].endswith("main.py:2 in main()")
    assert "Traceback" not in done.stdout + done.stderr


def test_run_without_a_build_says_what_to_do(tmp_path):
    done = zpy("run", "-d", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"error: no image in {tmp_path / 'nothing'} (missing {tmp_path / 'nothing/zephyr/image.json'})")
    assert "Traceback" not in done.stderr


def test_bad_machine_option_is_one_line(tmp_path):
    build("samples/hello_world", tmp_path / "b")
    done = zpy("run", "-d", str(tmp_path / "b"), "-device", "e1000")
    assert done.returncode == 1
    assert done.stderr == "error: -device e1000: 'e1000' is not a valid device model name\n"


MEM = "memory-backend-file,id=m,mem-path={shm},size=1M,share=on"
#: options QEMU refuses, and its words (zpy used to ignore most of them)
QEMU_REFUSES = {
    "unknown object type": (["-object", "nosuch,id=x"],
                            "-object nosuch,id=x: Parameter 'qom-type' does not accept value "
                            "'nosuch'"),
    "unknown object parameter": (["-object", MEM + ",bogus=1"],
                                 "-object " + MEM + ",bogus=1: Invalid parameter 'bogus'"),
    "unknown device property": (["-object", MEM, "-device", "ivshmem-plain,memdev=m,bogus=2"],
                                "-device ivshmem-plain,memdev=m,bogus=2: Property "
                                "'ivshmem-plain.bogus' not found"),
    "doorbell property": (["-chardev", "socket,path=/tmp/x,id=c", "-device",
                           "ivshmem-doorbell,chardev=c,bogus"],
                          "-device ivshmem-doorbell,chardev=c,bogus: Property "
                          "'ivshmem-doorbell.bogus' not found"),
    "unknown device without -nodefaults": (["-device", "nosuchdev"],
                                           "-device nosuchdev: 'nosuchdev' is not a valid "
                                           "device model name"),
    "chardev id twice": (["-chardev", "socket,path=/tmp/a,id=c", "-chardev",
                          "socket,path=/tmp/b,id=c"],
                         "-chardev socket,path=/tmp/b,id=c: Duplicate ID 'c' for chardev"),
    "object id twice": (["-object", MEM, "-object", MEM],
                        "-object " + MEM + ": Duplicate ID 'm' for object"),
    "unknown chardev type": (["-chardev", "nosuch,id=c"],
                             "-chardev nosuch,id=c: 'nosuch' is not a valid char driver name"),
    "memory of size 0": (["-object", MEM.replace("1M", "0"), "-device", "ivshmem-plain,memdev=m"],
                         "property 'size' of memory-backend-file doesn't take value '0'"),
}


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    out = tmp_path_factory.mktemp("hello") / "b"
    build("samples/hello_world", out)
    return out


@pytest.mark.parametrize("case", QEMU_REFUSES)
def test_machine_options_qemu_refuses(hello, tmp_path, case):
    args, message = QEMU_REFUSES[case]
    shm = tmp_path / "shm"
    done = zpy("run", "-d", str(hello), *[a.format(shm=shm) for a in args])
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"error: {message.format(shm=shm)}\n")


def test_two_devices_on_one_chardev(hello, tmp_path):
    with ivshmem_server(tmp_path, vectors=2) as (sock, _):
        done = zpy("run", "-d", str(hello), "-chardev", f"socket,path={sock},id=c",
                   "-device", "ivshmem-doorbell,chardev=c,vectors=2",
                   "-device", "ivshmem-doorbell,chardev=c,vectors=2")
    assert (done.returncode, done.stderr) == (
        1, "error: -device ivshmem-doorbell,chardev=c,vectors=2: Property "
           "'ivshmem-doorbell.chardev' can't take value 'c': Device 'c' is in use\n")


def test_plain_ztest_suite_on_a_memory_file(tmp_path):
    build("tests/drivers/virtualization/ivshmem/plain", tmp_path / "b")
    shm = tmp_path / "shm"
    done = zpy("run", "-d", str(tmp_path / "b"),
               "-object", f"memory-backend-file,id=hostmem,mem-path={shm},size=1M,share=on",
               "-device", "ivshmem-plain,memdev=hostmem")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " PASS - test_ivshmem_plain in " in done.stdout
    assert " PASS - test_quit_kernel in " in done.stdout
    assert done.stdout.endswith("PROJECT EXECUTION SUCCESSFUL\n")
    assert shm.read_bytes()[:4] == (8108).to_bytes(4, "little")


def test_doorbell_ztest_suite_on_a_real_server(tmp_path):
    build("tests/drivers/virtualization/ivshmem/doorbell", tmp_path / "b")
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        done = zpy("run", "-d", str(tmp_path / "b"), "-chardev", f"socket,path={sock},id=ivshmem")
    assert done.returncode == 0, done.stdout + done.stderr
    for test in ("test_doorbell_bad_vector", "test_doorbell_device_ready",
                 "test_doorbell_self_notify"):
        assert f" PASS - {test} in " in done.stdout
    assert done.stdout.endswith("PROJECT EXECUTION SUCCESSFUL\n")


def test_doorbell_sample_with_write_shared_memory_and_client(tmp_path):
    """Zephyr's README flow: server, VM, write_shared_memory.sh, ivshmem-client `int 0 0`."""
    sample = ZEPHYR_BASE / "samples/drivers/virtualization/ivshmem/doorbell"
    build(sample, tmp_path / "b")
    with ivshmem_server(tmp_path, size="4M", vectors=2) as (sock, shm):
        vm = subprocess.Popen(zpy_cmd("run", "-d", str(tmp_path / "b"), "-chardev",
                                      f"socket,path={sock},id=ivshmem"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert vm.stdout is not None
            assert vm.stdout.readline() == BANNER
            assert vm.stdout.readline() == \
                "Use write_shared_memory.sh and ivshmem-client to send a message\n"
            wait_for_path(Path("/dev/shm") / shm)
            subprocess.run([str(sample / "write_shared_memory.sh"), "-l", f"/dev/shm/{shm}",
                            "-m", "hello world"], check=True, timeout=10)
            client = zpy("ivshmem-client", "-S", str(sock), "--once", input="int 0 0\n",
                         timeout=20)
            assert client.returncode == 0, client.stdout + client.stderr
            assert vm.stdout.readline() == "received IRQ and full message: hello world\n"
        finally:
            vm.terminate()
            vm.wait(5)


def test_two_vm_demo(tmp_path):
    done = subprocess.run([*zpy_cmd()[:-1], "zpy.demo", "--rounds", "3", "--build-dir",
                           str(tmp_path / "demo")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert '[vm-a] VM 0: received "hello from VM 1" on vector 0' in out
    for n in (1, 2, 3):
        assert f'[vm-b] VM 1: received "ping {n}" on vector 1' in out
        assert f'[vm-a] VM 0: received "pong {n}" on vector 0' in out
    assert "[vm-a] VM 0: done after 3 round trips" in out
    assert "[vm-b] VM 1: done after 3 round trips" in out
    assert "== demo done: VM exit statuses [0, 0]" in out


BLINK_APP = "samples/drivers/blink/app"


def test_blink_teaching_sample(tmp_path):
    """The example-application layout: the app built with its module, as its README says."""
    done = build(BLINK_APP, tmp_path / "b", "-DZEPHYR_EXTRA_MODULES=..")
    assert f"-- Including module: blink in path: {ZEPHYR_BASE}/samples/drivers/blink\n" \
        in done.stdout
    assert "Linking image: 3 modules (1 zpy, 1 from modules, 1 app)" in done.stdout
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("<inf> blink_console: led0: blinking every 100 ms")
    assert lines[1:5] == [BANNER.strip(), "blink_led is ready: led0",
                          "led1 has no device (its status is disabled)", "too fast: -22"]
    assert lines[-1] == "done: led0 off"
    toggles = [line for line in lines if line.startswith("[led0] ")]
    assert len(toggles) >= 4


def test_irq_offload_without_config_irq_offload_is_a_link_error(tmp_path):
    """C would not link; zpy says so at the call, in one line naming it, and the run fails.
    With the option set, the same source runs the ISR."""
    offload = ("from zpy.kernel import *\n\ndef isr(arg):\n    printk('isr %s\\n', arg)\n\n"
               "def main():\n    irq_offload(isr, 'runs')\n    printk('after\\n')\n    return 0\n")
    build(app(tmp_path, offload, "CONFIG_TEST=y\n"), tmp_path / "b")  # IRQ_OFFLOAD needs TEST
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 1
    assert done.stdout.splitlines()[1:] == [
        ">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (thread 'main'): LinkError: undefined "
        "reference to `irq_offload' (enable CONFIG_IRQ_OFFLOAD) at "
        f"{tmp_path / 'app/src/main.py'}:7 in main()", "Halting system"]
    assert "Traceback" not in done.stdout + done.stderr
    build(tmp_path / "app", tmp_path / "on", "-DCONFIG_IRQ_OFFLOAD=y")
    done = zpy("run", "-d", str(tmp_path / "on"))
    assert (done.returncode, done.stdout) == (0, BANNER + "isr runs\nafter\n")


def test_disabled_node_has_no_device_a_link_error(tmp_path):
    overlay = tmp_path / "off.overlay"
    overlay.write_text('&blink_led { status = "disabled"; };\n')
    build(BLINK_APP, tmp_path / "b", f"-DEXTRA_DTC_OVERLAY_FILE={overlay}",
          "-DZEPHYR_EXTRA_MODULES=..")
    assert "CONFIG_BLINK_CONSOLE" not in (tmp_path / "b/zephyr/.config").read_text()
    image = json.loads((tmp_path / "b/zephyr/image.json").read_text())
    assert image["module_sources"] == []  # the driver's Kconfig option is off: not linked
    done = zpy("run", "-d", str(tmp_path / "b"))
    assert done.returncode == 1
    assert "LinkError: undefined reference to `__device_dts_ord_" in done.stdout
    assert "samples/drivers/blink/app/src/main.py:12 in main()" in done.stdout
