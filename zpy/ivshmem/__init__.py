"""Host tools for QEMU's ivshmem: the wire protocol, the server and the peer side.

These modules know nothing of zpy's kernel. They speak QEMU's ivshmem
client/server protocol byte for byte, so a real QEMU `ivshmem-doorbell` device,
QEMU's own contrib tools and zpy's emulated device can share one server.

* protocol: the 8-byte messages and their file descriptors (wire format only)
* shm:      the shared memory object a server hands out (POSIX name or directory)
* server:   IvshmemServer, a non-blocking server that never drops a message
* client:   PeerConnection, the peer side a device model or a tool embeds
"""
