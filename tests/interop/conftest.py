"""Servers in threads of the test process (QEMU connects to them as to any server)."""

from tests.unit.ivshmem_host.ivshmem_helpers import serve, sock_dir  # noqa: F401
