"""sys_dlist: Zephyr's doubly linked list (<zephyr/sys/dlist.h>), node for node.

As in C, the list is a node itself (`head` and `tail` are its `next` and
`prev`), and an empty list points at itself. A struct whose first member is a
sys_dnode_t subclasses sys_dnode_t in Python (see docs/porting.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(eq=False)
class sys_dnode_t:
    """A list node (or a list: sys_dlist_t). It compares by identity, as pointers do."""

    next: sys_dnode_t | None = None
    prev: sys_dnode_t | None = None

    # a list's head and tail are its node's next and prev
    @property
    def head(self) -> sys_dnode_t | None:
        return self.next

    @head.setter
    def head(self, node: sys_dnode_t | None) -> None:
        self.next = node

    @property
    def tail(self) -> sys_dnode_t | None:
        return self.prev

    @tail.setter
    def tail(self, node: sys_dnode_t | None) -> None:
        self.prev = node


sys_dlist_t = sys_dnode_t


def SYS_DLIST_STATIC_INIT(ptr_to_list: sys_dlist_t) -> sys_dlist_t:
    sys_dlist_init(ptr_to_list)
    return ptr_to_list


def sys_dlist_init(list: sys_dlist_t) -> None:
    list.next = list
    list.prev = list


def sys_dnode_init(node: sys_dnode_t) -> None:
    node.next = None
    node.prev = None


def sys_dnode_is_linked(node: sys_dnode_t) -> bool:
    return node.next is not None


def sys_dlist_is_head(list: sys_dlist_t, node: sys_dnode_t) -> bool:
    return list.head is node


def sys_dlist_is_tail(list: sys_dlist_t, node: sys_dnode_t) -> bool:
    return list.tail is node


def sys_dlist_is_empty(list: sys_dlist_t) -> bool:
    return list.head is list


def sys_dlist_has_multiple_nodes(list: sys_dlist_t) -> bool:
    return list.head is not list.tail


def sys_dlist_peek_head(list: sys_dlist_t) -> sys_dnode_t | None:
    return None if sys_dlist_is_empty(list) else list.head


def sys_dlist_peek_head_not_empty(list: sys_dlist_t) -> sys_dnode_t | None:
    return list.head


def sys_dlist_peek_next_no_check(list: sys_dlist_t, node: sys_dnode_t) -> sys_dnode_t | None:
    return None if node is list.tail else node.next


def sys_dlist_peek_next(list: sys_dlist_t, node: sys_dnode_t | None) -> sys_dnode_t | None:
    return None if node is None else sys_dlist_peek_next_no_check(list, node)


def sys_dlist_peek_prev_no_check(list: sys_dlist_t, node: sys_dnode_t) -> sys_dnode_t | None:
    return None if node is list.head else node.prev


def sys_dlist_peek_prev(list: sys_dlist_t, node: sys_dnode_t | None) -> sys_dnode_t | None:
    return None if node is None else sys_dlist_peek_prev_no_check(list, node)


def sys_dlist_peek_tail(list: sys_dlist_t) -> sys_dnode_t | None:
    return None if sys_dlist_is_empty(list) else list.tail


def sys_dlist_append(list: sys_dlist_t, node: sys_dnode_t) -> None:
    tail = list.tail
    assert tail is not None, "sys_dlist_init() the list first"
    node.next = list
    node.prev = tail
    tail.next = node
    list.tail = node


def sys_dlist_prepend(list: sys_dlist_t, node: sys_dnode_t) -> None:
    head = list.head
    assert head is not None, "sys_dlist_init() the list first"
    node.next = head
    node.prev = list
    head.prev = node
    list.head = node


def sys_dlist_insert(successor: sys_dnode_t, node: sys_dnode_t) -> None:
    """Insert `node` before `successor`."""
    prev = successor.prev
    assert prev is not None
    node.prev = prev
    node.next = successor
    prev.next = node
    successor.prev = node


def sys_dlist_insert_at(list: sys_dlist_t, node: sys_dnode_t,
                        cond: Callable[[sys_dnode_t, Any], int], data: Any) -> None:
    """Insert `node` before the first node for which cond(that node, data) holds, else last."""
    if sys_dlist_is_empty(list):
        sys_dlist_append(list, node)
        return
    pos = sys_dlist_peek_head(list)
    while pos is not None and not cond(pos, data):
        pos = sys_dlist_peek_next(list, pos)
    if pos is None:
        sys_dlist_append(list, node)
    else:
        sys_dlist_insert(pos, node)


def sys_dlist_dequeue(node: sys_dnode_t) -> None:
    """Unlink `node` without resetting it."""
    prev, following = node.prev, node.next
    assert prev is not None and following is not None
    prev.next = following
    following.prev = prev


def sys_dlist_remove(node: sys_dnode_t) -> None:
    sys_dlist_dequeue(node)
    sys_dnode_init(node)


def sys_dlist_get(list: sys_dlist_t) -> sys_dnode_t | None:
    if sys_dlist_is_empty(list):
        return None
    node = list.head
    assert node is not None
    sys_dlist_remove(node)
    return node


def sys_dlist_len(list: sys_dlist_t) -> int:
    return sum(1 for _ in SYS_DLIST_FOR_EACH_NODE(list))


def SYS_DLIST_FOR_EACH_NODE(list: sys_dlist_t) -> Iterator[sys_dnode_t]:
    """C: SYS_DLIST_FOR_EACH_NODE(list, node) { ... } is `for node in ...(list):`."""
    node = sys_dlist_peek_head(list)
    while node is not None:
        yield node
        node = sys_dlist_peek_next(list, node)


def SYS_DLIST_FOR_EACH_NODE_SAFE(list: sys_dlist_t) -> Iterator[sys_dnode_t]:
    """As SYS_DLIST_FOR_EACH_NODE, and the body may remove the node it is given."""
    node = sys_dlist_peek_head(list)
    while node is not None:
        following = sys_dlist_peek_next(list, node)
        yield node
        node = following


def SYS_DLIST_ITERATE_FROM_NODE(list: sys_dlist_t,
                                node: sys_dnode_t | None) -> Iterator[sys_dnode_t]:
    """The nodes after `node` (all of them when it is None); see SYS_SLIST_ITERATE_FROM_NODE."""
    current = (sys_dlist_peek_next_no_check(list, node) if node is not None
               else sys_dlist_peek_head(list))
    while current is not None:
        yield current
        current = sys_dlist_peek_next(list, current)
