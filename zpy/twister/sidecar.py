"""What a run needs beside the VM: an ivshmem server, a private shared-memory file.

`sidecar: ivshmem-server` (the ivshmem fork's convention) starts a real
`zpy ivshmem-server -F` for the scenario, sized by harness_config
ivshmem_server_size / ivshmem_server_vectors, and boots the VM with
`-chardev socket,path=<its socket>,id=ivshmem`, which replaces the Kconfig's
default doorbell chardev. `sidecar: ivshmem2-server` does the same with
`zpy ivshmem2-server` (ivshmem-v2; also ivshmem_server_output_section_size and
ivshmem_server_max_peers). An ivshmem-plain image (CONFIG_IVSHMEM without
CONFIG_IVSHMEM_DOORBELL) gets a private memory file through
`-object memory-backend-file,id=hostmem,...`, which replaces the default
/dev/shm/ivshmem. Sockets, shm names and files are private to the instance, so
parallel runs never share them; everything is stopped and removed on exit,
whatever happened.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from zpy.twister.errors import TwisterError
from zpy.twister.scenario import Scenario

SERVER_START_TIMEOUT = 10.0
SERVER_STOP_TIMEOUT = 5.0
DEFAULT_SERVER_SIZE = 4 * 1024 * 1024  # the server's own default
DEFAULT_VECTORS = 2


def zpy_command(*args: str) -> list[str]:
    """`zpy ARGS` with this interpreter (the venv's zpy)."""
    return [sys.executable, "-m", "zpy", *args]


class Sidecars:
    """Context manager: start what the scenario needs; `machine_args` for `zpy run`."""

    def __init__(self, scenario: Scenario | None, config: dict[str, Any], log_dir: Path) -> None:
        self.scenario = scenario
        self.config = config
        self.log_dir = log_dir
        self.machine_args: list[str] = []
        self.tmp: Path | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self._server_log: IO[bytes] | None = None
        self.socket: Path | None = None
        self.shm_name: str | None = None
        self.notes: list[str] = []

    def _tmpdir(self) -> Path:
        # Sockets need a short path (108 bytes); the instance folder can be longer.
        if self.tmp is None:
            self.tmp = Path(tempfile.mkdtemp(prefix="zpy-twister-"))
        return self.tmp

    def __enter__(self) -> Sidecars:
        try:
            sidecar = self.scenario.sidecar if self.scenario is not None else None
            if sidecar == "ivshmem-server":
                self._start_ivshmem_server()
            elif sidecar == "ivshmem2-server":
                self._start_ivshmem2_server()
            elif self.config.get("CONFIG_IVSHMEM") and not self.config.get(
                    "CONFIG_IVSHMEM_DOORBELL") and not self.config.get("CONFIG_IVSHMEM_V2"):
                self._plain_memory()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- ivshmem-plain -----------------------------------------------------------------------

    def _plain_memory(self) -> None:
        size = self.config.get("CONFIG_QEMU_IVSHMEM_PLAIN_MEM_SIZE", 4)
        path = self._tmpdir() / "ivshmem-plain"
        self.machine_args += ["-object", f"memory-backend-file,id=hostmem,mem-path={path},"
                              f"size={size}M,share=on"]
        self.notes.append(f"ivshmem-plain memory: {path} ({size} MiB)")

    # -- ivshmem server ----------------------------------------------------------------------

    def _vectors(self) -> int:
        assert self.scenario is not None
        return int(self.scenario.harness_config.get(
            "ivshmem_server_vectors",
            self.config.get("CONFIG_IVSHMEM_MSI_X_VECTORS", DEFAULT_VECTORS)))

    def _start_ivshmem_server(self) -> None:
        assert self.scenario is not None
        cfg = self.scenario.harness_config
        size = int(cfg.get("ivshmem_server_size", DEFAULT_SERVER_SIZE))
        vectors = self._vectors()
        self.socket = self._tmpdir() / "ivshmem.sock"
        self.shm_name = f"zpy-twister-{os.getpid()}-{secrets.token_hex(4)}"
        self._start_server("ivshmem-server", "-F", "-S", str(self.socket), "-M", self.shm_name,
                           "-l", str(size), "-n", str(vectors), "--unlink-shm")
        self.notes.append(f"ivshmem server: {self.socket}, shm {self.shm_name}, "
                          f"{size} bytes, {vectors} vectors")

    def _start_ivshmem2_server(self) -> None:
        """`zpy ivshmem2-server`: shared memory size (-l), output section size (-o),
        peers (-n), vectors (-V), from harness_config ivshmem_server_*."""
        assert self.scenario is not None
        cfg = self.scenario.harness_config
        self.socket = self._tmpdir() / "ivshmem.sock"
        self.shm_name = f"zpy-twister-{os.getpid()}-{secrets.token_hex(4)}"
        args = ["-F", "-S", str(self.socket), "-M", self.shm_name, "--unlink-shm"]
        for key, flag in (("ivshmem_server_size", "-l"),
                          ("ivshmem_server_output_section_size", "-o"),
                          ("ivshmem_server_max_peers", "-n")):
            if key in cfg:
                args += [flag, str(cfg[key])]
        args += ["-V", str(self._vectors())]
        self._start_server("ivshmem2-server", *args)
        self.notes.append(f"ivshmem-v2 server: {self.socket}, shm {self.shm_name} "
                          f"({' '.join(args[6:])})")

    def _start_server(self, command: str, *args: str) -> None:
        assert self.socket is not None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{command}.log"
        self._server_log = open(log_path, "wb")  # noqa: SIM115 (closed in close())
        cmd = zpy_command(command, *args)
        self._server_log.write((" ".join(cmd) + "\n").encode())
        self._server_log.flush()
        self.server = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._server_log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not self.socket.exists():
            if self.server.poll() is not None:
                raise TwisterError(f"sidecar {command} exited with status "
                                   f"{self.server.returncode} (see {log_path})")
            if time.monotonic() > deadline:
                raise TwisterError(f"sidecar {command} did not create {self.socket} within "
                                   f"{SERVER_START_TIMEOUT:.0f} s (see {log_path})")
            time.sleep(0.01)
        self.machine_args += ["-chardev", f"socket,path={self.socket},id=ivshmem"]

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and remove the private files."""
        server, self.server = self.server, None
        if server is not None and server.poll() is None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                server.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(server.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                server.wait()
        if self._server_log is not None:
            self._server_log.close()
            self._server_log = None
        if self.shm_name is not None:
            # --unlink-shm removes it on a clean stop; a killed server leaves it behind
            try:
                os.unlink(f"/dev/shm/{self.shm_name}")
            except OSError:
                pass
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
