"""`zpy ivshmem2-server`: the ivshmem-v2 server of QEMU's ivshmem2 RFC, on zpy.ivshmem_host.v2.server.

The short options are the RFC server's (-S -M -m -l -F -v -p as v1's, plus -o
output section size, -n max peers, -V vectors, -P protocol). Note that -n
means max peers here, not vectors as in `zpy ivshmem-server`. The long options,
the daemon, the pid file and the signals are the v1 command's (ServerCommand).
"""

from __future__ import annotations

import argparse
import logging

from zpy.cli.ivshmem_server import ServerCommand
from zpy.errors import MachineError
from zpy.ivshmem_host.peer_server import PeerServer
from zpy.ivshmem_host.protocol import DEFAULT_VECTORS, MAX_VECTORS
from zpy.ivshmem_host.server import check_vectors
from zpy.ivshmem_host.shm import format_size, parse_size
from zpy.ivshmem_host.v2.layout import (
    STATE_TABLE_PEERS,
    check_output_section_size,
    check_shm_size,
)
from zpy.ivshmem_host.v2.server import (
    DEFAULT_MAX_PEERS,
    VIRTIO_PROTOCOL,
    check_max_peers,
    check_protocol,
)
from zpy.ivshmem_host.v2.server import Ivshmem2Server as Server


class Ivshmem2Server(ServerCommand):
    name = "ivshmem2-server"
    program = "ivshmem2-server"
    help = "run an ivshmem-v2 server (QEMU's ivshmem2 RFC protocol)"
    description = (
        "Hand shared memory with a state table, output sections and eventfds to ivshmem-v2\n"
        "devices (zpy machines, QEMU's ivshmem2 RFC device), speaking the RFC's protocol\n"
        "version 2. Without -F the server becomes a daemon and writes its pid to the -p file.\n\n"
        "layout of the shared memory (-l SIZE, a power of two):\n"
        "  state table (4K, one u32 per peer) | R/W section | -n output sections of -o SIZE\n\n"
        "example:\n"
        "  zpy ivshmem2-server -F -S /tmp/ivshmem_socket -M ivshmem -l 1M -o 64K -n 2 -V 2"
    )

    def do_add_server_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-o", "--output-section-size", metavar="SIZE", default="0",
                            help="size of each peer's output section, whole pages, K/M/G "
                                 "suffixes (default: 0)")
        parser.add_argument("-n", "--max-peers", metavar="MAXPEERS",
                            default=str(DEFAULT_MAX_PEERS),
                            help=f"peers at once, 2..{STATE_TABLE_PEERS} (what the 4K state "
                                 f"table holds); IDs 0..MAXPEERS-1 (default: {DEFAULT_MAX_PEERS})")
        parser.add_argument("-V", "--vectors", metavar="VECTORS", default=str(DEFAULT_VECTORS),
                            help=f"vectors (eventfds) per peer, 1..{MAX_VECTORS} "
                                 f"(default: {DEFAULT_VECTORS})")
        parser.add_argument("-P", "--protocol", metavar="PROTOCOL", default="0",
                            help="16-bit protocol number, decimal or 0x hex; 0x8000 and up is "
                                 "virtio and needs -n 2: peer 0 is the back-end (default: 0)")

    def build_server(self, args: argparse.Namespace, logger: logging.Logger) -> Server:
        size = parse_size(args.size)
        check_shm_size(size, args.size)
        output_section_size = parse_size(args.output_section_size)
        check_output_section_size(output_section_size, args.output_section_size)
        max_peers = _parse_int(args.max_peers, "max peers", 10)
        check_max_peers(max_peers)
        vectors = _parse_int(args.vectors, "number of vectors", 10)
        check_vectors(vectors)
        protocol = _parse_int(args.protocol, "protocol", 0)
        check_protocol(protocol, max_peers)
        common = self.common_server_options(args, logger)
        return Server(args.socket, shm_size=size, output_section_size=output_section_size,
                      max_peers=max_peers, vectors=vectors, protocol=protocol, **common)

    def summary(self, server: PeerServer) -> str:
        assert isinstance(server, Server) and server.shm is not None
        vectors = f"{server.vectors} vector{'s' if server.vectors > 1 else ''}"
        protocol = f"protocol {server.protocol:#06x}"
        if server.protocol >= VIRTIO_PROTOCOL:
            protocol += (f" (virtio: back-end peer 0 told {server.protocol_for(0):#06x}, "
                         f"front-end peer 1 told {server.protocol_for(1):#06x})")
        return (f"listening on {server.socket_path}, shared memory {server.shm.description} "
                f"({format_size(server.shm_size)}), max {server.max_peers} peers, {vectors} per "
                f"peer, {protocol}, output sections of {format_size(server.output_section_size)}; "
                f"layout: {server.layout.describe()}")


def _parse_int(text: str, what: str, base: int) -> int:
    try:
        return int(text, base)
    except ValueError:
        raise MachineError(f"invalid {what} '{text}'") from None
