"""Images for kernel tests, made without the build front end.

`make_image` writes the three files a build leaves for the runtime (.config,
the generated devicetree, the image manifest) around an app's src/ files, so a
kernel test runs in a few milliseconds and controls every input.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zpy.image import dtmodel, manifest
from zpy.image.dtmodel import DeviceTree, DTNode
from zpy.image.manifest import ImageManifest, ImageModule
from zpy.runtime import Runtime

BASE_CONFIG = {
    "CONFIG_BOARD": '"qemu_x86_64"',
    "CONFIG_PRINTK": "y",
    "CONFIG_BOOT_BANNER": "y",
    "CONFIG_BOOT_BANNER_STRING": '"Booting Zephyr OS build"',
    "CONFIG_MAIN_THREAD_PRIORITY": "0",
    "CONFIG_SYS_CLOCK_TICKS_PER_SEC": "10000",
    "CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC": "25000000",
    "CONFIG_THREAD_MAX_NAME_LEN": "32",
    "CONFIG_HEAP_MEM_POOL_SIZE": "0",
}


def node(path: str, ord: int, **kw: object) -> DTNode:
    name = path.rsplit("/", 1)[-1] or "/"
    unit = name.split("@", 1)[1] if "@" in name else None
    parent = None if path == "/" else (path.rsplit("/", 1)[0] or "/")
    fields: dict[str, object] = dict(path=path, name=name, unit_addr=unit, ord=ord, labels=[],
                                     status="okay", compats=[], matching_compat=None, props={},
                                     parent=parent)
    fields.update(kw)
    return DTNode(**fields)  # type: ignore[arg-type]


class Console(io.RawIOBase):
    """A thread-safe byte sink standing in for the console's chardev."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        with self._lock:
            self._buf += b
            self.changed.notify_all()
        return len(b)

    def text(self) -> str:
        with self._lock:
            return self._buf.decode()

    def wait_for(self, needle: str, timeout: float = 5.0) -> str:
        with self._lock:
            ok = self.changed.wait_for(lambda: needle in self._buf.decode(), timeout)
            text = self._buf.decode()
        assert ok, f"{needle!r} not seen in console output:\n{text}"
        return text


ImageFactory = Callable[..., Path]


@pytest.fixture
def make_image(tmp_path: Path) -> ImageFactory:
    counter = iter(range(1000))

    def make(main: str, config: dict[str, str] | None = None, nodes: list[DTNode] | None = None,
             sources: dict[str, str] | None = None, modules: list[tuple[str, str]] | None = None,
             compat2okay: dict[str, list[str]] | None = None) -> Path:
        root = tmp_path / f"img{next(counter)}"
        app = root / "app"
        (app / "src").mkdir(parents=True)
        (app / "src" / "main.py").write_text(textwrap.dedent(main))
        for name, text in (sources or {}).items():
            (app / "src" / name).write_text(textwrap.dedent(text))
        build = root / "build"
        (build / "zephyr").mkdir(parents=True)
        cfg = {k.removeprefix("CONFIG_"): v for k, v in BASE_CONFIG.items()}
        cfg.update({k.removeprefix("CONFIG_"): v for k, v in (config or {}).items()})
        lines = [f"CONFIG_{k}={v}" for k, v in cfg.items() if v != "n"]
        (build / "zephyr" / ".config").write_text("\n".join(lines) + "\n")
        all_nodes = [node("/", 0, children=[n.path for n in (nodes or [])
                                            if n.parent == "/"])] + list(nodes or [])
        okay: dict[str, list[str]] = {}
        for n in sorted(all_nodes, key=lambda n: n.ord):
            if n.okay:
                for c in n.compats:
                    okay.setdefault(c, []).append(n.path)
        DeviceTree(all_nodes, {}, {}, compat2okay or okay).save(build / dtmodel.RELPATH)
        srcs = [ImageModule("app.main", str(app / "src" / "main.py"))]
        srcs += [ImageModule(f"app.{Path(n).stem}", str(app / "src" / n)) for n in (sources or {})]
        mods = []
        for name, text in modules or []:
            if text.endswith(".py") and "\n" not in text:  # a real module of the tree
                mods.append(ImageModule(name, text))
                continue
            path = root / "mods" / (name.replace(".", "_") + ".py")
            path.parent.mkdir(exist_ok=True)
            path.write_text(textwrap.dedent(text))
            mods.append(ImageModule(name, str(path)))
        ImageManifest("qemu_x86_64", "", str(app), "", mods, srcs).save(build / manifest.RELPATH)
        return build

    return make


@pytest.fixture
def boot() -> Iterator[Callable[..., tuple[Runtime, Console]]]:
    """boot(build_dir) -> (runtime, console), closed after the test."""
    runtimes: list[Runtime] = []

    def start(build: Path, run: bool = True, machine_args: list[str] | None = None
              ) -> tuple[Runtime, Console]:
        console = Console()
        rt = Runtime(build, machine_args=machine_args, console_out=console)
        runtimes.append(rt)
        if run:
            rt.start()
        return rt, console

    yield start
    for rt in runtimes:
        rt.close()


#: a one-CPU image in virtual time at Zephyr's default 100 ticks/s, with the system work queue
VIRTUAL_ONE_CPU = {"BOOT_BANNER": "n", "TEST": "y", "SYS_CLOCK_TICKS_PER_SEC": "100",
                   "MULTITHREADING": "y", "NUM_COOP_PRIORITIES": "16",
                   "NUM_PREEMPT_PRIORITIES": "15"}


@pytest.fixture
def run_app(make_image: ImageFactory, boot: Callable[..., tuple[Runtime, Console]]
            ) -> Callable[..., tuple[int | None, str]]:
    """run_app(main_py, config) -> (exit status, console text) of a VIRTUAL_ONE_CPU image."""

    def run(src: str, config: dict[str, str] | None = None, timeout: float = 20
            ) -> tuple[int | None, str]:
        rt, console = boot(make_image(src, config={**VIRTUAL_ONE_CPU, **(config or {})}))
        status = rt.wait(timeout)
        return status, console.text()

    return run
