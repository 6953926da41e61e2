"""Merkle tree hashing, proofs and their verification as in RFC 6962 §2.1 / RFC 9162 §2.1 (pure).

A tree of `size` leaves is addressed by its complete subtrees: node `(level, index)` is the hash of the
2**level leaves starting at `index << level`. Every hash a proof needs is a fold of such nodes, so a
store that keeps them (see `append_leaf`) serves any proof and any root in O(log n) reads; the
`*_plan` functions say which nodes to read and `fold` combines them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]
"""(level, index): the complete subtree of 2**level leaves that starts at leaf index << level."""


class ProofError(ValueError):
    """A proof does not verify; `reason` says why in zh and en."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en}


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2): where RFC 6962 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees that cover leaves [start, end), largest (leftmost) first.

    `start` must be aligned to the first (largest) subtree, which holds for every subtree RFC 6962
    proofs mention and for the whole tree (start 0).
    """
    nodes: list[NodeId] = []
    pos = start
    width = end - start
    for level in reversed(range(width.bit_length())):
        if width >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range [{start}, {end}) is not a subtree of the log")
            nodes.append((level, pos >> level))
            pos += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of consecutive complete subtrees given largest first: RFC 6962's tree is left-heavy."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def root_plan(size: int) -> list[NodeId]:
    """The nodes whose fold is the root of a tree of `size` leaves (its right-edge frontier)."""
    return range_nodes(0, size)


def inclusion_plan(index: int, size: int) -> list[list[NodeId]]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf end first; each element is a fold of nodes."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[list[NodeId]] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + split_point(end - start)
        if index < mid:
            path.append(range_nodes(mid, end))
            end = mid
        else:
            path.append(range_nodes(start, mid))
            start = mid
    path.reverse()
    return path


def consistency_plan(first: int, second: int) -> list[list[NodeId]]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true), in RFC order."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    proof: list[list[NodeId]] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(range_nodes(start + k, end))
            end = start + k
        else:
            proof.append(range_nodes(start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:
        proof.append(range_nodes(start, end))
    proof.reverse()
    return proof


def plan_nodes(plan: Iterable[list[NodeId]]) -> list[NodeId]:
    """Every distinct node a plan reads (one batched lookup)."""
    return sorted({node for element in plan for node in element})


def resolve(plan: Sequence[list[NodeId]], lookup: Callable[[NodeId], bytes]) -> list[bytes]:
    """Turn a plan into proof hashes."""
    return [fold([lookup(node) for node in element]) for element in plan]


def append_leaf(
    size: int, frontier: Sequence[bytes], leaf: bytes
) -> tuple[list[tuple[NodeId, bytes]], list[bytes]]:
    """Add leaf hash `leaf` as leaf number `size` of a tree whose `root_plan(size)` hashes are `frontier`.

    Returns the nodes this completes (the leaf itself first, then each parent it closes) and the new
    frontier; the new root is `fold(new_frontier)`. O(log n), no other reads.
    """
    levels = [level for level, _ in root_plan(size)]
    if len(levels) != len(frontier):
        raise ValueError(f"a tree of {size} leaves has {len(levels)} frontier nodes, not {len(frontier)}")
    by_level = dict(zip(levels, frontier, strict=True))
    created: list[tuple[NodeId, bytes]] = [((0, size), leaf)]
    acc, level, index = leaf, 0, size
    while index & 1:
        acc = node_hash(by_level[level], acc)
        level += 1
        index >>= 1
        created.append(((level, index), acc))
    kept = [by_level[lv] for lv in levels if lv > level]
    return created, [*kept, acc]


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(
            f"{what} is {len(value)} bytes, not {HASH_SIZE}",
            f"{what} 长度为 {len(value)} 字节，应为 {HASH_SIZE}",
        )


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` yields for leaf hash `leaf` at `index` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(
            f"leaf index {index} is outside a tree of {size} leaves", f"叶序号 {index} 超出树大小 {size}"
        )
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise ProofError("inclusion proof is too long", "包含证明过长")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short", "包含证明过短")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree with `root`."""
    _check_hash(root, "root hash")
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(
            "inclusion proof does not lead to the signed root", "包含证明计算出的根哈希与签名树头不符"
        )


def verify_consistency(first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Raise ProofError unless the tree (second, root2) extends the tree (first, root1) (RFC 9162 §2.1.4.2)."""
    if not 0 <= first <= second:
        raise ProofError(f"tree size went back from {first} to {second}", f"树大小由 {first} 倒退至 {second}")
    for p in proof:
        _check_hash(p, "proof hash")
    if first == second:
        if proof:
            raise ProofError("proof between equal sizes must be empty", "相同大小之间的证明应为空")
        if root1 != root2:
            raise ProofError("two different roots for the same size", "同一大小出现两个不同的根哈希")
        return
    if first == 0:
        if proof:
            raise ProofError("proof from the empty tree must be empty", "自空树起的证明应为空")
        return
    if not proof:
        raise ProofError("consistency proof is empty", "一致性证明为空")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long", "一致性证明过长")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short", "一致性证明过短")
    if fr != root1:
        raise ProofError("consistency proof does not match the older root", "一致性证明与较早的根哈希不符")
    if sr != root2:
        raise ProofError("consistency proof does not match the newer root", "一致性证明与较新的根哈希不符")


class MemoryTree:
    """Every complete subtree hash of a log held in lists (tests, benchmarks, `verify`'s recomputation)."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash; closes every parent it completes."""
        index = self.size
        self.levels[0].append(leaf)
        level, acc = 0, leaf
        while index & 1:
            acc = node_hash(self.levels[level][index - 1], acc)
            level += 1
            index >>= 1
            if len(self.levels) == level:
                self.levels.append([])
            self.levels[level].append(acc)

    def node(self, node: NodeId) -> bytes:
        level, index = node
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return fold([self.node(n) for n in root_plan(size)])

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        self._check_size(size)
        return resolve(inclusion_plan(index, size), self.node)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        second = self.size if second is None else second
        self._check_size(second)
        return resolve(consistency_plan(first, second), self.node)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
