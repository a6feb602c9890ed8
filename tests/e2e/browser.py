"""Debian's chromium, headless, driven by selenium through Debian's chromium-driver.

Never a downloaded browser: the binaries are the system's, and a missing one
skips the test with the package to install (.ci/run installs both).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: chromium as root in a container: no sandbox, no GPU, nothing fetched from the network
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1280,840", "--hide-scrollbars"]
#: seconds a page may take to show what a test waits for
TIMEOUT = 60
#: a new browser session: tries, and seconds each may take before it is started again
START_ATTEMPTS, START_TIMEOUT = 3, 25


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium with a fresh profile, driven by selenium."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for _ in range(START_ATTEMPTS):
        profile = tempfile.mkdtemp(prefix="zpy-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in [*FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        service = Service(str(CHROMEDRIVER))
        started: dict[str, Any] = {}

        def start(service: Any = service, options: Any = options,
                  started: dict[str, Any] = started) -> None:
            try:
                started["driver"] = webdriver.Chrome(service=service, options=options)
            except Exception as e:  # given to the test's thread below
                started["error"] = e

        thread = threading.Thread(target=start, daemon=True)
        thread.start()
        thread.join(START_TIMEOUT)
        if "driver" in started:
            break
        if "error" in started:
            shutil.rmtree(profile, ignore_errors=True)
            raise started["error"]
        # a browser that never answered chromedriver (seen under a loaded suite): stop both
        service.stop()
        subprocess.run(["pkill", "-f", f"--user-data-dir={profile}"], check=False)
        thread.join(10)
        shutil.rmtree(profile, ignore_errors=True)
    else:
        raise AssertionError(f"chromium did not start a session in {START_ATTEMPTS} tries of "
                             f"{START_TIMEOUT} s")
    driver = started["driver"]
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: Any, what: str, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Poll `check()` until it returns something true; fail naming `what` (with the page's
    text) if it does not within `timeout` seconds."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.wait import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda _: check())
    except TimeoutException:
        body = driver.execute_script("return document.body.innerText")
        raise AssertionError(f"the page did not show {what} within {timeout} s; it shows:\n"
                             f"{body}") from None


def text_of(driver: Any, selector: str) -> str:
    """The text of every element matching the CSS `selector`, one per line."""
    return str(driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(e => e.textContent).join('\\n')", selector))


def attr_of(driver: Any, selector: str, attribute: str) -> str | None:
    value = driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return e ? e.getAttribute(arguments[1]) : null", selector, attribute)
    return None if value is None else str(value)
