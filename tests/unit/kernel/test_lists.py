"""sys_slist / sys_dlist iteration from a node (SYS_*LIST_ITERATE_FROM_NODE)."""

from __future__ import annotations

import pytest

from zpy.kernel.dlist import (
    SYS_DLIST_ITERATE_FROM_NODE,
    sys_dlist_append,
    sys_dlist_init,
    sys_dlist_t,
    sys_dnode_t,
)
from zpy.kernel.slist import (
    SYS_SLIST_ITERATE_FROM_NODE,
    sys_slist_append,
    sys_slist_t,
    sys_snode_t,
)


def slist_of(n: int) -> tuple[sys_slist_t, list[sys_snode_t]]:
    lst, nodes = sys_slist_t(), [sys_snode_t() for _ in range(n)]
    for node in nodes:
        sys_slist_append(lst, node)
    return lst, nodes


def dlist_of(n: int) -> tuple[sys_dlist_t, list[sys_dnode_t]]:
    lst, nodes = sys_dlist_t(), [sys_dnode_t() for _ in range(n)]
    sys_dlist_init(lst)
    for node in nodes:
        sys_dlist_append(lst, node)
    return lst, nodes


@pytest.mark.parametrize(("make", "iterate"), [(slist_of, SYS_SLIST_ITERATE_FROM_NODE),
                                              (dlist_of, SYS_DLIST_ITERATE_FROM_NODE)])
def test_iterate_from_node_starts_after_the_node_or_at_the_head(make, iterate) -> None:
    lst, nodes = make(4)
    assert list(iterate(lst, None)) == nodes
    assert list(iterate(lst, nodes[1])) == nodes[2:]
    assert list(iterate(lst, nodes[3])) == []
    empty, _ = make(0)
    assert list(iterate(empty, None)) == []


@pytest.mark.parametrize(("make", "iterate"), [(slist_of, SYS_SLIST_ITERATE_FROM_NODE),
                                              (dlist_of, SYS_DLIST_ITERATE_FROM_NODE)])
def test_a_broken_walk_resumes_after_its_last_node(make, iterate) -> None:
    lst, nodes = make(5)
    node = None
    for cur in iterate(lst, node):
        node = cur
        if cur is nodes[2]:
            break
    assert [n for n in iterate(lst, node)] == nodes[3:]
