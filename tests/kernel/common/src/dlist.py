# SPDX-License-Identifier: Apache-2.0
"""Zephyr's tests/kernel/common (src/dlist.c), ported line by line.

A struct that starts with a sys_dnode_t subclasses it, so `&test_node_1.node`
is `test_node_1` and a container is its node: SYS_DLIST_FOR_EACH_CONTAINER
walks the same nodes SYS_DLIST_FOR_EACH_NODE does (docs/porting.md).
"""

from dataclasses import dataclass

from zpy.kernel.dlist import (
    SYS_DLIST_FOR_EACH_NODE,
    SYS_DLIST_FOR_EACH_NODE_SAFE,
    SYS_DLIST_ITERATE_FROM_NODE,
    sys_dlist_append,
    sys_dlist_get,
    sys_dlist_has_multiple_nodes,
    sys_dlist_init,
    sys_dlist_insert,
    sys_dlist_insert_at,
    sys_dlist_is_empty,
    sys_dlist_is_head,
    sys_dlist_is_tail,
    sys_dlist_len,
    sys_dlist_peek_head,
    sys_dlist_peek_head_not_empty,
    sys_dlist_peek_next,
    sys_dlist_peek_prev,
    sys_dlist_peek_tail,
    sys_dlist_prepend,
    sys_dlist_remove,
    sys_dlist_t,
    sys_dnode_is_linked,
    sys_dnode_t,
)
from zpy.ztest import ZTEST, ZTEST_SUITE, zassert_equal, zassert_false, zassert_true

test_list = sys_dlist_t()


@dataclass(eq=False)
class container_node(sys_dnode_t):
    unused: int = 0


test_node_1 = container_node()
test_node_2 = container_node()
test_node_3 = container_node()
test_node_4 = container_node()


@dataclass(eq=False)
class data_node(sys_dnode_t):
    data: int = 0


def _count(nodes) -> int:
    return sum(1 for _ in nodes)


def verify_emptyness(list):
    if not sys_dlist_is_empty(list):
        return False
    if sys_dlist_peek_head(list):
        return False
    if sys_dlist_peek_tail(list):
        return False
    if sys_dlist_len(list) != 0:
        return False
    # FOR_EACH_NODE, FOR_EACH_NODE_SAFE, FOR_EACH_CONTAINER, FOR_EACH_CONTAINER_SAFE
    for walk in (SYS_DLIST_FOR_EACH_NODE, SYS_DLIST_FOR_EACH_NODE_SAFE,
                 SYS_DLIST_FOR_EACH_NODE, SYS_DLIST_FOR_EACH_NODE_SAFE):
        if _count(walk(list)):
            return False
    return True


def verify_content_amount(list, amount):
    if sys_dlist_is_empty(list):
        return False
    if not sys_dlist_peek_head(list):
        return False
    if not sys_dlist_peek_tail(list):
        return False
    if sys_dlist_len(list) != amount:
        return False
    for walk in (SYS_DLIST_FOR_EACH_NODE, SYS_DLIST_FOR_EACH_NODE_SAFE,
                 SYS_DLIST_FOR_EACH_NODE, SYS_DLIST_FOR_EACH_NODE_SAFE):
        if _count(walk(list)) != amount:
            return False
    return True


def verify_tail_head(list, head, tail, same):
    if sys_dlist_peek_head(list) is not head:
        return False
    if sys_dlist_peek_tail(list) is not tail:
        return False
    if same:
        if sys_dlist_peek_head(list) is not sys_dlist_peek_tail(list):
            return False
    else:
        if sys_dlist_peek_head(list) is sys_dlist_peek_tail(list):
            return False
    return True


@ZTEST("dlist_api")
def test_dlist():
    sys_dlist_init(test_list)

    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # Appending node 1
    sys_dlist_append(test_list, test_node_1)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_1, test_node_1, True),
                 "test_list head/tail are wrong")

    # Finding and removing node 1
    zassert_true(sys_dnode_is_linked(test_node_1), "node1 is not linked")
    sys_dlist_remove(test_node_1)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")
    zassert_false(sys_dnode_is_linked(test_node_1), "node1 is still linked")

    # Prepending node 1
    sys_dlist_prepend(test_list, test_node_1)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_1, test_node_1, True),
                 "test_list head/tail are wrong")

    # Removing node 1
    sys_dlist_remove(test_node_1)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # Appending node 1
    sys_dlist_append(test_list, test_node_1)
    # Prepending node 2
    sys_dlist_prepend(test_list, test_node_2)

    zassert_true(verify_content_amount(test_list, 2), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_1, False),
                 "test_list head/tail are wrong")

    # Appending node 3
    sys_dlist_append(test_list, test_node_3)

    zassert_true(verify_content_amount(test_list, 3), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    zassert_true(sys_dlist_peek_next(test_list, test_node_2) is test_node_1,
                 "test_list node links are wrong")

    # Inserting node 4 after node 2
    sys_dlist_insert(test_node_2.next, test_node_4)

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    zassert_true(sys_dlist_peek_next(test_list, test_node_2) is test_node_4,
                 "test_list node links are wrong")

    # Finding and removing node 1
    sys_dlist_remove(test_node_1)
    zassert_true(verify_content_amount(test_list, 3), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_3, False),
                 "test_list head/tail are wrong")

    # Removing node 3
    sys_dlist_remove(test_node_3)
    zassert_true(verify_content_amount(test_list, 2), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_4, False),
                 "test_list head/tail are wrong")

    # Removing node 4
    sys_dlist_remove(test_node_4)
    zassert_true(verify_content_amount(test_list, 1), "test_list has wrong content")

    zassert_true(verify_tail_head(test_list, test_node_2, test_node_2, True),
                 "test_list head/tail are wrong")

    # Removing node 2
    sys_dlist_remove(test_node_2)
    zassert_true(verify_emptyness(test_list), "test_list should be empty")

    # test iterator from a node
    data_nodes = [data_node(data=i) for i in range(6)]
    node = None

    sys_dlist_init(test_list)

    for ii in range(6):
        sys_dlist_append(test_list, data_nodes[ii])

    ii = 0
    for cur in SYS_DLIST_ITERATE_FROM_NODE(test_list, node):
        node = cur  # C's macro walks with the caller's node
        ii += 1
        if node.data == 2:
            break
    zassert_equal(ii, 3, "")

    ii = 0
    for cur in SYS_DLIST_ITERATE_FROM_NODE(test_list, node):
        node = cur
        ii += 1
        if node.data == 3:
            break
    zassert_equal(ii, 1, "")

    ii = 0
    for _ in SYS_DLIST_ITERATE_FROM_NODE(test_list, node):
        ii += 1
    zassert_equal(ii, 2, "")


def cond(node, data):
    return 1 if node is data else 0


@ZTEST("dlist_api")
def test_dlist2():
    # Initialize (memset to 0: unlinked nodes)
    test_node = [container_node() for _ in range(6)]
    insert_node = container_node()
    insert_node2 = container_node()
    sys_dlist_init(test_list)

    # Check if the dlist is empty
    zassert_true(sys_dlist_get(test_list) is None,
                 "Get a empty dilst, NULL will be returned")

    # Check if a node can append as head if dlist is empty
    sys_dlist_insert_at(test_list, insert_node, cond, test_node[2])
    zassert_true(test_list.head is insert_node, "")
    zassert_true(test_list.tail is insert_node, "")

    # Re-initialize and insert nodes
    sys_dlist_init(test_list)

    for i in range(5):
        sys_dlist_append(test_list, test_node[i])

    zassert_true(sys_dlist_peek_head_not_empty(test_list) is not None,
                 "dlist appended incorrectly")

    zassert_true(sys_dlist_is_head(test_list, test_node[0]), "dlist appended incorrectly")

    zassert_true(sys_dlist_is_tail(test_list, test_node[4]), "dlist appended incorrectly")

    zassert_true(sys_dlist_has_multiple_nodes(test_list), "dlist appended incorrectly")

    zassert_true(sys_dlist_peek_prev(test_list, test_node[2]) is test_node[1],
                 "dlist appended incorrectly")

    zassert_true(sys_dlist_peek_prev(test_list, test_node[0]) is None,
                 "dlist appended incorrectly")

    zassert_true(sys_dlist_peek_prev(test_list, None) is None, "dlist appended incorrectly")

    zassert_true(sys_dlist_get(test_list) is test_node[0],
                 "Get a dilst, head will be returned")

    # Check if a node can insert in front of known nodes
    sys_dlist_insert_at(test_list, insert_node, cond, test_node[2])
    zassert_true(sys_dlist_peek_next(test_list, test_node[1]) is insert_node, " ")

    # Check if a node can append if the node is unknown
    sys_dlist_insert_at(test_list, insert_node2, cond, test_node[5])
    zassert_true(sys_dlist_peek_next(test_list, test_node[4]) is insert_node2, " ")


ZTEST_SUITE("dlist_api", None, None, None, None, None)
