"""`make demo`: an ivshmem server and two zpy VMs ringing each other (python -m zpy.demo).

Builds samples/drivers/virtualization/ivshmem/pingpong, starts `zpy ivshmem-server`
on a private socket and shared memory, boots two VMs on it as separate
processes (`zpy run`), prints everything they say prefixed with who said it,
and stops the server when both are done. Exit status 0 when both VMs succeeded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from zpy.build.paths import zephyr_base

APP = Path("samples/drivers/virtualization/ivshmem/pingpong")


def _zpy(*args: str) -> list[str]:
    return [sys.executable, "-m", "zpy", *args]


def _pump(prefix: str, stream, lock: threading.Lock,  # type: ignore[no-untyped-def]
          seen: threading.Event | None = None, marker: str = "") -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        with lock:
            print(f"{prefix} {line}", flush=True)
        if seen is not None and marker in line:
            seen.set()


def _wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.02)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="round trips (default 5)")
    parser.add_argument("--build-dir", default="build/demo", help="where to build the app")
    args = parser.parse_args(argv)

    base = zephyr_base()
    build_dir = Path(args.build_dir)
    print(f"== building {APP} for qemu_x86_64 in {build_dir}", flush=True)
    built = subprocess.run(
        _zpy("build", "-b", "qemu_x86_64", "-d", str(build_dir), str(base / APP),
             "--", f"-DCONFIG_PINGPONG_ROUNDS={args.rounds}"),
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
        vms: list[subprocess.Popen[bytes]] = []
        try:
            if not _wait_for(sock, 10):
                print("demo: the server did not come up", flush=True)
                return 1
            for name in ("vm-a", "vm-b"):
                print(f"== booting {name}", flush=True)
                vm = subprocess.Popen(
                    _zpy("run", "-d", str(build_dir), "-chardev",
                         f"socket,path={sock},id=ivshmem"),
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                vms.append(vm)
                waiting = threading.Event()
                pump = threading.Thread(target=_pump, daemon=True, args=(
                    f"[{name}]", vm.stdout, lock, waiting, "waiting for a peer"))
                pump.start()
                pumps.append(pump)
                if name == "vm-a":
                    # The first VM must claim the shared memory and enable its doorbell before
                    # the second rings it: a doorbell rung earlier is dropped, as on QEMU.
                    if not waiting.wait(30):
                        print("demo: vm-a did not come up", flush=True)
                        return 1
            statuses = [vm.wait(timeout=120) for vm in vms]
        finally:
            for vm in vms:
                if vm.poll() is None:
                    vm.kill()
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


if __name__ == "__main__":
    raise SystemExit(main())
