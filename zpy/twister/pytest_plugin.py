"""pytest plugin for the pytest harness: `dut` and `shell` fixtures over `zpy run`.

In the style of Zephyr's pytest-twister-harness. twister runs

    python -m pytest <pytest_root> -p zpy.twister.pytest_plugin --build-dir=BUILD ...

and a test asks for a device:

    def test_hello(dut):
        dut.readlines_until(regex="Hello World", timeout=5)

    def test_version(shell):
        lines = shell.exec_command("kernel version")
        assert any("Zephyr version" in line for line in lines)

`dut` boots `zpy run -d BUILD` (plus the sidecar's machine options, given as
--zpy-run-arg) and stops it after the test (or the --dut-scope); `shell` waits
for the "uart:~$ " prompt first. `image` links the build in the test's own
process instead, for tests that drive emulated devices from inside the image
(zpy.twister.inprocess). The same command line works by hand after a
`zpy build`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal, cast

import pytest

from zpy.twister.dut import DeviceAdapter, Shell
from zpy.twister.inprocess import InProcessImage
from zpy.twister.sidecar import zpy_command


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zpy twister harness")
    group.addoption("--build-dir", metavar="DIR", help="the zpy build folder to run")
    group.addoption("--base-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="timeout of the scenario (default: 60)")
    group.addoption("--platform", default="qemu_x86_64", help="the platform name")
    group.addoption("--zpy-run-arg", action="append", default=[], metavar="ARG",
                    help="one more argument for zpy run (repeatable)")
    group.addoption("--twister-fixture", action="append", default=[], metavar="FIXTURE",
                    help="a fixture twister was given with --fixture")
    group.addoption("--dut-scope", default="function",
                    choices=("function", "class", "module", "package", "session"),
                    help="how long one booted VM lives (default: function)")


Scope = Literal["session", "package", "module", "class", "function"]


def _dut_scope(fixture_name: str, config: pytest.Config) -> Scope:
    return cast(Scope, config.getoption("--dut-scope"))


def make_dut(config: pytest.Config) -> DeviceAdapter:
    build_dir = config.getoption("--build-dir")
    if not build_dir:
        raise pytest.UsageError("the dut fixture needs --build-dir (a zpy build folder)")
    path = Path(build_dir)
    cmd = zpy_command("run", "-d", str(path), *config.getoption("--zpy-run-arg"))
    return DeviceAdapter(cmd, path / "handler.log")


@pytest.fixture(scope=_dut_scope)
def dut(request: pytest.FixtureRequest) -> Iterator[DeviceAdapter]:
    """The VM of the build, booted; stopped (SIGTERM) after the test."""
    device = make_dut(request.config)
    device.launch()
    try:
        yield device
    finally:
        device.close()


@pytest.fixture(scope=_dut_scope)
def shell(dut: DeviceAdapter, request: pytest.FixtureRequest) -> Shell:
    """The Zephyr shell of the VM, at its prompt."""
    sh = Shell(dut, timeout=float(request.config.getoption("--base-timeout")))
    if not sh.wait_for_prompt():
        pytest.fail(f"Prompt '{sh.prompt.strip()}' not found")
    return sh


@pytest.fixture
def image(request: pytest.FixtureRequest) -> Iterator[InProcessImage]:
    """The build's image linked in this process, not booted: image.run(tester) boots it with
    tester() as one of its threads (virtual time)."""
    build_dir = request.config.getoption("--build-dir")
    if not build_dir:
        raise pytest.UsageError("the image fixture needs --build-dir (a zpy build folder)")
    linked = InProcessImage(build_dir)
    try:
        yield linked
    finally:
        linked.close()


@pytest.fixture(scope="session")
def twister_fixtures(request: pytest.FixtureRequest) -> list[str]:
    """The fixtures given to twister (--fixture)."""
    return list(request.config.getoption("--twister-fixture"))
