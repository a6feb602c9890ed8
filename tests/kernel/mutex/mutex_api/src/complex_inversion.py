# SPDX-License-Identifier: Apache-2.0
"""Zephyr's complex priority inversion test (mutex_api/src/complex_inversion.c), line by line.

Four threads and two mutexes: boosting the priority of a thread that waits on
one mutex (because a higher thread waits on the other mutex it holds) must
keep the first mutex's wait queue in order, so that the boosted thread gets
it first. Step by step:

- thread_08 takes mutex_1
- thread_07 takes mutex_0, then waits on mutex_1
- thread_06 waits on mutex_1
- thread_05 waits on mutex_0, which boosts thread_07
- thread_08 gives mutex_1: thread_07 takes it
- thread_07 gives mutex_1 (thread_06 takes it), then mutex_0 (thread_05 takes it)
- thread_06 and thread_05 give theirs
"""

from zpy.autoconf import CONFIG_TEST_EXTRA_STACK_SIZE
from zpy.kernel import (
    K_FOREVER,
    K_INHERIT_PERMS,
    K_MSEC,
    K_MUTEX_DEFINE,
    K_NO_WAIT,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_THREAD_STACK_SIZEOF,
    k_mutex_lock,
    k_mutex_unlock,
    k_sem_give,
    k_sem_take,
    k_sleep,
    k_thread,
    k_thread_create,
    k_thread_join,
    k_thread_name_set,
    k_thread_start,
)
from zpy.ztest import TC_ERROR, TC_FAIL, TC_PASS, ZTEST, zassert_equal, zassert_ok

STACKSIZE = 512 + CONFIG_TEST_EXTRA_STACK_SIZE

tc_rc = TC_PASS  # the case's result, set by the threads

mutex_0 = K_MUTEX_DEFINE("mutex_0")
mutex_1 = K_MUTEX_DEFINE("mutex_1")

PARTICIPANT_THREAD_OPTIONS = K_INHERIT_PERMS


class Participant:
    """DEFINE_PARTICIPANT_THREAD(id): a thread's stack, data, tid and its two semaphores."""

    def __init__(self, id: str) -> None:
        self.id = id
        self.stack_area = K_THREAD_STACK_DEFINE(f"thread_{id}_stack_area", STACKSIZE)
        self.thread_data = k_thread()
        self.tid = None
        self.wait = K_SEM_DEFINE(f"thread_{id}_wait", 0, 1)
        self.done = K_SEM_DEFINE(f"thread_{id}_done", 0, 1)


def CREATE_PARTICIPANT_THREAD(p, entry, pri):
    p.tid = k_thread_create(p.thread_data, p.stack_area,
                            K_THREAD_STACK_SIZEOF(p.stack_area),
                            entry, p.wait,
                            p.done, None, pri,
                            PARTICIPANT_THREAD_OPTIONS, K_FOREVER)
    k_thread_name_set(p.tid, "thread_" + p.id)


def START_PARTICIPANT_THREAD(p):
    k_thread_start(p.thread_data)


def JOIN_PARTICIPANT_THREAD(p):
    k_thread_join(p.thread_data, K_FOREVER)


def WAIT_FOR_MAIN(wait, done):
    k_sem_give(done)
    k_sem_take(wait, K_FOREVER)


def ADVANCE_THREAD(p):
    SIGNAL_THREAD(p)
    WAIT_FOR_THREAD(p)


def SIGNAL_THREAD(p):
    k_sem_give(p.wait)


def WAIT_FOR_THREAD(p):
    zassert_ok(k_sem_take(p.done, K_MSEC(100)))


def thread_05(wait, done):
    """Waits on mutex_0, which lifts thread_07 (its owner) above thread_06."""
    global tc_rc
    WAIT_FOR_MAIN(wait, done)

    rv = k_mutex_lock(mutex_0, K_FOREVER)
    if rv != 0:
        tc_rc = TC_FAIL
        TC_ERROR("Failed to take mutex %p\n", mutex_0)
        return

    WAIT_FOR_MAIN(wait, done)

    k_mutex_unlock(mutex_0)


def thread_06(wait, done):
    """Waits on mutex_1: the best waiter at first, until thread_07 is lifted above it."""
    global tc_rc
    WAIT_FOR_MAIN(wait, done)

    rv = k_mutex_lock(mutex_1, K_FOREVER)
    if rv != 0:
        tc_rc = TC_FAIL
        TC_ERROR("Failed to take mutex %p\n", mutex_1)
        return

    WAIT_FOR_MAIN(wait, done)

    k_mutex_unlock(mutex_1)


def thread_07(wait, done):
    """Holds mutex_0 and waits on mutex_1; once lifted, it must get mutex_1 first."""
    global tc_rc
    WAIT_FOR_MAIN(wait, done)

    rv = k_mutex_lock(mutex_0, K_NO_WAIT)
    if rv != 0:
        tc_rc = TC_FAIL
        TC_ERROR("Failed to take mutex %p\n", mutex_0)
        return

    WAIT_FOR_MAIN(wait, done)

    rv = k_mutex_lock(mutex_1, K_FOREVER)
    if rv != 0:
        tc_rc = TC_FAIL
        TC_ERROR("Failed to take mutex %p\n", mutex_1)
        k_mutex_unlock(mutex_0)
        return

    WAIT_FOR_MAIN(wait, done)

    k_mutex_unlock(mutex_1)
    k_mutex_unlock(mutex_0)


def thread_08(wait, done):
    """Holds mutex_1 until thread_07 has been lifted."""
    global tc_rc
    WAIT_FOR_MAIN(wait, done)

    rv = k_mutex_lock(mutex_1, K_NO_WAIT)
    if rv != 0:
        tc_rc = TC_FAIL
        TC_ERROR("Failed to take mutex %p\n", mutex_1)
        return

    WAIT_FOR_MAIN(wait, done)

    k_mutex_unlock(mutex_1)


p05 = Participant("05")
p06 = Participant("06")
p07 = Participant("07")
p08 = Participant("08")


def create_participant_threads():
    CREATE_PARTICIPANT_THREAD(p05, thread_05, 5)
    CREATE_PARTICIPANT_THREAD(p06, thread_06, 6)
    CREATE_PARTICIPANT_THREAD(p07, thread_07, 7)
    CREATE_PARTICIPANT_THREAD(p08, thread_08, 8)


def start_participant_threads():
    START_PARTICIPANT_THREAD(p05)
    START_PARTICIPANT_THREAD(p06)
    START_PARTICIPANT_THREAD(p07)
    START_PARTICIPANT_THREAD(p08)


def join_participant_threads():
    JOIN_PARTICIPANT_THREAD(p05)
    JOIN_PARTICIPANT_THREAD(p06)
    JOIN_PARTICIPANT_THREAD(p07)
    JOIN_PARTICIPANT_THREAD(p08)


@ZTEST("mutex_api")
def test_complex_inversion():
    """Drives the threads step by step and checks who owns each mutex after each step."""
    create_participant_threads()
    start_participant_threads()

    # all four are up
    WAIT_FOR_THREAD(p08)
    WAIT_FOR_THREAD(p07)
    WAIT_FOR_THREAD(p06)
    WAIT_FOR_THREAD(p05)

    ADVANCE_THREAD(p08)  # thread_08 takes mutex_1
    zassert_equal(p08.tid, mutex_1.owner, "expected owner %s, not %s\n",
                  p08.tid.name, mutex_1.owner.name)

    ADVANCE_THREAD(p07)  # thread_07 takes mutex_0
    zassert_equal(p07.tid, mutex_0.owner, "expected owner %s, not %s\n",
                  p07.tid.name, mutex_0.owner.name)

    SIGNAL_THREAD(p07)  # thread_07 waits on mutex_1
    k_sleep(K_MSEC(100))

    SIGNAL_THREAD(p06)  # thread_06 waits on mutex_1
    k_sleep(K_MSEC(100))

    SIGNAL_THREAD(p05)  # thread_05 waits on mutex_0: thread_07 is lifted

    SIGNAL_THREAD(p08)  # thread_08 gives mutex_1

    # had thread_06 wrongly got mutex_1, giving it now would show (C: a crash with
    # CONFIG_WAITQ_SCALABLE)
    SIGNAL_THREAD(p06)

    WAIT_FOR_THREAD(p07)  # thread_07 takes mutex_1
    zassert_equal(p07.tid, mutex_1.owner, "expected owner %s, not %s\n",
                  p07.tid.name, mutex_1.owner.name)

    SIGNAL_THREAD(p07)  # thread_07 gives mutex_1, then mutex_0
    WAIT_FOR_THREAD(p06)  # thread_06 takes mutex_1
    WAIT_FOR_THREAD(p05)  # thread_05 takes mutex_0
    zassert_equal(p06.tid, mutex_1.owner, "expected owner %s, not %s\n",
                  p06.tid.name, mutex_1.owner.name)
    zassert_equal(p05.tid, mutex_0.owner, "expected owner %s, not %s\n",
                  p05.tid.name, mutex_0.owner.name)

    SIGNAL_THREAD(p06)  # thread_06 gives mutex_1
    SIGNAL_THREAD(p05)  # thread_05 gives mutex_0

    zassert_equal(tc_rc, TC_PASS)

    join_participant_threads()
