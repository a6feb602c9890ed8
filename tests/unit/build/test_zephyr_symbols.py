"""Zephyr's Kconfig symbols configure: tests/kconfig/zephyr_symbols sets them all.

That app's prj.conf (SMP and user mode), its prj_*.conf files and the
extra_configs of its testcase.yaml together set every user-settable symbol of
zpy's Zephyr-path Kconfig files, so a symbol added there without being set in
the app fails test_every_symbol_is_set_by_the_app. Each configuration must
build without a single warning: every value takes. Undefined symbols stay an
error naming the fragment's file and line, as in Zephyr.
"""

from __future__ import annotations

import re
from pathlib import Path

import kconfiglib
import pytest
import yaml

from zpy.build import kconfig
from zpy.cli.main import main

from .conftest import do_build

APP = Path(__file__).parents[2] / "kconfig" / "zephyr_symbols"
KERNEL_MD = Path(__file__).parents[3] / "docs" / "kernel.md"
NO_EFFECT = "No effect in zpy"

#: Kconfig files whose symbols belong to other tests (the shell's, ivshmem's, ...).
ELSEWHERE = ("subsys/shell/", "drivers/pcie/", "drivers/ipm/", "drivers/virtualization/",
             "drivers/blink/", "drivers/gpio/", "drivers/i2c/", "subsys/emul/")

#: Symbols with a prompt that qemu_x86_64 never shows, as on Zephyr, with the reason.
UNREACHABLE = {
    "MULTITHREADING": "x86-64 lacks ARCH_HAS_SINGLE_THREAD_SUPPORT",
    "HW_STACK_PROTECTION": "no ARCH_HAS_STACK_PROTECTION",
    "TEST_HW_STACK_PROTECTION": "no ARCH_HAS_STACK_PROTECTION",
    "EXECUTE_XOR_WRITE": "no ARCH_HAS_EXECUTABLE_PAGE_BIT",
    "MPU": "the CPU has an MMU, not an MPU",
    "FPU": "no CPU_HAS_FPU",
    "FPU_SHARING": "no CPU_HAS_FPU",
    "DEMAND_PAGING": "x86-64 lacks ARCH_HAS_DEMAND_PAGING",
    "LOG_FRONTEND_ONLY": "only with LOG_FRONTEND, which leaves no backend to test with",
    "UART_ASYNC_API": "the ns16550 lacks SERIAL_SUPPORT_ASYNC",
    "ENTROPY_DEVICE_RANDOM_GENERATOR": "no entropy driver (ENTROPY_HAS_DRIVER)",
    "EXTERNAL_LIBC": "a fourth libc choice member; one per configuration is enough",
    "DYNAMIC_THREAD_PREFER_POOL": "the other member of a two-member choice",
    "STACK_CANARIES": "chosen in prj.conf; the test keys on names, STRONG/ALL elsewhere",
    "PM": "no HAS_PM: the board has no power states",
    "ISR_TABLES_LOCAL_DECLARATION": "x86 lacks ISR_TABLES_LOCAL_DECLARATION_SUPPORTED",
    "LTO": "GEN_ISR_TABLES (set here) rules it out without ISR_TABLES_LOCAL_DECLARATION",
}
_LOG_LEVEL_MEMBER = re.compile(r"_LOG_LEVEL_(OFF|ERR|WRN|INF|DBG|DEFAULT)$")
_ASSIGNMENT = re.compile(r"^CONFIG_(\w+)=")


def assigned(lines: list[str]) -> set[str]:
    return {m.group(1) for line in lines if (m := _ASSIGNMENT.match(line.strip()))}


def scenarios() -> dict[str, dict]:
    return yaml.safe_load((APP / "testcase.yaml").read_text())["tests"]


def configurations() -> list[tuple[str, list[str]]]:
    """(name, extra `zpy build -- ...` args) of each scenario."""
    out = []
    for name, sc in scenarios().items():
        args = [f"-D{a}" for a in ([sc["extra_args"]] if "extra_args" in sc else [])]
        args += [f"-D{c}" for c in sc.get("extra_configs", [])]
        out.append((name, args))
    return out


@pytest.fixture(scope="module")
def kconf(base: Path) -> kconfiglib.Kconfig:
    """The whole tree, as a build for the board parses it (no devicetree)."""
    setup = kconfig.KconfigSetup(base / "Kconfig", base, {
        "BOARD": "qemu_x86_64", "BOARD_DIR": str(base / "boards/qemu_x86_64"),
        "KCONFIG_BINARY_DIR": str(base / "nonexistent")})
    with kconfig.kconfig_session(setup, None):
        return kconfig.parse(setup)


def test_every_symbol_is_set_by_the_app(kconf: kconfiglib.Kconfig) -> None:
    settable = {
        sym.name for sym in kconf.unique_defined_syms
        if any(node.prompt and not node.filename.startswith(ELSEWHERE) for node in sym.nodes)
    }
    covered = assigned((APP / "prj.conf").read_text().splitlines())
    for conf in APP.glob("prj_*.conf"):
        covered |= assigned(conf.read_text().splitlines())
    for sc in scenarios().values():
        covered |= assigned(sc.get("extra_configs", []))
    missing = {name for name in settable - covered - UNREACHABLE.keys()
               if not _LOG_LEVEL_MEMBER.search(name)}
    assert not missing
    assert not UNREACHABLE.keys() - settable  # no stale entries
    assert len(settable) > 250


@pytest.mark.parametrize(("name", "args"), configurations(), ids=lambda v: str(v))
def test_each_configuration_builds_without_a_warning(tmp_path: Path, name: str,
                                                     args: list[str]) -> None:
    built = do_build(APP, tmp_path / "build", args)
    assert built.warnings == []
    config = built.config()
    assert "CONFIG_ZTEST=y" in config


@pytest.mark.parametrize(("line", "symbol"), [
    ("CONFIG_SCHED_CPU_MASKS=y", "SCHED_CPU_MASKS"),  # a typo of a symbol this work added
    ("CONFIG_SYS_LOG=y", "SYS_LOG"),  # set by very old Zephyr apps; Zephyr 4.1 lacks it
])
def test_undefined_symbol_is_still_an_error_naming_conf_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, symbol: str) -> None:
    extra = tmp_path / "extra.conf"
    extra.write_text(f"CONFIG_POLL=y\n{line}\n")
    status = main(["build", "-b", "qemu_x86_64", "-d", str(tmp_path / "build"), str(APP),
                   "--", f"-DEXTRA_CONF_FILE={extra}"])
    err = capsys.readouterr().err
    assert status != 0
    assert (f"{extra}:2: warning: attempt to assign the value 'y' to the undefined symbol "
            f"{symbol}") in err
    assert err.rstrip().endswith("error: Aborting due to Kconfig warnings")


def test_no_effect_symbols_are_the_ones_kernel_md_lists(kconf: kconfiglib.Kconfig) -> None:
    """Each symbol whose help says it has no effect is in docs/kernel.md's table, at its file."""
    in_help = {(node.filename, sym.name) for sym in kconf.unique_defined_syms
               for node in sym.nodes if node.help and NO_EFFECT in " ".join(node.help.split())}
    text = KERNEL_MD.read_text()
    section = text[text.index("## Kconfig symbols accepted with no effect in zpy"):]
    in_doc = {(m.group(1), name.strip())
              for m in re.finditer(r"^\| `([^`]+)` \| ([^|]+) \|$", section, re.M)
              for name in m.group(2).split(",")}
    assert in_doc == in_help
    assert len(in_help) > 150
