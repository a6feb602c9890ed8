"""Each device of an image and how its init went: BUILD/zephyr/devices.json.

`zpy run` writes the file when a run ends: one record per devicetree node that
has a compatible, and per DEVICE_DEFINE device, saying whether the device is
ready and, if not, why (status disabled, no driver, init returned -errno with
the line its driver logged, a required device not ready, init deferred). It is
read from the public device structs only (device.state.init_res, initialized,
ops.init, deps, dt_node) and from the kernel's init entries, in init order.

`zpy explain` reads the file back, and takes the same records from an image it
links without booting (before any run, every state is "not run").
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zpy import errno
from zpy.build.paths import BuildPaths
from zpy.image.dtmodel import DeviceTree
from zpy.subsys.logging import LogCore

if TYPE_CHECKING:
    from zpy.kernel.kernel import Kernel

#: Where `zpy run` leaves the records, inside the build folder.
RELPATH = Path("zephyr/devices.json")
FORMAT = 1

_ERRNO_NAMES: dict[int, str] = {}
for _name, _value in vars(errno).items():
    if _name.startswith("E") and _name.isupper() and isinstance(_value, int):
        _ERRNO_NAMES.setdefault(_value, _name)


def errno_text(init_res: int) -> str:
    """init_res 5 -> '-EIO (-5)'."""
    name = _ERRNO_NAMES.get(init_res)
    return f"-{name} (-{init_res})" if name else f"-{init_res}"


@dataclass
class DeviceRecord:
    """A device of the image, or a devicetree node that got none."""

    node: str | None  # devicetree path; None for DEVICE_DEFINE
    name: str | None  # the device's name; None when no device was defined
    ordinal: int | None = None
    level: str | None = None
    priority: int | None = None
    init: str | None = None  # the init function's name
    init_at: str | None = None  # its file:line
    module: str | None = None  # the module that defines it (under the image)
    defined_at: str | None = None  # file:line of DEVICE_*_DEFINE
    deps: list[int] = field(default_factory=list)  # ordinals of required nodes
    deferred: bool = False
    status: str | None = None  # the node's status
    # the run
    initialized: bool = False
    init_res: int = 0
    #: error and warning lines the driver logged while its init ran
    log: list[str] = field(default_factory=list)
    ready: bool = False
    why: str = "not run"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DeviceRecord:
        return cls(**d)


@dataclass
class DeviceTable:
    devices: list[DeviceRecord]
    #: True when recorded at the end of a run (False: linked, never booted)
    booted: bool
    #: build_stamp() of the build the records belong to
    stamp: str = ""
    format: int = FORMAT

    def for_node(self, path: str) -> DeviceRecord | None:
        return next((d for d in self.devices if d.node == path), None)

    def for_ordinal(self, ordinal: int) -> DeviceRecord | None:
        return next((d for d in self.devices if d.ordinal == ordinal and d.name), None)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a file of this process's own, so that two VMs of one build (the demo) do not race
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> DeviceTable | None:
        try:
            d = json.loads(path.read_text())
            if d.get("format") != FORMAT:
                return None
            d["devices"] = [DeviceRecord.from_json(r) for r in d["devices"]]
            return cls(**d)
        except (OSError, ValueError, TypeError, KeyError):
            return None


def build_stamp(paths: BuildPaths) -> str:
    """Identifies one build's image: its .config and image.json."""
    h = hashlib.sha256()
    for path in (paths.dotconfig, paths.image_json):
        try:
            h.update(path.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def _image_module(name: str) -> str:
    """'_zpy_image_3.zpy.drivers.x' -> 'zpy.drivers.x' (the name without the image's)."""
    head, _, rest = name.partition(".")
    return rest if head.startswith("_zpy_image_") and rest else name


def device_table(kernel: Kernel, booted: bool, stamp: str = "") -> DeviceTable:
    """The records of a linked (or booted) image: its devices in init order, then the
    nodes with a compatible that got no device."""
    from zpy.kernel.device import DEVICE_FLAG_INIT_DEFERRED
    from zpy.kernel.init import init_entry

    log = kernel.service(LogCore, lambda: LogCore(kernel.config)).init_lines
    records = []
    for entry in sorted(kernel.init_entries, key=init_entry.sort_key):
        dev = entry.dev
        if dev is None:
            continue
        node = dev.dt_node
        init = dev.ops.init
        code = getattr(init, "__code__", None)
        records.append(DeviceRecord(
            node=node.path if node is not None else None, name=dev.name,
            ordinal=node.ord if node is not None else None,
            level=entry.level.name, priority=entry.prio,
            init=getattr(init, "__name__", None) if init is not None else None,
            init_at=f"{code.co_filename}:{code.co_firstlineno}" if code is not None else None,
            module=_image_module(getattr(init, "__module__", "") or "") or None,
            defined_at=dev.where or None, deps=list(dev.deps),
            deferred=bool(dev.flags & DEVICE_FLAG_INIT_DEFERRED),
            status=node.status if node is not None else None,
            initialized=dev.state.initialized, init_res=dev.state.init_res,
            log=list(log.get(dev, ())), ready=dev.state.initialized and dev.state.init_res == 0))
    defined = {r.node for r in records}
    records += [DeviceRecord(node=n.path, name=None, ordinal=n.ord, deps=list(n.depends_on),
                             status=n.status)
                for n in kernel.devicetree.nodes if n.compats and n.path not in defined]
    table = DeviceTable(records, booted, stamp)
    for record in records:
        record.why = why(record, table, kernel.devicetree, booted)
    return table


def why(record: DeviceRecord, table: DeviceTable, dt: DeviceTree, booted: bool) -> str:
    """One phrase: ready, or the reason the device is not."""
    if record.name is None:
        if record.status != "okay":
            return f'no device: status "{record.status}"'
        return "no device: no driver in the image defines one for it"
    if not booted:
        return "not run"
    if record.ready:
        return "ready"
    if not record.initialized:
        if record.deferred:
            return "not initialized: zephyr,deferred-init, and nothing called device_init()"
        return "not initialized: the boot stopped before its init level"
    text = f"init returned {errno_text(record.init_res)}"
    for ordinal in record.deps:
        dep = table.for_ordinal(ordinal)
        if dep is not None and not dep.ready:
            text += f"; it requires {dep.name} ({dep.node}), which is not ready"
    return text


def record_run(kernel: Kernel, paths: BuildPaths) -> Path:
    """Write the device records of a run that has ended (zpy run calls it)."""
    path = paths.root / RELPATH
    device_table(kernel, True, build_stamp(paths)).save(path)
    return path
