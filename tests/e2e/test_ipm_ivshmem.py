"""The IPM-over-ivshmem sample as a user runs it: two `zpy run` VMs on one `zpy ivshmem-server`;
and an IPM node whose ivshmem phandle points at a disabled node, which fails the link."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from . import console
from .runner import build, ivshmem_server, zpy, zpy_cmd

SAMPLE = "samples/drivers/ipm/ipm_ivshmem"
BANNER = "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***\n"


def read_until(proc: subprocess.Popen[bytes], needle: str, timeout: float = 20) -> str:
    """The VM's console up to `needle`, ANSI colours and CRs removed (a prompt has no newline
    after it, so this reads what arrives, not lines)."""
    assert proc.stdout is not None
    text = console.read_until(proc.stdout.fileno(), needle, timeout)
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text).replace("\r", "")


def start_vm(build_dir: Path, sock: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(zpy_cmd("run", "-d", str(build_dir), "-chardev",
                                    f"socket,path={sock},id=ivshmem"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0)


def type_line(proc: subprocess.Popen[bytes], text: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(text.encode() + b"\n")


def test_one_vms_ipm_send_reaches_the_other_vms_callback(tmp_path):
    build(SAMPLE, tmp_path / "b")
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        rx = start_vm(tmp_path / "b", sock)
        tx = None
        try:
            read_until(rx, "uart:~$")
            tx = start_vm(tmp_path / "b", sock)
            read_until(tx, "uart:~$")
            type_line(tx, "ivshmem")
            assert "Peer id: 1\n" in read_until(tx, "Notification vectors:")
            type_line(tx, "ivshmem_ipm_send 0")
            read_until(rx, "Received IPM notification over IVSHMEM")
            type_line(tx, "ivshmem_ipm_send nope")
            assert "Invalid peer id: nope" in read_until(tx, "Invalid peer id")
        finally:
            for proc in (tx, rx):
                if proc is not None:
                    proc.terminate()
                    proc.wait(5)
    assert rx.returncode == 128 + 15  # stopped by SIGTERM, as a user's Ctrl-C would


def test_phandle_to_a_disabled_ivshmem_node_is_a_link_error(tmp_path):
    overlay = tmp_path / "disable.overlay"
    overlay.write_text('&ivshmem0 {\n\tstatus = "disabled";\n};\n')
    # without the ivshmem shell module, whose DEVICE_DT_GET_ONE would fail the link first
    build(SAMPLE, tmp_path / "b", f"-DEXTRA_DTC_OVERLAY_FILE={overlay}", "-DCONFIG_IVSHMEM_SHELL=n")
    done = zpy("run", "-d", str(tmp_path / "b"), "-nodefaults")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(str(Path(__file__).parents[2] / "zpy/drivers/ipm/ipm_ivshmem.py"))
    assert "error: linking zpy.drivers.ipm.ipm_ivshmem: LinkError: undefined reference to " \
           "`__device_dts_ord_4' (node /ivhsmem/ivshmem: no enabled driver defines a device " \
           "for it" in lines[0]
