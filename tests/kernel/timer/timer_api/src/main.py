# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/timer/timer_api (src/main.c), ported line by line."""

from zpy.autoconf import CONFIG_SYS_CLOCK_TICKS_PER_SEC
from zpy.kernel import (
    IS_ENABLED,
    K_FOREVER,
    K_MSEC,
    K_NO_WAIT,
    K_TICKS,
    K_TIMEOUT_ABS_CYC,
    K_TIMEOUT_ABS_MS,
    K_TIMEOUT_ABS_NS,
    K_TIMEOUT_ABS_TICKS,
    K_TIMEOUT_ABS_US,
    K_TIMER_DEFINE,
    k_busy_wait,
    k_current_get,
    k_ms_to_cyc_ceil64,
    k_ms_to_ticks_ceil32,
    k_ms_to_ticks_ceil64,
    k_ms_to_ticks_floor32,
    k_msleep,
    k_object_access_grant,
    k_sleep,
    k_thread_access_grant,
    k_ticks_to_ms_ceil32,
    k_ticks_to_ms_floor64,
    k_ticks_to_us_ceil32,
    k_timer,
    k_timer_expires_ticks,
    k_timer_init,
    k_timer_remaining_get,
    k_timer_remaining_ticks,
    k_timer_start,
    k_timer_status_get,
    k_timer_status_sync,
    k_timer_stop,
    k_timer_user_data_get,
    k_timer_user_data_set,
    k_uptime_delta,
    k_uptime_get,
    k_uptime_ticks,
    k_us_to_ticks_ceil32,
    k_usleep,
)
from zpy.ztest import ZTEST_SUITE, ZTEST_USER, zassert_false, zassert_true


class timer_data:
    def __init__(self):
        self.expire_cnt = 0
        self.stop_cnt = 0
        self.timestamp = 0


DURATION = 100
PERIOD = 50
EXPIRE_TIMES = 4
MSEC_PER_SEC = 1000
USEC_PER_MSEC = 1000


def WITHIN_ERROR(var, target, epsilon):
    return abs(target - var) <= epsilon


INEXACT_MS_CONVERT = (CONFIG_SYS_CLOCK_TICKS_PER_SEC % MSEC_PER_SEC) != 0

BUSY_TICK_SLEW_PPM = 0
PPM_DIVISOR = 1000000


def BUSY_SLEW_THRESHOLD_TICKS(_us):
    return k_us_to_ticks_ceil32(_us * BUSY_TICK_SLEW_PPM // PPM_DIVISOR)


duration_timer = k_timer()
period0_timer = k_timer()
expire_timer = k_timer()
sync_timer = k_timer()
periodicity_timer = k_timer()
status_timer = k_timer()
status_anytime_timer = k_timer()
status_sync_timer = k_timer()
remain_timer = k_timer()

tdata = timer_data()


def TIMER_ASSERT(exp, tmr):
    if not exp:
        k_timer_stop(tmr)
        zassert_true(exp)


def init_timer_data():
    tdata.expire_cnt = 0
    tdata.stop_cnt = 0

    if IS_ENABLED("CONFIG_MULTITHREADING"):
        k_usleep(1)

    tdata.timestamp = k_uptime_get()


def interval_check(interval, desired):
    slop = 1 if INEXACT_MS_CONVERT else 0

    if IS_ENABLED("CONFIG_TICKLESS_KERNEL"):
        slop += 2 * k_ticks_to_ms_ceil32(1)

    if not WITHIN_ERROR(interval, desired, slop):
        return False

    return True


def duration_expire(timer):
    interval, tdata.timestamp = k_uptime_delta(tdata.timestamp)

    tdata.expire_cnt += 1
    if tdata.expire_cnt == 1:
        TIMER_ASSERT(interval_check(interval, DURATION), timer)
    else:
        TIMER_ASSERT(interval_check(interval, PERIOD), timer)

    if tdata.expire_cnt >= EXPIRE_TIMES:
        k_timer_stop(timer)


def duration_stop(timer):
    tdata.stop_cnt += 1


def period0_expire(timer):
    tdata.expire_cnt += 1


def status_expire(timer):
    TIMER_ASSERT(k_timer_status_get(timer) == 1, timer)
    TIMER_ASSERT(k_timer_remaining_get(timer) >= PERIOD, timer)

    if tdata.expire_cnt >= EXPIRE_TIMES:
        k_timer_stop(timer)


def busy_wait_ms(ms):
    k_busy_wait(ms * 1000)


def status_stop(timer):
    TIMER_ASSERT(k_timer_remaining_get(timer) == 0, timer)


ktimer = K_TIMER_DEFINE("ktimer", duration_expire, duration_stop)


@ZTEST_USER("timer_api")
def test_timer_duration_period():
    init_timer_data()
    k_timer_start(duration_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(DURATION + PERIOD * EXPIRE_TIMES + PERIOD // 2)
    TIMER_ASSERT(tdata.expire_cnt == EXPIRE_TIMES, duration_timer)
    TIMER_ASSERT(tdata.stop_cnt == 1, duration_timer)

    k_timer_start(duration_timer, K_FOREVER, K_MSEC(PERIOD))
    TIMER_ASSERT(tdata.stop_cnt == 1, duration_timer)
    k_timer_stop(duration_timer)


@ZTEST_USER("timer_api")
def test_timer_restart():
    init_timer_data()
    k_timer_start(status_anytime_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(DURATION + PERIOD * (EXPIRE_TIMES - 1) + PERIOD // 2)

    k_timer_start(status_anytime_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    TIMER_ASSERT(k_timer_status_get(status_anytime_timer) == 0, status_anytime_timer)

    k_timer_stop(status_anytime_timer)


@ZTEST_USER("timer_api")
def test_timer_period_0():
    init_timer_data()
    k_timer_start(period0_timer,
                  K_TICKS(k_ms_to_ticks_floor32(DURATION)
                          - BUSY_SLEW_THRESHOLD_TICKS(DURATION * USEC_PER_MSEC)),
                  K_NO_WAIT)
    busy_wait_ms(2 * DURATION + 1)

    TIMER_ASSERT((tdata.expire_cnt == 1)
                 or (INEXACT_MS_CONVERT and (tdata.expire_cnt == 0)), period0_timer)
    TIMER_ASSERT(tdata.stop_cnt == 0, period0_timer)

    k_timer_stop(period0_timer)


@ZTEST_USER("timer_api")
def test_timer_period_k_forever():
    init_timer_data()
    k_timer_start(
        period0_timer,
        K_TICKS(k_ms_to_ticks_floor32(DURATION)
                - BUSY_SLEW_THRESHOLD_TICKS(DURATION * USEC_PER_MSEC)),
        K_FOREVER)
    tdata.timestamp = k_uptime_get()

    busy_wait_ms(2 * DURATION + 1)

    TIMER_ASSERT((tdata.expire_cnt == 1)
                 or (INEXACT_MS_CONVERT and (tdata.expire_cnt == 0)), period0_timer)
    TIMER_ASSERT(tdata.stop_cnt == 0, period0_timer)

    k_timer_stop(period0_timer)


@ZTEST_USER("timer_api")
def test_timer_expirefn_null():
    init_timer_data()
    k_timer_start(expire_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(DURATION + PERIOD * EXPIRE_TIMES + PERIOD // 2)

    k_timer_stop(expire_timer)
    TIMER_ASSERT(tdata.expire_cnt == 0, expire_timer)
    TIMER_ASSERT(tdata.stop_cnt == 1, expire_timer)

    k_timer_stop(expire_timer)


def tick_sync():
    k_timer_start(sync_timer, K_NO_WAIT, K_MSEC(1))
    k_timer_status_sync(sync_timer)
    k_timer_stop(sync_timer)


@ZTEST_USER("timer_api")
def test_timer_periodicity():
    period_ms = k_ticks_to_ms_floor64(k_ms_to_ticks_ceil32(PERIOD))

    tick_sync()

    init_timer_data()
    k_timer_start(periodicity_timer, K_NO_WAIT, K_MSEC(PERIOD))

    k_timer_status_sync(periodicity_timer)
    k_timer_status_sync(periodicity_timer)
    tdata.timestamp = k_uptime_get()

    for _i in range(EXPIRE_TIMES):
        TIMER_ASSERT(k_timer_status_sync(periodicity_timer) == 1, periodicity_timer)

        delta, tdata.timestamp = k_uptime_delta(tdata.timestamp)

        TIMER_ASSERT(WITHIN_ERROR(delta, period_ms, 1)
                     or (INEXACT_MS_CONVERT and (delta == period_ms - 1)),
                     periodicity_timer)

    k_timer_stop(periodicity_timer)


@ZTEST_USER("timer_api")
def test_timer_status_get():
    init_timer_data()
    k_timer_start(status_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    TIMER_ASSERT(k_timer_status_get(status_timer) == 0, status_timer)
    TIMER_ASSERT(k_timer_remaining_get(status_timer) >= DURATION // 2, status_timer)

    k_timer_stop(status_timer)


@ZTEST_USER("timer_api")
def test_timer_status_get_anytime():
    init_timer_data()
    k_timer_start(status_anytime_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(DURATION + PERIOD * (EXPIRE_TIMES - 1) + PERIOD // 2)

    TIMER_ASSERT(k_timer_status_get(status_anytime_timer) == EXPIRE_TIMES,
                 status_anytime_timer)
    busy_wait_ms(PERIOD)
    TIMER_ASSERT(k_timer_status_get(status_anytime_timer) == 1, status_anytime_timer)

    k_timer_stop(status_anytime_timer)


@ZTEST_USER("timer_api")
def test_timer_status_sync():
    init_timer_data()
    k_timer_start(status_sync_timer, K_MSEC(DURATION), K_MSEC(PERIOD))

    for i in range(EXPIRE_TIMES):
        TIMER_ASSERT(tdata.expire_cnt == i, status_sync_timer)
        TIMER_ASSERT(k_timer_status_sync(status_sync_timer) == 1, status_sync_timer)
        TIMER_ASSERT(tdata.expire_cnt == (i + 1), status_sync_timer)

    init_timer_data()
    k_timer_start(status_sync_timer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(PERIOD * 2)
    zassert_true(k_timer_status_sync(status_sync_timer))

    k_timer_stop(status_sync_timer)
    zassert_false(k_timer_status_sync(status_sync_timer))


@ZTEST_USER("timer_api")
def test_timer_k_define():
    init_timer_data()
    k_timer_start(ktimer, K_MSEC(DURATION), K_MSEC(PERIOD))
    busy_wait_ms(DURATION + PERIOD * EXPIRE_TIMES + PERIOD // 2)

    TIMER_ASSERT(tdata.expire_cnt == EXPIRE_TIMES, ktimer)
    TIMER_ASSERT(tdata.stop_cnt == 1, ktimer)

    k_timer_stop(ktimer)

    init_timer_data()
    k_timer_start(ktimer, K_MSEC(DURATION), K_MSEC(PERIOD))

    busy_wait_ms(DURATION // 2)
    k_timer_start(ktimer, K_MSEC(DURATION), K_MSEC(PERIOD))
    tdata.timestamp = k_uptime_get()
    busy_wait_ms(DURATION + PERIOD * EXPIRE_TIMES + PERIOD // 2)

    TIMER_ASSERT(tdata.expire_cnt == EXPIRE_TIMES, ktimer)
    TIMER_ASSERT(tdata.stop_cnt == 1, ktimer)

    k_timer_stop(ktimer)


def user_data_timer_handler(timer):
    timer_num = (0 if timer is user_data_timer[0] else
                 1 if timer is user_data_timer[1] else
                 2 if timer is user_data_timer[2] else
                 3 if timer is user_data_timer[3] else
                 4 if timer is user_data_timer[4] else -1)

    if timer_num == -1:
        return

    data_retrieved = k_timer_user_data_get(timer)

    user_data_correct[timer_num] = user_data[timer_num] == data_retrieved


timer0 = K_TIMER_DEFINE("timer0", user_data_timer_handler, None)
timer1 = K_TIMER_DEFINE("timer1", user_data_timer_handler, None)
timer2 = K_TIMER_DEFINE("timer2", user_data_timer_handler, None)
timer3 = K_TIMER_DEFINE("timer3", user_data_timer_handler, None)
timer4 = K_TIMER_DEFINE("timer4", user_data_timer_handler, None)

user_data_timer = [timer0, timer1, timer2, timer3, timer4]

user_data = (0x1337, 0xbabe, 0xd00d, 0xdeaf, 0xfade)

user_data_correct = [0] * 5


@ZTEST_USER("timer_api")
def test_timer_user_data():
    for ii in range(5):
        k_timer_user_data_set(user_data_timer[ii], user_data[ii])
        check = k_timer_user_data_get(user_data_timer[ii])

        zassert_true(check == user_data[ii])

    for ii in range(5):
        k_timer_start(user_data_timer[ii], K_MSEC(50 + ii * 50), K_NO_WAIT)
    ii = 5

    wait_ms = 50 * ii + 50

    if IS_ENABLED("CONFIG_MULTITHREADING"):
        k_msleep(wait_ms)
    else:
        wait_us = 1000 * wait_ms

        k_busy_wait(wait_us + (wait_us * BUSY_TICK_SLEW_PPM) // PPM_DIVISOR)

    for ii in range(5):
        k_timer_stop(user_data_timer[ii])

    for ii in range(5):
        zassert_true(user_data_correct[ii])


@ZTEST_USER("timer_api")
def test_timer_remaining():
    dur_ticks = k_ms_to_ticks_ceil32(DURATION)
    target_rem_ticks = k_ms_to_ticks_ceil32(DURATION // 2)

    latency_ticks = k_us_to_ticks_ceil32(100)

    init_timer_data()
    k_timer_start(remain_timer, K_MSEC(DURATION), K_NO_WAIT)
    busy_wait_ms(DURATION // 2)
    rem_ticks = k_timer_remaining_ticks(remain_timer)
    now = k_uptime_ticks()
    rem_ms = k_timer_remaining_get(remain_timer)
    exp_ticks = k_timer_expires_ticks(remain_timer)
    k_timer_stop(remain_timer)
    TIMER_ASSERT(tdata.expire_cnt == 0, remain_timer)
    TIMER_ASSERT(tdata.stop_cnt == 1, remain_timer)

    zassert_true(rem_ms <= (DURATION // 2) + k_ticks_to_ms_floor64(1), None)

    delta_ticks = rem_ticks - target_rem_ticks
    slew_ticks = BUSY_SLEW_THRESHOLD_TICKS(DURATION * USEC_PER_MSEC // 2)
    zassert_true(abs(delta_ticks) <= max(slew_ticks, latency_ticks),
                 "tick/busy slew %d larger than test threshold %u", delta_ticks, slew_ticks)

    zassert_true((exp_ticks - now) <= (dur_ticks // 2) + 1 + slew_ticks, None)


def _ticks(t):
    """k_timeout_t.ticks: zpy keeps the nanoseconds of an ms/us/ns timeout and converts
    when the kernel uses it; this is the tick count Zephyr's macro computes."""
    return t.to_ticks(CONFIG_SYS_CLOCK_TICKS_PER_SEC)


@ZTEST_USER("timer_api")
def test_timeout_abs():
    if IS_ENABLED("CONFIG_TIMEOUT_64BIT"):
        exp_ms = 10000000
        exp_ticks = k_ms_to_ticks_ceil64(exp_ms)
        t = K_TIMEOUT_ABS_TICKS(exp_ticks)

        t2 = K_TIMEOUT_ABS_MS(exp_ms)
        zassert_true(_ticks(t2) == t.ticks)

        t2 = K_TIMEOUT_ABS_US(1000 * exp_ms)
        zassert_true(_ticks(t2) == t.ticks)

        t2 = K_TIMEOUT_ABS_NS(1000 * 1000 * exp_ms)
        zassert_true(_ticks(t2) == t.ticks)

        t2 = K_TIMEOUT_ABS_CYC(k_ms_to_cyc_ceil64(exp_ms))
        zassert_true(_ticks(t2) == t.ticks)

        init_timer_data()
        k_timer_start(remain_timer, t, K_FOREVER)

        if IS_ENABLED("CONFIG_MULTITHREADING"):
            k_usleep(1)

        while True:
            t0 = k_uptime_ticks()
            rem_ticks = k_timer_remaining_ticks(remain_timer)
            t1 = k_uptime_ticks()
            if t0 == t1:
                break

        zassert_true(t0 + rem_ticks == exp_ticks,
                     "Wrong remaining: now %lld rem %lld expires %lld (%d)",
                     t0, rem_ticks, exp_ticks, t0 + rem_ticks - exp_ticks)

        k_timer_stop(remain_timer)


@ZTEST_USER("timer_api")
def test_sleep_abs():
    if not IS_ENABLED("CONFIG_MULTITHREADING"):
        return

    sleep_ticks = 50

    k_usleep(1)

    start = k_uptime_ticks()
    k_sleep(K_TIMEOUT_ABS_TICKS(start + sleep_ticks))
    end = k_uptime_ticks()

    late = end - (start + sleep_ticks)
    slop = max(2, k_us_to_ticks_ceil32(250))

    zassert_true(late >= 0 and late <= slop,
                 "expected wakeup at %lld, got %lld (late %lld)",
                 start + sleep_ticks, end, late)

    tickless_wait = 5

    start = end
    k_busy_wait(k_ticks_to_us_ceil32(tickless_wait))
    k_sleep(K_TIMEOUT_ABS_TICKS(start + sleep_ticks))
    end = k_uptime_ticks()
    late = end - (start + sleep_ticks)

    zassert_true(late >= 0 and late <= slop,
                 "expected wakeup at %lld, got %lld (late %lld)",
                 start + sleep_ticks, end, late)


def timer_init(timer, expiry_fn, stop_fn):
    if IS_ENABLED("CONFIG_MULTITHREADING"):
        k_object_access_grant(timer, k_current_get())

    k_timer_init(timer, expiry_fn, stop_fn)


def setup_timer_api():
    timer_init(duration_timer, duration_expire, duration_stop)
    timer_init(period0_timer, period0_expire, None)
    timer_init(expire_timer, None, duration_stop)
    timer_init(sync_timer, None, None)
    timer_init(periodicity_timer, None, None)
    timer_init(status_timer, status_expire, status_stop)
    timer_init(status_anytime_timer, None, None)
    timer_init(status_sync_timer, duration_expire, duration_stop)
    timer_init(remain_timer, duration_expire, duration_stop)

    if IS_ENABLED("CONFIG_MULTITHREADING"):
        k_thread_access_grant(k_current_get(), ktimer, timer0, timer1, timer2, timer3, timer4)

    return None


ZTEST_SUITE("timer_api", None, setup_timer_api, None, None, None)
