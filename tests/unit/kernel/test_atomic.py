"""atomic_t as a 64-bit C long, bit arrays, and k_spinlock's key, masking and exclusion."""

from __future__ import annotations

import pytest

from zpy.kernel.atomic import (
    ATOMIC_DEFINE,
    atomic_add,
    atomic_cas,
    atomic_dec,
    atomic_get,
    atomic_nand,
    atomic_ptr_cas,
    atomic_ptr_t,
    atomic_set_bit,
    atomic_set_bit_to,
    atomic_sub,
    atomic_t,
    atomic_test_and_clear_bit,
    atomic_test_and_set_bit,
    atomic_test_bit,
)


def test_values_wrap_as_a_64_bit_long_and_return_the_old_value():
    t = atomic_t(0x7FFF_FFFF_FFFF_FFFF)
    assert atomic_add(t, 1) == 0x7FFF_FFFF_FFFF_FFFF
    assert t.val == -(1 << 63)
    assert atomic_sub(t, 1) == -(1 << 63) and t == 0x7FFF_FFFF_FFFF_FFFF
    t.val = 0xFF00
    assert atomic_nand(t, 0x0F0F) == 0xFF00 and t.val == ~0x0F00
    assert atomic_dec(atomic_t(0)) == 0
    assert not atomic_cas(t, 5, 6) and atomic_cas(t, ~0x0F00, 6) and atomic_get(t) == 6
    p = atomic_ptr_t("a")
    assert not atomic_ptr_cas(p, "b", "c") and atomic_ptr_cas(p, "a", "c") and p.val == "c"


def test_bits_of_one_atomic_and_of_an_atomic_define_array():
    flags = ATOMIC_DEFINE("flags", 100)
    assert len(flags) == 2
    atomic_set_bit(flags, 70)
    assert flags[1].val == 1 << 6 and atomic_test_bit(flags, 70)
    assert atomic_test_and_set_bit(flags, 3) is False and atomic_test_and_set_bit(flags, 3)
    assert atomic_test_and_clear_bit(flags, 3) and not atomic_test_bit(flags, 3)
    one = atomic_t()
    atomic_set_bit_to(one, 63, True)
    assert one.val == -(1 << 63)
    with pytest.raises(IndexError, match="use ATOMIC_DEFINE"):
        atomic_set_bit(one, 64)


def test_increments_from_two_cpus_are_not_lost(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        total = atomic_t()

        def adder():
            for _ in range(2000):
                atomic_inc(total)
                k_yield()

        def main():
            ts = [k_thread() for _ in range(4)]
            for t in ts:
                k_thread_create(t, None, 0, adder, None, None, None, 3, 0, K_NO_WAIT)
            for t in ts:
                k_thread_join(t, K_FOREVER)
            printk("total %d\\n", atomic_get(total))
            return 0
    """, {"SMP": "y", "MP_MAX_NUM_CPUS": "2"})
    assert status == 0, out
    assert out == "total 8000\n"


def test_spinlock_masks_interrupts_and_defers_preemption(run_app):
    status, out = run_app("""
        from zpy.kernel import *

        lock = k_spinlock()
        sem = K_SEM_DEFINE("sem", 0, 1)

        def isr(arg):
            printk("isr\\n")

        def high():
            k_sem_take(sem, K_FOREVER)
            printk("high runs\\n")

        def main():
            k_thread_create(k_thread(), None, 0, high, None, None, None, -5, 0, K_NO_WAIT)
            key = k_spin_lock(lock)
            irq_offload(isr, None)          # held back: interrupts are masked
            k_sem_give(sem)                 # no switch either
            printk("trylock %d\\n", k_spin_trylock(lock)[0])
            printk("unlocking\\n")
            k_spin_unlock(lock, key)
            with K_SPINLOCK(lock):
                printk("in K_SPINLOCK\\n")
            printk("trylock %d\\n", k_spin_trylock(lock)[0])
            return 0
    """, {"IRQ_OFFLOAD": "y"})
    assert status == 0, out
    assert out == ("trylock -16\nunlocking\nisr\nhigh runs\nin K_SPINLOCK\ntrylock 0\n")
