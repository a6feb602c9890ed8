"""`make demo`: an ivshmem server and two zpy VMs ringing each other (python -m zpy.demo).

Builds samples/drivers/virtualization/ivshmem/pingpong, starts `zpy ivshmem-server`
on a private socket and shared memory, boots two VMs on it as separate
processes (`zpy run`), prints everything they say prefixed with who said it,
and stops the server when both are done. Exit status 0 when both VMs succeeded.

With --view each VM serves its live view (`zpy run --view`) and the demo serves
one page that shows both, with rounds paced for a person to watch.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from zpy.build.paths import zephyr_base

if TYPE_CHECKING:
    from zpy.view import ViewServer

APP = Path("samples/drivers/virtualization/ivshmem/pingpong")
#: what `zpy run --view` prints once its page is served
_VIEW_LINE = re.compile(r"view of the running VM on http://127\.0\.0\.1:(\d+)/")
#: rounds and pause between them with --view (a minute to watch) and without
VIEW_ROUNDS, VIEW_INTERVAL_MS = 120, 500
ROUNDS, INTERVAL_MS = 5, 0


def _zpy(*args: str) -> list[str]:
    return [sys.executable, "-m", "zpy", *args]


class _Vm:
    """A VM's process, what it said so far that the demo waits for, and its view's port."""

    def __init__(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.name = name
        self.proc = proc
        self.waiting = threading.Event()  # it said "waiting for a peer"
        self.view_port: int | None = None
        self.viewed = threading.Event()  # it printed its view's address


def _pump(prefix: str, stream, lock: threading.Lock,  # type: ignore[no-untyped-def]
          vm: _Vm | None = None) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        with lock:
            print(f"{prefix} {line}", flush=True)
        if vm is None:
            continue
        if "waiting for a peer" in line:
            vm.waiting.set()
        found = _VIEW_LINE.search(line)
        if found:
            vm.view_port = int(found.group(1))
            vm.viewed.set()


def _wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.02)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int,
                        help=f"round trips (default {ROUNDS}, {VIEW_ROUNDS} with --view)")
    parser.add_argument("--interval-ms", type=int,
                        help=f"pause before each ping (default {INTERVAL_MS}, "
                        f"{VIEW_INTERVAL_MS} with --view)")
    parser.add_argument("--build-dir", default="build/demo", help="where to build the app")
    parser.add_argument("--view", action="store_true",
                        help="serve one live page of both VMs on 127.0.0.1 (its address is "
                        "printed)")
    args = parser.parse_args(argv)
    rounds = args.rounds if args.rounds is not None else VIEW_ROUNDS if args.view else ROUNDS
    interval = (args.interval_ms if args.interval_ms is not None
                else VIEW_INTERVAL_MS if args.view else INTERVAL_MS)

    base = zephyr_base()
    build_dir = Path(args.build_dir)
    print(f"== building {APP} for qemu_x86_64 in {build_dir}", flush=True)
    built = subprocess.run(
        _zpy("build", "-b", "qemu_x86_64", "-d", str(build_dir), str(base / APP),
             "--", f"-DCONFIG_PINGPONG_ROUNDS={rounds}",
             f"-DCONFIG_PINGPONG_INTERVAL_MS={interval}"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if built.returncode != 0:
        sys.stdout.write(built.stdout.decode())
        return built.returncode

    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="zpy-demo-") as tmp:
        sock = Path(tmp) / "ivshmem.sock"
        shm_name = f"zpy-demo-{os.getpid()}"
        print(f"== starting the ivshmem server on {sock} (shared memory /dev/shm/{shm_name}, "
              "4 KiB, 2 vectors per peer)", flush=True)
        server = subprocess.Popen(
            _zpy("ivshmem-server", "-F", "-S", str(sock), "-M", shm_name, "-l", "4K", "-n", "2",
                 "--unlink-shm"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        pumps = [threading.Thread(target=_pump, args=("[server]", server.stdout, lock), daemon=True)]
        pumps[0].start()
        vms: list[_Vm] = []
        page = None
        try:
            if not _wait_for(sock, 10):
                print("demo: the server did not come up", flush=True)
                return 1
            for name in ("vm-a", "vm-b"):
                print(f"== booting {name}", flush=True)
                vm = _Vm(name, subprocess.Popen(
                    _zpy("run", "-d", str(build_dir), "-chardev",
                         f"socket,path={sock},id=ivshmem", *(["--view"] if args.view else [])),
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
                vms.append(vm)
                pump = threading.Thread(target=_pump, daemon=True, args=(
                    f"[{name}]", vm.proc.stdout, lock, vm))
                pump.start()
                pumps.append(pump)
                if name == "vm-a":
                    # The first VM must claim the shared memory and enable its doorbell before
                    # the second rings it: a doorbell rung earlier is dropped, as on QEMU.
                    if not vm.waiting.wait(30):
                        print("demo: vm-a did not come up", flush=True)
                        return 1
            if args.view:
                page = _serve_page(vms, lock)
            statuses = [vm.proc.wait(timeout=120 + 2 * rounds * interval / 1000) for vm in vms]
        finally:
            if page is not None:
                page.finish()
            for vm in vms:
                if vm.proc.poll() is None:
                    vm.proc.kill()
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            for pump in pumps:
                pump.join(2)
    ok = all(s == 0 for s in statuses)
    print(f"== demo {'done' if ok else 'FAILED'}: VM exit statuses {statuses}", flush=True)
    return 0 if ok else 1


def _serve_page(vms: list[_Vm], lock: threading.Lock) -> ViewServer | None:
    """One page of both VMs: it connects to each VM's own view (`zpy run --view`)."""
    from zpy.view import ViewServer

    if not all(vm.viewed.wait(30) for vm in vms):
        print("demo: a VM did not serve its view", flush=True)
        return None
    page = ViewServer(remotes=[(vm.name, f"ws://127.0.0.1:{vm.view_port}/ws/0") for vm in vms])
    url = page.start()
    with lock:
        print(f"== view of both VMs on {url} (read-only)", flush=True)
    return page


if __name__ == "__main__":
    raise SystemExit(main())
