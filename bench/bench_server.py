"""Benchmark: 256 peers with 2 vectors each on one ivshmem server, everyone ringing everyone.

measure() returns {"peers_scale": {"peers", "vectors", "lost", "setup_s", ...}}:

* setup_s: from the first connect until every peer holds every other peer's
  eventfds (and its own): the server's fan-out of 256 * 257 * 2 messages.
* lost: notifications sent minus notifications counted. Each peer rings every
  vector of every other peer once; eventfd counters add up, so the sum of all
  counters must equal peers * (peers - 1) * vectors.

The server runs in this process (a serve() thread); it holds each peer's socket
and eventfds, ~800 fds, and the messages it queues share those fds. The peers
run in worker processes, because 256 peers * 256 * 2 eventfds is ~131k fds, more
than one process may usually hold: this process and each worker raise their soft
RLIMIT_NOFILE to the hard limit, and there are as many workers as that limit
requires (at least 4).

Run standalone: python bench/bench_server.py [--peers N] [--vectors V]  (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from zpy.ivshmem_host.client import PeerConnection, read_eventfd
from zpy.ivshmem_host.server import IvshmemServer

PEERS = 256
VECTORS = 2
#: fds a worker keeps for itself beyond its peers' (python, pipes, selector)
_FD_MARGIN = 64


def _raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    return soft if hard == resource.RLIM_INFINITY else hard


def _worker(path: str, count: int, total: int, vectors: int) -> None:
    """Connect `count` peers, wait for the full table, ring on command, report counters.

    Talks to the parent by lines: it prints 'hello', waits for 'go', prints
    'ready', waits for 'ring', prints 'rang', waits for 'count', prints the sum.
    """
    _raise_fd_limit()
    print("hello", flush=True)
    assert sys.stdin.readline().strip() == "go"
    conns = [PeerConnection.open(path, max_vectors=vectors, timeout=60) for _ in range(count)]

    def complete(conn: PeerConnection) -> bool:
        return len(conn.own_vectors) == vectors and len(conn.peers) == total - 1 and all(
            len(fds) == vectors for fds in conn.peers.values())

    with selectors.DefaultSelector() as selector:
        for conn in conns:
            selector.register(conn.fileno(), selectors.EVENT_READ, conn)
        waiting = {id(conn) for conn in conns if not complete(conn)}
        while waiting:
            for key, _ in selector.select(30):
                conn = key.data
                conn.handle_readable()
                if complete(conn):
                    waiting.discard(id(conn))
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "ring"
    for conn in conns:
        for peer_id, fds in conn.peers.items():
            for vector in range(len(fds)):
                conn.notify(peer_id, vector)
    print("rang", flush=True)
    assert sys.stdin.readline().strip() == "count"
    print(sum(read_eventfd(fd) for conn in conns for fd in conn.own_vectors), flush=True)
    for conn in conns:
        conn.close()


def _tell(workers: list[subprocess.Popen[str]], word: str) -> None:
    for proc in workers:
        assert proc.stdin is not None
        proc.stdin.write(word + "\n")
        proc.stdin.flush()


def _hear(workers: list[subprocess.Popen[str]], word: str | None) -> list[str]:
    lines = []
    for proc in workers:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if word is not None and line != word:
            raise RuntimeError(f"bench worker {proc.pid} said {line!r}, expected {word!r} "
                               f"(exit status {proc.poll()})")
        lines.append(line)
    return lines


def measure(peers: int = PEERS, vectors: int = VECTORS) -> dict[str, dict[str, object]]:
    """Run the peers_scale benchmark; see the module docstring."""
    limit = _raise_fd_limit()
    per_peer = peers * vectors + 3  # every peer's eventfds, its socket and the shm fd
    per_worker = max(1, (limit - _FD_MARGIN) // per_peer)
    nworkers = min(peers, max(4, math.ceil(peers / per_worker)))
    counts = [peers // nworkers + (1 if i < peers % nworkers else 0) for i in range(nworkers)]

    with tempfile.TemporaryDirectory(prefix="zpy-bench-", dir="/tmp") as tmp:
        server = IvshmemServer(Path(tmp) / "sock", shm_dir=tmp, vectors=vectors,
                               shm_size=1 << 20)
        stop = threading.Event()
        with server:
            thread = threading.Thread(target=server.serve, args=(stop,), daemon=True)
            thread.start()
            workers = [subprocess.Popen(
                [sys.executable, __file__, "--worker", str(server.socket_path), str(count),
                 str(peers), str(vectors)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for count in counts]
            try:
                _hear(workers, "hello")
                start = time.perf_counter()
                _tell(workers, "go")
                _hear(workers, "ready")
                setup_s = time.perf_counter() - start
                _tell(workers, "ring")
                _hear(workers, "rang")
                _tell(workers, "count")
                received = sum(int(line) for line in _hear(workers, None))
            finally:
                for proc in workers:
                    if proc.stdin is not None:
                        proc.stdin.close()
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                    if proc.stdout is not None:
                        proc.stdout.close()
                stop.set()
                server.wakeup()
                thread.join(10)
    expected = peers * (peers - 1) * vectors
    return {"peers_scale": {
        "peers": peers,
        "vectors": vectors,
        "lost": expected - received,
        "setup_s": round(setup_s, 4),
        "notifications": expected,
        "worker_processes": nworkers,
    }}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peers", type=int, default=PEERS)
    parser.add_argument("--vectors", type=int, default=VECTORS)
    parser.add_argument("--worker", nargs=4, metavar=("SOCKET", "COUNT", "TOTAL", "VECTORS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        path, count, total, vectors = args.worker
        _worker(path, int(count), int(total), int(vectors))
        return 0
    print(json.dumps(measure(args.peers, args.vectors), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
