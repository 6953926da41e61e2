"""RFC 6962 hashing and proofs: published test vectors, corrupted proofs, and a naive recomputation.

The vectors are those of the Go reference implementation (github.com/transparency-dev/merkle,
testonly/constants.go and proof/verify_test.go), built from the Certificate Transparency test leaves.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.translog import merkle
from faircollect.translog.merkle import MemoryTree, ProofError

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# (leaf index, tree size, audit path): the reference lists these 1-based; here they are 0-based
INCLUSION = [
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY = [
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def full(prefix: str) -> bytes:
    """The vector hash that starts with `prefix` (the tables above abbreviate them)."""
    matches = {h for level in NODE_HASHES for h in level if h.startswith(prefix)}
    assert len(matches) == 1, prefix
    return bytes.fromhex(matches.pop())


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    return MemoryTree(merkle.leaf_hash(leaf) for leaf in LEAVES)


# --- a naive, recursive transcription of RFC 6962 §2.1 to compare against -------------------------


def naive_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:])).digest()


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


# --- vectors ---------------------------------------------------------------------------------------


def test_empty_tree_root() -> None:
    assert merkle.EMPTY_ROOT.hex() == ROOTS[0]
    assert MemoryTree().root() == merkle.EMPTY_ROOT


def test_leaf_and_node_hash_prefixes() -> None:
    assert merkle.leaf_hash(b"").hex() == NODE_HASHES[0][0]
    assert merkle.node_hash(full("6e340b9c"), full("96a296d2")).hex() == NODE_HASHES[1][0]


def test_roots_of_every_size(tree: MemoryTree) -> None:
    assert [tree.root(size).hex() for size in range(9)] == ROOTS


def test_every_complete_subtree_hash(tree: MemoryTree) -> None:
    assert [[h.hex() for h in level] for level in tree.levels] == NODE_HASHES


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_vectors(tree: MemoryTree, index: int, size: int, path: list[str]) -> None:
    proof = tree.inclusion_proof(index, size)
    assert proof == [full(p) for p in path]
    merkle.verify_inclusion(index, size, tree.node((0, index)), proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_vectors(tree: MemoryTree, first: int, second: int, path: list[str]) -> None:
    proof = tree.consistency_proof(first, second)
    assert proof == [full(p) for p in path]
    merkle.verify_consistency(first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]), proof)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_corrupted_inclusion_proofs_fail(tree: MemoryTree, index: int, size: int, path: list[str]) -> None:
    proof = [full(p) for p in path]
    root, leaf = bytes.fromhex(ROOTS[size]), tree.node((0, index))
    probes = [
        (index - 1, size, leaf, proof, root),
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root),
        (index, size, merkle.leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, leaf, proof, merkle.EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [root, *proof], root),
        (index, size, leaf, proof[:-1], root),
        (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, leaf, flipped, root))
    for probe in probes:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*probe)


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_corrupted_consistency_proofs_fail(first: int, second: int, path: list[str]) -> None:
    proof = [full(p) for p in path]
    r1, r2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    probes = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, SOME_HASH, r2, proof),
        (first, second, r1, SOME_HASH, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((first, second, r1, r2, flipped))
    for probe in probes:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*probe)


def test_trivial_consistency_cases() -> None:
    root = bytes.fromhex(ROOTS[3])
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, SOME_HASH, [])
    merkle.verify_consistency(3, 3, root, root, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(3, 3, root, SOME_HASH, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(3, 3, root, root, [root])
    with pytest.raises(ProofError):
        merkle.verify_consistency(4, 3, root, root, [])


def test_wrong_hash_lengths_are_refused(tree: MemoryTree) -> None:
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 1, b"short", [], b"short")
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 8, tree.node((0, 0)), [b"x", *tree.inclusion_proof(0)[1:]], tree.root())
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 0, tree.node((0, 0)), [], merkle.EMPTY_ROOT)


def test_plans_refuse_bad_ranges() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_plan(5, 5)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_plan(6, 5)
    with pytest.raises(ValueError, match="not a subtree"):
        merkle.range_nodes(1, 3)


# --- properties against the naive recursion ---------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


def _leaves(n: int) -> list[bytes]:
    return [i.to_bytes(4, "big") for i in range(n)]


_trees: dict[int, MemoryTree] = {}


def _tree(n: int) -> MemoryTree:
    if n not in _trees:
        _trees[n] = MemoryTree(merkle.leaf_hash(x) for x in _leaves(n))
    return _trees[n]


@settings(max_examples=150, deadline=None)
@given(sizes)
def test_root_matches_naive(n: int) -> None:
    assert _tree(n).root() == naive_mth(_leaves(n))


@settings(max_examples=200, deadline=None)
@given(sizes, st.data())
def test_inclusion_matches_naive_and_verifies(n: int, data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=n), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = _leaves(n)[:size]
    proof = _tree(n).inclusion_proof(index, size)
    assert proof == naive_path(index, leaves)
    root = naive_mth(leaves)
    merkle.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof, root)
    other = data.draw(
        st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index), label="other"
    )
    with pytest.raises(ProofError):  # the same proof does not place the leaf anywhere else
        merkle.verify_inclusion(other, size, merkle.leaf_hash(leaves[index]), proof, root)


@settings(max_examples=200, deadline=None)
@given(sizes, st.data())
def test_consistency_matches_naive_and_verifies(n: int, data: st.DataObject) -> None:
    second = data.draw(st.integers(min_value=1, max_value=n), label="second")
    first = data.draw(st.integers(min_value=1, max_value=second), label="first")
    leaves = _leaves(n)[:second]
    proof = _tree(n).consistency_proof(first, second)
    assert proof == naive_subproof(first, leaves, True)
    r1, r2 = naive_mth(leaves[:first]), naive_mth(leaves)
    merkle.verify_consistency(first, second, r1, r2, proof)
    if first < second:
        forged = naive_mth([b"forged", *leaves[1:first]])
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second, forged, r2, proof)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=200))
def test_append_leaf_frontier_gives_every_root_and_node(n: int) -> None:
    """The O(log n) append path (what the store does) agrees with the full tree at every step."""
    full_tree = _tree(n) if n else MemoryTree()
    frontier: list[bytes] = []
    nodes: dict[merkle.NodeId, bytes] = {}
    for size in range(n):
        created, frontier = merkle.append_leaf(size, frontier, full_tree.node((0, size)))
        nodes.update(created)
        assert merkle.fold(frontier) == full_tree.root(size + 1)
    assert nodes == {(lv, i): h for lv, level in enumerate(full_tree.levels) for i, h in enumerate(level)}
