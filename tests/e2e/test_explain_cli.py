"""`zpy explain` as a user runs it, on real builds of the samples: a symbol a -D option asked
for in vain, the fix it proposes (applied, and then true), a device before and after
`zpy run`, --json, and one-line errors for names it does not know."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .runner import ZEPHYR_BASE, build, zpy

HELLO = "samples/hello_world"
#: the doorbell sample's overlay: an ivshmem node under the board's PCIe
IVSHMEM_OVERLAY = ZEPHYR_BASE / "samples/drivers/virtualization/ivshmem/doorbell/app.overlay"


def explain(*args: str) -> str:
    done = zpy("explain", *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.fixture(scope="module")
def asked_in_vain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hello World with -DCONFIG_IVSHMEM=y alone: its dependencies are off."""
    out = tmp_path_factory.mktemp("explain") / "ivshmem-off"
    build(HELLO, out, "-DCONFIG_IVSHMEM=y")
    return out


@pytest.fixture(scope="module")
def ivshmem_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hello World with an ivshmem node and its driver, logging on."""
    out = tmp_path_factory.mktemp("explain") / "ivshmem"
    build(HELLO, out, f"-DDTC_OVERLAY_FILE={IVSHMEM_OVERLAY}", "-DCONFIG_PCIE=y",
          "-DCONFIG_VIRTUALIZATION=y", "-DCONFIG_IVSHMEM=y", "-DCONFIG_LOG=y")
    return out


def test_a_symbol_asked_for_in_vain_and_the_fix_it_proposes(asked_in_vain: Path) -> None:
    text = explain("-d", str(asked_in_vain), "CONFIG_IVSHMEM")
    lines = text.splitlines()
    assert lines[0] == "CONFIG_IVSHMEM=n"
    assert "  asked for:   y, by -DCONFIG_IVSHMEM=y on the command line, which has no effect: " \
        "its dependencies are not met" in lines
    assert "  value from:  its dependencies are not met, so it is n" in lines
    unmet = [line.split("depends on ")[1].split(" (=")[0] for line in lines
             if "depends on" in line]
    assert sorted(unmet) == ["PCIE", "VIRTUALIZATION"]
    i = lines.index("  smallest change, checked with kconfiglib (gives CONFIG_IVSHMEM=y):")
    fix = lines[i + 1:]
    assert sorted(fix) == ["    add -DCONFIG_PCIE=y to the zpy build command line",
                           "    add -DCONFIG_VIRTUALIZATION=y to the zpy build command line"]

    # the fix, applied for real, gives the value
    build(HELLO, asked_in_vain, "-DCONFIG_IVSHMEM=y", "-DCONFIG_PCIE=y",
          "-DCONFIG_VIRTUALIZATION=y")
    assert explain("-d", str(asked_in_vain), "CONFIG_IVSHMEM").splitlines()[0] == \
        "CONFIG_IVSHMEM=y"


def test_json_for_tools(ivshmem_build: Path) -> None:
    d = json.loads(explain("-d", str(ivshmem_build), "--json", "CONFIG_IVSHMEM"))
    assert (d["kind"], d["name"], d["value"], d["differs"]) == ("symbol", "CONFIG_IVSHMEM", "y",
                                                                False)
    assert d["origin"]["kind"] == "assigned"
    assert d["asked"]["source"] == "-D"


def test_a_device_before_and_after_a_run(ivshmem_build: Path) -> None:
    before = explain("-d", str(ivshmem_build), "ivshmem0").splitlines()
    assert before[0] == "/ivhsmem/ivshmem (ivshmem0)"
    assert '  compatible:  "qemu,ivshmem"' in before
    driver = next(line for line in before if line.startswith("  driver:"))
    assert re.fullmatch(r'  driver: +\S*zpy/drivers/ivshmem/virt_ivshmem\.py:\d+ '
                        r'\(DT_DRV_COMPAT "qemu_ivshmem"\), in the image', driver), driver
    init = next(line for line in before if line.startswith("  init:"))
    assert init.startswith("  init:        ivshmem_init() at ") and "POST_KERNEL" in init
    assert before[-1] == "  state:       not run yet: zpy run records it in the build folder"

    # no ivshmem device plugged in: the driver's init fails, and says why in its log
    run = zpy("run", "-nodefaults", "-d", str(ivshmem_build))
    assert run.returncode == 0, run.stderr
    assert json.loads((ivshmem_build / "zephyr/devices.json").read_text())["booted"] is True
    after = explain("-d", str(ivshmem_build), "/ivhsmem/ivshmem").splitlines()
    assert after[-2:] == [
        "  state:       not ready, at the end of the last zpy run: init returned -ENOTSUP "
        "(-134)",
        "               the driver logged: <wrn> ivshmem: ivshmem device not found"]
    uart = explain("-d", str(ivshmem_build), "uart0").splitlines()
    assert uart[-1] == "  state:       ready, at the end of the last zpy run"


def test_a_driver_kept_out_by_kconfig(tmp_path: Path) -> None:
    out = tmp_path / "no-driver"
    build(HELLO, out, f"-DDTC_OVERLAY_FILE={IVSHMEM_OVERLAY}")
    lines = explain("-d", str(out), "ivshmem0").splitlines()
    assert "  device:      none: no driver in the image defines one for this node" in lines
    assert any(line.startswith("               not in the image: CONFIG_VIRTUALIZATION=n")
               for line in lines)
    assert "  CONFIG_VIRTUALIZATION=n" in lines
    assert "    smallest change, checked with kconfiglib (gives CONFIG_VIRTUALIZATION=y):" in lines


@pytest.mark.parametrize(("name", "message", "nearest"), [
    ("CONFIG_IVSHMEN", "error: CONFIG_IVSHMEN is not a Kconfig symbol of {build}",
     "CONFIG_IVSHMEM"),
    ("ivshmem1", "error: ivshmem1 is neither a node label nor a Kconfig symbol of {build}",
     "ivshmem0"),
    ("/ivhsmem/ivshmen", "error: no devicetree node /ivhsmem/ivshmen in {build}",
     "/ivhsmem/ivshmem"),
])
def test_unknown_names(ivshmem_build: Path, name: str, message: str, nearest: str) -> None:
    done = zpy("explain", "-d", str(ivshmem_build), name)
    assert done.returncode == 1
    assert done.stdout == ""
    head, _, suggestions = done.stderr.partition(" (did you mean ")
    assert head == message.format(build=ivshmem_build)
    assert nearest in suggestions.removesuffix("?)\n").split(", ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
