"""RFC 6962 section 2.1 Merkle tree hashing, proofs and proof verification.

Pure Python (hashlib only): used by the server, by ``manage.py verify_log`` and by the
independent monitor. Trees are described by ranges of leaves ``[start, end)``; a range
that is a perfect, aligned subtree (``end - start`` a power of two and ``start`` a
multiple of it) is a *node* ``(level, index)`` covering leaves
``[index << level, (index + 1) << level)``. The server stores exactly those nodes, so any
range the RFC algorithms need is a right fold over O(log n) stored nodes.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence

Node = tuple[int, int]  # (level, index)
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry_bytes: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The stored nodes whose right fold is MTH(D[start:end]), left to right.

    Valid for every range the RFC algorithms produce: ``start`` is a multiple of the
    largest power of two not exceeding ``end - start``.
    """
    nodes = []
    while start < end:
        width = 1 << ((end - start).bit_length() - 1)
        nodes.append((width.bit_length() - 1, start // width))
        start += width
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of consecutive perfect subtrees (largest first) RFC 6962 style."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _path_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """PATH(m, D[start:end]) as sibling ranges, from the leaf upwards."""
    ranges: list[tuple[int, int]] = []
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def _consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """PROOF(m, D[0:n]) as ranges (RFC 6962 2.1.2), in proof order."""
    ranges: list[tuple[int, int]] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            m -= k
            start += k
            complete = False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


NodeFetcher = Callable[[Iterable[Node]], dict[Node, bytes]]


def _resolve(ranges: list[tuple[int, int]], fetch: NodeFetcher) -> list[bytes]:
    plans = [range_nodes(a, b) for a, b in ranges]
    stored = fetch({node for plan in plans for node in plan})
    return [fold([stored[node] for node in plan]) for plan in plans]


def root_from_nodes(size: int, fetch: NodeFetcher) -> bytes:
    """MTH of the first ``size`` leaves from stored nodes."""
    if size == 0:
        return EMPTY_ROOT
    return _resolve([(0, size)], fetch)[0]


def inclusion_proof(index: int, size: int, fetch: NodeFetcher) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    return _resolve(_path_ranges(index, 0, size), fetch)


def consistency_proof(first: int, second: int, fetch: NodeFetcher) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    if not 0 < first <= second:
        raise ValueError("sizes out of range")
    if first == second:
        return []
    return _resolve(_consistency_ranges(first, second), fetch)


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> tuple[int, bytes]:
    """(size, MTH) computed from leaf hashes in one pass, O(log n) memory."""
    stack: list[tuple[int, bytes]] = []  # (level, hash) of perfect subtrees, left to right
    size = 0
    for h in hashes:
        size += 1
        level = 0
        while stack and stack[-1][0] == level:
            h = node_hash(stack.pop()[1], h)
            level += 1
        stack.append((level, h))
    if not stack:
        return 0, EMPTY_ROOT
    return size, fold([h for _, h in stack])


def verify_inclusion(
    *, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree (first, first_root) a prefix of (second, second_root)?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def new_nodes_after_append(
    size: int, leaf: bytes, right_edge: dict[Node, bytes]
) -> list[tuple[Node, bytes]]:
    """Nodes completed by appending leaf number ``size`` (0-based), given the right-edge
    perfect subtrees of the current tree (``range_nodes(0, size)``) in ``right_edge``."""
    created = [((0, size), leaf)]
    level, index, h = 0, size, leaf
    while index & 1:
        h = node_hash(right_edge[(level, index - 1)], h)
        level += 1
        index >>= 1
        created.append(((level, index), h))
    return created
