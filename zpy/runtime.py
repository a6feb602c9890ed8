"""Runtime: a built image, linked and booted on its machine (what `zpy run` runs).

Linking reads the build's outputs (.config, the generated devicetree, the image
manifest) and executes each module of the image afresh for this image, inside
the image's kernel context: a driver's DEVICE_DT_INST_DEFINE, a SYS_INIT, a
K_THREAD_DEFINE or a ZTEST at module level register into this image only, and
module-level data is this image's own, as each C image has its own statics.
Two Runtimes in one process therefore share nothing. The app's and the Zephyr
modules' sources import each other through the image's own namespace (zpy/linker.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import os
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from zpy.errors import BootError, LinkError, ZpyError
from zpy.hw.chardev import Chardev, open_serial
from zpy.hw.machine import Machine
from zpy.hw.plug import plug_devices
from zpy.image import dtmodel, manifest
from zpy.image.dotconfig import load_dotconfig
from zpy.image.dtmodel import DeviceTree
from zpy.image.manifest import ImageManifest, ImageModule
from zpy.image.outputs import check_image, rebuild_hint
from zpy.kernel.kernel import Kernel
from zpy.linker import ImageNamespace
from zpy.toolchain import DEFINITIONS

_image_ids = itertools.count(1)

#: Functions the kernel and subsystems define weakly: an app that defines one overrides it.
WEAK_SYMBOLS = ("test_main", "k_sys_fatal_error_handler", "ztest_post_fatal_error_hook",
                "ztest_post_assert_fail_hook", "assert_post_action")


def _located(exc: BaseException, what: str) -> BootError:
    """One line for an exception raised while linking: file:line and the message."""
    if isinstance(exc, SyntaxError):
        return BootError(f"{what}: SyntaxError: {exc.msg}", exc.filename, exc.lineno)
    if isinstance(exc, ZpyError) and exc.filename:
        return BootError(exc.message, exc.filename, exc.lineno)
    import traceback  # only when linking fails

    frames = traceback.extract_tb(exc.__traceback__)
    # the innermost frame in image code (not in zpy's own kernel) names the culprit
    frame = frames[-1] if frames else None
    for f in reversed(frames):
        if not f.filename.endswith(("/zpy/devicetree.py", "/zpy/linker.py")) \
                and "/zpy/kernel/" not in f.filename and "<frozen importlib" not in f.filename:
            frame = f
            break
    text = f"{what}: {type(exc).__name__}: {exc}"
    if frame is None:
        return BootError(text)
    return BootError(text, frame.filename, frame.lineno)


class Runtime:
    """One image on its machine. The console is `serial` (QEMU's -serial syntax, or a
    Chardev) if given, else output only, to `console_out`."""

    def __init__(self, build_dir: Path | str, machine_args: list[str] | None = None,
                 console_out: BinaryIO | int | None = 1,
                 serial: str | Chardev | None = None, real_time: bool | None = None) -> None:
        self.build_dir = Path(build_dir)
        zephyr = self.build_dir / "zephyr"
        manifest_path = self.build_dir / manifest.RELPATH
        if not manifest_path.is_file():
            raise BootError(f"no image in {self.build_dir} (missing {manifest_path})",
                            hint=f"build one first: zpy build -b qemu_x86_64 -d {self.build_dir} APP")
        try:
            self.manifest = ImageManifest.load(manifest_path)
            check_image(self.build_dir, self.manifest)
            self.config = load_dotconfig(zephyr / ".config")
            self.devicetree = DeviceTree.load(self.build_dir / dtmodel.RELPATH)
        except ZpyError as e:  # a broken output: say how to rebuild this folder
            e.hint = rebuild_hint(self.build_dir)
            raise
        self.machine = self._build_machine(machine_args or [], console_out, serial)
        self.kernel = Kernel(self.config, self.devicetree, self.machine, real_time)
        self.machine.serial.on_input_eof = self._console_eof
        self._package = f"_zpy_image_{next(_image_ids)}"
        self._modules: list[str] = []
        self.namespace: ImageNamespace | None = None
        self.main: Callable[[], Any] | None = None
        try:
            self._link()
        except BaseException:
            self.close()
            raise

    def _open_console(self, serial: str | Chardev | None,
                      console_out: BinaryIO | int | None) -> Chardev | None:
        """The console chardev. stdin feeds it only for an image that reads its UART
        (the interrupt-driven API, as the shell uses), and a terminal only while zpy is in
        the foreground (a background job reading it would be stopped)."""
        if serial is None or isinstance(serial, Chardev):
            return serial
        reads = bool(self.config.get("CONFIG_UART_INTERRUPT_DRIVEN"))
        stdin: int | None = 0 if reads and _stdin_usable() else None
        return open_serial(serial, stdin=stdin, stdout=console_out, raw_tty=reads)

    def _build_machine(self, machine_args: list[str], console_out: BinaryIO | int | None,
                       serial: str | Chardev | None) -> Machine:
        chardev = self._open_console(serial, console_out)
        try:
            machine = Machine(self.manifest.board, console_out, console=chardev)
        except BaseException:
            if chardev is not None:
                chardev.close()
            raise
        if isinstance(serial, str) and serial != "stdio":
            machine.outside_sources.append(f"the console on {serial}")
        try:
            plug_devices(machine, self.config, machine_args)
        except BaseException:
            machine.close()
            raise
        return machine

    # -- linking ------------------------------------------------------------------------------

    def _exec_module(self, entry: ImageModule, package: str) -> types.ModuleType:
        """Execute one module of the image afresh, registered under this image's name."""
        name = f"{self._package}.{entry.name}"
        spec = importlib.util.spec_from_file_location(name, entry.path)
        if spec is None or spec.loader is None:
            raise BootError(f"cannot load image module {entry.name}", entry.path)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = package
        module.__dict__[DEFINITIONS] = self.manifest.definitions_of(entry)
        sys.modules[name] = module
        self._modules.append(name)
        spec.loader.exec_module(module)
        return module

    def _link(self) -> None:
        m = self.manifest
        app_dir = Path(m.app_dir)
        image = m.module_sources + m.app_sources
        self.namespace = ImageNamespace(
            self._package, {e.name: Path(e.path) for e in image},
            [Path(d) for d in m.include_dirs],
            [app_dir / "src", app_dir, *(Path(z["path"]) for z in m.zephyr_modules)],
            m.excluded, {e.name: m.definitions_of(e) for e in image})
        with self.kernel.context():
            for entry in m.modules:
                try:
                    self._exec_module(entry, entry.name.rpartition(".")[0])
                except (ZpyError, Exception) as e:
                    raise _located(e, f"linking {entry.name}") from e
            app_modules = []
            for entry in image:
                try:
                    module = self.namespace.load(entry.name)
                except (ZpyError, Exception) as e:
                    raise _located(e, f"linking {Path(entry.path).name}") from e
                if entry in m.app_sources:
                    app_modules.append(module)
                    self._collect_strong_symbols(module)
            self.main = self._find_main(app_modules)
            self._install_fatal_error_handler()

    def _collect_strong_symbols(self, module: types.ModuleType) -> None:
        """The app's definitions of weak functions (C's strong symbols win at link time)."""
        strong = self.kernel.strong_symbols
        for name in WEAK_SYMBOLS:
            fn = module.__dict__.get(name)
            if not callable(fn) or getattr(fn, "__module__", None) != module.__name__:
                continue  # not defined here (an import of the same name is no definition)
            other = strong.get(name)
            if other is not None and other is not fn:
                code = getattr(fn, "__code__", None)
                raise LinkError(f"multiple definition of `{name}'",
                                code.co_filename if code else None,
                                code.co_firstlineno if code else None)
            strong[name] = fn

    def _install_fatal_error_handler(self) -> None:
        handler = self.kernel.strong_symbols.get("k_sys_fatal_error_handler")
        if handler is None and self.config.get("CONFIG_ZTEST_FATAL_HOOK"):
            from zpy.subsys.ztest import error_hook

            handler = error_hook.k_sys_fatal_error_handler
        self.kernel.sys_fatal_error_handler = handler

    def _find_main(self, modules: list[types.ModuleType]) -> Callable[[], Any]:
        for module in modules:
            main = getattr(module, "main", None)
            if callable(main):
                _check_main_signature(main)
                return main
        if self.config.get("CONFIG_ZTEST"):
            from zpy.subsys.ztest import ztest_main

            test_main = self.kernel.strong_symbols.get("test_main")
            return lambda: ztest_main(test_main)
        where = Path(self.manifest.app_dir) / "src" / "main.py"
        raise BootError("no main() function: define `def main():` (the app's entry point), "
                        "or enable CONFIG_ZTEST for a test app", where)

    # -- running ------------------------------------------------------------------------------

    def _console_eof(self) -> None:
        """The console's input ended (a pipe closed): tell whoever registered for it."""
        for hook in list(self.kernel.console_eof_hooks):
            hook()

    def wait_for_console(self) -> None:
        """A console server without `nowait` waits for its first client before the boot."""
        self.machine.serial.chardev.wait_for_client()

    def start(self) -> None:
        self.wait_for_console()
        self.kernel.start(self.main)

    def wait(self, timeout: float | None = None) -> int | None:
        return self.kernel.wait(timeout)

    def run(self) -> int:
        """Boot, run until main() returns (or the image halts), and return the exit status."""
        self.wait_for_console()
        return self.kernel.run(self.main)

    def stop(self, status: int = 0) -> None:
        self.kernel.stop(status)

    def close(self) -> None:
        """Switch the machine off and forget this image's modules."""
        self.kernel.shutdown()
        self.machine.close()
        for name in self._modules + (self.namespace.registered if self.namespace else []):
            sys.modules.pop(name, None)
        self._modules.clear()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_main_signature(main: Callable[..., Any]) -> None:
    """int main(void): a main() that needs arguments cannot be called by the kernel."""
    try:
        params = inspect.signature(main).parameters.values()
    except (TypeError, ValueError):
        return
    required = [p.name for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if required:
        code = getattr(main, "__code__", None)
        raise BootError(f"main() must take no arguments, as C's int main(void); it requires "
                        f"{', '.join(required)}",
                        code.co_filename if code else None, code.co_firstlineno if code else None)


def _stdin_usable() -> bool:
    try:
        if not os.isatty(0):
            return True
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


__all__ = ["Runtime", "LinkError"]
