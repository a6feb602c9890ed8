# SPDX-License-Identifier: Apache-2.0
"""Zephyr's dining philosophers (samples/philosophers/src/main.c), line by line.

Six philosophers, each a thread, share six forks (mutexes by default, or
semaphores, stacks, FIFOs or LIFOs: see phil_obj_abstract.py). Each takes the
lower-numbered of its two forks first (Dijkstra's rule, so no deadlock), eats,
drops both, thinks, for ever. With both cooperative and preemptible priorities
enabled, philosophers 4 and 5 are cooperative (-1, -2) and 0-3 preemptible
(3..0). Without DEBUG_PRINTF each philosopher redraws its own screen line with
cursor-positioning escapes.

The build may define DEBUG_PRINTF, NUM_PHIL, STATIC_OBJS, FORKS and SAME_PRIO
(the sample's CMakeLists turns twister's extra_args into compile definitions:
`zpy build ... -- -DFORKS=SEMAPHORES`); the defaults are set here, as C's #ifndef.
"""

from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_USER,
    k_current_get,
    k_msleep,
    k_object_access_grant,
    k_sched_time_slice_set,
    k_thread_create,
    k_thread_name_set,
    k_thread_priority_get,
    k_thread_start,
    k_uptime_get_32,
    printk,
    snprintk,
)
from zpy.toolchain import compile_definition

SEMAPHORES = 1
MUTEXES = 2
STACKS = 3
FIFOS = 4
LIFOS = 5

# -- what the build may change (the C #ifndef defaults) --

DEBUG_PRINTF = compile_definition("DEBUG_PRINTF", 0)

NUM_PHIL = compile_definition("NUM_PHIL", 6)

STATIC_OBJS = compile_definition("STATIC_OBJS", 0)

FORKS = compile_definition("FORKS", MUTEXES)

SAME_PRIO = compile_definition("SAME_PRIO", 0)

# -- end of what the build may change --

STACK_SIZE = 2048

# The C file includes phil_obj_abstract.h here, after the settings it reads.
from .phil_obj_abstract import (  # noqa: E402
    drop,
    fork_type_str,
    forks,
    obj_init_type,
    stacks,
    take,
    threads,
)


def fork(x):
    return forks[x]


def set_phil_state_pos(id):
    if not DEBUG_PRINTF:
        printk("\x1b[%d;%dH", id + 1, 1)


def print_phil_state(id, fmt, delay):
    prio = k_thread_priority_get(k_current_get())

    set_phil_state_pos(id)

    printk("Philosopher %d [%s:%s%d] ",
           id, "C" if prio < 0 else "P",
           "" if prio < 0 else " ",
           prio)

    if delay:
        printk(fmt, " " if delay < 1000 else "", delay)
    else:
        printk(fmt, "")

    printk("\n")


def get_random_delay(id, period_in_ms):
    """A pseudo-random 1..32 periods, from the uptime and the philosopher's id."""
    delay = (k_uptime_get_32() // 100 * (id + 1)) & 0x1f

    # never 0
    ms = (delay + 1) * period_in_ms

    return ms


def is_last_philosopher(id):
    return id == (NUM_PHIL - 1)


def philosopher(id, unused1, unused2):
    my_id = id

    # the lower-numbered fork first
    if is_last_philosopher(my_id):
        my_fork1 = fork(0)
        my_fork2 = fork(my_id)
    else:
        my_fork1 = fork(my_id)
        my_fork2 = fork(my_id + 1)

    while True:
        print_phil_state(my_id, "       STARVING       ", 0)
        take(my_fork1)
        print_phil_state(my_id, "   HOLDING ONE FORK   ", 0)
        take(my_fork2)

        delay = get_random_delay(my_id, 25)
        print_phil_state(my_id, "  EATING  [ %s%d ms ] ", delay)
        k_msleep(delay)

        drop(my_fork2)
        print_phil_state(my_id, "   DROPPED ONE FORK   ", 0)
        drop(my_fork1)

        delay = get_random_delay(my_id, 25)
        print_phil_state(my_id, " THINKING [ %s%d ms ] ", delay)
        k_msleep(delay)


def new_prio(phil):
    if IS_ENABLED("CONFIG_COOP_ENABLED") and IS_ENABLED("CONFIG_PREEMPT_ENABLED"):
        if SAME_PRIO:
            return 0
        return -(phil - (NUM_PHIL // 2))
    if IS_ENABLED("CONFIG_COOP_ENABLED"):
        return -phil - 2
    if IS_ENABLED("CONFIG_PREEMPT_ENABLED"):
        return phil
    raise TypeError("unpossible")  # C: #error


def init_objects():
    if not STATIC_OBJS:
        from .phil_obj_abstract import fork_init  # only dynamic objects have one

        for i in range(NUM_PHIL):
            fork_init(fork(i))


def start_threads():
    # with both kinds of priorities: two cooperative threads, four preemptible ones
    for i in range(NUM_PHIL):
        prio = new_prio(i)

        k_thread_create(threads[i], stacks[i], STACK_SIZE,
                        philosopher, i, None, None,
                        prio, K_USER, K_FOREVER)
        if IS_ENABLED("CONFIG_THREAD_NAME"):
            from zpy.autoconf import CONFIG_THREAD_MAX_NAME_LEN

            _, tname = snprintk(CONFIG_THREAD_MAX_NAME_LEN, "Philosopher %d", i)
            k_thread_name_set(threads[i], tname)
        k_object_access_grant(fork(i), threads[i])
        k_object_access_grant(fork((i + 1) % NUM_PHIL), threads[i])

        k_thread_start(threads[i])


DEMO_DESCRIPTION = (
    "\x1b[2J\x1b[15;1H"
    "Demo Description\n"
    "----------------\n"
    "An implementation of a solution to the Dining Philosophers\n"
    "problem (a classic multi-thread synchronization problem).\n"
    "This particular implementation demonstrates the usage of multiple\n"
    "preemptible and cooperative threads of differing priorities, as\n"
    "well as %s %s and thread sleeping.\n"
)


def display_demo_description():
    if not DEBUG_PRINTF:
        printk(DEMO_DESCRIPTION, obj_init_type, fork_type_str)


def main():
    display_demo_description()
    if IS_ENABLED("CONFIG_TIMESLICING"):
        k_sched_time_slice_set(5000, 0)

    init_objects()
    start_threads()

    if IS_ENABLED("CONFIG_COVERAGE"):
        # let the threads print a while before coverage data is written
        k_msleep(5000)

    return 0
