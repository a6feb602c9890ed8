"""Platforms and the test plan: which scenario runs where, and twister's reasons for the rest."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from zpy.build.paths import zephyr_base
from zpy.twister import platforms
from zpy.twister.discovery import Discovery, LoadError
from zpy.twister.errors import TwisterError
from zpy.twister.instance import Status
from zpy.twister.plan import (
    PlanOptions,
    make_plan,
    parse_subset,
    select_subset,
    static_filters,
)
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


# -- --subset and --shuffle-tests ------------------------------------------------------------


def names(instances):
    return [i.name for i in instances]


def ten_scenarios_and_more():
    """Ten scenarios to run, in an order that is not sorted, one filtered, one broken."""
    scenarios = [sc(f"x.s{n}") for n in (3, 0, 7, 1, 9, 4, 8, 2, 6, 5)] + [sc("x.skip", skip=True)]
    bad = LoadError(Path("/app/testcase.yaml"), "tests/app", "x.bad",
                    TwisterError("unknown key 'k'", "/app/testcase.yaml", 4))
    return plan(scenarios, [bad])


def test_subsets_are_consecutive_sorted_runs_the_first_ones_one_longer():
    """twister's split: 10 to run in 4 parts are 3, 3, 2, 2; errors go with part 1,
    statically filtered ones with none."""
    whole = ten_scenarios_and_more()
    parts = [select_subset(whole, n, 4) for n in range(1, 5)]
    assert names(parts[0]) == ["tests/app/x.s0", "tests/app/x.s1", "tests/app/x.s2",
                               "tests/app/x.bad"]
    assert names(parts[1]) == ["tests/app/x.s3", "tests/app/x.s4", "tests/app/x.s5"]
    assert names(parts[2]) == ["tests/app/x.s6", "tests/app/x.s7"]
    assert names(parts[3]) == ["tests/app/x.s8", "tests/app/x.s9"]
    # every instance that has work runs in exactly one part; the filtered one in none
    together = [i for part in parts for i in part]
    assert sorted(names(together)) == sorted(n for n in names(whole) if n != "tests/app/x.skip")
    assert len(set(map(id, together))) == len(together)
    # deterministic: the same part again, from a plan made again
    assert names(select_subset(ten_scenarios_and_more(), 3, 4)) == names(parts[2])
    # the whole plan as one part, and more parts than configurations
    assert len(select_subset(whole, 1, 1)) == 11
    assert names(select_subset(whole, 12, 12)) == []


@pytest.mark.parametrize("total", [0, 1, 5, 7, 16])
@pytest.mark.parametrize("sets", [1, 2, 3, 5])
def test_subsets_partition_any_plan(total, sets):
    whole = plan([sc(f"x.s{n:02}") for n in range(total)])
    parts = [names(select_subset(whole, n, sets)) for n in range(1, sets + 1)]
    assert sum(parts, []) == sorted(names(whole))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_shuffled_subsets_follow_the_seed():
    whole = ten_scenarios_and_more()
    shuffled = [names(select_subset(whole, n, 2, seed="123")) for n in (1, 2)]
    # the seed decides the order, and again the parts cover the plan once
    assert shuffled == [names(select_subset(ten_scenarios_and_more(), n, 2, seed="123"))
                        for n in (1, 2)]
    assert sorted(shuffled[0] + shuffled[1]) == sorted(
        n for n in names(whole) if n != "tests/app/x.skip")
    sorted_order = names(select_subset(whole, 1, 1))
    assert names(select_subset(whole, 1, 1, seed="123")) != sorted_order
    assert names(select_subset(whole, 1, 1, seed="124")) != names(
        select_subset(whole, 1, 1, seed="123"))
    # random.Random(seed).shuffle of the sorted plan, as twister's random.seed + shuffle
    expected = sorted(whole, key=lambda i: f"{i.platform.name}/{i.name}")
    random.Random(7).shuffle(expected)
    assert names(select_subset(whole, 1, 1, seed=7)) == [
        i.name for i in expected if i.status == Status.NONE] + ["tests/app/x.bad"]


@pytest.mark.parametrize("text, message", [
    ("1/4", None),
    ("4/4", None),
    ("x/4", "--subset x/4: Bad subset value."),
    ("1-4", "--subset 1-4: Bad subset value."),
    ("1/2/3", "--subset 1/2/3: Bad subset value."),
    ("5/4", "--subset 5/4: subset should not exceed the total number of sets"),
    ("0/4", "You have provided a wrong subset value: 0/4."),
    ("-1/4", "You have provided a wrong subset value: -1/4."),
])
def test_subset_values(text, message):
    if message is None:
        assert parse_subset(text) == tuple(int(x) for x in text.split("/"))
    else:
        with pytest.raises(TwisterError) as e:
            parse_subset(text)
        assert e.value.message == message
