# SPDX-License-Identifier: Apache-2.0
"""test_queue.h: the data items the tests pass."""

from dataclasses import dataclass

from zpy.kernel import sys_snode_t


@dataclass(eq=False)
class qdata_t(sys_snode_t):
    """struct qdata { sys_snode_t snode; uint32_t data; bool allocated; }: snode is the
    first member, so the item is its node (C's &d->snode is d)."""

    data: int = 0
    allocated: bool = False

    @property
    def snode(self) -> sys_snode_t:
        return self
