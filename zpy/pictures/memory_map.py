"""The memory-map picture: an ivshmem-v2 shared memory, section by section.

Each section is a box labelled with its name, offset, size (hex and human) and
who may write it; the viewing peer's own output section is highlighted. The
boxes have one height each so that a 4 KiB state table stays readable next
to megabytes of output sections; a narrow bar on the left is drawn to scale.
With many peers the middle output sections collapse into one "..." row.
"""

from __future__ import annotations

from dataclasses import dataclass

from zpy.pictures.shm_layout import Section, SharedMemoryLayout, format_bytes
from zpy.pictures.svg import MONO, SvgDocument, text_width

#: up to this many peers every output section gets its own row
ALL_ROWS_UP_TO = 8

MARGIN = 20
TITLE_H = 70
BAR_X = MARGIN
BAR_W = 26
OFFSET_RIGHT = 150  # offsets are right-aligned here
BOX_X = 162
ROW_H = 60
GAP_ROW_H = 36
MIN_BOX_W = 440
FOOTNOTE = ("Offsets from the start of the shared memory (BAR2); every size is a whole "
            "number of 4 KiB pages.")


@dataclass(frozen=True)
class _Style:
    fill: str
    stroke: str
    stroke_width: float = 1.2


STYLES = {
    "state-table": _Style("#e6e6e6", "#666666"),
    "rw": _Style("#d8f0d8", "#3a7d3a"),
    "output": _Style("#dce6f7", "#3b5f9e"),
    "own": _Style("#ffd8a8", "#d9480f", 2.5),
}


@dataclass(frozen=True)
class _Gap:
    """Output sections first..last, drawn as one row."""

    first: int
    last: int


def _rows(layout: SharedMemoryLayout) -> list[Section | _Gap]:
    sections = layout.sections()
    fixed, outputs = sections[:2], sections[2:]
    if layout.max_peers <= ALL_ROWS_UP_TO:
        return [*fixed, *outputs]
    keep = {0, 1, layout.max_peers - 1}
    if layout.own_id is not None:
        keep.add(layout.own_id)
    rows: list[Section | _Gap] = list(fixed)
    gap_start: int | None = None
    for peer in range(layout.max_peers):
        if peer in keep:
            if gap_start is not None:
                rows.append(_Gap(gap_start, peer - 1))
                gap_start = None
            rows.append(outputs[peer])
        elif gap_start is None:
            gap_start = peer
    return rows


def _hex(value: int, digits: int) -> str:
    return f"0x{value:0{digits}x}"


def _size_line(section: Section, digits: int) -> str:
    size = f"{section.size:#x} ({format_bytes(section.size)})"
    empty = ", empty" if section.size == 0 else ""
    return f"offset {_hex(section.offset, digits)}   size {size}{empty}"


def _gap_lines(layout: SharedMemoryLayout, gap: _Gap) -> tuple[str, str]:
    count = gap.last - gap.first + 1
    size = format_bytes(layout.output_section_size)
    return (f"Output sections {gap.first} \u2026 {gap.last}",
            f"{count} \u00d7 {size}, each writable by its owner only")


def draw_memory_map(layout: SharedMemoryLayout, title: str | None = None) -> str:
    """The SVG text of `layout`'s memory map. Pure: same layout, same bytes."""
    digits = max(8, len(f"{layout.shm_size:x}"))
    rows = _rows(layout)

    heading = title or (f"ivshmem-v2 shared memory: {format_bytes(layout.shm_size)} "
                        f"({layout.shm_size:#x}), {layout.max_peers} peers")
    subtitle = (f"as seen by peer {layout.own_id}: its own output section is highlighted"
                if layout.own_id is not None else
                "state table, R/W section, one output section per peer")
    lines: list[str] = [heading, subtitle]
    for row in rows:
        if isinstance(row, _Gap):
            lines += _gap_lines(layout, row)
        else:
            lines += [row.name + " (ours)", _size_line(row, digits), row.access]
    legend = [("state-table", "read-only for every peer"),
              ("rw", "read/write for every peer"),
              ("output", "writable by its owner only")]
    if layout.own_id is not None:
        legend.append(("own", f"our own output section (peer {layout.own_id})"))
    legend_w = MARGIN + sum(44 + text_width(label, 11) for _, label in legend)
    box_w = max(MIN_BOX_W, max(text_width(s) for s in lines[2:]) + 28)
    width = max(BOX_X + box_w + MARGIN, MARGIN + text_width(heading, 16) + MARGIN, legend_w,
                MARGIN + text_width(FOOTNOTE, 11) + MARGIN)
    map_h = sum(GAP_ROW_H if isinstance(r, _Gap) else ROW_H for r in rows)
    legend_h = 70
    height = TITLE_H + map_h + 30 + legend_h
    doc = SvgDocument(width, height, title=heading)

    doc.rect(0, 0, width, height, fill="#ffffff")
    doc.text(MARGIN, 28, heading, size=16, font_weight="bold")
    doc.text(MARGIN, 48, subtitle, size=12, fill="#555555")

    # the labelled boxes
    top = TITLE_H
    y = top
    for row in rows:
        if isinstance(row, _Gap):
            g = doc.group(class_="section-gap", data_first=row.first, data_last=row.last)
            doc.rect(BOX_X, y, box_w, GAP_ROW_H, parent=g, fill="#f4f6fb", stroke="#3b5f9e",
                     stroke_width=1, stroke_dasharray="5 4")
            first, second = _gap_lines(layout, row)
            doc.text(BOX_X + 12, y + 15, first, parent=g, font_weight="bold")
            doc.text(BOX_X + 12, y + 30, second, parent=g, size=11, fill="#333333")
            doc.text(OFFSET_RIGHT, y + 12, _hex(layout.output_section_offset(row.first), digits),
                     parent=g, size=11, text_anchor="end", font_family=MONO, fill="#333333")
            y += GAP_ROW_H
            continue
        style = STYLES["own" if row.own else row.kind]
        g = doc.group(class_="section", data_kind=row.kind, data_name=row.name,
                      data_offset=_hex(row.offset, digits), data_size=row.size,
                      data_owner=row.owner, data_own="yes" if row.own else None)
        box = doc.rect(BOX_X, y, box_w, ROW_H, parent=g, fill=style.fill, stroke=style.stroke,
                       stroke_width=style.stroke_width)
        doc.tooltip(box, f"{row.name}: {_size_line(row, digits)}; {row.access}")
        doc.text(BOX_X + 12, y + 19, row.name + (" (ours)" if row.own else ""), parent=g,
                 font_weight="bold")
        doc.text(BOX_X + 12, y + 36, _size_line(row, digits), parent=g, size=11,
                 font_family=MONO)
        doc.text(BOX_X + 12, y + 52, row.access, parent=g, size=11, fill="#333333")
        doc.text(OFFSET_RIGHT, y + 12, _hex(row.offset, digits), parent=g, size=11,
                 text_anchor="end", font_family=MONO, fill="#333333")
        y += ROW_H
    doc.text(OFFSET_RIGHT, y + 4, _hex(layout.shm_size, digits), size=11, text_anchor="end",
             font_family=MONO, fill="#333333", class_="end-offset")

    # the bar to scale, beside the boxes
    doc.text(BAR_X + BAR_W / 2, top - 6, "to scale", size=9, text_anchor="middle", fill="#555555")
    bar = doc.group(class_="scale")
    for section in layout.sections():
        if section.size == 0:
            continue
        style = STYLES["own" if section.own else section.kind]
        doc.rect(BAR_X, top + map_h * section.offset / layout.shm_size, BAR_W,
                 map_h * section.size / layout.shm_size, parent=bar, fill=style.fill,
                 stroke=style.stroke, stroke_width=0.5)
    doc.rect(BAR_X, top, BAR_W, map_h, fill="none", stroke="#333333", stroke_width=1)

    # legend
    ly = top + map_h + 30
    lx: float = MARGIN
    for kind, label in legend:
        style = STYLES[kind]
        doc.rect(lx, ly, 14, 14, fill=style.fill, stroke=style.stroke,
                 stroke_width=style.stroke_width)
        doc.text(lx + 20, ly + 11, label, size=11)
        lx += 44 + text_width(label, 11)
    doc.text(MARGIN, ly + 40, FOOTNOTE, size=11, fill="#555555")
    return doc.render()
