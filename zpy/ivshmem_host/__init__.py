"""Host tools for QEMU's ivshmem: the wire protocol, the server and the peer side.

These modules know nothing of zpy's kernel. They speak QEMU's ivshmem
client/server protocol byte for byte, so a real QEMU `ivshmem-doorbell` device,
QEMU's own contrib tools and zpy's emulated device can share one server.

v1 (QEMU's ivshmem-doorbell protocol):

* protocol: the 8-byte messages and their file descriptors (wire format only)
* server:   IvshmemServer, a non-blocking server that never drops a message
* client:   PeerConnection, the peer side a device model or a tool embeds

v2 (QEMU's ivshmem2 RFC, "protocol version 2"): the `v2` package.

Shared by both versions:

* fdio:        one message per sendmsg(), at most one fd; reads that keep fds with their message
* listener:    the listening socket and its path (live servers, stale sockets, permissions)
* shm:         the shared memory object a server hands out (POSIX name or directory)
* peer_server: PeerServer, the peer table, queues and loop interface both servers build on
* connection:  ServerConnection, connecting, doorbells and teardown on the peer side
* events:      what a peer connection reports (PeerVector, OwnVector, PeerLeft, ...)
"""
