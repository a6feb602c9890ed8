# SPDX-License-Identifier: Apache-2.0
"""test_poll_fail.c: every case there makes a user thread fault on a bad pointer
(memory protection), so none is ported; the access grant the setup calls is."""

from zpy.kernel import k_current_get, k_poll_signal, k_thread_access_grant

signal_err = k_poll_signal()


def poll_fail_grant_access():
    k_thread_access_grant(k_current_get(), signal_err)
