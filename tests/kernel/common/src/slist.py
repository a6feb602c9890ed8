# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common (src/slist.c), ported line by line.

A struct that starts with a sys_snode_t subclasses it, so `&test_node_1.node`
is `test_node_1` and a container is its node: SYS_SLIST_FOR_EACH_CONTAINER
walks the same nodes SYS_SLIST_FOR_EACH_NODE does (docs/porting.md).
"""

from dataclasses import dataclass

from zpy.kernel.slist import (
    SYS_SLIST_FOR_EACH_NODE,
    SYS_SLIST_FOR_EACH_NODE_SAFE,
    SYS_SLIST_ITERATE_FROM_NODE,
    sys_slist_append,
    sys_slist_append_list,
    sys_slist_find,
    sys_slist_find_and_remove,
    sys_slist_get,
    sys_slist_get_not_empty,
    sys_slist_init,
    sys_slist_insert,
    sys_slist_is_empty,
    sys_slist_len,
    sys_slist_merge_slist,
    sys_slist_peek_head,
    sys_slist_peek_next,
    sys_slist_peek_next_no_check,
    sys_slist_peek_tail,
    sys_slist_prepend,
    sys_slist_remove,
    sys_slist_t,
    sys_snode_t,
)
from zpy.ztest import ZTEST, zassert_equal, zassert_is_null, zassert_true

test_list = sys_slist_t()
append_list = sys_slist_t()


@dataclass(eq=False)
class container_node(sys_snode_t):
    unused: int = 0


test_node_1 = container_node()
test_node_2 = container_node()
test_node_3 = container_node()
test_node_4 = container_node()


@dataclass(eq=False)
class data_node(sys_snode_t):
    data: int = 0


def _count(nodes) -> int:
    return sum(1 for _ in nodes)


def verify_emptyness(list):
    if not sys_slist_is_empty(list):
        return False
    if sys_slist_peek_head(list):
        return False
    if sys_slist_peek_tail(list):
        return False
    if sys_slist_len(list) != 0:
        return False
    # FOR_EACH_NODE, FOR_EACH_NODE_SAFE, FOR_EACH_CONTAINER, FOR_EACH_CONTAINER_SAFE
    for walk in (SYS_SLIST_FOR_EACH_NODE, SYS_SLIST_FOR_EACH_NODE_SAFE,
                 SYS_SLIST_FOR_EACH_NODE, SYS_SLIST_FOR_EACH_NODE_SAFE):
        if _count(walk(list)):
            return False
    return True


def verify_content_amount(list, amount):
    if sys_slist_is_empty(list):
        return False
    if not sys_slist_peek_head(list):
        return False
    if not sys_slist_peek_tail(list):
        return False
    if sys_slist_len(list) != amount:
        return False
    for walk in (SYS_SLIST_FOR_EACH_NODE, SYS_SLIST_FOR_EACH_NODE_SAFE,
                 SYS_SLIST_FOR_EACH_NODE, SYS_SLIST_FOR_EACH_NODE_SAFE):
        if _count(walk(list)) != amount:
            return False
    return True


def verify_tail_head(list, head, tail, same):
    if sys_slist_peek_head(list) is not head:
        return False
    if sys_slist_peek_tail(list) is not tail:
        return False
    if same:
        if sys_slist_peek_head(list) is not sys_slist_peek_tail(list):
            return False
    else:
        if sys_slist_peek_head(list) is sys_slist_peek_tail(list):
            return False
    return True


@ZTEST("dlist_api")
def test_slist():
    sys_slist_init(test_list)

    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # Appending node 1
    sys_slist_append(test_list, test_node_1)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_1, test_node_1, True),
                 "test_list head/tail are wrong")

    # Find the node 1, previous node should be null
    found, test_node_1_prev = sys_slist_find(test_list, test_node_1)
    zassert_true(found, "test_list did not find node ")
    zassert_is_null(test_node_1_prev, "test_list previous node not null ")

    # Finding and removing node 1
    sys_slist_find_and_remove(test_list, test_node_1)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # Prepending node 1
    sys_slist_prepend(test_list, test_node_1)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_1, test_node_1, True),
                 "test_list head/tail are wrong")

    # Removing node 1
    sys_slist_remove(test_list, None, test_node_1)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # Appending node 1
    sys_slist_append(test_list, test_node_1)
    # Prepending node 2
    sys_slist_prepend(test_list, test_node_2)

    zassert_true(verify_content_amount(test_list, 2), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_1, False),
                 "test_list head/tail are wrong")

    # Appending node 3
    sys_slist_append(test_list, test_node_3)

    zassert_true(verify_content_amount(test_list, 3), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    zassert_true(sys_slist_peek_next(test_node_2) is test_node_1,
                 "test_list node links are wrong")

    # Inserting node 4 after node 2, peek with nocheck variant
    sys_slist_insert(test_list, test_node_2, test_node_4)

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    zassert_true(sys_slist_peek_next_no_check(test_node_2) is test_node_4,
                 "test_list node links are wrong")

    # Find the node 4 and get the previous node
    found, test_node_4_prev = sys_slist_find(test_list, test_node_4)
    zassert_true(found, "test_list did not find node")
    zassert_equal(test_node_2, test_node_4_prev, "test_list previous node wrong ")

    # Finding and removing node 1
    sys_slist_find_and_remove(test_list, test_node_1)
    zassert_true(verify_content_amount(test_list, 3), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    # Removing node 3
    sys_slist_remove(test_list, test_node_4, test_node_3)
    zassert_true(verify_content_amount(test_list, 2), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_4, False),
                 "test_list head/tail are wrong")

    # Removing node 4
    sys_slist_remove(test_list, test_node_2, test_node_4)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_2, True),
                 "test_list head/tail are wrong")

    # Removing node 2
    sys_slist_remove(test_list, None, test_node_2)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # test iterator from a node
    data_nodes = [data_node(data=i) for i in range(6)]
    node = None

    sys_slist_init(test_list)

    for ii in range(6):
        sys_slist_append(test_list, data_nodes[ii])

    ii = 0
    for cur in SYS_SLIST_ITERATE_FROM_NODE(test_list, node):
        node = cur  # C's macro walks with the caller's node
        ii += 1
        if node.data == 2:
            break
    zassert_equal(ii, 3, "")

    ii = 0
    for cur in SYS_SLIST_ITERATE_FROM_NODE(test_list, node):
        node = cur
        ii += 1
        if node.data == 3:
            break
    zassert_equal(ii, 1, "")

    ii = 0
    for _ in SYS_SLIST_ITERATE_FROM_NODE(test_list, node):
        ii += 1
    zassert_equal(ii, 2, "")

    # test sys_slist_get_not_empty() and sys_slist_get() APIs
    for ii in range(6):
        node = sys_slist_get_not_empty(test_list)
        zassert_equal(node.data, ii, "")
    for ii in range(6):
        # regenerate test_list since we just emptied it
        sys_slist_append(test_list, data_nodes[ii])
    for ii in range(6):
        node = sys_slist_get(test_list)
        zassert_equal(node.data, ii, "")
    node = sys_slist_get(test_list)
    zassert_equal(node, None, "")

    # test sys_slist_append_list()
    sys_slist_init(append_list)
    data_node_append = [data_node(data=6 + i) for i in range(6)]
    for ii in range(6):
        # regenerate test_list, which we just emptied
        sys_slist_append(test_list, data_nodes[ii])
        # Build append_list so that the node pointers are correct
        sys_slist_append(append_list, data_node_append[ii])
    sys_slist_append_list(test_list, data_node_append[0], data_node_append[5])
    for ii in range(12):
        node = sys_slist_get(test_list)
        zassert_equal(node.data, ii, "expected %d got %d", ii, node.data)

    # test sys_slist_append_list with emtpy list
    sys_slist_init(test_list)
    sys_slist_init(append_list)
    for ii in range(6):
        # regenerate test_list only
        sys_slist_append(test_list, data_nodes[ii])
    sys_slist_append_list(test_list, append_list.head, append_list.tail)
    node = sys_slist_peek_tail(test_list)
    zassert_equal(node.data, data_nodes[5].data, "expected %d got %d",
                  data_nodes[5].data, node.data)

    # test sys_slist_merge_slist
    sys_slist_init(test_list)
    sys_slist_init(append_list)
    for ii in range(6):
        # regenerate both lists
        sys_slist_append(test_list, data_nodes[ii])
        sys_slist_append(append_list, data_node_append[ii])
    sys_slist_merge_slist(test_list, append_list)
    for ii in range(12):
        node = sys_slist_get(test_list)
        zassert_equal(node.data, ii, "expected %d got %d", ii, node.data)
    zassert_true(sys_slist_is_empty(append_list), "merged list is not empty")

    # test sys_slist_merge_slist with emtpy list
    sys_slist_init(test_list)
    sys_slist_init(append_list)
    for ii in range(6):
        # regenerate test_list only
        sys_slist_append(test_list, data_nodes[ii])

    sys_slist_merge_slist(test_list, append_list)
    node = sys_slist_peek_tail(test_list)
    zassert_equal(node.data, data_nodes[5].data, "expected %d got %d",
                  data_nodes[5].data, node.data)
