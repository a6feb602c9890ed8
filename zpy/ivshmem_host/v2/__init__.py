"""ivshmem-v2 host tools: the wire protocol of QEMU's ivshmem2 RFC (protocol version 2).

v2 is not compatible with v1: framed messages of several types instead of
8-byte values, a fixed number of peers whose IDs are reused, and a shared
memory split into a state table, a read/write section and per-peer output
sections.

* protocol: the three messages (INIT, EVENT_FD, PEER_GONE) and their framing
* layout:   where the state table, R/W section and output sections lie
* server:   Ivshmem2Server, on the same non-blocking machinery as the v1 server
* client:   V2PeerConnection, the peer side zpy's emulated v2 device embeds
"""
