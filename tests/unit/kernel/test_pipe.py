"""k_pipe, Zephyr 4.1's API: partial transfers, timeouts, close and reset, waiters,
ISR use and k_poll.

Every image runs in virtual time on one CPU, so timings are exact and no test waits.
"""

from __future__ import annotations

from tests.unit.kernel.objimage import run


def test_write_read_wrap_and_partial_transfers(make_image, boot):
    status, out = run(make_image, boot, """
def main():
    ring = bytearray(6)
    p = k_pipe()
    k_pipe_init(p, ring, len(ring))
    assert p.flags == PIPE_FLAG_OPEN
    buf = bytearray(8)
    assert k_pipe_read(p, buf, 1, K_NO_WAIT) == -errno.EAGAIN
    assert k_pipe_write(p, b"abcd", 4, K_NO_WAIT) == 4
    assert k_pipe_read(p, buf, 3, K_NO_WAIT) == 3
    assert k_pipe_write(p, b"efghijk", 7, K_NO_WAIT) == 5    # what fits
    assert k_pipe_write(p, b"x", 1, K_NO_WAIT) == -errno.EAGAIN
    n = k_pipe_read(p, buf, 8, K_NO_WAIT)                     # what there is
    printk("%d %s %s\\n", n, bytes(buf[:n]), bytes(ring))
""")
    assert status == 0, out
    assert out == "6 defghi ghidef\n"


def test_timeouts_return_what_was_done_by_then(make_image, boot):
    status, out = run(make_image, boot, """
def trickle(p):
    k_msleep(10)
    k_pipe_write(p, b"12", 2, K_NO_WAIT)

def main():
    p = K_PIPE_DEFINE("p", 4, 4)
    buf = bytearray(4)
    spawn(trickle, 0, p)
    k_sleep(K_TICKS(1))
    t0 = k_uptime_ticks()
    n = k_pipe_read(p, buf, 4, K_MSEC(50))
    printk("read %d (%s) after %d ticks\\n", n, bytes(buf[:n]), k_uptime_ticks() - t0)
    assert k_pipe_write(p, b"abcd", 4, K_NO_WAIT) == 4
    t0 = k_uptime_ticks()
    printk("write %d after %d ticks\\n", k_pipe_write(p, b"e", 1, K_MSEC(20)),
           k_uptime_ticks() - t0)
""")
    assert status == 0, out
    assert out == "read 2 (12) after 6 ticks\nwrite -11 after 3 ticks\n"


def test_a_blocked_writer_goes_on_as_readers_make_room(make_image, boot):
    status, out = run(make_image, boot, """
def writer(p):
    printk("wrote %d\\n", k_pipe_write(p, b"0123456789", 10, K_FOREVER))

def main():
    p = K_PIPE_DEFINE("p", 4, 4)
    spawn(writer, -1, p)
    got = bytearray()
    buf = bytearray(3)
    while len(got) < 10:
        n = k_pipe_read(p, buf, min(3, 10 - len(got)), K_FOREVER)
        got += buf[:n]
    printk("%s\\n", bytes(got))
""")
    assert status == 0, out
    assert out == "wrote 10\n0123456789\n"


def test_readers_wait_by_priority_and_isr_writes(make_image, boot):
    status, out = run(make_image, boot, """
def reader(p, name):
    buf = bytearray(1)
    k_pipe_read(p, buf, 1, K_FOREVER)
    printk("%s read %s\\n", name, bytes(buf))

def isr(p):
    k_pipe_write(p, b"i", 1, K_NO_WAIT)

def main():
    p = K_PIPE_DEFINE("p", 4, 4)
    k_thread_priority_set(k_current_get(), 10)
    spawn(reader, 12, p, "low")
    spawn(reader, 11, p, "high")
    k_msleep(10)
    irq_offload(isr, p)
    k_msleep(10)
    k_pipe_write(p, b"t", 1, K_NO_WAIT)
    k_msleep(10)
""")
    assert status == 0, out
    assert out == "high read i\nlow read t\n"


def test_close_drains_then_epipe_and_reset_cancels_waiters(make_image, boot):
    status, out = run(make_image, boot, """
def reader(p):
    buf = bytearray(2)
    printk("reader: %d\\n", k_pipe_read(p, buf, 2, K_FOREVER))

def writer(p):
    printk("writer: %d\\n", k_pipe_write(p, b"xyz", 3, K_FOREVER))

def main():
    p = K_PIPE_DEFINE("p", 2, 4)
    buf = bytearray(4)
    k_pipe_write(p, b"ab", 2, K_NO_WAIT)
    k_pipe_close(p)
    printk("%d %d %d\\n", k_pipe_write(p, b"c", 1, K_NO_WAIT),
           k_pipe_read(p, buf, 4, K_NO_WAIT), k_pipe_read(p, buf, 4, K_NO_WAIT))
    k_pipe_init(p, bytearray(2), 2)               # reopened
    spawn(reader, -1, p)
    k_pipe_reset(p)
    k_pipe_write(p, b"ab", 2, K_NO_WAIT)
    spawn(writer, -1, p)
    k_pipe_reset(p)
    k_msleep(1)                                   # the last waiter clears the reset
    printk("flags %d, empty %d\\n", p.flags, k_pipe_read(p, buf, 1, K_NO_WAIT))
""")
    assert status == 0, out
    assert out == ("-32 2 -32\nreader: -140\nwriter: -140\nflags 1, empty -11\n")


def test_close_wakes_a_reader_with_epipe(make_image, boot):
    status, out = run(make_image, boot, """
def reader(p):
    buf = bytearray(2)
    printk("reader: %d\\n", k_pipe_read(p, buf, 2, K_FOREVER))

def main():
    p = K_PIPE_DEFINE("p", 2, 4)
    spawn(reader, -1, p)
    k_pipe_close(p)
    k_msleep(1)
""")
    assert status == 0, out
    assert out == "reader: -32\n"


def test_poll_for_pipe_data(make_image, boot):
    status, out = run(make_image, boot, """
def writer(p):
    k_msleep(10)
    k_pipe_write(p, b"!", 1, K_NO_WAIT)

def main():
    p = K_PIPE_DEFINE("p", 2, 4)
    ev = [K_POLL_EVENT_INITIALIZER(K_POLL_TYPE_PIPE_DATA_AVAILABLE, K_POLL_MODE_NOTIFY_ONLY, p)]
    assert k_poll(ev, 1, K_NO_WAIT) == -errno.EAGAIN
    spawn(writer, 0, p)
    rc = k_poll(ev, 1, K_FOREVER)
    printk("%d %d\\n", rc, ev[0].state == K_POLL_STATE_PIPE_DATA_AVAILABLE)
""")
    assert status == 0, out
    assert out == "0 1\n"
