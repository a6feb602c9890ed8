"""The dt_* Kconfig functions: their answers on a real build's devicetree, and in Kconfig."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.build.conftest import Built, do_build, write_app
from zpy.build import dtfunctions as dtf
from zpy.build import kconfigfunctions as kf
from zpy.image.dtmodel import DeviceTree, DTNode

OVERLAY = """\
&pcie0 {
	ivshmem0: ivshmem0 {
		compatible = "qemu,ivshmem";
		vendor-id = <0x1af4>;
		device-id = <0x1110>;
		status = "okay";
	};
	ivshmem1: ivshmem1 {
		compatible = "qemu,ivshmem";
		status = "disabled";
	};
};

/ {
	testdev: test-dev@1000 {
		compatible = "zpy,test-dev";
		reg = <0x1000 0x2000 0x4000 0x100000>;
		speed = <2048>;
		mode = "fast";
		flag;
		values = <1 2 0x300>;
	};
};
"""

BINDING = """\
description: A test device
compatible: "zpy,test-dev"
include: base.yaml
properties:
  speed:
    type: int
  mode:
    type: string
  flag:
    type: boolean
  values:
    type: array
"""

APP_KCONFIG = """\
source "Kconfig.zephyr"

DT_CHOSEN_Z_CONSOLE := zephyr,console
DT_CHOSEN_Z_SRAM := zephyr,sram

config APP_UART_BASE
	hex "UART base"
	default $(dt_nodelabel_reg_addr_hex,uart0)

config APP_CONSOLE_PATH
	string "Console node"
	default "$(dt_chosen_path,$(DT_CHOSEN_Z_CONSOLE))"

config APP_NUM_IVSHMEM
	int "ivshmem devices"
	default $(dt_num_compat_enabled,$(DT_COMPAT_QEMU_IVSHMEM))

config APP_RAM_KB
	int "RAM in KiB"
	default $(dt_chosen_reg_size_int,$(DT_CHOSEN_Z_SRAM),0,k)

config APP_DOUBLE_SPEED
	int "Twice the UART speed"
	default $(mul,$(dt_nodelabel_int_prop_int,uart0,current-speed),2)

config APP_USES_IVSHMEM
	bool "Use ivshmem"
	default y
	depends on DT_HAS_QEMU_IVSHMEM_ENABLED

config APP_FAST
	bool "Fast mode"
	default $(dt_node_str_prop_equals,/test-dev@1000,mode,fast)
"""


@pytest.fixture(scope="module")
def dt_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("dtfn")
    app = write_app(root / "app", {"app.overlay": OVERLAY, "Kconfig": APP_KCONFIG,
                                   "dts/bindings/zpy,test-dev.yaml": BINDING})
    return do_build(app, root / "build")


@pytest.fixture
def dt(dt_build: Built) -> Iterator[DeviceTree]:
    tree = DeviceTree.load(dt_build.build_dir /
                           "zephyr/include/generated/zephyr/devicetree_generated.json")
    token = kf.current_devicetree.set(tree)
    yield tree
    kf.current_devicetree.reset(token)


def call(name: str, *args: str) -> str:
    fn, lo, hi = kf.functions[name]
    assert lo <= len(args) <= hi
    return fn(None, name, *args)


CASES = [
    ("dt_compat_enabled", ("qemu,ivshmem",), "y"),
    ("dt_compat_enabled", ("vnd,nothing",), "n"),
    ("dt_compat_enabled_num", ("qemu,ivshmem",), "1"),
    ("dt_num_compat_enabled", ("ns16550",), "1"),
    ("dt_has_compat", ("zpy,test-dev",), "y"),
    ("dt_has_compat", ("vnd,nothing",), "n"),
    ("dt_compat_on_bus", ("qemu,ivshmem", "pcie"), "y"),
    ("dt_compat_on_bus", ("ns16550", "pcie"), "n"),
    ("dt_compat_any_has_prop", ("zpy,test-dev", "flag"), "y"),
    ("dt_compat_any_has_prop", ("zpy,test-dev", "mode", "slow"), "n"),
    ("dt_compat_any_not_has_prop", ("zpy,test-dev", "nope"), "y"),
    ("dt_compat_any_not_has_prop", ("zpy,test-dev", "mode"), "n"),
    ("dt_compat_any_not_has_prop", ("vnd,nothing", "mode"), "n"),
    ("dt_gpio_hogs_enabled", (), "n"),
    ("dt_chosen_enabled", ("zephyr,console",), "y"),
    ("dt_chosen_enabled", ("zephyr,nothing",), "n"),
    ("dt_chosen_label", ("zephyr,console",), "uart@3f8"),
    ("dt_chosen_path", ("zephyr,console",), "/uart@3f8"),
    ("dt_chosen_path", ("zephyr,nothing",), ""),
    ("dt_chosen_has_compat", ("zephyr,console", "ns16550"), "y"),
    ("dt_chosen_bool_prop", ("zephyr,console", "io-mapped"), "y"),
    ("dt_chosen_bool_prop", ("zephyr,sram", "io-mapped"), "n"),
    ("dt_chosen_reg_addr_hex", ("zephyr,console",), "0x3f8"),
    ("dt_chosen_reg_addr_int", ("zephyr,console",), "1016"),
    ("dt_chosen_reg_size_int", ("zephyr,sram", "0", "k"), "32768"),
    ("dt_chosen_reg_size_hex", ("zephyr,sram", "0", "m"), "0x20"),
    ("dt_nodelabel_enabled", ("ivshmem0",), "y"),
    ("dt_nodelabel_enabled", ("ivshmem1",), "n"),
    ("dt_nodelabel_exists", ("ivshmem1",), "y"),
    ("dt_nodelabel_exists", ("nolabel",), "n"),
    ("dt_nodelabel_path", ("testdev",), "/test-dev@1000"),
    ("dt_nodelabel_has_compat", ("ivshmem1", "qemu,ivshmem"), "y"),
    ("dt_nodelabel_enabled_with_compat", ("ivshmem1", "qemu,ivshmem"), "n"),
    ("dt_nodelabel_enabled_with_compat", ("ivshmem0", "qemu,ivshmem"), "y"),
    ("dt_nodelabel_has_prop", ("testdev", "mode"), "y"),
    ("dt_nodelabel_has_prop", ("testdev", "nope"), "n"),
    ("dt_nodelabel_bool_prop", ("uart0", "io-mapped"), "y"),
    ("dt_nodelabel_bool_prop", ("testdev", "speed"), "n"),
    ("dt_nodelabel_int_prop", ("testdev", "speed"), "2048"),
    ("dt_nodelabel_array_prop_has_val", ("testdev", "values", "0x300"), "y"),
    ("dt_nodelabel_array_prop_has_val", ("testdev", "values", "3"), "n"),
    ("dt_nodelabel_array_prop_has_val", ("testdev", "mode", "3"), "n"),
    ("dt_nodelabel_int_prop_hex", ("testdev", "speed"), "0x800"),
    ("dt_nodelabel_int_prop_int", ("testdev", "speed", "k"), "2"),
    ("dt_nodelabel_int_prop_int", ("testdev", "mode"), "0"),
    ("dt_nodelabel_reg_addr_hex", ("testdev", "1"), "0x4000"),
    ("dt_nodelabel_reg_size_int", ("testdev", "1", "m"), "1"),
    ("dt_nodelabel_reg_size_int", ("testdev", "1", "kb"), "128"),
    ("dt_nodelabel_reg_addr_int", ("testdev", "2"), "0"),
    ("dt_path_enabled", ("/pcie0/ivshmem1",), "n"),
    ("dt_path_enabled", ("/pcie0/ivshmem0",), "y"),
    ("dt_alias_enabled", ("uart-0",), "y"),
    ("dt_alias_enabled", ("uart-9",), "n"),
    ("dt_node_has_prop", ("/test-dev@1000", "mode"), "y"),
    ("dt_node_bool_prop", ("/test-dev@1000", "flag"), "y"),
    ("dt_node_has_compat", ("/pcie0/ivshmem0", "qemu,ivshmem"), "y"),
    ("dt_node_int_prop_int", ("/test-dev@1000", "speed"), "2048"),
    ("dt_node_int_prop_hex", ("/pcie0/ivshmem0", "vendor-id"), "0x1af4"),
    ("dt_node_array_prop_int", ("/test-dev@1000", "values", "2"), "768"),
    ("dt_node_array_prop_hex", ("/test-dev@1000", "values", "2"), "0x300"),
    ("dt_node_array_prop_int", ("/test-dev@1000", "values", "5"), "0"),
    ("dt_node_str_prop_equals", ("/test-dev@1000", "mode", "fast"), "y"),
    ("dt_node_str_prop_equals", ("/test-dev@1000", "mode", "slow"), "n"),
    ("dt_node_reg_addr_int", ("/uart@3f8",), "1016"),
    ("dt_node_reg_size_hex", ("/uart@3f8",), "0x100"),
    ("dt_node_reg_addr_hex", ("/nothing",), "0x0"),
    ("dt_node_parent", ("/pcie0/ivshmem0",), "/pcie0"),
    ("shields_list_contains", ("x_nucleo",), "n"),
    ("substring", ("zephyr,console", "7"), "console"),
    ("substring", ("zephyr,console", "0", "6"), "zephyr"),
    ("normalize_upper", ("qemu,ivshmem-v2",), "QEMU_IVSHMEM_V2"),
    ("str_is_equal", ("a", "a"), "y"),
    ("add", ("1", "2", "3"), "6"),
    ("add_hex", ("0x10", "16"), "0x20"),
    ("sub", ("10", "3"), "7"),
    ("mul", ("4", "0x4"), "16"),
    ("div", ("7", "2"), "3"),
    ("mod", ("7", "2"), "1"),
    ("max", ("1,9,4",), "9"),
    ("min_hex", ("0x20", "0x10"), "0x10"),
    ("inc", ("1", "5"), "2,6"),
    ("dec_hex", ("0x10",), "0xf"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES,
                         ids=[f"{n}({','.join(a)})" for n, a, _ in CASES])
def test_function(dt: DeviceTree, name: str, args: tuple[str, ...], expected: str) -> None:
    assert call(name, *args) == expected


def test_without_a_devicetree_everything_is_absent() -> None:
    assert kf.current_devicetree.get() is None
    assert call("dt_compat_enabled", "ns16550") == "n"
    assert call("dt_chosen_path", "zephyr,console") == ""
    assert call("dt_node_reg_addr_hex", "/uart@3f8") == "0x0"
    assert call("dt_num_compat_enabled", "ns16550") == "0"


def test_functions_in_an_app_kconfig(dt_build: Built) -> None:
    config = dt_build.config()
    for line in [
        "CONFIG_APP_UART_BASE=0x3f8",
        'CONFIG_APP_CONSOLE_PATH="/uart@3f8"',
        "CONFIG_APP_NUM_IVSHMEM=1",
        "CONFIG_APP_RAM_KB=32768",
        "CONFIG_APP_DOUBLE_SPEED=230400",
        "CONFIG_APP_USES_IVSHMEM=y",
        "CONFIG_APP_FAST=y",
        "CONFIG_DT_HAS_ZPY_TEST_DEV_ENABLED=y",
    ]:
        assert line + "\n" in config


def test_ivshmem_symbol_follows_the_devicetree(dt_build: Built, tmp_path: Path) -> None:
    # Same app Kconfig, no ivshmem node: the dependent symbol disappears.
    app = write_app(tmp_path / "app", {"Kconfig": APP_KCONFIG})
    built = do_build(app, tmp_path / "build")
    assert "CONFIG_APP_USES_IVSHMEM" not in built.config()
    assert "CONFIG_APP_NUM_IVSHMEM=0\n" in built.config()


def test_gpio_hogs_enabled_needs_an_okay_hog_under_an_okay_controller() -> None:
    def node(path: str, ord_: int, status: str, props: dict, parent: str | None) -> DTNode:
        return DTNode(path=path, name=path.rsplit("/", 1)[-1], unit_addr=None, ord=ord_,
                      labels=[], status=status, compats=[], matching_compat=None,
                      props=props, parent=parent)

    def tree(controller_status: str, hog_status: str) -> DeviceTree:
        return DeviceTree([node("/", 0, "okay", {}, None),
                           node("/gpio", 1, controller_status, {"gpio-controller": True}, "/"),
                           node("/gpio/hog", 2, hog_status, {"gpio-hog": True}, "/gpio")],
                          {}, {}, {})

    assert dtf.gpio_hogs_enabled(tree("okay", "okay"))
    assert not dtf.gpio_hogs_enabled(tree("disabled", "okay"))
    assert not dtf.gpio_hogs_enabled(tree("okay", "disabled"))
