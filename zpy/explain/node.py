"""Why a devicetree node has (or lacks) a ready device: `zpy explain -d BUILD NODE`.

From the build: the node's compatible, binding, status and where they are
written (devicetree_generated.json, and the preprocessed source for lines);
the driver that serves the compatible (drivers.py) and, if that driver is not
in the image, the Kconfig symbol that keeps it out, explained as a symbol is.
From the image: the device a driver defined for the node, its init function,
level, priority and the devices it requires (devices.py: the records of the
last `zpy run`, or of the image linked without booting). After a run: whether
it is ready, and why not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zpy.build.app import App
from zpy.build.modules import find_modules
from zpy.explain.buildfolder import BuildFolder
from zpy.explain.devices import DeviceRecord, DeviceTable, build_stamp
from zpy.explain.drivers import DriverSource, driver_sources, drivers_for
from zpy.explain.symbol import SymbolExplainer, SymbolExplanation
from zpy.explain.text import Where, indent, labelled, short, where
from zpy.image.dtmodel import DTNode


@dataclass
class Condition:
    symbol: str  # CONFIG_X
    value: str
    where: Where


@dataclass
class Driver:
    file: str
    compat: str  # DT_DRV_COMPAT
    line: int
    in_image: bool
    #: the CMakeLists `_ifdef` symbols it needs, with their values (outermost first)
    conditions: list[Condition] = field(default_factory=list)


@dataclass
class Requirement:
    ordinal: int
    path: str
    device: str | None
    state: str


@dataclass
class NodeExplanation:
    path: str
    labels: list[str]
    compatible: list[str]
    binding: str | None
    status: str
    status_at: Where | None
    defined_at: Where | None
    drivers: list[Driver]
    device: DeviceRecord | None
    requires: list[Requirement]
    #: "run" (states from the last zpy run), "linked" (not run yet) or "unknown"
    states_from: str
    #: the symbol that keeps the node's driver out of the image, explained
    blocking: SymbolExplanation | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = "node"
        if self.blocking is not None:
            d["blocking"] = self.blocking.to_json()
        return d

    def render(self) -> list[str]:
        return render_node(self)


def device_table(folder: BuildFolder) -> tuple[DeviceTable | None, str, list[str]]:
    """The device records to explain with: the last run's when they belong to this build,
    else those of the image linked without booting; with where they came from and notes."""
    from zpy.explain import devices

    notes: list[str] = []
    recorded = DeviceTable.load(folder.root / devices.RELPATH)
    if recorded is not None:
        if recorded.stamp == build_stamp(folder.paths):
            return recorded, "run", notes
        notes.append("the last zpy run was of an earlier build of this folder: its device "
                     "states are not shown")
    from zpy.runtime import Runtime

    try:
        runtime = Runtime(folder.root, machine_args=["-nodefaults"], console_out=None)
    except Exception as e:  # the image does not link: say so, explain the rest
        notes.append(f"the image does not link ({type(e).__name__}: {e}), so its devices are "
                     "unknown")
        return None, "unknown", notes
    try:
        return devices.device_table(runtime.kernel, booted=False), "linked", notes
    finally:
        runtime.close()


def explain_node(folder: BuildFolder, node: DTNode) -> NodeExplanation:
    table, states_from, notes = device_table(folder)
    dt = folder.devicetree
    smap = folder.dts_map
    status_at = node_at = None
    if smap is not None:
        loc = smap.prop(node.path, "status")
        status_at = Where(loc.filename, loc.lineno) if loc else None
        loc = smap.node(node.path)
        node_at = Where(loc.filename, loc.lineno) if loc else None
    record = table.for_node(node.path) if table is not None else None
    device = record if record is not None and record.name is not None else None
    requires = []
    for ordinal in node.depends_on:
        other = dt.ord2node.get(ordinal)
        if other is None:
            continue
        rec = table.for_ordinal(ordinal) if table is not None else None
        requires.append(Requirement(ordinal, other.path, rec.name if rec else None,
                                    rec.why if rec else "no device"))
    e = NodeExplanation(
        path=node.path, labels=list(node.labels), compatible=list(node.compats),
        binding=node.binding_path, status=node.status, status_at=status_at,
        defined_at=node_at, drivers=[], device=device, requires=requires,
        states_from=states_from, notes=notes)
    _drivers(folder, node, e)
    return e


def _drivers(folder: BuildFolder, node: DTNode, e: NodeExplanation) -> None:
    manifest = folder.manifest
    app_sources = [Path(m.path) for m in manifest.app_sources]
    in_image = {Path(m.path) for m in [*manifest.modules, *manifest.module_sources,
                                       *manifest.app_sources]}
    app = App(Path(manifest.app_dir))
    modules = find_modules([m["path"] for m in manifest.zephyr_modules], app.dir)
    sources: list[DriverSource] = drivers_for(
        node.compats, driver_sources(folder.setup.srctree, app_sources, app, modules))
    kconf = folder.kconfig if any(s.conditions for s in sources) else None
    for source in sources:
        conditions = []
        for c in source.conditions:
            sym = kconf.syms.get(c.symbol.removeprefix("CONFIG_")) if kconf else None
            conditions.append(Condition(c.symbol, sym.str_value if sym else "n",
                                        Where(str(c.filename), c.lineno)))
        e.drivers.append(Driver(str(source.path), source.compat, source.lineno,
                                source.path in in_image, conditions))
    if e.device is not None or not e.drivers or not node.okay or kconf is None:
        return
    for driver in e.drivers:
        off = next((c for c in driver.conditions if c.value in ("n", "")), None)
        if not driver.in_image and off is not None:
            sym = kconf.syms[off.symbol.removeprefix("CONFIG_")]
            e.blocking = SymbolExplainer(kconf, folder.fragments).explain(
                sym, want="y", wanted_for=f"to put {short(driver.file)} in the image")
            return


# -- text --------------------------------------------------------------------------------------


def render_node(e: NodeExplanation) -> list[str]:
    labels = f" ({', '.join(e.labels)})" if e.labels else ""
    lines = [f"{e.path}{labels}"]
    lines += labelled("compatible", ", ".join(f'"{c}"' for c in e.compatible) or "(none)")
    if e.binding:
        lines += labelled("binding", short(e.binding))
    elif e.compatible:
        lines += labelled("binding", "none found for its compatible")
    if e.defined_at:
        lines += labelled("defined at", str(e.defined_at))
    lines += labelled("status", e.status + (f", at {e.status_at}" if e.status_at else ""))
    for d in e.drivers:
        lines += labelled("driver", _driver_text(d))
    if not e.drivers and e.compatible and e.device is None:
        compats = ", ".join(f'"{c}"' for c in e.compatible)
        lines += labelled("driver", f"none: no zpy or app source declares DT_DRV_COMPAT for "
                          f"{compats}")
    lines += _device_text(e)
    if e.requires:
        lines += labelled("requires", [f"{r.path} (ord {r.ordinal}): "
                                       + (f'device "{r.device}", {r.state}' if r.device
                                          else r.state) for r in e.requires])
    lines += _state_text(e)
    for note in e.notes:
        lines += labelled("note", note)
    if e.blocking is not None:
        lines += [""] + indent(e.blocking.render(), "  ")
    return lines


def _driver_text(d: Driver) -> list[str]:
    head = f'{short(d.file)}:{d.line} (DT_DRV_COMPAT "{d.compat}")'
    if d.in_image:
        return [head + ", in the image"]
    off = [f"{c.symbol}={c.value or 'n'} ({c.where})" for c in d.conditions
           if c.value in ("n", "")]
    return [head + ",", "not in the image: " + ", ".join(off or ["no CMakeLists lists it"])]


def _device_text(e: NodeExplanation) -> list[str]:
    dev = e.device
    if dev is None:
        if e.status != "okay":
            why = f'status is "{e.status}", and drivers define devices for okay nodes only'
        elif e.states_from == "unknown":
            why = "unknown (the image does not link)"
        else:
            why = "no driver in the image defines one for this node"
        return labelled("device", f"none: {why}")
    lines = labelled("device", f'"{dev.name}", defined at {_at(dev.defined_at)}')
    init = f"{dev.init}() at {_at(dev.init_at)}" if dev.init else "no init function"
    return lines + labelled("init", f"{init}, {dev.level}, priority {dev.priority}")


def _state_text(e: NodeExplanation) -> list[str]:
    dev = e.device
    if dev is None:
        return []
    if e.states_from != "run":
        return labelled("state", "not run yet: zpy run records it in the build folder")
    if dev.ready:
        return labelled("state", "ready, at the end of the last zpy run")
    first, *more = dev.why.split("; ")
    state = [f"not ready, at the end of the last zpy run: {first}", *more]
    return labelled("state", state + [f"the driver logged: {line}" for line in dev.log])


def _at(location: str | None) -> str:
    if not location:
        return "?"
    file, _, line = location.rpartition(":")
    return str(where(file, int(line))) if line.isdigit() else short(location)
