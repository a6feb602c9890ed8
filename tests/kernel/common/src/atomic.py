# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common (src/atomic.c), ported line by line."""

from zpy.kernel import (
    ATOMIC_DEFINE,
    atomic_add,
    atomic_and,
    atomic_cas,
    atomic_clear,
    atomic_clear_bit,
    atomic_dec,
    atomic_get,
    atomic_inc,
    atomic_nand,
    atomic_or,
    atomic_ptr_cas,
    atomic_ptr_clear,
    atomic_ptr_get,
    atomic_ptr_set,
    atomic_ptr_t,
    atomic_set,
    atomic_set_bit,
    atomic_set_bit_to,
    atomic_sub,
    atomic_t,
    atomic_test_and_clear_bit,
    atomic_test_and_set_bit,
    atomic_test_bit,
    atomic_xor,
)
from zpy.ztest import ZTEST_SUITE, ZTEST_USER, zassert_false, zassert_true

NUM_FLAG_BITS = 100


@ZTEST_USER("atomic")
def test_atomic():
    target = atomic_t()
    orig = atomic_t()
    ptr_target = atomic_ptr_t()

    flag_bits = ATOMIC_DEFINE("flag_bits", NUM_FLAG_BITS)

    target.val = 4
    value = 5
    oldvalue = 6

    zassert_false(atomic_cas(target, oldvalue, value), "atomic_cas")
    target.val = 6
    zassert_true(atomic_cas(target, oldvalue, value), "atomic_cas")
    zassert_true((target == value), "atomic_cas")

    ptr_target.val = 4
    ptr_value = 5
    old_ptr_value = 6
    zassert_false(atomic_ptr_cas(ptr_target, old_ptr_value, ptr_value), "atomic_ptr_cas")
    ptr_target.val = 6
    zassert_true(atomic_ptr_cas(ptr_target, old_ptr_value, ptr_value), "atomic_ptr_cas")
    zassert_true((ptr_target.val == ptr_value), "atomic_ptr_cas")

    target.val = 1
    value = 2
    zassert_true((atomic_add(target, value) == 1), "atomic_add")
    zassert_true((target == 3), "atomic_add")
    target.val = 2
    value = -4
    zassert_true((atomic_add(target, value) == 2), "atomic_add")
    zassert_true((target == -2), "atomic_add")

    target.val = 10
    value = 2
    zassert_true((atomic_sub(target, value) == 10), "atomic_sub")
    zassert_true((target == 8), "atomic_sub")
    target.val = 5
    value = -4
    zassert_true((atomic_sub(target, value) == 5), "atomic_sub")
    zassert_true((target == 9), "atomic_sub")

    target.val = 5
    zassert_true((atomic_inc(target) == 5), "atomic_inc")
    zassert_true((target == 6), "atomic_inc")

    target.val = 2
    zassert_true((atomic_dec(target) == 2), "atomic_dec")
    zassert_true((target == 1), "atomic_dec")

    target.val = 50
    zassert_true((atomic_get(target) == 50), "atomic_get")

    ptr_target.val = 50
    zassert_true((atomic_ptr_get(ptr_target) == 50), "atomic_ptr_get")

    target.val = 42
    value = 77
    zassert_true((atomic_set(target, value) == 42), "atomic_set")
    zassert_true((target == value), "atomic_set")

    ptr_target.val = 42
    ptr_value = 77
    zassert_true((atomic_ptr_set(ptr_target, ptr_value) == 42), "atomic_ptr_set")
    zassert_true((ptr_target.val == ptr_value), "atomic_ptr_set")

    target.val = 100
    zassert_true((atomic_clear(target) == 100), "atomic_clear")
    zassert_true((target == 0), "atomic_clear")

    ptr_target.val = 100
    zassert_true((atomic_ptr_clear(ptr_target) == 100), "atomic_ptr_clear")
    zassert_true((ptr_target.val is None), "atomic_ptr_clear")

    target.val = 0xFF00
    value = 0x0F0F
    zassert_true((atomic_or(target, value) == 0xFF00), "atomic_or")
    zassert_true((target == 0xFF0F), "atomic_or")

    target.val = 0xFF00
    value = 0x0F0F
    zassert_true((atomic_xor(target, value) == 0xFF00), "atomic_xor")
    zassert_true((target == 0xF00F), "atomic_xor")

    target.val = 0xFF00
    value = 0x0F0F
    zassert_true((atomic_and(target, value) == 0xFF00), "atomic_and")
    zassert_true((target == 0x0F00), "atomic_and")

    target.val = 0xFF00
    value = 0x0F0F
    zassert_true((atomic_nand(target, value) == 0xFF00), "atomic_nand")
    zassert_true((target == ~0x0F00), "atomic_nand")

    for i in range(32):
        target.val = 0x0F0F0F0F
        zassert_true(atomic_test_bit(target, i) == bool(target.val & (1 << i)),
                     "atomic_test_bit")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        zassert_true(atomic_test_and_clear_bit(target, i) == bool(orig.val & (1 << i)),
                     "atomic_test_and_clear_bit")
        zassert_true(target == (orig.val & ~(1 << i)), "atomic_test_and_clear_bit")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        zassert_true(atomic_test_and_set_bit(target, i) == bool(orig.val & (1 << i)),
                     "atomic_test_and_set_bit")
        zassert_true(target == (orig.val | (1 << i)), "atomic_test_and_set_bit")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        atomic_clear_bit(target, i)
        zassert_true(target == (orig.val & ~(1 << i)), "atomic_clear_bit")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        atomic_set_bit(target, i)
        zassert_true(target == (orig.val | (1 << i)), "atomic_set_bit")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        atomic_set_bit_to(target, i, False)
        zassert_true(target == (orig.val & ~(1 << i)), "atomic_set_bit_to")

    for i in range(32):
        orig.val = 0x0F0F0F0F
        target.val = orig.val
        atomic_set_bit_to(target, i, True)
        zassert_true(target == (orig.val | (1 << i)), "atomic_set_bit_to")

    for i in range(NUM_FLAG_BITS):
        atomic_set_bit(flag_bits, i)
        zassert_true(atomic_test_bit(flag_bits, i) is True,
                     "Failed to set a single bit in an array of atomic variables")
        atomic_clear_bit(flag_bits, i)
        zassert_true(atomic_test_bit(flag_bits, i) is False,
                     "Failed to clear a single bit in an array of atomic variables")


ZTEST_SUITE("atomic", None, None, None, None, None)
