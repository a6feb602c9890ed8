"""The one module that talks to edtlib (PyPI devicetree 0.0.2).

It turns the preprocessed devicetree into Zephyr's outputs (zephyr.dts,
edt.pickle) and into zpy's plain model (dtmodel.DeviceTree), and it turns
edtlib's and dtlib's exceptions into one DTSError line that names the file and
line to fix. Everything edtlib-specific stays here, so moving to a newer
edtlib (on_buses/buses lists, Node.filename/lineno) is a change to this file.
"""

from __future__ import annotations

import logging
import pickle
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from devicetree import dtlib, edtlib

from zpy.build.dtslocate import DTSSourceMap, Location
from zpy.errors import DTSError
from zpy.image.dtmodel import DeviceTree, DTInterrupt, DTNode, DTReg
from zpy.yamlfile import yaml_error

#: Top-level binding keys edtlib 0.0.2 accepts (its own message fails to list them).
_BINDING_TOP_KEYS = "bus, child-binding, compatible, description, include, on-bus, properties"


def generate(dts_pre: Path, bindings_dirs: list[Path], zephyr_dts: Path, edt_pickle: Path,
             warn: Callable[[str], None]) -> DeviceTree:
    """Build the EDT, write zephyr.dts and edt.pickle, and return the plain model."""
    edt = load_edt(dts_pre, bindings_dirs, warn)
    try:
        source = edt.dts_source
    except Exception as e:  # dtlib reads some values it cannot write back (a trailing label)
        raise _unwritable_property(edt, dts_pre, e) from None
    zephyr_dts.parent.mkdir(parents=True, exist_ok=True)
    zephyr_dts.write_text(source, encoding="utf-8")
    with open(edt_pickle, "wb") as f:
        pickle.dump(edt, f, protocol=4)
    return to_model(edt)


def _unwritable_property(edt: edtlib.EDT, dts_pre: Path, error: Exception) -> DTSError:
    """The property python-devicetree's dtlib fails to print into zephyr.dts, at its line."""
    for node in edt._dt.node_iter():
        for name, prop in node.props.items():
            try:
                str(prop)
            except Exception:
                loc = DTSSourceMap(dts_pre.read_text(encoding="utf-8"), str(dts_pre)).prop(
                    node.path, name)
                return DTSError(f"{node.path}: property '{name}': python-devicetree cannot write "
                                "its value back to zephyr.dts (as a label after the value, "
                                "`= \"x\" lbl:`): remove the label",
                                loc.filename if loc else None, loc.lineno if loc else None)
    return DTSError(f"cannot write zephyr.dts: {type(error).__name__}: {error}")


def load_edt(dts_pre: Path, bindings_dirs: list[Path],
             warn: Callable[[str], None]) -> edtlib.EDT:
    """edtlib.EDT with Zephyr's options; errors become DTSError, warnings go to `warn`."""
    text = dts_pre.read_text(encoding="utf-8")
    source_map: DTSSourceMap | None = None

    def located() -> DTSSourceMap:
        nonlocal source_map
        if source_map is None:
            source_map = DTSSourceMap(text, str(dts_pre))
        return source_map

    dirs = [str(d) for d in bindings_dirs]
    with _edtlib_warnings(lambda msg: warn(_warning_line(msg, located))):
        try:
            edt = edtlib.EDT(
                str(dts_pre),
                dirs,
                warn_reg_unit_address_mismatch=True,
                default_prop_types=True,
            )
        except yaml.YAMLError as e:
            raise _yaml_error(e) from None
        except (edtlib.EDTError, dtlib.DTError) as e:
            raise _dt_error(str(e), located(), bindings_dirs) from None
        except OSError as e:
            raise DTSError(f"cannot read {e.filename}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise _binding_not_utf8(bindings_dirs) from None
        except Exception as e:  # edtlib 0.0.2 trips over some malformed bindings
            raise _malformed_binding(bindings_dirs, e) from None
    _check_cycles(edt, located)
    _check_chosen(edt, located)
    _check_pcie_ids(edt, warn, located)
    return edt


def _check_cycles(edt: edtlib.EDT, located: Callable[[], DTSSourceMap]) -> None:
    """Nodes that depend on each other get no dependency ordinal. Zephyr's gen_defines.py
    stops on a cycle it sees ("cycle in devicetree involving ..."); a cycle no root leads to
    (a node whose phandle names its own child) it does not see and fails later. Both are
    reported here, at the phandle property that closes the cycle."""
    try:
        edt.scc_order  # noqa: B018  (assigns the ordinals)
    except edtlib.EDTError as e:
        raise DTSError(f"devicetree dependencies: {e}") from None
    unordered = [n for n in edt.nodes if not hasattr(n, "dep_ordinal")]
    if not unordered:
        return
    members = set(unordered)
    where = None
    for node in unordered:
        name = next((name for name, prop in node.props.items()
                     if _phandle_targets(prop) & members), None)
        if name is not None:
            where = located().prop(node.path, name)
            break
    raise DTSError("cycle in devicetree involving " + ", ".join(n.path for n in unordered),
                   where.filename if where else None, where.lineno if where else None)


def _phandle_targets(prop: edtlib.Property) -> set[edtlib.Node]:
    if prop.type == "phandle":
        return {prop.val}
    if prop.type == "phandles":
        return set(prop.val)
    if prop.type == "phandle-array":
        return {entry.controller for entry in prop.val if entry is not None}
    return set()


def _check_chosen(edt: edtlib.EDT, located: Callable[[], DTSSourceMap]) -> None:
    """A /chosen path that names no node: edtlib drops it without a word."""
    try:
        chosen = edt._dt.get_node("/chosen")
    except dtlib.DTError:
        return
    for name, prop in chosen.props.items():
        if name in edt.chosen_nodes or prop.type != dtlib.Type.STRING:
            continue
        loc = located().prop("/chosen", name)
        raise DTSError(f"/chosen: {name} = \"{prop.to_string()}\" names no node (check "
                       "the path, or use a label reference such as &uart0)",
                       loc.filename if loc else None, loc.lineno if loc else None)


def _check_pcie_ids(edt: edtlib.EDT, warn: Callable[[str], None],
                    located: Callable[[], DTSSourceMap]) -> None:
    """A PCIe device node without vendor-id and device-id matches any function on the bus
    (the host bridge first): say so at build time rather than leave a device not ready."""
    for node in edt.nodes:
        binding = getattr(node, "_binding", None)  # edtlib 0.0.2 has no public accessor
        if node.status != "okay" or binding is None:
            continue
        if not {"vendor-id", "device-id"} <= set(binding.prop2specs) or \
                {"vendor-id", "device-id"} & set(node.props):
            continue
        loc = located().node(node.path)
        prefix = f"{loc.filename}:{loc.lineno}: " if loc else ""
        warn(f"{prefix}warning: {node.path} ({node.matching_compat}) has no vendor-id or "
             "device-id: it matches the first PCI function found, whatever it is (give the "
             "device's IDs, e.g. vendor-id = <0x1af4>; device-id = <0x1110>; for QEMU's "
             "ivshmem)")


# -- the plain model ----------------------------------------------------------------------


def to_model(edt: edtlib.EDT) -> DeviceTree:
    """edtlib's EDT as a dtmodel.DeviceTree (JSON-friendly values, ordinals, paths)."""
    nodes = [_node(n) for n in edt.nodes]
    chosen = {name: node.path for name, node in edt.chosen_nodes.items()}
    aliases = {alias: n.path for n in edt.nodes for alias in n.aliases}
    compat2okay = {c: [n.path for n in ns] for c, ns in edt.compat2okay.items() if ns}
    return DeviceTree(nodes, chosen, aliases, compat2okay)


def _node(n: edtlib.Node) -> DTNode:
    _, _, unit = n.name.partition("@")
    return DTNode(
        path=n.path,
        name=n.name,
        unit_addr=unit or None,
        ord=n.dep_ordinal,
        labels=list(n.labels),
        status=n.status,
        compats=list(n.compats),
        matching_compat=n.matching_compat,
        props={name: _json_value(p.val) for name, p in n.props.items()},
        regs=[DTReg(r.addr, r.size, r.name) for r in n.regs],
        interrupts=[
            DTInterrupt(i.controller.path, {k: int(v) for k, v in i.data.items()}, i.name)
            for i in n.interrupts
        ],
        parent=n.parent.path if n.parent is not None else None,
        children=[c.path for c in n.children.values()],
        depends_on=[d.dep_ordinal for d in n.depends_on],
        required_by=[d.dep_ordinal for d in n.required_by],
        bus=_bus(n, "bus", "buses"),
        on_bus=_bus(n, "on_bus", "on_buses"),
        binding_path=n.binding_path,
    )


def _bus(n: edtlib.Node, old: str, new: str) -> str | None:
    """0.0.2 has a bus string; newer edtlib has a list (zpy keeps the first)."""
    if hasattr(n, new):
        buses = getattr(n, new)
        return buses[0] if buses else None
    return getattr(n, old)


def _json_value(v: Any) -> Any:
    if isinstance(v, edtlib.Node):
        return v.path
    if isinstance(v, edtlib.ControllerAndData):
        return {"controller": v.controller.path, "data": dict(v.data), "name": v.name}
    if isinstance(v, bytes):
        return list(v)
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)


# -- warnings -----------------------------------------------------------------------------


class _ThreadHandler(logging.Handler):
    """Collects edtlib's log records of one thread, so parallel builds stay apart."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.sink(record.getMessage())


@contextmanager
def _edtlib_warnings(sink: Callable[[str], None]) -> Iterator[None]:
    logger = logging.getLogger("devicetree")
    handler = _ThreadHandler(sink)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _warning_line(msg: str, located: Callable[[], DTSSourceMap]) -> str:
    smap = located()
    msg = _clean(msg, smap)
    loc = _node_location(msg, smap)
    prefix = f"{loc.filename}:{loc.lineno}: " if loc else ""
    return f"{prefix}warning: {msg}"


# -- errors -------------------------------------------------------------------------------

_PARSE_ERROR = re.compile(r"^(.+?):(\d+) \(column (\d+)\): (.*)$", re.S)
_YAML_INVALID = re.compile(r"^'(.+?)' appears in binding directories but isn't valid YAML")
_YAML_FILE = re.compile(r"(/[^\s'\"]+\.ya?ml)\b")
_NODE_PATHS = (
    re.compile(r"<Node (/\S*)>"),
    re.compile(r"^(/[^\s'\"]*):"),
    re.compile(r"\b(?:on|in|for|node) (/[^\s'\"]*)"),
)
_QUOTED = re.compile(r"'([^']+)'")
_UNDEF_LABEL = re.compile(r"undefined node label '([^']+)'")


def _dt_error(msg: str, smap: DTSSourceMap, bindings_dirs: list[Path]) -> DTSError:
    m = _PARSE_ERROR.match(msg)
    if m:  # dtlib syntax error: it already names the file and line
        return DTSError(_one_line(m.group(4)), filename=m.group(1), lineno=int(m.group(2)))
    m = _YAML_INVALID.match(msg)
    if m:
        return _yaml_file_error(Path(m.group(1)), msg)
    msg = _clean(msg, smap)
    if _node_path(msg) is None:
        # about a binding: name the binding file, and the line of the key it complains about
        m = _YAML_FILE.search(msg)
        if m:
            path = Path(m.group(1))
            shape = _shape_of(path)
            if shape:  # edtlib's message about a value of the wrong shape is confusing
                return DTSError(shape[1], filename=path, lineno=shape[0])
            lineno = _yaml_key_line(path, msg)
            msg = msg.replace(f" in {path},", ",").replace(f" in {path}", "")
            return DTSError(_one_line(msg), filename=path, lineno=lineno)
        m = re.match(r"^'([^']+\.ya?ml)' not found", msg)
        if m:  # an include: find the binding that asks for it
            loc = _find_text(bindings_dirs, m.group(1))
            if loc:
                return DTSError(f"included binding {msg}", filename=loc.filename,
                                lineno=loc.lineno)
    loc = _node_location(msg, smap)
    if loc:
        return DTSError(_one_line(msg), filename=loc.filename, lineno=loc.lineno)
    return DTSError(_one_line(msg))


def _node_location(msg: str, smap: DTSSourceMap) -> Location | None:
    """Where the node (and property) the message is about is written."""
    path = _node_path(msg)
    if path is None:
        return None
    undef = _UNDEF_LABEL.search(msg)
    if undef:
        loc = smap.statement_with(path, "&" + undef.group(1))
        if loc:
            return loc
    prop = _QUOTED.search(msg)
    if prop:
        loc = smap.prop(path, prop.group(1))
        if loc:
            return loc
    return smap.node(path)


def _node_path(msg: str) -> str | None:
    """The devicetree node a message is about (binding file paths are not nodes)."""
    msg = _YAML_FILE.sub("<binding>", msg)
    for pattern in _NODE_PATHS:
        m = pattern.search(msg)
        if m:
            return m.group(1).rstrip(",.:;") or "/"
    return None


def _clean(msg: str, smap: DTSSourceMap) -> str:
    """Drop dtlib's "in <whole input file>" phrases: the location is given separately."""
    msg = re.sub(r"<Node (\S+) in '[^']*'>", r"<Node \1>", msg)
    files = "|".join(re.escape(f) for f in sorted(smap.filenames, key=len, reverse=True))
    msg = re.sub(rf"(\s(?:on|in) /[^\s'\"]*?) in '?(?:{files})'?(?=[\s,]|$)", r"\1", msg)
    msg = msg.replace("{', '.join(ok_top)}", _BINDING_TOP_KEYS)
    return msg


def _one_line(msg: str) -> str:
    return " ".join(msg.split())


def _yaml_error(e: yaml.YAMLError) -> DTSError:
    """A YAML error edtlib let through: the file is the one its mark names."""
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    text = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return DTSError(_one_line(text), filename=mark.name if mark is not None else None,
                    lineno=mark.line + 1 if mark is not None else None)


def _yaml_file_error(path: Path, msg: str) -> DTSError:
    try:
        text = path.read_text(encoding="utf-8")
        yaml.safe_load(text)
    except yaml.YAMLError as e:
        return yaml_error(path, e, DTSError, text)
    except OSError:
        pass
    return DTSError(_one_line(msg), filename=path)


def _yaml_key_line(path: Path, msg: str) -> int | None:
    """The line of the first key of the binding the message quotes, if any."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for name in _QUOTED.findall(msg):
        if name.endswith((".yaml", ".yml")) or name in ("type:", "properties", "properties:"):
            continue
        name = name.removesuffix(":")
        pattern = re.compile(r"^\s*['\"]?" + re.escape(name) + r"['\"]?\s*:")
        for i, line in enumerate(lines, 1):
            if pattern.match(line):
                return i
    return None


def _find_text(dirs: list[Path], needle: str) -> Location | None:
    for d in dirs:
        for path in sorted(d.rglob("*.y*ml")):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError:
                continue
            for i, line in enumerate(lines, 1):
                if needle in line and not line.lstrip().startswith("#"):
                    return Location(str(path), i)
    return None


def _binding_not_utf8(dirs: list[Path]) -> DTSError:
    """The binding edtlib could not decode, at the line of the first bad byte."""
    for d in dirs:
        for path in sorted(d.rglob("*.y*ml")):
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                return DTSError(f"not UTF-8 text (byte 0x{data[e.start]:02x})", filename=path,
                                lineno=data[: e.start].count(b"\n") + 1)
    return DTSError("a binding is not UTF-8 text")


def _malformed_binding(dirs: list[Path], e: Exception) -> DTSError:
    """Find the binding whose shape made edtlib fail with a Python error, and its line."""
    for d in dirs:
        for path in sorted(d.rglob("*.y*ml")):
            problem = _shape_of(path)
            if problem:
                return DTSError(problem[1], filename=path, lineno=problem[0])
    return DTSError(f"edtlib failed: {type(e).__name__}: {e}")


def _shape_of(path: Path) -> tuple[int, str] | None:
    """(line, problem) if the binding's structure is not what edtlib expects."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    return _binding_shape(root) if root is not None else None


def _binding_shape(node: yaml.Node) -> tuple[int, str] | None:
    if not isinstance(node, yaml.MappingNode):
        return node.start_mark.line + 1, "a binding must be a mapping of keys to values"
    for key, value in node.value:
        if key.value == "properties":
            if not isinstance(value, yaml.MappingNode):
                return (value.start_mark.line + 1,
                        "'properties:' must map property names to their settings")
            for name, spec in value.value:
                if not isinstance(spec, yaml.MappingNode):
                    return (spec.start_mark.line + 1, f"property '{name.value}' must be a "
                            "mapping of settings (type:, required:, ...)")
        elif key.value == "child-binding":
            problem = _binding_shape(value)
            if problem:
                return problem
    return None
