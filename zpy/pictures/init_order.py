"""The init-order picture: what an image initializes, when, and what each device requires.

One column per init level (EARLY .. APPLICATION, and SMP when used), entries
in the order the kernel runs them: SYS_INIT functions and devices, with their
priority and devicetree ordinal. An arrow goes from a device to each device
that requires it (its `deps` ordinals, from the devicetree), so a correct
order has every arrow pointing forward; one that points back (the required
device initializes later) is drawn red. Drawn from a running VM, each device
also says whether it is ready.

`snapshot_init_order(kernel)` copies what the picture needs out of a Kernel,
so `draw_init_order` is a pure function of that snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zpy.pictures.svg import SvgDocument, text_width

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

LEVELS = ("EARLY", "PRE_KERNEL_1", "PRE_KERNEL_2", "POST_KERNEL", "APPLICATION")
SMP_LEVEL = "SMP"

MARGIN = 20
TITLE_H = 74
HEADER_H = 40
MIN_COL_W = 200
COL_GAP = 64
LINE_H = 15
BOX_PAD = 10
BOX_GAP = 16

ARROW = "#3b5f9e"
ARROW_WRONG = "#c92a2a"
READY = "#2b8a3e"
NOT_READY = "#c92a2a"


@dataclass(frozen=True)
class InitItem:
    """One init entry: a SYS_INIT function or a device."""

    seq: int  # 1-based place in the whole boot
    level: str
    prio: int
    kind: str  # "device" or "SYS_INIT"
    name: str  # the device's name (as Zephyr derives it) or the function's
    ordinal: int | None = None  # devicetree dependency ordinal (DT_DEP_ORD)
    node_path: str | None = None
    deps: tuple[int, ...] = ()  # ordinals of the nodes the device requires
    deferred: bool = False  # zephyr,deferred-init
    initialized: bool = False
    init_res: int = 0

    @property
    def ready(self) -> bool:
        return self.initialized and self.init_res == 0

    def state(self) -> str:
        if self.ready:
            return "READY"
        if self.initialized:
            return f"not ready (init_res {self.init_res})"
        return "deferred: not initialized" if self.deferred else "not initialized"


@dataclass(frozen=True)
class InitOrder:
    """What the init-order picture shows, detached from the kernel it came from."""

    items: tuple[InitItem, ...]
    #: True when drawn from an image that booted: devices then show READY / not ready
    booted: bool = False
    title: str = "Init order"

    def levels(self) -> tuple[str, ...]:
        used_smp = any(i.level == SMP_LEVEL for i in self.items)
        return LEVELS + ((SMP_LEVEL,) if used_smp else ())

    def dependencies(self) -> list[tuple[InitItem, InitItem]]:
        """(required, dependent) pairs, from each device's deps that have a device."""
        by_ord = {i.ordinal: i for i in self.items if i.kind == "device" and i.ordinal is not None}
        pairs = []
        for item in self.items:
            for ordinal in item.deps:
                required = by_ord.get(ordinal)
                if required is not None and required is not item:
                    pairs.append((required, item))
        return pairs


def snapshot_init_order(kernel: Kernel, title: str | None = None,
                        booted: bool | None = None) -> InitOrder:
    """Copy the kernel's init entries, in init order, into an InitOrder."""
    from zpy.kernel.device import DEVICE_FLAG_INIT_DEFERRED
    from zpy.kernel.init import init_entry

    items = []
    for seq, entry in enumerate(sorted(kernel.init_entries, key=init_entry.sort_key), 1):
        dev = entry.dev
        if dev is None:
            items.append(InitItem(seq, entry.level.name, entry.prio, "SYS_INIT", entry.name))
            continue
        node = dev.dt_node
        items.append(InitItem(
            seq, entry.level.name, entry.prio, "device", dev.name,
            ordinal=node.ord if node is not None else None,
            node_path=node.path if node is not None else None,
            deps=tuple(dev.deps), deferred=bool(dev.flags & DEVICE_FLAG_INIT_DEFERRED),
            initialized=dev.state.initialized, init_res=dev.state.init_res))
    if booted is None:
        booted = kernel.main_thread is not None or any(i.initialized for i in items)
    board = kernel.config.get("CONFIG_BOARD")
    default_title = f"Init order ({board})" if board else "Init order"
    return InitOrder(tuple(items), booted, title or default_title)


# -- drawing -------------------------------------------------------------------------------


def _lines(item: InitItem, booted: bool) -> list[str]:
    if item.kind == "SYS_INIT":
        return [f"{item.seq}. {item.name}", f"SYS_INIT \u00b7 prio {item.prio}"]
    detail = f"device \u00b7 prio {item.prio}"
    if item.ordinal is not None:
        detail += f" \u00b7 ord {item.ordinal}"
    lines = [f"{item.seq}. {item.name}", detail, item.node_path or "DEVICE_DEFINE (no node)"]
    if booted:
        lines.append(item.state())
    return lines


def _box_h(lines: list[str]) -> float:
    return len(lines) * LINE_H + BOX_PAD


@dataclass
class _Box:
    item: InitItem
    col: int
    x: float
    y: float
    w: float
    h: float

    @property
    def mid_y(self) -> float:
        return self.y + self.h / 2


def _arrow_path(src: _Box, dst: _Box, bend: float) -> str:
    """A curve from the required box to the dependent one, leaving the columns' boxes clear."""
    if src.col == dst.col:  # around the right-hand side of the column
        x = src.x + src.w
        out = x + bend
        return (f"M {x:.1f} {src.mid_y:.1f} C {out:.1f} {src.mid_y:.1f} "
                f"{out:.1f} {dst.mid_y:.1f} {x + 2:.1f} {dst.mid_y:.1f}")
    if src.col < dst.col:
        x1, x2 = src.x + src.w, dst.x - 2
    else:
        x1, x2 = src.x, dst.x + dst.w + 2
    mid = (x1 + x2) / 2
    return (f"M {x1:.1f} {src.mid_y:.1f} C {mid:.1f} {src.mid_y:.1f} "
            f"{mid:.1f} {dst.mid_y:.1f} {x2:.1f} {dst.mid_y:.1f}")


def draw_init_order(source: Kernel | InitOrder, title: str | None = None) -> str:
    """The SVG text of the init-order picture of a kernel (or of a snapshot of one). Pure."""
    order = source if isinstance(source, InitOrder) else snapshot_init_order(source)
    heading = title or order.title
    subtitle = ("levels left to right; in a level, by priority, then devicetree ordinal; "
                + ("drawn from a running image" if order.booted else "drawn from a build"))
    levels = order.levels()
    lines = {item.seq: _lines(item, order.booted) for item in order.items}

    all_text = [s for ls in lines.values() for s in ls] + list(levels)
    col_w = max([MIN_COL_W] + [text_width(s) + 2 * BOX_PAD for s in all_text])
    # place the boxes
    boxes: dict[int, _Box] = {}
    col_h: list[float] = []
    for col, level in enumerate(levels):
        x = MARGIN + col * (col_w + COL_GAP)
        y: float = TITLE_H + HEADER_H + 12
        for item in (i for i in order.items if i.level == level):
            h = _box_h(lines[item.seq])
            boxes[item.seq] = _Box(item, col, x, y, col_w, h)
            y += h + BOX_GAP
        col_h.append(y)
    pairs = order.dependencies()
    legend_y = max(col_h + [TITLE_H + HEADER_H + 40]) + 20
    legend = [
        (ARROW, None, "A \u2192 B: device B requires device A (devicetree), so A initializes first"),
        (ARROW_WRONG, "5 4", "B requires A, but A initializes after B"),
    ]
    width = max(MARGIN * 2 + len(levels) * col_w + (len(levels) - 1) * COL_GAP,
                MARGIN * 2 + text_width(heading, 16), MARGIN * 2 + text_width(subtitle),
                MARGIN * 2 + 40 + max(text_width(t, 11) for _, _, t in legend))
    height = legend_y + 22 * len(legend) + MARGIN

    doc = SvgDocument(width, height, title=heading)
    marker_ok = doc.arrowhead("arrow", ARROW)
    marker_wrong = doc.arrowhead("arrow-wrong", ARROW_WRONG)
    doc.rect(0, 0, width, height, fill="#ffffff")
    doc.text(MARGIN, 28, heading, size=16, font_weight="bold")
    doc.text(MARGIN, 48, subtitle, fill="#555555")

    for col, level in enumerate(levels):
        x = MARGIN + col * (col_w + COL_GAP)
        count = sum(1 for i in order.items if i.level == level)
        g = doc.group(class_="level", data_level=level)
        doc.rect(x, TITLE_H, col_w, HEADER_H, parent=g, fill="#343a40", rx=4)
        doc.text(x + col_w / 2, TITLE_H + 17, level, parent=g, fill="#ffffff",
                 font_weight="bold", text_anchor="middle")
        doc.text(x + col_w / 2, TITLE_H + 32, f"{count} entr{'y' if count == 1 else 'ies'}",
                 parent=g, size=10, fill="#dddddd", text_anchor="middle")
        if count == 0:
            doc.text(x + col_w / 2, TITLE_H + HEADER_H + 30, "(nothing)", parent=g,
                     fill="#888888", text_anchor="middle")

    for seq, box in boxes.items():
        item = box.item
        device = item.kind == "device"
        stroke = "#3b5f9e" if device else "#777777"
        if order.booted and device and item.initialized and not item.ready:
            stroke = NOT_READY
        g = doc.group(class_="entry", data_seq=seq, data_kind=item.kind, data_name=item.name,
                      data_level=item.level, data_prio=item.prio, data_ord=item.ordinal,
                      data_state=item.state() if order.booted and device else None)
        rect = doc.rect(box.x, box.y, box.w, box.h, parent=g,
                        fill="#dce6f7" if device else "#eeeeee", stroke=stroke, stroke_width=1.2,
                        rx=4)
        doc.tooltip(rect, " \u2014 ".join(lines[seq]))
        for n, text in enumerate(lines[seq]):
            attrs: dict[str, object] = {}
            if n == 0:
                attrs["font_weight"] = "bold"
            elif n == 3:  # the state line of a running image
                attrs["fill"] = READY if item.ready else NOT_READY
                attrs["font_weight"] = "bold"
            else:
                attrs["fill"] = "#333333"
            doc.text(box.x + BOX_PAD, box.y + 5 + LINE_H * (n + 1) - 3, text, parent=g,
                     size=12 if n == 0 else 11, **attrs)

    # dependency arrows, spread so that arrows around one column do not overlap
    bends: dict[int, int] = {}
    for required, dependent in pairs:
        src, dst = boxes[required.seq], boxes[dependent.seq]
        wrong = required.seq > dependent.seq
        k = bends.get(src.col, 0) if src.col == dst.col else 0
        if src.col == dst.col:
            bends[src.col] = k + 1
        doc.path(_arrow_path(src, dst, 18 + 10 * (k % 4)), class_="dep", fill="none",
                 stroke=ARROW_WRONG if wrong else ARROW, stroke_width=1.6,
                 stroke_dasharray="5 4" if wrong else None,
                 marker_end=marker_wrong if wrong else marker_ok,
                 data_from=required.name, data_to=dependent.name,
                 data_from_seq=required.seq, data_to_seq=dependent.seq,
                 data_order="wrong" if wrong else "ok")

    for n, (color, dash, text) in enumerate(legend):
        y = legend_y + 22 * n
        doc.line(MARGIN, y, MARGIN + 30, y, stroke=color, stroke_width=1.6,
                 stroke_dasharray=dash, marker_end=marker_wrong if dash else marker_ok)
        doc.text(MARGIN + 40, y + 4, text, size=11)
    return doc.render()
