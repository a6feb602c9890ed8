"""`zpy draw` as a user runs it: pictures of real builds, one-line errors, and the pictures in
docs/images kept up to date with what the command draws."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from zpy.pictures import snapshot_init_order
from zpy.runtime import Runtime

from .runner import ZEPHYR_BASE, build, zpy

SVG = "{http://www.w3.org/2000/svg}"
IPM_SAMPLE = "samples/drivers/ipm/ipm_ivshmem"
DOCS_IMAGES = ZEPHYR_BASE / "docs" / "images"
#: docs/images/<file> <- the `zpy draw` arguments that make it, for a build of IPM_SAMPLE in BUILD
DOC_PICTURES = {
    "ipm_ivshmem-init-order.svg": ["init-order"],
    "ivshmem-v2-memory-map.svg": ["memory-map", "--shm-size", "1M", "--output-section-size", "64K",
                                  "--max-peers", "3", "--id", "1"],
}


@pytest.fixture(scope="module")
def ipm_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("draw") / "ipm"
    build(IPM_SAMPLE, out)
    return out


def entries(root: ET.Element) -> list[dict[str, str]]:
    return [dict(g.attrib) for g in root.iter(f"{SVG}g") if g.get("class") == "entry"]


def arrows(root: ET.Element) -> list[tuple[str | None, str | None, str | None]]:
    return [(p.get("data-from"), p.get("data-to"), p.get("data-order"))
            for p in root.iter(f"{SVG}path") if p.get("class") == "dep"]


def linked_order(build_dir: Path) -> list[tuple[str, str]]:
    """(kind, name) of every init entry, from linking the build in this process."""
    rt = Runtime(build_dir, machine_args=["-nodefaults"], console_out=None)
    try:
        return [(i.kind, i.name) for i in snapshot_init_order(rt.kernel).items]
    finally:
        rt.close()


def test_init_order_of_the_ipm_sample(ipm_build, tmp_path):
    out = tmp_path / "order.svg"
    done = zpy("draw", "init-order", "-d", str(ipm_build), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {out}\n"
    root = ET.parse(out).getroot()
    assert root.find(f"{SVG}title").text == "ipm_ivshmem: init order (qemu_x86_64)"
    found = entries(root)
    assert [(e["data-kind"], e["data-name"]) for e in found] == [
        (kind, name) for kind, name in linked_order(ipm_build)]  # every SYS_INIT and device
    by_name = {e["data-name"]: e for e in found}
    ivshmem, ipm = by_name["ivshmem"], by_name["ipm_ivshmem"]
    assert (ivshmem["data-level"], ivshmem["data-prio"]) == ("POST_KERNEL", "50")
    assert (ipm["data-level"], ipm["data-prio"]) == ("POST_KERNEL", "90")
    assert int(ivshmem["data-seq"]) < int(ipm["data-seq"])
    assert ("ivshmem", "ipm_ivshmem", "ok") in arrows(root)
    assert by_name["pcie_init"]["data-kind"] == "SYS_INIT"


def test_init_order_of_hello_world_to_stdout(tmp_path):
    build("samples/hello_world", tmp_path / "b")
    done = zpy("draw", "init-order", "-d", str(tmp_path / "b"), "-o", "-")
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout)
    assert root.find(f"{SVG}title").text == "hello_world: init order (qemu_x86_64)"
    assert [(e["data-kind"], e["data-name"]) for e in entries(root)] == \
        linked_order(tmp_path / "b")
    assert [g.get("data-level") for g in root.iter(f"{SVG}g") if g.get("class") == "level"] == [
        "EARLY", "PRE_KERNEL_1", "PRE_KERNEL_2", "POST_KERNEL", "APPLICATION"]
    assert not (tmp_path / "b" / "init-order.svg").exists()


def test_memory_map_default_output_in_the_build(ipm_build):
    done = zpy("draw", "memory-map", "-d", str(ipm_build), "--max-peers", "3",
               "--output-section-size", "64K", "--shm-size", "1M")
    assert done.returncode == 0, done.stderr
    out = ipm_build / "memory-map.svg"
    assert done.stdout == f"wrote {out}\n"
    root = ET.parse(out).getroot()
    sections = [(g.get("data-name"), g.get("data-offset"), g.get("data-size"))
                for g in root.iter(f"{SVG}g") if g.get("class") == "section"]
    assert sections == [("State Table", "0x00000000", "4096"),
                        ("R/W section", "0x00001000", str(0xCF000)),
                        ("Output section 0", "0x000d0000", "65536"),
                        ("Output section 1", "0x000e0000", "65536"),
                        ("Output section 2", "0x000f0000", "65536")]


def test_memory_map_max_peers_from_the_builds_kconfig(tmp_path):
    build(IPM_SAMPLE, tmp_path / "v2", "-DCONFIG_IVSHMEM_V2=y", "-DCONFIG_IVSHMEM_V2_MAX_PEERS=5")
    done = zpy("draw", "memory-map", "-d", str(tmp_path / "v2"), "-o", "-",
               "--output-section-size", "8K")
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout)
    assert root.find(f"{SVG}title").text == "ivshmem-v2 shared memory: 4 MiB (0x400000), 5 peers"


@pytest.mark.parametrize("args, message", [
    (["init-order", "-d", "{tmp}/none"],
     "error: no image in {tmp}/none (missing {tmp}/none/zephyr/image.json): build one first "
     "with zpy build -d {tmp}/none"),
    (["memory-map", "-d", "{tmp}/none", "--max-peers", "2"],
     "error: no image in {tmp}/none (missing {tmp}/none/zephyr/image.json): build one first "
     "with zpy build -d {tmp}/none"),
    (["memory-map", "-d", "{build}", "--max-peers", "3", "--shm-size", "1M",
      "--output-section-size", "512K"],
     "error: the sections do not fit: 3 output sections of 512 KiB and the 4 KiB state table "
     "need 1.5 MiB, the shared memory has 1 MiB"),
    (["memory-map", "-d", "{build}", "--max-peers", "2", "--shm-size", "10000"],
     "error: shared memory size 0x2710 (9.77 KiB) is not a multiple of the 4096-byte page: "
     "every section is mapped by whole pages"),
    (["memory-map", "-d", "{build}", "--max-peers", "2", "--output-section-size", "6K"],
     "error: output section size 0x1800 (6 KiB) is not a multiple of the 4096-byte page: "
     "every section is mapped by whole pages"),
    (["memory-map", "-d", "{build}"],
     "error: {build} is not an ivshmem-v2 build (no CONFIG_IVSHMEM_V2_MAX_PEERS in its "
     ".config): give --max-peers N"),
    (["memory-map", "-d", "{build}", "--max-peers", "three"],
     "error: --max-peers must be an integer, got 'three'"),
    (["memory-map", "-d", "{build}", "--max-peers", "2", "--id", "2"],
     "error: peer ID 2 is not one of the 2 peers (0 to 1)"),
    (["memory-map", "-d", "{build}", "--max-peers", "2", "--shm-size", "lots"],
     "error: --shm-size: invalid size 'lots' (a number of bytes with an optional K, M or G "
     "suffix)"),
    (["init-order", "-d", "{build}", "-o", "{tmp}/no/such/dir/x.svg"],
     "error: cannot write {tmp}/no/such/dir/x.svg: No such file or directory"),
])
def test_bad_parameters_are_one_line(ipm_build, tmp_path, args, message):
    fill = {"tmp": str(tmp_path), "build": str(ipm_build)}
    done = zpy("draw", *[a.format(**fill) for a in args])
    assert done.returncode == 1
    assert done.stderr == message.format(**fill) + "\n"
    assert done.stdout == ""


def test_docs_pictures_are_up_to_date(ipm_build, tmp_path):
    """docs/images holds what `zpy draw` draws for the IPM sample; regenerate on a change."""
    for name, args in DOC_PICTURES.items():
        out = tmp_path / name
        done = zpy("draw", *args, "-d", str(ipm_build), "-o", str(out))
        assert done.returncode == 0, done.stderr
        committed = DOCS_IMAGES / name
        regenerate = (f"zpy build -b qemu_x86_64 -d build/ipm {IPM_SAMPLE} && "
                      f"zpy draw {' '.join(args)} -d build/ipm -o docs/images/{name}")
        assert committed.is_file(), f"missing {committed}: {regenerate}"
        assert committed.read_text() == out.read_text(), \
            f"docs/images/{name} is out of date; regenerate it: {regenerate}"
