# SPDX-License-Identifier: Apache-2.0
"""Zephyr's phil_obj_abstract.h: which kernel object serves as a fork.

Each kind gives fork_init() (dynamic objects only), take(), drop() and
fork_type_str; `forks` lists the six forks, made here (dynamic) or defined one
by one (static). main.py sets FORKS and STATIC_OBJS before this module is read,
as main.c defines them before its #include.
"""

from zpy.kernel import (
    K_FOREVER,
    K_MUTEX_DEFINE,
    K_SEM_DEFINE,
    K_THREAD_STACK_ARRAY_DEFINE,
    k_mutex,
    k_mutex_init,
    k_mutex_lock,
    k_mutex_unlock,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_thread,
)

from .main import (
    FIFOS,
    FORKS,
    LIFOS,
    MUTEXES,
    NUM_PHIL,
    SEMAPHORES,
    STACK_SIZE,
    STACKS,
    STATIC_OBJS,
)

if FORKS == SEMAPHORES:
    if STATIC_OBJS:
        fork0 = K_SEM_DEFINE("fork0", 1, 1)
        fork1 = K_SEM_DEFINE("fork1", 1, 1)
        fork2 = K_SEM_DEFINE("fork2", 1, 1)
        fork3 = K_SEM_DEFINE("fork3", 1, 1)
        fork4 = K_SEM_DEFINE("fork4", 1, 1)
        fork5 = K_SEM_DEFINE("fork5", 1, 1)
    else:
        fork_obj_t = k_sem

        def fork_init(x):
            k_sem_init(x, 1, 1)

    def take(x):
        k_sem_take(x, K_FOREVER)

    def drop(x):
        k_sem_give(x)

    fork_type_str = "semaphores"
elif FORKS == MUTEXES:
    if STATIC_OBJS:
        fork0 = K_MUTEX_DEFINE("fork0")
        fork1 = K_MUTEX_DEFINE("fork1")
        fork2 = K_MUTEX_DEFINE("fork2")
        fork3 = K_MUTEX_DEFINE("fork3")
        fork4 = K_MUTEX_DEFINE("fork4")
        fork5 = K_MUTEX_DEFINE("fork5")
    else:
        fork_obj_t = k_mutex

        def fork_init(x):
            k_mutex_init(x)

    def take(x):
        k_mutex_lock(x, K_FOREVER)

    def drop(x):
        k_mutex_unlock(x)

    fork_type_str = "mutexes"
elif FORKS in (STACKS, FIFOS, LIFOS):
    # C: a k_stack, k_fifo or k_lifo holding one MAGIC item; zpy has none of them yet
    raise TypeError("FORKS=STACKS, FIFOS and LIFOS need k_stack, k_fifo and k_lifo")
else:
    raise TypeError("unknown fork type")  # C: #error

if STATIC_OBJS:
    obj_init_type = "static"
else:
    obj_init_type = "dynamic"
    fork_objs = [fork_obj_t() for _ in range(NUM_PHIL)]

if STATIC_OBJS:
    forks = [fork0, fork1, fork2,
             fork3, fork4, fork5]
else:
    forks = [fork_objs[0], fork_objs[1], fork_objs[2],
             fork_objs[3], fork_objs[4], fork_objs[5]]

stacks = K_THREAD_STACK_ARRAY_DEFINE("stacks", NUM_PHIL, STACK_SIZE)
threads = [k_thread() for _ in range(NUM_PHIL)]
