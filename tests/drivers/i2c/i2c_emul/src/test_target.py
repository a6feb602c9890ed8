# SPDX-License-Identifier: Apache-2.0
"""The test's I2C targets: a device per node (nothing to drive) and, for zpy,i2c-test-target,
an emulator with 16 registers and a pointer, which records each transfer's message flags."""

from dataclasses import dataclass, field

from zpy import errno
from zpy.device import DEVICE_DT_DEFINE
from zpy.devicetree import DT_FOREACH_STATUS_OKAY, DT_INST_FOREACH_STATUS_OKAY, DT_INST_PROP
from zpy.drivers.emul import EMUL_DT_INST_DEFINE
from zpy.drivers.i2c import I2C_MSG_RESTART, i2c_is_read_op
from zpy.drivers.i2c_emul import i2c_emul_api
from zpy.init import POST_KERNEL

DT_DRV_COMPAT = "zpy_i2c_test_target"
SIZE = 16


@dataclass
class target_data:
    mem: bytearray = field(default_factory=lambda: bytearray(SIZE))
    pointer: int = 0
    #: the flags of each transfer's messages, in order
    transfers: list = field(default_factory=list)


@dataclass
class target_config:
    fail_init: bool


def target_transfer(target, msgs, num_msgs, addr):
    data = target.data
    data.transfers.append([m.flags for m in msgs[:num_msgs]])
    addressing = True  # the first byte written after a (repeated) start is the pointer
    for msg in msgs[:num_msgs]:
        buf = memoryview(msg.buf)
        if msg.flags & I2C_MSG_RESTART:
            addressing = True
        if i2c_is_read_op(msg):
            for i in range(msg.len):
                if data.pointer >= SIZE:
                    return -errno.EIO
                buf[i] = data.mem[data.pointer]
                data.pointer += 1
            continue
        for value in buf[:msg.len]:
            if addressing:
                data.pointer, addressing = value, False
            elif data.pointer >= SIZE:
                return -errno.EIO
            else:
                data.mem[data.pointer] = value
                data.pointer += 1
    return 0


def target_init(target, parent):
    return -errno.EIO if target.cfg.fail_init else 0


target_api = i2c_emul_api(transfer=target_transfer)


def define_target(inst):
    EMUL_DT_INST_DEFINE(inst, target_init, target_data(),
                        target_config(DT_INST_PROP(inst, "fail_init")), target_api, None)


def define_device(node):
    DEVICE_DT_DEFINE(node, None, None, None, None, POST_KERNEL, 90, None)


DT_FOREACH_STATUS_OKAY("zpy,i2c-test-target", define_device)
DT_FOREACH_STATUS_OKAY("zpy,i2c-test-plain", define_device)
DT_INST_FOREACH_STATUS_OKAY(define_target)
