"""The console the view keeps, and the events it records."""

from zpy.view.recorder import ConsoleBuffer, Recorder


def test_console_cursors_keep_their_place_and_lose_only_what_was_dropped() -> None:
    console = ConsoleBuffer(limit=8)
    console.write(b"abcd")
    assert console.since(0) == (b"abcd", 4)
    console.write(b"efgh")
    assert console.since(4) == (b"efgh", 8)
    console.write(b"ijkl")  # 12 bytes written, the last 8 kept
    assert console.since(0) == (b"efghijkl", 12)
    assert console.since(10) == (b"kl", 12)
    assert console.since(12) == (b"", 12)


def test_events_come_out_oldest_first_and_once() -> None:
    rec = Recorder(limit=3)
    rec.ring_sent("ivshmem0", 1, 0)
    rec.ring_received("ivshmem0", 1)
    rec.interrupt(0x30)
    rec.interrupt(0x31)  # over the limit: the oldest goes
    events = rec.drain()
    assert [e[1:] for e in events] == [("received", "ivshmem0", None, 1),
                                       ("irq", None, None, 0x30), ("irq", None, None, 0x31)]
    assert events[0][0] <= events[1][0] <= events[2][0]
    assert rec.drain() == []
