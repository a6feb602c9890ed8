"""ivshmem-v2 end to end: zpy VMs on `zpy ivshmem2-server`, as separate processes.

The handshake sample between two VMs, the v2 ztest suite, three peers watching
each other's states, a peer that leaves and comes back, INTx without MSI-X, a
write to a read-only section, and the bad inputs: too many peers for the build
or for the server, a protocol the devicetree does not accept.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .runner import ZEPHYR_BASE, build, wait_for_path, zpy, zpy_cmd

APPS = Path(__file__).parent / "apps"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("v2-builds")
    out = {
        "handshake": ZEPHYR_BASE / "samples/drivers/virtualization/ivshmem/v2_handshake",
        "ztest": ZEPHYR_BASE / "tests/drivers/virtualization/ivshmem/v2",
        "states": APPS / "v2_states",
        "fault": APPS / "v2_fault",
    }
    dirs = {}
    for name, app in out.items():
        build(app, root / name)
        dirs[name] = root / name
    build(APPS / "v2_intx", root / "intx", f"-DEXTRA_DTC_OVERLAY_FILE={APPS / 'v2_intx/intx.overlay'}")
    dirs["intx"] = root / "intx"
    build(APPS / "v2_fault", root / "net_only",
          f"-DEXTRA_DTC_OVERLAY_FILE={APPS / 'v2_fault/protocol_net.overlay'}")
    dirs["net_only"] = root / "net_only"
    return dirs


@contextmanager
def v2_server(tmp: Path, *args: str) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    sock = tmp / "v2.sock"
    proc = subprocess.Popen(zpy_cmd("ivshmem2-server", "-F", "-S", str(sock), "-m", str(tmp),
                                    *args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_path(sock)
        yield sock, proc
    finally:
        proc.terminate()
        proc.wait(10)


def vm(build_dir: Path, sock: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(zpy_cmd("run", "-d", str(build_dir), "-chardev",
                                    f"socket,path={sock},id=ivshmem", *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def line(proc: subprocess.Popen[str]) -> str:
    """The VM's next line that is not a log line ("[00:00:00.001,234] <inf> ...")."""
    assert proc.stdout is not None
    while True:
        text = proc.stdout.readline()
        if not (text.startswith("[") and "] <" in text):
            return text


def run(build_dir: Path, sock: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(zpy_cmd("run", "-d", str(build_dir), "-chardev",
                                  f"socket,path={sock},id=ivshmem", *extra),
                          capture_output=True, text=True, timeout=60)


def test_handshake_sample_two_vms(builds, tmp_path):
    with v2_server(tmp_path, "-l", "64K", "-o", "16K", "-n", "2", "-V", "2") as (sock, _):
        a = vm(builds["handshake"], sock)
        b = vm(builds["handshake"], sock)
        outs = [p.communicate(timeout=60) for p in (a, b)]
    for proc, (out, err) in zip((a, b), outs, strict=True):
        assert proc.returncode == 0, out + err
        lines = [x for x in out.splitlines() if "<inf>" not in x]
        peer = lines[1].split()[1]
        assert lines[1] == (f"peer {peer} of 2: protocol 0x0000, R/W section 28672 bytes, "
                            "output sections 16384 bytes")
        assert lines[2:] == [f"peer {peer}: RESET -> INIT", f"peer {peer}: INIT -> READY",
                             f"peer {peer}: READY -> RUN",
                             f"peer {peer}: RUN: sent 20 blocks, received 20 blocks, all intact"]
    assert {o.splitlines()[-1].split()[1] for o, _ in outs} == {"0:", "1:"}


def test_v2_ztest_suite(builds, tmp_path):
    with v2_server(tmp_path, "-l", "64K", "-o", "8K", "-n", "3", "-V", "2") as (sock, _):
        done = run(builds["ztest"], sock)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUITE PASS - 100.00% [ivshmem_v2]: pass = 6, fail = 0, skip = 0, total = 6" in done.stdout


def test_three_peers_states_and_a_peer_that_comes_back(builds, tmp_path):
    with v2_server(tmp_path, "-l", "64K", "-o", "4K", "-n", "3", "-V", "2") as (sock, server):
        p0 = vm(builds["states"], sock)
        assert line(p0) == "peer 0 up: 100 0 0\n"
        p1 = vm(builds["states"], sock)
        assert line(p1) == "peer 1 up: 100 101 0\n"
        assert line(p0) == "peer 0 sees: 100 101 0\n"
        p2 = vm(builds["states"], sock)
        assert line(p2) == "peer 2 up: 100 101 102\n"
        assert line(p0) == "peer 0 sees: 100 101 102\n"
        assert line(p1) == "peer 1 sees: 100 101 102\n"
        # peer 1 leaves: the server zeroes its state and the others are interrupted
        p1.terminate()
        assert p1.wait(5) == 128 + 15
        assert line(p0) == "peer 0 sees: 100 0 102\n"
        assert line(p2) == "peer 2 sees: 100 0 102\n"
        # a newcomer gets the lowest free ID: 1 again
        p1 = vm(builds["states"], sock)
        assert line(p1) == "peer 1 up: 100 101 102\n"
        assert line(p0) == "peer 0 sees: 100 101 102\n"
        # a fourth peer is refused: the server has room for 3
        refused = run(builds["states"], sock)
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1 and refused.stderr.startswith(f"{sock}: error: ")
        for p in (p0, p1, p2):
            p.terminate()
            p.wait(5)


def test_intx_without_msix(builds, tmp_path):
    with v2_server(tmp_path, "-l", "64K", "-o", "4K", "-n", "2", "-V", "1") as (sock, _):
        done = run(builds["intx"], sock, "-nodefaults", "-chardev",
                   f"socket,path={sock},id=ivs", "-device", "ivshmem,chardev=ivs,msi=off")
    assert done.returncode == 0, done.stdout + done.stderr
    out = [x for x in done.stdout.splitlines() if "<inf>" not in x]
    assert out == ["ready 1 vectors 1", "register vector 1: -22", "poll 0 signal (1, 0)"]
    assert "Enabling INTx IRQ 17 (pin 1)" in done.stdout


def test_write_to_another_peers_section_is_a_fault(builds, tmp_path):
    with v2_server(tmp_path, "-l", "64K", "-o", "4K", "-n", "2") as (sock, _):
        done = run(builds["fault"], sock)
    assert done.returncode == 1
    out = [x for x in done.stdout.splitlines() if "<inf>" not in x]
    assert out[0] == "writing peer 1's output section"
    assert out[1].startswith(">>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0 (thread 'main'): "
                             "page fault: write to read-only memory at ")
    assert out[1].endswith("v2_fault/src/main.py:14 in main()")
    assert "not reached" not in done.stdout and "Traceback" not in done.stderr


def test_more_peers_than_the_build_allows(builds, tmp_path):
    """CONFIG_IVSHMEM_V2_MAX_PEERS=4 in the app; a server with 5 makes the device not ready."""
    with v2_server(tmp_path, "-l", "64K", "-o", "4K", "-n", "5") as (sock, _):
        done = run(builds["states"], sock)
    assert done.returncode == 1
    assert "<err> ivshmem: Invalid max peers 5" in done.stdout
    assert done.stdout.rstrip().endswith("not ready")


def test_protocol_the_devicetree_does_not_accept(builds, tmp_path):
    """The node asks for protocol 0001h (class-rev filter); the server says 0000h."""
    with v2_server(tmp_path, "-l", "64K", "-o", "4K", "-n", "2", "-P", "0") as (sock, _):
        done = run(builds["net_only"], sock)
    assert done.returncode == 1
    assert "<wrn> ivshmem: ivshmem device not found" in done.stdout


def test_server_refuses_sections_that_are_not_page_multiples(tmp_path):
    done = zpy("ivshmem2-server", "-F", "-S", str(tmp_path / "s"), "-m", str(tmp_path),
               "-l", "64K", "-o", "5000")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and "4096" in done.stderr


def test_draw_a_running_vm(builds, tmp_path):
    """`zpy run --draw DIR`: the init order with readiness, and the memory map the server gave."""
    import xml.etree.ElementTree as ET

    draw = tmp_path / "pictures"
    with v2_server(tmp_path, "-l", "64K", "-o", "8K", "-n", "3", "-V", "2") as (sock, _):
        done = run(builds["ztest"], sock, "--draw", str(draw))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"zpy: drew init-order.svg, memory-map-ivshmem0.svg in {draw}\n" in done.stderr
    init_text = " ".join(ET.parse(draw / "init-order.svg").getroot().itertext())
    assert "ivshmem" in init_text and "READY" in init_text and "pcie_init" in init_text
    map_text = " ".join(ET.parse(draw / "memory-map-ivshmem0.svg").getroot().itertext())
    for name in ("State Table", "R/W section", "Output section 0 (ours)", "Output section 1",
                 "Output section 2"):
        assert name in map_text, name
    assert "size 0x9000 (36 KiB)" in map_text  # R/W: 64K - 4K - 3 x 8K
