# SPDX-License-Identifier: Apache-2.0
"""Zephyr's phil_obj_abstract.h: which kernel object serves as a fork.

Each kind gives fork_init() (dynamic objects only), take(), drop() and
fork_type_str; `forks` lists the six forks, made here (dynamic) or defined one
by one (static). main.py sets FORKS and STATIC_OBJS before this module is read,
as main.c defines them before its #include. A stack, FIFO or LIFO fork holds one
MAGIC item; its fork_obj_t is C's struct of the kernel object and the item's
storage, a subclass of the object (C casts one to the other).
"""

from dataclasses import dataclass
from typing import Any

from zpy.kernel import (
    __ASSERT,
    K_FOREVER,
    K_MUTEX_DEFINE,
    K_SEM_DEFINE,
    K_THREAD_STACK_ARRAY_DEFINE,
    k_fifo,
    k_fifo_get,
    k_fifo_init,
    k_fifo_put,
    k_lifo,
    k_lifo_get,
    k_lifo_init,
    k_lifo_put,
    k_mutex,
    k_mutex_init,
    k_mutex_lock,
    k_mutex_unlock,
    k_sem,
    k_sem_give,
    k_sem_init,
    k_sem_take,
    k_stack,
    k_stack_init,
    k_stack_pop,
    k_stack_push,
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

MAGIC = 0xa5a5ee11

if FORKS in (FIFOS, LIFOS):
    @dataclass(eq=False)
    class packet:
        next: Any = None  # the word C reserves for the queue (zpy's queues keep their own)
        data: int = 0

    orig_packet = [packet() for _ in range(NUM_PHIL)]

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
elif FORKS == STACKS:
    if STATIC_OBJS:
        raise TypeError("not implemented yet.")  # C: #error
    else:
        class fork_obj_t(k_stack):
            """struct { struct k_stack stack; stack_data_t stack_mem[1]; }"""

            def __init__(self):
                super().__init__()
                self.stack_mem = [0] * 1

        def fork_init(x):
            k_stack_init(x, x.stack_mem, 1)
            k_stack_push(x, MAGIC)

    def take(x):
        _, data = k_stack_pop(x, K_FOREVER)
        __ASSERT(data == MAGIC, "data was %lx\n", data)

    def drop(x):
        k_stack_push(x, MAGIC)

    fork_type_str = "stacks"
elif FORKS == FIFOS:
    if STATIC_OBJS:
        raise TypeError("not implemented yet.")  # C: #error
    else:
        class fork_obj_t(k_fifo):
            """struct { struct k_fifo fifo; struct packet data; }"""

            def __init__(self):
                super().__init__()
                self.data = packet()

        def fork_init(x):
            k_fifo_init(x)
            x.data.data = MAGIC
            k_fifo_put(x, x.data)

    def take(x):
        data = k_fifo_get(x, K_FOREVER)
        __ASSERT(data.data == MAGIC, "")

    def drop(x):
        k_fifo_put(x, x.data)

    fork_type_str = "fifos"
elif FORKS == LIFOS:
    if STATIC_OBJS:
        raise TypeError("not implemented yet.")  # C: #error
    else:
        class fork_obj_t(k_lifo):
            """struct { struct k_lifo lifo; struct packet data; }"""

            def __init__(self):
                super().__init__()
                self.data = packet()

        def fork_init(x):
            k_lifo_init(x)
            x.data.data = MAGIC
            k_lifo_put(x, x.data)

    def take(x):
        data = k_lifo_get(x, K_FOREVER)
        __ASSERT(data.data == MAGIC, "")

    def drop(x):
        k_lifo_put(x, x.data)

    fork_type_str = "lifos"
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
