"""`zpy run`: boot a built image on its emulated machine (west build -t run)."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from zpy.cli.command import ZpyCommand
from zpy.errors import FatalError

if TYPE_CHECKING:
    from zpy.runtime import Runtime
    from zpy.view import ViewServer


def run_build_dir(build_dir: Path, machine_args: list[str] | None = None,
                  serial: str = "stdio", draw_dir: Path | None = None,
                  real_time: bool | None = None, view_port: int | None = None) -> int:
    """Boot the image in build_dir with its console on `serial` (QEMU's -serial syntax,
    stdio by default); returns its exit status. With `view_port` (0: any free port), the
    live view of the VM is served on 127.0.0.1 while it runs.

    SIGTERM and SIGINT stop it: the machine is switched off (sockets closed,
    shared memory unmapped) and the status is 128 + the signal number.
    """
    from zpy.hw.chardev import PtyChardev
    from zpy.runtime import Runtime

    sys.stdout.flush()
    runtime = Runtime(build_dir, machine_args, console_out=sys.stdout.fileno(), serial=serial,
                      real_time=real_time)
    chardev = runtime.machine.serial.chardev
    if isinstance(chardev, PtyChardev):
        print(f"char device redirected to {chardev.path} (label {chardev.label})",
              file=sys.stderr, flush=True)
    if chardev.needs_client:
        print(f"zpy: waiting for connection on: disconnected:{chardev.describe()}",
              file=sys.stderr, flush=True)
        try:
            runtime.wait_for_console()
        except BaseException:
            runtime.close()
            raise
    view = _start_view(runtime, view_port) if view_port is not None else None
    stopped: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stopped.append(signum)
        runtime.stop(128 + signum)

    drawing = _Drawing(runtime, draw_dir) if draw_dir is not None else None
    if drawing is not None:
        threading.Thread(target=drawing.when_booted, daemon=True, name="zpy:draw").start()
    in_main_thread = threading.current_thread() is threading.main_thread()
    old = {}
    if in_main_thread:
        for sig in (signal.SIGTERM, signal.SIGINT):
            old[sig] = signal.signal(sig, on_signal)
    try:
        status = runtime.run()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if view is not None:
            view.finish(runtime.kernel.exit_status)
        _record_devices(runtime, build_dir)
        if drawing is not None:
            drawing.draw()  # a run that ended before the drawing thread got to it
        runtime.close()
    if runtime.kernel.fatal_exception is not None:
        raise FatalError("the image died", status or 1, runtime.kernel.fatal_exception)
    return status


def _start_view(runtime: Runtime, port: int) -> ViewServer:
    """Serve the VM's page from a host thread of its own (`--view`); a port that cannot be
    had stops the run before it boots."""
    from zpy.view import ViewServer, VmWatcher

    server = ViewServer([VmWatcher(runtime)], port=port)
    try:
        url = server.start()
    except BaseException:
        runtime.close()
        raise
    print(f"zpy: view of the running VM on {url} (read-only)", file=sys.stderr, flush=True)
    return server


def _record_devices(runtime: Runtime, build_dir: Path) -> None:
    """Leave each device's init result in the build folder, for `zpy explain`."""
    from zpy.build.paths import BuildPaths
    from zpy.explain.devices import record_run

    try:
        record_run(runtime.kernel, BuildPaths(build_dir))
    except OSError as e:  # a read-only build folder must not fail the run
        print(f"zpy: cannot record the device states: {e}", file=sys.stderr, flush=True)


class _Drawing:
    """`--draw DIR`: the pictures of the running VM, drawn once main() is called, and at the
    latest when the run ends (main() may return before the drawing thread runs)."""

    def __init__(self, runtime: Runtime, draw_dir: Path) -> None:
        self.runtime, self.draw_dir = runtime, draw_dir
        self._lock = threading.Lock()
        self._drawn = False

    def when_booted(self) -> None:
        kernel = self.runtime.kernel
        if kernel.main_started.wait(timeout=60) and not kernel.sched.halted:
            self.draw()

    def draw(self) -> None:
        from zpy.pictures.live import draw_running_vm

        with self._lock:
            if self._drawn:
                return
            self._drawn = True
            try:
                files = draw_running_vm(self.runtime, self.draw_dir)
            except Exception as e:  # a picture must never take the VM down
                print(f"zpy: --draw: {e}", file=sys.stderr, flush=True)
                return
            # said under the lock: a run that ends meanwhile waits for the line
            print(f"zpy: drew {', '.join(f.name for f in files)} in {self.draw_dir}",
                  file=sys.stderr, flush=True)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r} (0 to 65535; 0: any free one)")
    return port


class Run(ZpyCommand):
    name = "run"
    help = "boot a built image on its emulated machine"
    description = (
        "Boot the image in the build folder (default: build) on the board's machine, with the\n"
        "console on stdio (or where --serial says). The run ends when no thread can run any\n"
        "more, with main()'s return value as the exit status (a shell waiting for input keeps\n"
        "it going until `kernel reboot`, a signal, or the end of a piped stdin).\n"
        "Time is real, or virtual with CONFIG_TEST (ztest apps) or --no-rt: when every CPU\n"
        "idles, time jumps to the next timeout, as on native_sim.\n"
        "  --serial pty | tcp:127.0.0.1:4444,server,nowait | unix:PATH,server | file:PATH | null\n"
        "QEMU's own device options override what the Kconfig plugs in, e.g.\n"
        "  zpy run -chardev socket,path=/tmp/ivshmem_socket,id=ivs "
        "-device ivshmem-doorbell,chardev=ivs,vectors=2"
    )

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-d", "--build-dir", default="build", help="build folder (default: build)")
        for opt in ("-device", "-chardev", "-object"):
            parser.add_argument(opt, action="append", default=[], metavar="OPTIONS",
                                dest=opt.lstrip("-"), help=f"QEMU-style {opt} option")
        parser.add_argument("-nodefaults", action="store_true",
                            help="plug no device the Kconfig would plug (only the ones given)")
        parser.add_argument("--serial", "-serial", default="stdio", metavar="DEV",
                            help="the console UART's back end, as QEMU's -serial: stdio "
                            "(default), pty, tcp:[HOST]:PORT[,server][,nowait], "
                            "unix:PATH[,server][,nowait], file:PATH, null")
        timing = parser.add_mutually_exclusive_group()
        timing.add_argument("--rt", dest="real_time", action="store_const", const=True,
                            help="real time, even for a CONFIG_TEST image")
        timing.add_argument("--no-rt", dest="real_time", action="store_const", const=False,
                            help="virtual time: when every CPU idles, time jumps to the next "
                            "timeout (the default with CONFIG_TEST)")
        parser.add_argument("--draw", metavar="DIR", type=Path,
                            help="draw the running VM into DIR once main() is called (at the "
                            "latest when the run ends): init-order.svg (with each device's "
                            "readiness) and the memory map of each ivshmem-v2 device")
        parser.add_argument("--view", nargs="?", const=0, type=_port, metavar="PORT",
                            help="serve a live, read-only page of the running VM on "
                            "127.0.0.1:PORT (any free port without one; the address is "
                            "printed): threads, devices, doorbells and interrupts, the "
                            "shared memory, the console")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        # A fault Python cannot raise as an exception (SIGBUS when shared memory shrinks under
        # its mapping) still says what happened and where before the process dies.
        faulthandler.enable(all_threads=False)
        machine_args: list[str] = ["-nodefaults"] if args.nodefaults else []
        for opt in ("object", "chardev", "device"):
            for value in getattr(args, opt):
                machine_args += [f"-{opt}", value]
        try:
            status = run_build_dir(Path(args.build_dir), machine_args, args.serial, args.draw,
                                   args.real_time, args.view)
        except FatalError as e:
            if getattr(args, "debug", False) and e.cause is not None:
                import traceback

                traceback.print_exception(e.cause)
            status = e.status
        # Kernel threads may still be running app code; end the process without waiting on them.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
