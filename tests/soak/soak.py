"""Soak: VMs on one ivshmem-v2 server for a set time, doorbells in a full mesh, state
changes, peers killed (SIGKILL) and restarted at random; then the figures.

`make soak` runs 16 VMs for 5 minutes (SOAK_VMS, SOAK_SECONDS to change it). Each VM
runs tests/soak/app, which pings every live peer in turn and counts what it lost. The
run fails if a doorbell was lost, a VM died on its own or printed an internal error,
the server died, or the server's fd count or memory grew between the start (every VM
connected and talking) and the end (the same number connected after all the kills).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).parent / "app"
STATS = re.compile(r"stats (\d+) sent=(\d+) done=(\d+) answered=(\d+) lost=(\d+) "
                   r"abandoned=(\d+) states=(\d+)")
COUNTERS = ("sent", "done", "answered", "lost", "abandoned", "states")
#: memory the server may gain over a run (its queues and sockets come and go)
RSS_SLACK_KB = 2048


def zpy(*args: str) -> list[str]:
    return [sys.executable, "-m", "zpy", *args]


@dataclass
class Vm:
    proc: subprocess.Popen[bytes]
    stderr: Path
    buf: bytes = b""
    stats: dict[str, int] = field(default_factory=dict)
    up: bool = False
    killed: bool = False


def server_figures(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
    return {"rss_kb": rss, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


class Soak:
    def __init__(self, tmp: Path, vms: int, seconds: float, seed: int) -> None:
        self.tmp = tmp
        self.count = vms
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.sock = tmp / "soak.sock"
        self.build = tmp / "build"
        self.selector = selectors.DefaultSelector()
        self.vms: list[Vm] = []
        self.killed = 0
        self.restarted = 0
        self.problems: list[str] = []
        self.server: subprocess.Popen[bytes] | None = None

    # -- processes ------------------------------------------------------------------------

    def start_server(self) -> None:
        log = open(self.tmp / "server.log", "wb")
        self.server = subprocess.Popen(
            zpy("ivshmem2-server", "-F", "-S", str(self.sock), "-m", str(self.tmp), "-l", "1M",
                "-o", "4K", "-n", str(max(self.count + 8, 4)), "-V", "3"),
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while not self.sock.exists():
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soak: the server did not start: "
                                 f"{(self.tmp / 'server.log').read_text()}")
            time.sleep(0.05)

    def start_vm(self) -> Vm:
        err = self.tmp / f"vm{len(self.vms)}.err"
        with open(err, "wb") as f:
            proc = subprocess.Popen(
                zpy("run", "-d", str(self.build), "-chardev",
                    f"socket,path={self.sock},id=ivshmem"),
                stdout=subprocess.PIPE, stderr=f, stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        vm = Vm(proc, err)
        self.selector.register(proc.stdout, selectors.EVENT_READ, vm)
        self.vms.append(vm)
        return vm

    def live(self) -> list[Vm]:
        return [vm for vm in self.vms if not vm.killed]

    def kill_one(self) -> None:
        vm = self.rng.choice(self.live())
        vm.killed = True
        vm.proc.send_signal(signal.SIGKILL)
        vm.proc.wait()
        self.killed += 1
        self.start_vm()
        self.restarted += 1

    # -- output ---------------------------------------------------------------------------

    def pump(self, seconds: float) -> None:
        """Read VM output for `seconds`; note deaths nobody asked for."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in self.selector.select(left):
                vm: Vm = key.data
                try:
                    data = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                    if not vm.killed:
                        self.problems.append(f"a VM exited on its own (status "
                                             f"{vm.proc.wait()}): {vm.stderr.read_text()[-500:]}")
                        vm.killed = True
                    continue
                vm.buf += data
                *lines, vm.buf = vm.buf.split(b"\n")
                for line in lines:
                    self.on_line(vm, line.decode(errors="replace"))
        if self.server is not None and self.server.poll() is not None:
            raise SystemExit(f"soak: the server died (status {self.server.returncode})")

    def on_line(self, vm: Vm, line: str) -> None:
        m = STATS.fullmatch(line)
        if m:
            vm.stats = dict(zip(COUNTERS, map(int, m.groups()[1:]), strict=True))
            vm.up = True
        elif line.startswith("lost "):
            self.problems.append(line)

    def wait_all_talking(self, timeout: float = 120) -> None:
        """Until every live VM has printed counters since it started."""
        deadline = time.monotonic() + timeout
        while not all(vm.up for vm in self.live()):
            if time.monotonic() > deadline:
                raise SystemExit("soak: VMs did not come up in time")
            self.pump(0.5)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> dict[str, object]:
        built = subprocess.run(zpy("build", "-b", "qemu_x86_64", "-d", str(self.build), str(APP)),
                               capture_output=True, text=True)
        if built.returncode:
            raise SystemExit(f"soak: build failed: {built.stderr}")
        self.start_server()
        assert self.server is not None
        for _ in range(self.count):
            self.start_vm()
        self.wait_all_talking()
        self.pump(2)  # a moment of full traffic before the first figures
        start = server_figures(self.server.pid)
        t0 = time.monotonic()
        next_kill = t0 + self.rng.uniform(2, 8)
        while time.monotonic() - t0 < self.seconds:
            self.pump(min(1.0, max(0.0, next_kill - time.monotonic())))
            if time.monotonic() >= next_kill:
                self.kill_one()
                next_kill = time.monotonic() + self.rng.uniform(2, 8)
        self.wait_all_talking()
        self.pump(2)
        end = server_figures(self.server.pid)
        elapsed = time.monotonic() - t0
        totals = {c: sum(vm.stats.get(c, 0) for vm in self.vms) for c in COUNTERS}
        for vm in self.live():
            vm.killed = True
            vm.proc.terminate()
        for vm in self.vms:
            vm.proc.wait()
            text = vm.stderr.read_text()
            if "Traceback" in text or "internal error" in text:
                self.problems.append(f"a VM said: {text[-500:]}")
        self.server.terminate()
        self.server.wait()
        if end["fds"] != start["fds"]:
            self.problems.append(f"server fds {start['fds']} at the start, {end['fds']} at the end")
        if end["rss_kb"] > start["rss_kb"] + RSS_SLACK_KB:
            self.problems.append(f"server memory grew from {start['rss_kb']} to "
                                 f"{end['rss_kb']} kB")
        return {
            "vms": self.count, "seconds": round(elapsed), "killed": self.killed,
            "restarted": self.restarted,
            "server_rss_kb_start": start["rss_kb"], "server_rss_kb_end": end["rss_kb"],
            "server_fds_start": start["fds"], "server_fds_end": end["fds"],
            "pings_sent": totals["sent"], "round_trips": totals["done"],
            "pings_answered": totals["answered"], "doorbells_sent": totals["sent"]
            + totals["answered"], "doorbells_received": totals["done"] + totals["answered"],
            "state_change_interrupts": totals["states"],
            "abandoned_to_killed_peers": totals["abandoned"], "lost": totals["lost"],
            "problems": self.problems,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vms", type=int, default=int(os.environ.get("SOAK_VMS", 16)))
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("SOAK_SECONDS", 300)))
    parser.add_argument("--seed", type=int, default=None, help="for the kills (default: random)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    tmp = Path(tempfile.mkdtemp(prefix="zpy-soak-", dir="/tmp"))
    soak = Soak(tmp, args.vms, args.seconds, seed)
    try:
        figures = soak.run()
    finally:
        for vm in soak.vms:
            if vm.proc.poll() is None:
                vm.proc.kill()
                vm.proc.wait()
            if vm.proc.stdout is not None:
                vm.proc.stdout.close()
        if soak.server is not None and soak.server.poll() is None:
            soak.server.kill()
            soak.server.wait()
        soak.selector.close()
        shutil.rmtree(tmp, ignore_errors=True)
    figures["seed"] = seed
    print(json.dumps(figures, indent=1))
    return 1 if figures["problems"] or figures["lost"] else 0
