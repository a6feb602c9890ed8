"""`zpy run --view` and `python -m zpy.demo --view` in a real browser (Debian's chromium).

A VM of tests/e2e/apps/view_listener runs on a private ivshmem server with its
view served; chromium loads the page and must show the listener thread
pending in k_poll, then, after this test rings the VM, sleeping, with the
doorbells and interrupts on the timeline and the shared memory as the VM and
this test wrote it. The demo's page must show both VMs ringing each other.

The screenshots in docs/view.md are taken here:
ZPY_UPDATE_SCREENSHOTS=1 pytest tests/e2e/test_view_browser.py writes them.
"""

from __future__ import annotations

import mmap
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.e2e.browser import attr_of, chromium, text_of, wait_for
from tests.e2e.runner import ZEPHYR_BASE, build, ivshmem_server, wait_for_path, zpy_cmd
from zpy.ivshmem_host.client import PeerConnection
from zpy.pictures.memory_map import STYLES

APP = Path(__file__).parent / "apps" / "view_listener"
DOCS_IMAGES = ZEPHYR_BASE / "docs" / "images"
#: what a committed screenshot may weigh at most
SCREENSHOT_LIMIT = 200 * 1024
_URL = re.compile(r"(http://127\.0\.0\.1:\d+/)")


class Output:
    """A process's output lines, read by a thread as they come."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in iter(stream.readline, ""):
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    found = pattern.search(line)
                    if found:
                        return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line matching {pattern.pattern!r} within "
                                         f"{timeout} s:\n{''.join(self.lines)}")
                self._changed.wait(left)


def _screenshot(driver, tmp_path: Path, name: str,  # type: ignore[no-untyped-def]
                top: str | None = None) -> None:
    """With ZPY_UPDATE_SCREENSHOTS=1, the page's screenshot (from its top or from the
    element `top` on) into docs/images. Only then: a busy page on a loaded machine (CI's,
    with the other test workers and the VMs) can keep chromium's renderer from answering
    a screenshot at all, and what the tests check is the page's content."""
    if not os.environ.get("ZPY_UPDATE_SCREENSHOTS"):
        return
    if top is None:
        driver.execute_script("window.scrollTo(0, 0)")
    else:
        driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", top)
    png = _png(driver)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    (tmp_path / name).write_bytes(png)
    (DOCS_IMAGES / name).write_bytes(png)


def _png(driver) -> bytes:  # type: ignore[no-untyped-def]
    """The page as PNG. Chromium's renderer answers within 10 s or chromedriver gives up;
    on a machine as loaded as CI's (other test workers, the VMs), ask again."""
    from selenium.common.exceptions import TimeoutException

    for _ in range(2):
        try:
            return bytes(driver.get_screenshot_as_png())
        except TimeoutException:
            pass
    return bytes(driver.get_screenshot_as_png())


def _thread_cell(driver, name: str, cell: str) -> str:  # type: ignore[no-untyped-def]
    return text_of(driver, f'tr.thread[data-name="{name}"] td.{cell}')


def _peer_ready(link: PeerConnection, peer: int, vectors: int, timeout: float = 10) -> None:
    """Read the server's messages until it told us `peer`'s vectors."""
    deadline = time.monotonic() + timeout
    while len(link.peers.get(peer, ())) < vectors:
        left = deadline - time.monotonic()
        assert left > 0, f"the server did not announce peer {peer}"
        if select.select([link.fileno()], [], [], left)[0]:
            link.handle_readable()


def test_a_running_vm_in_the_browser(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build(APP, build_dir)
    with ivshmem_server(tmp_path, vectors=2) as (sock, _), chromium() as driver:
        vm = subprocess.Popen(
            zpy_cmd("run", "-d", str(build_dir), "--view",
                    "-chardev", f"socket,path={sock},id=ivshmem"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            url = Output(vm.stderr).wait_for(_URL).group(1)
            driver.get(url)

            # the listener thread waits for a doorbell, in k_poll on its signal
            wait_for(driver, "the listener pending", lambda: attr_of(
                driver, 'tr.thread[data-name="listener"] td.state', "data-state") == "pending")
            wait = _thread_cell(driver, "listener", "wait")
            assert "k_poll() on k_poll_signal doorbell (signaled 0, result 0)" in wait
            assert "src/main.py:" in wait and "k_poll(events, 1, K_FOREVER)" in wait
            assert _thread_cell(driver, "listener", "num:last-child") == "K_FOREVER"
            wait_for(driver, "the console", lambda: "listener: peer 0, waiting for a doorbell"
                     in text_of(driver, "pre.console"))
            assert "ready" in text_of(driver, 'tr.device[data-name="ivshmem"] td.state')
            assert "no doorbell or interrupt yet" in text_of(driver, "#timeline")

            with PeerConnection.open(sock) as link:
                _peer_ready(link, 0, 2)
                assert link.notify(0, 0)  # ring the VM's vector 0

                wait_for(driver, "the listener sleeping", lambda: attr_of(
                    driver, 'tr.thread[data-name="listener"] td.state',
                    "data-state") == "sleeping")
                assert "k_sleep()" in _thread_cell(driver, "listener", "wait")
                assert _thread_cell(driver, "listener", "num:last-child").endswith(" ms")
                wait_for(driver, "the doorbells on the timeline", lambda: "rang peer 0 vector 1"
                         in text_of(driver, "#events li"))
                events = text_of(driver, "#events li")
                assert "ivshmem0 was rung on vector 0" in events
                assert "ivshmem0 was rung on vector 1" in events
                assert re.search(r"interrupt 0x[0-9a-f]{2} → ISR ivshmem_doorbell\(\)", events)
                assert text_of(driver, '#counts tr[data-lane="received ivshmem0 vector 0"] '
                                       "td.num") == "1"
                assert driver.execute_script(
                    "return document.querySelectorAll('#timeline rect.received').length") >= 2

                # what the VM wrote at 0x40, then what this test writes at 0x100
                wait_for(driver, "the VM's write in the hexdump", lambda: "|rung on vector 0|"
                         in text_of(driver, '.hexdump .row[data-offset="64"]'))
                with mmap.mmap(link.shm_fd, link.shm_size) as mem:
                    mem[0x100:0x10B] = b"seen by zpy"
                wait_for(driver, "our write in the hexdump", lambda: "73 65 65 6e 20 62 79 20"
                         in text_of(driver, '.hexdump .row[data-offset="256"]'))
                assert "|seen by zpy.....|" in text_of(driver, '.hexdump .row[data-offset="256"]')
                wait_for(driver, "the log line", lambda: "<inf> listener: rung on vector 0"
                         in text_of(driver, "pre.log"))
                _screenshot(driver, tmp_path, "view-vm.png")
                _screenshot(driver, tmp_path, "view-vm-memory.png", top=".memories")

            vm.send_signal(signal.SIGTERM)
            assert vm.wait(30) == 128 + signal.SIGTERM
            wait_for(driver, "the end of the run", lambda: "ended, exit status 143"
                     in text_of(driver, ".vm .status"))
        finally:
            if vm.poll() is None:
                vm.kill()
                vm.wait()


def test_the_demo_shows_both_vms_on_one_page(tmp_path: Path) -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "zpy.demo", "--view", "--rounds", "100000", "--interval-ms",
         "200", "--build-dir", str(tmp_path / "demo")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    try:
        out = Output(demo.stdout)
        url = out.wait_for(re.compile(r"== view of both VMs on (http://\S+/)"), 120).group(1)
        with chromium() as driver:
            driver.get(url)
            wait_for(driver, "both VMs", lambda: text_of(driver, ".vm .label") == "vm-a\nvm-b")
            wait_for(driver, "vm-a ringing vm-b", lambda: "vm-a: ivshmem0 rang peer 1 vector 1"
                     in text_of(driver, "#events li"))
            wait_for(driver, "vm-b ringing vm-a", lambda: "vm-b: ivshmem0 rang peer 0 vector 0"
                     in text_of(driver, "#events li"))
            wait_for(driver, "vm-b rung", lambda: "vm-b: ivshmem0 was rung on vector 1"
                     in text_of(driver, "#events li"))
            wait_for(driver, "three round trips", lambda: int(text_of(
                driver, '#counts tr[data-vm="vm-b"][data-lane="sent ivshmem0 peer 0 vector 0"] '
                "td.num") or 0) >= 3)
            for label in ("vm-a", "vm-b"):
                threads = text_of(driver, f'.vm[data-label="{label}"] tr.thread td:first-child')
                assert "main" in threads.split("\n")
                assert "ping " in text_of(driver, f'.vm[data-label="{label}"] .hexdump') \
                    or "pong " in text_of(driver, f'.vm[data-label="{label}"] .hexdump')
            _screenshot(driver, tmp_path, "view-demo.png")
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_ivshmem_v2_memory_in_the_memory_maps_colours(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build(APP.parent / "v2_states", build_dir)
    sock = tmp_path / "v2.sock"
    server = subprocess.Popen(zpy_cmd("ivshmem2-server", "-F", "-S", str(sock), "-m",
                                      str(tmp_path), "-l", "64K", "-o", "4K", "-n", "2", "-V", "2"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    vms: list[subprocess.Popen[str]] = []
    try:
        wait_for_path(sock)
        with chromium() as driver:
            run = zpy_cmd("run", "-d", str(build_dir), "-chardev", f"socket,path={sock},id=ivshmem")
            vms.append(subprocess.Popen([*run, "--view"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True))
            driver.get(Output(vms[0].stderr).wait_for(_URL).group(1))
            buttons = wait_for(driver, "the sections", lambda: text_of(
                driver, ".memory .sections button"))
            assert buttons.split("\n") == [
                "State Table @0x0, 4 KiB", "R/W section @0x1000, 52 KiB",
                "Output section 0 (ours) @0xe000, 4 KiB", "Output section 1 @0xf000, 4 KiB"]
            first = '.hexdump .row[data-offset="0"]'
            # peer 0 published state 100 (0x64) in its entry of the state table
            wait_for(driver, "our state", lambda: text_of(driver, first).startswith(
                "0x00000000  64 00 00 00 00 00 00 00"))
            colour = driver.execute_script(
                "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor",
                first)
            assert colour == _rgb(STYLES["state-table"].fill)
            # a second peer comes: its entry changes under our eyes
            vms.append(subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for(driver, "the other peer's state", lambda: text_of(driver, first).startswith(
                "0x00000000  64 00 00 00 65 00 00 00"))
            # the page moves its window to our own output section, coloured as the picture's
            driver.execute_script("Array.from(document.querySelectorAll('.memory button'))"
                                  ".find(b => b.textContent.startsWith('Output section 0'))"
                                  ".click()")
            own = '.hexdump .row[data-offset="57344"]'
            wait_for(driver, "our output section", lambda: text_of(driver, own))
            assert driver.execute_script(
                "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor",
                own) == _rgb(STYLES["own"].fill)
    finally:
        for vm in vms:
            vm.terminate()
            vm.wait(30)
        server.terminate()
        server.wait(10)


def test_the_committed_screenshots_are_small() -> None:
    for name in ("view-vm.png", "view-vm-memory.png", "view-demo.png"):
        png = (DOCS_IMAGES / name).read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(png) <= SCREENSHOT_LIMIT, f"{name}: {len(png)} bytes"
