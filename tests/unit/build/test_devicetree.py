"""The devicetree step: cpp with line markers, edtlib, the plain model, warnings."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.build.conftest import Built, do_build
from zpy.build import dtspp
from zpy.build.dtslocate import DTSSourceMap, Location
from zpy.errors import BuildError, DTSError
from zpy.image.dtmodel import DeviceTree


def test_outputs(ivshmem_build: Built) -> None:
    zephyr = ivshmem_build.build_dir / "zephyr"
    dts = (zephyr / "zephyr.dts").read_text()
    assert dts.startswith("/dts-v1/;\n")
    assert "ivshmem0: ivshmem0 {" in dts
    with open(zephyr / "edt.pickle", "rb") as f:
        assert f.read(2) == b"\x80\x04"  # pickle protocol 4, as Zephyr writes it
    with open(zephyr / "edt.pickle", "rb") as f:
        edt = pickle.load(f)
    assert edt.get_node("/pcie0/ivshmem0").props["vendor-id"].val == 0x1AF4
    assert any(f"-- Found devicetree overlay: {ivshmem_build.result.app_dir}/app.overlay" == line
               for line in ivshmem_build.out)


def test_model(ivshmem_build: Built) -> None:
    dt = DeviceTree.load(ivshmem_build.build_dir /
                         "zephyr/include/generated/zephyr/devicetree_generated.json")
    ivshmem = dt.label2node["ivshmem0"]
    pcie0 = dt.label2node["pcie0"]
    assert ivshmem.path == "/pcie0/ivshmem0"
    assert (ivshmem.name, ivshmem.unit_addr, ivshmem.status) == ("ivshmem0", None, "okay")
    assert ivshmem.props["vendor-id"] == 0x1AF4 and ivshmem.props["device-id"] == 0x1110
    assert ivshmem.props["ivshmem-v2"] is False
    assert ivshmem.compats == ["qemu,ivshmem"] and ivshmem.matching_compat == "qemu,ivshmem"
    assert ivshmem.binding_path is not None and ivshmem.binding_path.endswith("qemu,ivshmem.yaml")
    assert (ivshmem.on_bus, pcie0.bus) == ("pcie", "pcie")
    assert ivshmem.parent == "/pcie0" and "/pcie0/ivshmem0" in pcie0.children
    assert ivshmem.depends_on == [pcie0.ord] and ivshmem.ord in pcie0.required_by
    assert dt.compat2okay["qemu,ivshmem"] == [ivshmem]

    uart = dt.chosen_node("zephyr,console")
    assert uart is dt.get("uart-0") is dt.label2node["uart0"]
    assert (uart.name, uart.unit_addr) == ("uart@3f8", "3f8")
    assert [(r.addr, r.size, r.name) for r in uart.regs] == [(0x3F8, 0x100, None)]
    [irq] = uart.interrupts
    assert irq.controller == "/ioapic@fec00000"
    assert irq.data == {"irq": 4, "sense": 0x100, "priority": 3}
    assert uart.props["interrupt-parent"] == "/ioapic@fec00000"  # a phandle is a path
    assert uart.props["io-mapped"] is True and uart.props["reg"] == [0x3F8, 0x100]
    assert dt.get("/").ord == 0 and sorted(n.ord for n in dt.nodes) == list(range(len(dt.nodes)))
    json.dumps(dt.to_json())  # JSON-friendly all the way down


def test_status_in_model(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app({"app.overlay": """\
        &uart0 { status = "ok"; };
        &pcie0 {
            ivshmem0: ivshmem0 {
                compatible = "qemu,ivshmem";
                status = "disabled";
            };
        };
        """})
    built = do_build(app, tmp_path / "b")
    dt = DeviceTree.load(built.build_dir / "zephyr/include/generated/zephyr/"
                         "devicetree_generated.json")
    assert dt.label2node["uart0"].status == "okay"
    assert dt.label2node["ivshmem0"].status == "disabled"
    assert "qemu,ivshmem" not in dt.compat2okay
    assert "CONFIG_DT_HAS_QEMU_IVSHMEM_ENABLED" not in built.config()


def test_edtlib_warnings_name_the_line(make_app: Callable[..., Path], tmp_path: Path) -> None:
    app = make_app({"app.overlay": """\
        / {
            test-dev@1000 {
                compatible = "zpy,test-dev";
                reg = <0x2000 0x10>;
            };
        };

        &uart0 {
            label = "UART_0";
        };
        """, "dts/bindings/zpy,test-dev.yaml": """\
        description: test device
        compatible: "zpy,test-dev"
        include: base.yaml
        """})
    built = do_build(app, tmp_path / "b")
    base_yaml = built.result.manifest.zephyr_base + "/dts/bindings/serial/ns16550.yaml"
    assert sorted(built.warnings) == [
        f"{app}/app.overlay:4: warning: unit address and first address in 'reg' (0x2000) "
        "don't match for /test-dev@1000",
        f"{app}/app.overlay:9: warning: 'label' is marked as deprecated in 'properties:' in "
        f"{base_yaml} for node /uart@3f8.",
    ]


def test_preprocessor_keeps_line_markers_and_lists_deps(tmp_path: Path, base: Path) -> None:
    overlay = tmp_path / "a.overlay"
    overlay.write_text("#include <mem.h>\n/ { x { size = <DT_SIZE_K(4)>; }; };\n")
    pre = dtspp.preprocess([base / "boards/qemu_x86_64/qemu_x86_64.dts", overlay],
                           [base / "dts/include"], tmp_path / "pre.dts", tmp_path / "pre.d",
                           tmp_path / "empty.c")
    text = pre.output.read_text()
    assert f'# 1 "{overlay}" 1' in text
    assert "<command-line>" not in text and "empty.c" not in text
    assert "size = <((4) * 1024)>;" in text
    assert overlay.resolve() in pre.deps and (base / "dts/include/mem.h") in pre.deps
    smap = DTSSourceMap(text)
    assert smap.prop("/x", "size") == Location(str(overlay), 2)
    board_dts = base / "boards/qemu_x86_64/qemu_x86_64.dts"
    uart_line = next(i for i, line in enumerate(board_dts.read_text().splitlines(), 1)
                     if "uart0: uart@3f8 {" in line)
    assert smap.node("/uart@3f8") == Location(str(board_dts), uart_line)


def test_cpp_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dts"
    bad.write_text("/dts-v1/;\n#if\n#endif\n")
    with pytest.raises(DTSError) as e:
        dtspp.preprocess([bad], [], tmp_path / "pre", tmp_path / "d", tmp_path / "e.c")
    assert (e.value.filename, e.value.lineno) == (str(bad), 2)
    assert e.value.message == "#if with no expression"


def test_parse_deps() -> None:
    text = "x.o: empty.c /a/b.dts \\\n /c/with\\ space.h /d/e.h\n"
    assert dtspp.parse_deps(text) == [Path("empty.c").resolve(), Path("/a/b.dts"),
                                      Path("/c/with space.h"), Path("/d/e.h")]


def test_source_map_follows_labels_paths_and_comments() -> None:
    text = '''\
# 1 "/b.dts" 1
/dts-v1/;
/ {
	/* a comment with { braces } */
	soc {
		l1: node@10 {   // trailing comment {
			a = "semi;colon", "x";
			b = <&{/soc/node@10} 1>;
		};
	};
};
# 1 "/o.overlay" 1
&l1 {
	a =
		"multi-line";
};
&{/soc} { c; };
'''
    smap = DTSSourceMap(text)
    assert smap.node("/soc/node@10") == Location("/b.dts", 5)
    assert smap.node2locs["/soc/node@10"][1] == Location("/o.overlay", 1)
    assert smap.prop("/soc/node@10", "a") == Location("/o.overlay", 2)
    assert smap.prop("/soc/node@10", "b") == Location("/b.dts", 7)
    assert smap.prop("/soc", "c") == Location("/o.overlay", 5)
    assert smap.statement_with("/soc/node@10", "&{/soc") == Location("/b.dts", 7)
    assert smap.filenames == {"<dts>", "/b.dts", "/o.overlay"}


def test_a_preprocessor_that_cannot_run_is_a_build_error(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPP", str(tmp_path / "no-such-cpp"))
    src = tmp_path / "a.dts"
    src.write_text("/dts-v1/;\n")
    with pytest.raises(BuildError, match=r"^cannot run the C preprocessor '.*no-such-cpp': "
                                         "No such file or directory$"):
        dtspp.preprocess([src], [], tmp_path / "pre", tmp_path / "d", tmp_path / "e.c")


def test_a_build_that_fails_while_cpp_runs_stops_it(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "slow-cpp"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("CPP", str(slow))
    src = tmp_path / "a.dts"
    src.write_text("/dts-v1/;\n")
    with pytest.raises(RuntimeError), \
            dtspp.start([src], [], tmp_path / "pre", tmp_path / "d", tmp_path / "e.c") as cpp:
        raise RuntimeError("an import failed")
    assert cpp.proc.returncode is not None  # killed and reaped, not left running
