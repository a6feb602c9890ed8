"""sys_slist: Zephyr's singly linked list (<zephyr/sys/slist.h>), node for node.

As in C, the list links the nodes themselves: a node is a sys_snode_t (its
`next` is the link), and a struct whose first member is a sys_snode_t becomes
a Python class that subclasses sys_snode_t, so that C's `&item->node` and
`item` are one object, as they are one address in C (see docs/porting.md).
The SYS_SLIST_FOR_EACH_* macros become generators.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(eq=False)
class sys_snode_t:
    """A list node; it compares by identity, as node pointers do."""

    next: sys_snode_t | None = None


@dataclass(eq=False)
class sys_slist_t:
    head: sys_snode_t | None = None
    tail: sys_snode_t | None = None


def SYS_SLIST_STATIC_INIT(ptr_to_list: object = None) -> sys_slist_t:
    return sys_slist_t()


def sys_slist_init(list: sys_slist_t) -> None:
    list.head = None
    list.tail = None


def sys_slist_is_empty(list: sys_slist_t) -> bool:
    return list.head is None


def sys_slist_peek_head(list: sys_slist_t) -> sys_snode_t | None:
    return list.head


def sys_slist_peek_tail(list: sys_slist_t) -> sys_snode_t | None:
    return list.tail


def sys_slist_peek_next_no_check(node: sys_snode_t) -> sys_snode_t | None:
    return node.next


def sys_slist_peek_next(node: sys_snode_t | None) -> sys_snode_t | None:
    return node.next if node is not None else None


def sys_slist_prepend(list: sys_slist_t, node: sys_snode_t) -> None:
    node.next = list.head
    list.head = node
    if list.tail is None:
        list.tail = node


def sys_slist_append(list: sys_slist_t, node: sys_snode_t) -> None:
    node.next = None
    if list.tail is None:
        list.head = node
    else:
        list.tail.next = node
    list.tail = node


def sys_slist_append_list(list: sys_slist_t, head: sys_snode_t | None,
                          tail: sys_snode_t | None) -> None:
    """Link the chain head..tail (already linked through `next`) at the end."""
    if head is None or tail is None:
        return
    if list.tail is None:
        list.head = head
    else:
        list.tail.next = head
    list.tail = tail


def sys_slist_merge_slist(list: sys_slist_t, list_to_append: sys_slist_t) -> None:
    """Move every node of `list_to_append` to the end of `list`; it is left empty."""
    head, tail = list_to_append.head, list_to_append.tail
    if head is not None and tail is not None:
        sys_slist_append_list(list, head, tail)
        sys_slist_init(list_to_append)


def sys_slist_insert(list: sys_slist_t, prev: sys_snode_t | None, node: sys_snode_t) -> None:
    """Insert `node` after `prev` (at the head when `prev` is None)."""
    if prev is None:
        sys_slist_prepend(list, node)
    elif prev.next is None:
        sys_slist_append(list, node)
    else:
        node.next = prev.next
        prev.next = node


def sys_slist_get_not_empty(list: sys_slist_t) -> sys_snode_t:
    node = list.head
    assert node is not None
    list.head = node.next
    if list.tail is node:
        list.tail = list.head
    return node


def sys_slist_get(list: sys_slist_t) -> sys_snode_t | None:
    return None if list.head is None else sys_slist_get_not_empty(list)


def sys_slist_remove(list: sys_slist_t, prev_node: sys_snode_t | None,
                     node: sys_snode_t) -> None:
    """Unlink `node`, whose predecessor is `prev_node` (None: it is the head)."""
    if prev_node is None:
        list.head = node.next
        if list.tail is node:
            list.tail = list.head
    else:
        prev_node.next = node.next
        if list.tail is node:
            list.tail = prev_node
    node.next = None


def sys_slist_find(list: sys_slist_t, node: sys_snode_t) -> tuple[bool, sys_snode_t | None]:
    """C: sys_slist_find(list, node, &prev). Returns (found, prev)."""
    prev = None
    for test in SYS_SLIST_FOR_EACH_NODE(list):
        if test is node:
            return True, prev
        prev = test
    return False, None


def sys_slist_find_and_remove(list: sys_slist_t, node: sys_snode_t) -> bool:
    found, prev = sys_slist_find(list, node)
    if found:
        sys_slist_remove(list, prev, node)
    return found


def sys_slist_len(list: sys_slist_t) -> int:
    return sum(1 for _ in SYS_SLIST_FOR_EACH_NODE(list))


def SYS_SLIST_FOR_EACH_NODE(list: sys_slist_t) -> Iterator[sys_snode_t]:
    """C: SYS_SLIST_FOR_EACH_NODE(list, node) { ... } is `for node in ...(list):`."""
    node = list.head
    while node is not None:
        yield node
        node = node.next


def SYS_SLIST_FOR_EACH_NODE_SAFE(list: sys_slist_t) -> Iterator[sys_snode_t]:
    """As SYS_SLIST_FOR_EACH_NODE, and the body may remove the node it is given."""
    node = list.head
    while node is not None:
        following = node.next
        yield node
        node = following



def SYS_SLIST_ITERATE_FROM_NODE(list: sys_slist_t,
                                node: sys_snode_t | None) -> Iterator[sys_snode_t]:
    """The nodes after `node` (all of them when it is None).

    C's macro walks on with the caller's own `node` variable, so a loop that
    breaks can later resume after where it stopped; in Python the caller keeps
    the last node it was given and passes it to the next loop.
    """
    current = node.next if node is not None else list.head
    while current is not None:
        yield current
        current = current.next
