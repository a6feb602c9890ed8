"""A build's image run inside the test process, for tests that play the world around it.

`dut` (zpy.twister.dut) boots `zpy run` in a subprocess and talks to its
console, as a test talks to a board. A board's buttons, sensors and wires are
not on its console: with emulated devices a test drives them through their
emulators' backend API (gpio_emul_input_set, an I2C emulator's setters), and
those calls belong inside the image. InProcessImage links the build in this
process and adds the test's own code to it as a Zephyr thread:

    def test_press(image):
        def press():                           # runs as a thread of the image
            button = GPIO_DT_SPEC_GET(DT_ALIAS("sw0"), "gpios")
            image.wait_console("Press the button")
            gpio_emul_input_set(button.port, button.pin, 1)
        image.run(press)                       # boots; returns when press() returns
        assert "Button pressed" in image.console_text()

Time is virtual (as `zpy run --no-rt`): waiting in the thread (k_msleep,
wait_console) costs no real time and the run is deterministic on one CPU.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, cast

from zpy.kernel import K_THREAD_DEFINE, k_msleep
from zpy.runtime import Runtime

#: the tester thread's priority: it preempts the app's threads (as a test stimulus would)
TESTER_PRIORITY = -1


class _Console(io.RawIOBase):
    """The image's console output, kept in memory (thread-safe)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        with self._lock:
            self._buf += bytes(b)
        return len(b)

    def text(self) -> str:
        with self._lock:
            return self._buf.decode(errors="replace")


class InProcessImage:
    """The image of a build folder, linked here and not yet booted."""

    def __init__(self, build_dir: Path | str) -> None:
        self._console = _Console()
        self.runtime = Runtime(build_dir, console_out=cast(BinaryIO, self._console),
                               real_time=False)
        self.error: BaseException | None = None

    def console_text(self) -> str:
        return self._console.text()

    def wait_console(self, text: str, timeout_ms: int = 10_000) -> None:
        """From the tester thread: wait (in virtual time) until the console shows `text`."""
        waited = 0
        while text not in self._console.text():
            if waited >= timeout_ms:
                raise AssertionError(f"{text!r} not on the console after {timeout_ms} ms:\n"
                                     f"{self._console.text()}")
            k_msleep(1)
            waited += 1

    def run(self, tester: Callable[[], Any], timeout: float = 60.0) -> int:
        """Boot with tester() as a thread of the image; the run ends when it returns (or the
        image ends first). An exception in tester() is re-raised here."""
        kernel = self.runtime.kernel

        def entry(p1: Any, p2: Any, p3: Any) -> None:
            try:
                tester()
            except BaseException as e:  # reported by run(), in the test's own thread
                self.error = e
            kernel.halt(0)

        with kernel.context():
            K_THREAD_DEFINE("tester", 4096, entry, None, None, None, TESTER_PRIORITY, 0, 0)
        self.runtime.start()
        status = self.runtime.wait(timeout)
        if status is None:
            self.runtime.stop(1)
            raise TimeoutError(f"the image ran for {timeout} s without the tester returning")
        if self.error is not None:
            raise self.error
        return status

    def close(self) -> None:
        self.runtime.close()
