"""SharedMemoryLayout and the memory-map picture: offsets, sizes, who writes what, bad parameters."""

from __future__ import annotations

import pytest

from zpy.pictures import LayoutError, SharedMemoryLayout, draw_memory_map, format_bytes

from .conftest import groups, parse, texts

K, M = 1 << 10, 1 << 20


def sections_of(svg: str) -> list[tuple[str, str, int, str | None]]:
    return [(g.get("data-name"), g.get("data-offset"), int(g.get("data-size")), g.get("data-own"))
            for g in groups(parse(svg), "section")]


def test_three_peers_from_the_servers_parameters():
    layout = SharedMemoryLayout.from_server(1 * M, 64 * K, 3)
    assert layout == SharedMemoryLayout(M, 4096, 0xCF000, 0x10000, 3, None)
    assert [(s.name, s.offset, s.size, s.owner) for s in layout.sections()] == [
        ("State Table", 0x0, 0x1000, None),
        ("R/W section", 0x1000, 0xCF000, None),
        ("Output section 0", 0xD0000, 0x10000, 0),
        ("Output section 1", 0xE0000, 0x10000, 1),
        ("Output section 2", 0xF0000, 0x10000, 2),
    ]
    assert sections_of(draw_memory_map(layout)) == [
        ("State Table", "0x00000000", 0x1000, None),
        ("R/W section", "0x00001000", 0xCF000, None),
        ("Output section 0", "0x000d0000", 0x10000, None),
        ("Output section 1", "0x000e0000", 0x10000, None),
        ("Output section 2", "0x000f0000", 0x10000, None),
    ]


def test_every_box_says_name_offset_size_and_writers():
    svg = draw_memory_map(SharedMemoryLayout.from_server(1 * M, 64 * K, 3, own_id=1))
    root = parse(svg)
    boxes = {g.get("data-name"): texts(g) for g in groups(root, "section")}
    assert boxes["State Table"] == [
        "State Table", "offset 0x00000000   size 0x1000 (4 KiB)",
        "read-only for every peer (one u32 state per peer)", "0x00000000"]
    assert boxes["R/W section"][1:3] == ["offset 0x00001000   size 0xcf000 (828 KiB)",
                                         "read/write for every peer"]
    assert boxes["Output section 0"][2] == "writable by peer 0 only; read-only for the others"
    assert boxes["Output section 1"][:3] == [
        "Output section 1 (ours)", "offset 0x000e0000   size 0x10000 (64 KiB)",
        "ours: read/write; read-only for the other peers"]
    own = [g for g in groups(root, "section") if g.get("data-own") == "yes"]
    assert [g.get("data-name") for g in own] == ["Output section 1"]
    all_text = texts(root)
    assert "ivshmem-v2 shared memory: 1 MiB (0x100000), 3 peers" in all_text
    assert "as seen by peer 1: its own output section is highlighted" in all_text
    assert "0x00100000" in all_text  # the end of the memory


def test_an_empty_rw_section():
    # 1 MiB = 4 KiB table + 3 x 340 KiB: nothing left for the R/W section
    layout = SharedMemoryLayout.from_server(1 * M, 340 * K, 3)
    assert layout.rw_section_size == 0
    assert sections_of(draw_memory_map(layout)) == [
        ("State Table", "0x00000000", 0x1000, None),
        ("R/W section", "0x00001000", 0, None),
        ("Output section 0", "0x00001000", 0x55000, None),
        ("Output section 1", "0x00056000", 0x55000, None),
        ("Output section 2", "0x000ab000", 0x55000, None),
    ]
    assert "offset 0x00001000   size 0x0 (0 B), empty" in texts(parse(draw_memory_map(layout)))


def test_no_output_sections_is_the_servers_default():
    layout = SharedMemoryLayout.from_server(4 * M, 0, 2, own_id=0)
    assert layout.rw_section_size == 4 * M - 4096
    assert [s.size for s in layout.sections()] == [4096, 4 * M - 4096, 0, 0]
    parse(draw_memory_map(layout))


def test_many_peers_collapse_into_gap_rows():
    layout = SharedMemoryLayout.from_server(4 * M, 16 * K, 64, own_id=40)
    root = parse(draw_memory_map(layout))
    assert [g.get("data-name") for g in groups(root, "section")] == [
        "State Table", "R/W section", "Output section 0", "Output section 1",
        "Output section 40", "Output section 63"]
    gaps = [(int(g.get("data-first")), int(g.get("data-last")), texts(g))
            for g in groups(root, "section-gap")]
    assert gaps == [
        (2, 39, ["Output sections 2 \u2026 39", "38 \u00d7 16 KiB, each writable by its owner only",
                 "0x00308000"]),
        (41, 62, ["Output sections 41 \u2026 62", "22 \u00d7 16 KiB, each writable by its owner only",
                  "0x003a4000"]),
    ]
    assert layout.output_section_offset(63) == 4 * M - 16 * K


def test_drawing_is_pure():
    layout = SharedMemoryLayout.from_server(1 * M, 64 * K, 3, own_id=2)
    assert draw_memory_map(layout) == draw_memory_map(layout)
    assert draw_memory_map(layout, title="peer 2 <&>").count("peer 2 &lt;&amp;&gt;") == 2


@pytest.mark.parametrize("args, message", [
    ((1 * M, 512 * K, 3), "the sections do not fit: 3 output sections of 512 KiB and the 4 KiB "
                          "state table need 1.5 MiB, the shared memory has 1 MiB"),
    ((1 * M, 1000, 3), "output section size 0x3e8 (1000 B) is not a multiple of the 4096-byte "
                       "page: every section is mapped by whole pages"),
    ((10000, 0, 2), "shared memory size 0x2710 (9.77 KiB) is not a multiple of the 4096-byte page"),
    ((0, 0, 2), "shared memory size must be positive, got 0"),
    ((1 * M, 4 * K, 3, 3), "peer ID 3 is not one of the 3 peers (0 to 2)"),
    ((1 * M, 0, 0), "max peers must be from 1 to 65536, got 0"),
    ((64 * M, 4 * K, 2000), "2000 peers do not fit a state table of 4 KiB (one u32 per peer)"),
])
def test_bad_parameters_are_one_line(args, message):
    with pytest.raises(LayoutError) as info:
        SharedMemoryLayout.from_server(*args)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_constructor_checks_the_sum():
    with pytest.raises(LayoutError, match="the sections add up to 0x4000 bytes, not the shared "
                                          "memory's 0x100000"):
        SharedMemoryLayout(M, 4096, 4096, 4096, 2)
    with pytest.raises(TypeError):
        SharedMemoryLayout.from_server(M, 4096, 2.5)  # type: ignore[arg-type]


def test_format_bytes():
    assert [format_bytes(n) for n in (0, 512, 4096, 1536 * K, 4 * M, 3 << 30, 10000)] == [
        "0 B", "512 B", "4 KiB", "1.5 MiB", "4 MiB", "3 GiB", "9.77 KiB"]
