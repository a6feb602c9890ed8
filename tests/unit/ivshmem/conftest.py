"""Fixtures of the ivshmem host-tool tests (defined in ivshmem_helpers.py)."""

from .ivshmem_helpers import fake_server, peers, raw_peers, serve, sock_dir  # noqa: F401
