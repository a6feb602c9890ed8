# SPDX-License-Identifier: Apache-2.0
"""Zephyr's synchronization sample (samples/synchronization/src/main.c), line by line.

Two threads greet in turn: each waits for its own semaphore, prints, spins and
sleeps a while, then gives the other thread's semaphore. Both are created
unstarted, named, pinned to a CPU each when the image has SMP and CPU masks,
then started; main() returns and the two go on for ever.
"""

from zpy.autoconf import CONFIG_BOARD
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_SEM_DEFINE,
    K_THREAD_STACK_DEFINE,
    K_THREAD_STACK_SIZEOF,
    arch_curr_cpu,
    arch_num_cpus,
    k_busy_wait,
    k_current_get,
    k_msleep,
    k_sem_give,
    k_sem_take,
    k_thread,
    k_thread_cpu_pin,
    k_thread_create,
    k_thread_name_get,
    k_thread_name_set,
    k_thread_start,
    printk,
)

PIN_THREADS = IS_ENABLED("CONFIG_SMP") and IS_ENABLED("CONFIG_SCHED_CPU_MASK")

STACKSIZE = 1024  # bytes of stack for each thread

PRIORITY = 7  # both threads share it

SLEEPTIME = 500  # ms between two greetings


def helloLoop(my_name, my_sem, other_sem):
    """Greet whenever my_sem is given, then hand the turn over through other_sem."""
    while True:
        k_sem_take(my_sem, K_FOREVER)

        current_thread = k_current_get()
        tname = k_thread_name_get(current_thread)
        if IS_ENABLED("CONFIG_SMP"):
            cpu = arch_curr_cpu().id
        else:
            cpu = 0
        if tname is None:
            printk("%s: Hello World from cpu %d on %s!\n", my_name, cpu, CONFIG_BOARD)
        else:
            printk("%s: Hello World from cpu %d on %s!\n", tname, cpu, CONFIG_BOARD)

        k_busy_wait(100000)
        k_msleep(SLEEPTIME)
        k_sem_give(other_sem)


threadA_sem = K_SEM_DEFINE("threadA_sem", 1, 1)  # thread A goes first
threadB_sem = K_SEM_DEFINE("threadB_sem", 0, 1)  # thread B waits for its turn


def threadA(dummy1, dummy2, dummy3):
    helloLoop("threadA", threadA_sem, threadB_sem)


threadB_stack_area = K_THREAD_STACK_DEFINE("threadB_stack_area", STACKSIZE)
threadB_data = k_thread()


def threadB(dummy1, dummy2, dummy3):
    helloLoop("threadB", threadB_sem, threadA_sem)


threadA_stack_area = K_THREAD_STACK_DEFINE("threadA_stack_area", STACKSIZE)
threadA_data = k_thread()


def main():
    k_thread_create(threadA_data, threadA_stack_area,
                    K_THREAD_STACK_SIZEOF(threadA_stack_area),
                    threadA, None, None, None,
                    PRIORITY, 0, K_FOREVER)
    k_thread_name_set(threadA_data, "thread_a")
    if PIN_THREADS:
        if arch_num_cpus() > 1:
            k_thread_cpu_pin(threadA_data, 0)

    k_thread_create(threadB_data, threadB_stack_area,
                    K_THREAD_STACK_SIZEOF(threadB_stack_area),
                    threadB, None, None, None,
                    PRIORITY, 0, K_FOREVER)
    k_thread_name_set(threadB_data, "thread_b")
    if PIN_THREADS:
        if arch_num_cpus() > 1:
            k_thread_cpu_pin(threadB_data, 1)

    k_thread_start(threadA_data)
    k_thread_start(threadB_data)
    return 0
