"""Platforms and the test plan: which scenario runs where, and twister's reasons for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from zpy.build.paths import zephyr_base
from zpy.twister import platforms
from zpy.twister.discovery import Discovery, LoadError
from zpy.twister.errors import TwisterError
from zpy.twister.instance import Status
from zpy.twister.plan import PlanOptions, make_plan, static_filters
from zpy.twister.platforms import Platform
from zpy.twister.scenario import Scenario

QEMU = Platform("qemu_x86_64", "x86", "qemu", vendor="qemu", ram=32768,
                supported=frozenset({"pcie", "ivshmem"}), simulation=("qemu",),
                testing_default=True)
ARM = Platform("qemu_cortex_a53", "arm64", "qemu", ram=65536, simulation=("qemu",))
BOARD = Platform("frdm_k64f", "arm", "mcu", vendor="nxp", ram=256,
                 supported=frozenset({"gpio"}), ignore_tags=frozenset({"slowboard"}))
KNOWN = {p.name: p for p in (QEMU, ARM, BOARD)}


def sc(ident: str = "x.y", **kw) -> Scenario:
    return Scenario(ident, Path("/app"), Path("/app/testcase.yaml"), "tests/app", **kw)


def test_the_repos_board_file():
    known = platforms.find_platforms([zephyr_base()])
    q = known["qemu_x86_64"]
    assert (q.arch, q.type, q.testing_default, q.runnable) == ("x86", "qemu", True, True)
    assert {"pcie", "ivshmem"} <= q.supported
    assert platforms.defaults(known) == [q]


def test_board_files_and_errors(tmp_path):
    folder = tmp_path / "boards" / "vnd" / "myboard"
    folder.mkdir(parents=True)
    (folder / "board.yml").write_text("board:\n  name: myboard\n")
    (folder / "myboard.yaml").write_text("identifier: myboard\narch: arm\ntype: mcu\n")
    known = platforms.find_platforms([tmp_path])
    assert list(known) == ["myboard"]
    assert not known["myboard"].runnable and not known["myboard"].testing_default
    (folder / "myboard.yaml").write_text("identifier: myboard\ntype: mcu\n")
    with pytest.raises(TwisterError) as e:
        platforms.find_platforms([tmp_path])
    assert e.value.line() == f"{folder / 'myboard.yaml'}:1: error: board 'myboard' has no 'arch'"
    with pytest.raises(TwisterError, match=r"unknown platform 'nope' \(known: "):
        platforms.select(KNOWN, ["nope"])


@pytest.mark.parametrize("kw, opts, plat, reasons", [
    ({}, {}, QEMU, []),
    ({"skip": True}, {}, QEMU, ["Skip filter"]),
    ({"tags": frozenset({"a"})}, {"tags": ["b"]}, QEMU, ["Command line testsuite tag filter"]),
    ({"tags": frozenset({"a", "b"})}, {"tags": ["b"]}, QEMU, []),
    ({"tags": frozenset({"a"})}, {"exclude_tags": ["a"]}, QEMU,
     ["Command line testsuite exclude filter"]),
    ({}, {"tests": ["other.id"]}, QEMU, ["Testsuite name filter"]),
    ({}, {"tests": ["x.y"]}, QEMU, []),
    ({}, {"tests": ["tests/app/x.y"]}, QEMU, []),
    ({"arch_allow": ("arm64",)}, {}, QEMU, ["Not in testsuite arch allow list"]),
    ({"arch_allow": ("x86", "arm64")}, {}, QEMU, []),
    ({"arch_exclude": ("x86",)}, {}, QEMU, ["In testsuite arch exclude"]),
    ({"platform_allow": ("qemu_cortex_a53",)}, {}, QEMU,
     ["Not in testsuite platform allow list"]),
    ({"platform_exclude": ("qemu_x86_64",)}, {}, QEMU, ["In testsuite platform exclude"]),
    ({"platform_type": ("mcu",)}, {}, QEMU, ["Not in testsuite platform type list"]),
    ({"vendor_allow": ("nxp",)}, {}, QEMU, ["Not in testsuite vendor allow list"]),
    ({"vendor_exclude": ("nxp",)}, {}, BOARD, ["In testsuite vendor exclude"]),
    ({"toolchain_allow": ("llvm",)}, {}, QEMU, ["Not in testsuite toolchain allow list"]),
    ({"min_ram": 512}, {}, BOARD, ["Not enough RAM"]),
    ({"depends_on": frozenset({"pcie", "gpio", "spi"})}, {}, QEMU,
     ["No hardware support for gpio, spi"]),
    ({"depends_on": frozenset({"ivshmem"})}, {}, QEMU, []),
    ({"tags": frozenset({"slowboard"})}, {}, BOARD, ["Excluded tags per platform (exclude_tags)"]),
    ({"integration_platforms": ("qemu_cortex_a53",)},
     {"integration": True, "platforms": ["qemu_x86_64"]}, QEMU,
     ["Not part of integration platforms"]),
    ({"arch_allow": ("arm",), "platform_allow": ("frdm_k64f",)}, {}, QEMU,
     ["Not in testsuite arch allow list", "Not in testsuite platform allow list"]),
])
def test_static_filters(kw, opts, plat, reasons):
    assert static_filters(sc(**kw), plat, PlanOptions(**opts)) == reasons


def plan(scenarios, errors=(), **opts):
    return make_plan(Discovery(list(scenarios), list(errors)), KNOWN,
                     PlanOptions(outdir=Path("/out"), **opts))


def test_default_platforms_and_layout():
    (inst,) = plan([sc()])
    assert inst.platform is QEMU and inst.status == Status.NONE
    assert inst.name == "tests/app/x.y"
    assert inst.build_dir == Path("/out/qemu_x86_64/tests/app/x.y")


def test_platforms_from_the_command_line_and_filters():
    a, b = plan([sc(platform_allow=("qemu_x86_64",))], platforms=["qemu_x86_64",
                                                                   "qemu_cortex_a53"])
    assert (a.platform, a.status) == (QEMU, Status.NONE)
    assert (b.platform, b.status, b.reason) == (ARM, Status.FILTER,
                                                "Not in testsuite platform allow list")


def test_scope_follows_platform_allow_and_integration_platforms():
    # without -p, a scenario for another platform is considered there (twister widens the scope)
    (only,) = plan([sc(platform_allow=("qemu_cortex_a53",))])
    assert only.platform is ARM and only.status == Status.NONE
    # integration platforms are added to the defaults
    names = [i.platform.name for i in plan([sc(integration_platforms=("qemu_cortex_a53",))])]
    assert names == ["qemu_x86_64", "qemu_cortex_a53"]
    (inst,) = plan([sc(integration_platforms=("qemu_cortex_a53",))], integration=True)
    assert inst.platform is ARM


def test_unknown_platform():
    with pytest.raises(TwisterError, match="unknown platform 'nope'"):
        plan([sc()], platforms=["nope"])


def test_load_errors_become_errored_instances():
    bad = LoadError(Path("/app/testcase.yaml"), "tests/app", "x.bad",
                    TwisterError("unknown key 'k' in scenario 'x.bad'", "/app/testcase.yaml", 4))
    broken = LoadError(Path("/b/sample.yaml"), "samples/b", None,
                       TwisterError("invalid YAML: oops", "/b/sample.yaml", 2))
    one, two = plan([], [bad, broken])
    assert (one.name, one.status, one.platform) == ("tests/app/x.bad", Status.ERROR, QEMU)
    assert one.error_line == "/app/testcase.yaml:4: error: unknown key 'k' in scenario 'x.bad'"
    assert [(tc.identifier, tc.status) for tc in one.testcases] == [("x.bad", Status.ERROR)]
    assert two.name == "samples/b/sample.yaml"
    # -s keeps a broken file's error (which scenario it held is unknown) but not other scenarios'
    (kept,) = plan([], [bad, broken], tests=["x.other"])
    assert kept.name == "samples/b/sample.yaml"


def test_extra_args_lose_their_double_quotes_as_zephyrs_twister_gives_them_to_cmake():
    from zpy.twister.builder import cmake_args

    scenario = sc(extra_args=('CONF_FILE="prj_one.conf"', "platform:qemu_x86_64:FOO=1",
                              "platform:frdm_k64f:BAR=1"))
    assert cmake_args(scenario, QEMU) == ["-DCONF_FILE=prj_one.conf", "-DFOO=1"]
