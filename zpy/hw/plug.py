"""Plugging devices into a machine, from the image's Kconfig and QEMU-style options.

By default the devices follow the Kconfig as Zephyr's QEMU runner does
(cmake/emu/qemu.cmake): with CONFIG_IVSHMEM,

  doorbell: -device ivshmem-doorbell,vectors=<CONFIG_IVSHMEM_MSI_X_VECTORS>,chardev=ivshmem
            -chardev socket,path=/tmp/ivshmem_socket,id=ivshmem
  plain:    -device ivshmem-plain,memdev=hostmem
            -object memory-backend-file,size=<CONFIG_QEMU_IVSHMEM_PLAIN_MEM_SIZE>M,share,
                    mem-path=/dev/shm/ivshmem,id=hostmem
  v2:       -device ivshmem,chardev=ivshmem -chardev socket,path=/tmp/ivshmem_socket,id=ivshmem
            (zpy's addition: QEMU's ivshmem2 RFC device on an ivshmem-v2 server)

The user's options override: an -object or -chardev with the same id replaces the
default one, and any ivshmem -device given replaces the default devices;
-nodefaults drops the defaults altogether (as QEMU's -nodefaults). Errors
use QEMU's wording where QEMU has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zpy.errors import MachineError
from zpy.hw.machine import Machine
from zpy.hw.memory import MemoryBackend, parse_size

DEFAULT_IVSHMEM_SOCKET = "/tmp/ivshmem_socket"
DEFAULT_IVSHMEM_PLAIN_PATH = "/dev/shm/ivshmem"
#: How long a device waits for the server's greeting before giving up (seconds).
SERVER_SETUP_TIMEOUT = 5.0

IVSHMEM_DEVICES = ("ivshmem-plain", "ivshmem-doorbell", "ivshmem")
_BOOL = {"on": True, "off": False, "yes": True, "no": False, "true": True, "false": False}


@dataclass
class QemuOption:
    """One -device/-chardev/-object option: its type (first field) and properties."""

    kind: str  # "device", "chardev" or "object"
    type: str
    props: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def flag(self, name: str, default: bool) -> bool:
        value = self.props.get(name)
        if value is None:
            return default
        if value.lower() not in _BOOL:
            raise MachineError(f"Parameter '{name}' expects 'on' or 'off' (in -{self.kind} {self.text})")
        return _BOOL[value.lower()]


def parse_option(kind: str, text: str) -> QemuOption:
    """QEMU's key=value,key=value syntax; a bare word is the type (first) or a flag set to on."""
    parts = [p for p in text.split(",")]
    if not parts or not parts[0] or "=" in parts[0]:
        raise MachineError(f"-{kind} {text}: the first field must name the {kind} type")
    opt = QemuOption(kind, parts[0], {}, text)
    for part in parts[1:]:
        if not part:
            continue
        key, sep, value = part.partition("=")
        opt.props[key] = value if sep else "on"
    return opt


#: What QEMU accepts on the options zpy reads: device properties (a PCI device's own and the
#: common ones), object and chardev parameters. Anything else is refused in QEMU's words.
_PCI_PROPS = {"id", "bus", "addr", "multifunction", "romfile", "rombar", "failover_pair_id"}
DEVICE_PROPS = {
    "ivshmem-plain": _PCI_PROPS | {"memdev", "master"},
    "ivshmem-doorbell": _PCI_PROPS | {"chardev", "vectors", "ioeventfd", "msi", "master"},
    "ivshmem": _PCI_PROPS | {"chardev", "msi"},
}
_BACKEND_PARAMS = {"id", "size", "share", "prealloc", "prealloc-threads", "merge", "dump",
                   "host-nodes", "policy", "reserve", "x-use-canonical-path-for-ramblock-id"}
OBJECT_PARAMS = {
    "memory-backend-file": _BACKEND_PARAMS | {"mem-path", "align", "offset", "discard-data",
                                              "pmem", "readonly", "rom"},
    "memory-backend-memfd": _BACKEND_PARAMS | {"hugetlb", "hugetlbsize", "seal"},
    "memory-backend-ram": _BACKEND_PARAMS,
}
_CHARDEV_COMMON = {"id", "logfile", "logappend", "mux"}
CHARDEV_PARAMS = {
    "socket": _CHARDEV_COMMON | {"path", "host", "port", "to", "ipv4", "ipv6", "server", "wait",
                                 "nowait", "telnet", "tn3270", "websocket", "reconnect",
                                 "nodelay", "abstract", "tight", "fd", "tls-creds", "tls-authz"},
    "null": _CHARDEV_COMMON, "stdio": _CHARDEV_COMMON | {"signal"}, "pty": _CHARDEV_COMMON,
    "file": _CHARDEV_COMMON | {"path", "append"}, "pipe": _CHARDEV_COMMON | {"path"},
}


def check_option(opt: QemuOption) -> None:
    """Refuse, as QEMU does, a type or a property QEMU does not know (zpy would ignore it)."""
    where = f"-{opt.kind} {opt.text}"
    if opt.kind == "device":
        known = DEVICE_PROPS.get(opt.type)
        if known is None:
            raise MachineError(f"{where}: '{opt.type}' is not a valid device model name")
        for key in opt.props:
            if key not in known:
                raise MachineError(f"{where}: Property '{opt.type}.{key}' not found")
        return
    if opt.kind == "object":
        known = OBJECT_PARAMS.get(opt.type)
        if known is None:
            raise MachineError(f"{where}: Parameter 'qom-type' does not accept value "
                               f"'{opt.type}'")
    else:
        known = CHARDEV_PARAMS.get(opt.type)
        if known is None:
            raise MachineError(f"{where}: '{opt.type}' is not a valid char driver name")
    for key in opt.props:
        if key not in known:
            raise MachineError(f"{where}: Invalid parameter '{key}'")


def parse_args(args: list[str]) -> list[QemuOption]:
    """The -device/-chardev/-object options, each checked, and their IDs unique per kind."""
    options: list[QemuOption] = []
    it = iter(args)
    for word in it:
        if word == "-nodefaults":
            continue
        kind = word.lstrip("-")
        if kind not in ("device", "chardev", "object"):
            raise MachineError(f"unsupported machine option '{word}' (zpy run takes -device, "
                               "-chardev and -object)")
        value = next(it, None)
        if value is None:
            raise MachineError(f"option '{word}' needs an argument")
        opt = parse_option(kind, value)
        check_option(opt)
        ident = opt.props.get("id")
        if ident and kind != "device" and any(
                o.kind == kind and o.props.get("id") == ident for o in options):
            raise MachineError(f"-{kind} {opt.text}: Duplicate ID '{ident}' for {kind}")
        options.append(opt)
    return options


def kconfig_defaults(config: dict[str, Any]) -> list[QemuOption]:
    """The options Zephyr's QEMU runner adds for this configuration (and, for ivshmem-v2,
    which Zephyr's runner does not plug, the RFC device on the default socket)."""
    if not config.get("CONFIG_IVSHMEM"):
        return []
    if config.get("CONFIG_IVSHMEM_V2"):
        return parse_args([
            "-device", "ivshmem,chardev=ivshmem",
            "-chardev", f"socket,path={DEFAULT_IVSHMEM_SOCKET},id=ivshmem",
        ])
    if config.get("CONFIG_IVSHMEM_DOORBELL"):
        vectors = config.get("CONFIG_IVSHMEM_MSI_X_VECTORS", 2)
        return parse_args([
            "-device", f"ivshmem-doorbell,vectors={vectors},chardev=ivshmem",
            "-chardev", f"socket,path={DEFAULT_IVSHMEM_SOCKET},id=ivshmem",
        ])
    size = config.get("CONFIG_QEMU_IVSHMEM_PLAIN_MEM_SIZE", 4)
    return parse_args([
        "-device", "ivshmem-plain,memdev=hostmem",
        "-object", f"memory-backend-file,size={size}M,share,mem-path={DEFAULT_IVSHMEM_PLAIN_PATH},"
                   "id=hostmem",
    ])


def merge(defaults: list[QemuOption], user: list[QemuOption]) -> list[QemuOption]:
    user_ids = {(o.kind, o.props.get("id")) for o in user if o.props.get("id")}
    user_has_ivshmem = any(o.kind == "device" and o.type in IVSHMEM_DEVICES for o in user)
    kept = []
    for o in defaults:
        if o.kind == "device" and o.type in IVSHMEM_DEVICES and user_has_ivshmem:
            continue
        if o.props.get("id") and (o.kind, o.props["id"]) in user_ids:
            continue
        kept.append(o)
    return kept + user


def _get_id(opt: QemuOption) -> str:
    ident = opt.props.get("id")
    if not ident:
        raise MachineError(f"-{opt.kind} {opt.text}: Parameter 'id' is missing")
    return ident


def plug_devices(machine: Machine, config: dict[str, Any], args: list[str]) -> None:
    """Plug what the Kconfig and the options ask for, then run the firmware step."""
    defaults = [] if "-nodefaults" in args else kconfig_defaults(config)
    options = merge(defaults, parse_args(args))
    objects: dict[str, QemuOption] = {}
    chardevs: dict[str, QemuOption] = {}
    for opt in options:
        if opt.kind == "object":
            objects[_get_id(opt)] = opt
        elif opt.kind == "chardev":
            chardevs[_get_id(opt)] = opt
    busy: set[str] = set()  # memdevs in use
    chardevs_in_use: set[str] = set()
    count = 0
    for opt in options:
        if opt.kind != "device":
            continue
        name = opt.props.get("id") or f"ivshmem{count}"
        count += 1
        chardev = opt.props.get("chardev")
        if chardev:
            if chardev in chardevs_in_use:
                raise MachineError(f"-device {opt.text}: Property '{opt.type}.chardev' can't "
                                   f"take value '{chardev}': Device '{chardev}' is in use")
            chardevs_in_use.add(chardev)
        if opt.type == "ivshmem-plain":
            _plug_plain(machine, opt, name, objects, busy)
        elif opt.type == "ivshmem-doorbell":
            _plug_doorbell(machine, opt, name, chardevs)
        elif opt.type == "ivshmem":
            from zpy.hw.ivshmem2 import plug_ivshmem2  # ivshmem-v2, the RFC device

            plug_ivshmem2(machine, opt, name, chardevs)
        else:
            raise MachineError(f"'{opt.type}' is not a valid device model name")
    machine.firmware_init()


def _plug_plain(machine: Machine, opt: QemuOption, name: str, objects: dict[str, QemuOption],
                busy: set[str]) -> None:
    from zpy.hw.ivshmem import IvshmemV1

    memdev = opt.props.get("memdev")
    if not memdev:
        raise MachineError("You must specify a 'memdev'")
    obj = objects.get(memdev)
    if obj is None:
        raise MachineError(f"Property 'ivshmem-plain.memdev' can't find value '{memdev}'")
    if memdev in busy:
        raise MachineError(f"can't use already busy memdev: {memdev}")
    busy.add(memdev)
    if obj.type != "memory-backend-file":
        raise MachineError(f"-object {obj.type}: zpy supports memory-backend-file for ivshmem-plain")
    path = obj.props.get("mem-path")
    if not path:
        raise MachineError(f"-object {obj.text}: Parameter 'mem-path' is missing")
    if "size" not in obj.props:
        raise MachineError(f"-object {obj.text}: Parameter 'size' is missing")
    size = parse_size(obj.props["size"])
    if size <= 0:
        raise MachineError(f"property 'size' of {obj.type} doesn't take value "
                           f"'{obj.props['size']}'")
    backend = MemoryBackend.from_file(path, size, share=obj.flag("share", False))
    try:
        _check_master(opt, 0)
        IvshmemV1(machine, name, memdev=backend)
    except BaseException:
        backend.close()
        raise


def _check_master(opt: QemuOption, vm_id: int) -> None:
    master = opt.props.get("master", "off")
    if master not in ("on", "off", "auto"):
        raise MachineError(f"Parameter 'master' does not accept value '{master}'")
    if master == "on" and vm_id != 0:
        raise MachineError("master must connect to the server before any peers")


def server_socket(opt: QemuOption, chardevs: dict[str, QemuOption]) -> str:
    """The UNIX socket path of a device's `chardev=` (an ivshmem server), checked as QEMU does."""
    chardev = opt.props.get("chardev")
    if not chardev:
        raise MachineError("You must specify a 'chardev'")
    ch = chardevs.get(chardev)
    if ch is None:
        raise MachineError(f"Property '{opt.type}.chardev' can't find value '{chardev}'")
    if ch.type != "socket" or "path" not in ch.props:
        raise MachineError(f"chardev '{chardev}': ivshmem needs a UNIX socket (socket,path=...)")
    return ch.props["path"]


def unreachable(path: str, error: BaseException, start_hint: str) -> MachineError:
    """QEMU's wording for a server socket nobody answers on, with what to do."""
    cause = error.__cause__
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(error)
    return MachineError(f"Failed to connect to '{path}': {reason}",
                        hint=f"start the server first, e.g. {start_hint}")


def _plug_doorbell(machine: Machine, opt: QemuOption, name: str,
                   chardevs: dict[str, QemuOption]) -> None:
    from zpy.hw.ivshmem import IvshmemV1
    from zpy.ivshmem_host.client import PeerConnection, ServerUnreachable

    path = server_socket(opt, chardevs)
    try:
        vectors = int(opt.props.get("vectors", "1"), 0)
    except ValueError:
        raise MachineError(f"Parameter 'vectors' expects an integer (in -device {opt.text})") \
            from None
    if not 1 <= vectors <= 2048:
        raise MachineError("Failed to initialize interrupts: The number of MSI-X vectors is invalid")
    msi = opt.flag("msi", True)
    ioeventfd = opt.flag("ioeventfd", True)
    try:
        link = PeerConnection.open(path, max_vectors=vectors, timeout=SERVER_SETUP_TIMEOUT)
    except ServerUnreachable as e:
        raise unreachable(path, e, f"zpy ivshmem-server -F -S {path} -n {vectors}") from e
    try:
        _check_master(opt, link.own_id or 0)
        IvshmemV1(machine, name, link=link, vectors=vectors, msi=msi, ioeventfd=ioeventfd)
    except BaseException:
        link.close()
        raise
