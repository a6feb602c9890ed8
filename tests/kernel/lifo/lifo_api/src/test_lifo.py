# SPDX-License-Identifier: Apache-2.0
"""test_lifo.h: the data items the tests pass."""

from dataclasses import dataclass

from zpy.kernel import sys_snode_t


@dataclass(eq=False)
class ldata_t(sys_snode_t):
    """struct ldata { sys_snode_t snode; uint32_t data; }: snode is the first member, so
    the item is its node (C's &d->snode is d)."""

    data: int = 0

    @property
    def snode(self) -> sys_snode_t:
        return self
