"""The IPM-over-ivshmem sample as a user runs it: two `zpy run` VMs on one `zpy ivshmem-server`;
and an IPM node whose ivshmem phandle points at a disabled node, which fails the link."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .runner import build, ivshmem_server, zpy, zpy_cmd

SAMPLE = "samples/drivers/ipm/ipm_ivshmem"
BANNER = "*** Booting Zephyr OS build v4.1.0-zpy0.1.0 ***\n"


def test_one_vms_ipm_send_reaches_the_other_vms_callback(tmp_path):
    build(SAMPLE, tmp_path / "rx")
    build(SAMPLE, tmp_path / "tx", "-DCONFIG_IPM_IVSHMEM_SAMPLE_PEER_ID=0")
    with ivshmem_server(tmp_path, size="4K", vectors=2) as (sock, _):
        chardev = f"socket,path={sock},id=ivshmem"
        rx = subprocess.Popen(zpy_cmd("run", "-d", str(tmp_path / "rx"), "-chardev", chardev),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tx = None
        try:
            assert rx.stdout is not None
            assert rx.stdout.readline() == BANNER
            assert rx.stdout.readline() == "IPM over IVSHMEM: this VM is peer 0\n"
            tx = subprocess.Popen(zpy_cmd("run", "-d", str(tmp_path / "tx"), "-chardev", chardev),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert tx.stdout is not None
            assert tx.stdout.readline() == BANNER
            assert tx.stdout.readline() == "IPM over IVSHMEM: this VM is peer 1\n"
            assert tx.stdout.readline() == "Sent IPM notification to peer 0: 0\n"
            assert rx.stdout.readline() == "Received IPM notification over IVSHMEM\n"
        finally:
            for proc in (tx, rx):
                if proc is not None:
                    proc.terminate()
                    proc.wait(5)
    assert rx.returncode == 128 + 15  # stopped by SIGTERM, as a user's Ctrl-C would


def test_phandle_to_a_disabled_ivshmem_node_is_a_link_error(tmp_path):
    overlay = tmp_path / "disable.overlay"
    overlay.write_text('&ivshmem0 {\n\tstatus = "disabled";\n};\n')
    build(SAMPLE, tmp_path / "b", f"-DEXTRA_DTC_OVERLAY_FILE={overlay}")
    done = zpy("run", "-d", str(tmp_path / "b"), "-nodefaults")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(str(Path(__file__).parents[2] / "zpy/drivers/ipm/ipm_ivshmem.py"))
    assert "error: linking zpy.drivers.ipm.ipm_ivshmem: LinkError: undefined reference to " \
           "`__device_dts_ord_4' (node /ivhsmem/ivshmem: no enabled driver defines a device " \
           "for it" in lines[0]
