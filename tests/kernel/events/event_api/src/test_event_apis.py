# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/events/event_api (src/test_event_apis.c), ported line by line."""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_EVENT_DEFINE,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_PRIO_PREEMPT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    k_event,
    k_event_init,
    k_event_post,
    k_event_set,
    k_event_set_masked,
    k_event_test,
    k_event_wait,
    k_event_wait_all,
    k_sem_give,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_create,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_is_null, zassert_true

DELAY = K_MSEC(50)
SHORT_TIMEOUT = K_MSEC(100)
LONG_TIMEOUT = K_MSEC(1000)

STACK_SIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE

treceiver = k_thread()
textra1 = k_thread()
textra2 = k_thread()

sreceiver = K_THREAD_STACK_DEFINE("sreceiver", STACK_SIZE)
sextra1 = K_THREAD_STACK_DEFINE("sextra1", STACK_SIZE)
sextra2 = K_THREAD_STACK_DEFINE("sextra2", STACK_SIZE)

test_event = K_EVENT_DEFINE("test_event")
sync_event = K_EVENT_DEFINE("sync_event")

receiver_sem = K_SEM_DEFINE("receiver_sem", 0, 1)
sync_sem = K_SEM_DEFINE("sync_sem", 0, 1)

test_events = 0


def entry_extra1(p1, p2, p3):
    events = k_event_wait_all(sync_event, 0x33, True, K_FOREVER)

    k_event_post(test_event, events)


def entry_extra2(p1, p2, p3):
    events = k_event_wait(sync_event, 0x3300, True, K_FOREVER)

    k_event_post(test_event, events)


@ZTEST("events_api")
def test_k_event_init():
    event = k_event()

    k_event_init(event)

    thread = event.wait_q.best()  # z_waitq_head(&event.wait_q)

    zassert_is_null(thread, None)
    zassert_true(event.events == 0)


def receive_existing_events():
    global test_events

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait(test_event, 0x2448, False, K_NO_WAIT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait(test_event, 0x2448, False, SHORT_TIMEOUT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait_all(test_event, 0x1235, False, K_NO_WAIT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait_all(test_event, 0x1235, False, K_NO_WAIT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait(test_event, 0x0235, False, K_NO_WAIT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait_all(test_event, 0x1234, False, K_NO_WAIT)
    k_sem_give(receiver_sem)


def reset_on_wait():
    global test_events

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait_all(test_event, 0x1234, True, SHORT_TIMEOUT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait(test_event, 0x120000, True, SHORT_TIMEOUT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait_all(test_event, 0x248001, True, SHORT_TIMEOUT)
    k_sem_give(receiver_sem)

    k_sem_take(sync_sem, K_FOREVER)
    test_events = k_event_wait(test_event, 0x123458, True, SHORT_TIMEOUT)
    k_sem_give(receiver_sem)


def receiver(p1, p2, p3):
    receive_existing_events()

    reset_on_wait()


def test_receive_existing_events():
    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)

    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)

    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)

    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)

    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0x234)

    k_sem_give(sync_sem)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0x1234)


def test_reset_on_wait():
    k_sem_give(sync_sem)
    k_sleep(DELAY)
    k_event_post(test_event, 0x123)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)
    zassert_true(test_event.events == 0x123)

    k_sem_give(sync_sem)
    k_sleep(DELAY)
    k_event_post(test_event, 0x248)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0)
    zassert_true(test_event.events == 0x248)

    k_sem_give(sync_sem)
    k_sleep(DELAY)
    k_event_post(test_event, 0x248021)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0x248001)
    zassert_true(test_event.events == 0x248021)

    k_sem_give(sync_sem)
    k_sleep(DELAY)
    k_event_post(test_event, 0x123456)
    rv = k_sem_take(receiver_sem, LONG_TIMEOUT)
    zassert_true(rv == 0)
    zassert_true(test_events == 0x123450)
    zassert_true(test_event.events == 0x123456)

    k_event_set(test_event, 0x0)
    k_sem_give(sync_sem)


def test_wake_multiple_threads():
    k_event_set(sync_event, 0xfff)

    events = k_event_wait_all(test_event, 0x333, False, SHORT_TIMEOUT)

    zassert_true(events == 0x333)


@ZTEST("events_api")
def test_event_deliver():
    event = k_event()

    k_event_init(event)

    zassert_equal(k_event_test(event, ~0), 0)

    events = 0xAAAA
    previous = k_event_post(event, events)
    zassert_equal(previous, 0x0000)
    zassert_equal(k_event_test(event, ~0), events)

    events |= 0x55555ABC
    previous = k_event_post(event, events)
    zassert_equal(previous, events & 0xAAAA)
    zassert_equal(k_event_test(event, ~0), events)

    events = 0xAAAA0000
    previous = k_event_set(event, events)
    zassert_equal(previous, 0xAAAA | 0x55555ABC)
    zassert_equal(k_event_test(event, ~0), events)

    events = 0x33333333
    k_event_set(event, events)
    zassert_equal(k_event_test(event, ~0), events)

    events_mask = 0x11111111
    previous = k_event_set_masked(event, 0, events_mask)
    zassert_equal(previous, 0x11111111)
    zassert_equal(k_event_test(event, ~0), 0x22222222)

    events_mask = 0x22222222
    previous = k_event_set_masked(event, 0, events_mask)
    zassert_equal(previous, 0x22222222)
    zassert_equal(k_event_test(event, ~0), 0)

    events = 0x22222222
    events_mask = 0x22222222
    previous = k_event_set_masked(event, events, events_mask)
    zassert_equal(previous, 0x00000000)
    zassert_equal(k_event_test(event, ~0), events)

    events = 0x11111111
    events_mask = 0x33333333
    previous = k_event_set_masked(event, events, events_mask)
    zassert_equal(previous, 0x22222222)
    zassert_equal(k_event_test(event, ~0), events)


@ZTEST("events_api")
def test_event_receive():
    k_event_set(test_event, 0x1234)

    k_thread_create(treceiver, sreceiver, STACK_SIZE, receiver, None, None, None,
                    K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    k_thread_create(textra1, sextra1, STACK_SIZE, entry_extra1, None, None, None,
                    K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    k_thread_create(textra2, sextra2, STACK_SIZE, entry_extra2, None, None, None,
                    K_PRIO_PREEMPT(0), 0, K_NO_WAIT)

    test_receive_existing_events()

    test_reset_on_wait()

    test_wake_multiple_threads()
