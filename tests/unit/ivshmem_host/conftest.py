"""Fixtures of the ivshmem host-tool tests (defined in ivshmem_helpers.py)."""

from .ivshmem_helpers import (  # noqa: F401
    fake_server,
    peers,
    peers2,
    raw_peers,
    serve,
    serve2,
    sock_dir,
)
