"""The transparency log's storage: leaves, complete-subtree hashes, signed heads, per-account salts.

`log_nodes` keeps every complete subtree hash (level 0 = the leaf hashes), so a new root reads only the
right-edge frontier (≤ log2 n rows) and any inclusion or consistency proof is served from ≤ 2·log2 n
stored rows; nothing is recomputed. `append` runs inside the caller's transaction, so the gate's record
and its leaf commit or roll back together. On PostgreSQL appends are serialised by a transaction-level
advisory lock; on SQLite the caller's write transaction already is.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    bindparam,
    func,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from faircollect.store.fastsql import Prepared, rows_together
from faircollect.store.meta import metadata
from faircollect.store.types import UTCDateTime
from faircollect.translog import merkle
from faircollect.translog.leaf import account_of, make_leaf
from faircollect.translog.merkle import NodeId, ProofError
from faircollect.translog.receipts import make_receipt
from faircollect.translog.signing import (
    SignatureError,
    SignedHead,
    b64,
    load_private_key,
    load_public_key,
    new_private_key,
    public_key_bytes,
    sign_head,
    verify_head,
)

KEY_ENV = "FAIRCOLLECT_LOG_KEY"
KEY_FILE = "faircollect-log.key"
ADVISORY_LOCK = 6962_9162  # any constant; names the log's append lock on PostgreSQL
VERIFY_CHUNK = 10_000
MAX_PER_KIND = 100  # problems of one kind listed in a report; the rest are counted
Seq = BigInteger().with_variant(Integer(), "sqlite")

# On SQLite each table and index is a B-tree, and every append writes a page of each one it changes to the
# WAL: the leaf index is the rowid (INTEGER PRIMARY KEY), tables with a composite or text key are WITHOUT
# ROWID (the key is the table), and only indexes a query uses are kept (see migration 0003).
log_leaves = Table(
    "log_leaves",
    metadata,
    Column("leaf_index", Seq, primary_key=True, autoincrement=False),
    Column("leaf", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False, index=True),  # `index_of`
    Column("created_at", UTCDateTime(), nullable=False),
)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("node_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

log_heads = Table(
    "log_heads",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),  # no index: heads are read by id
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)

log_salts = Table(
    "log_salts",
    metadata,
    Column("account", String(200), primary_key=True),
    Column("salt", LargeBinary(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    sqlite_with_rowid=False,
)

TABLES = (log_leaves, log_nodes, log_heads, log_salts)

# hot statements built once (SQLAlchemy then only looks up their compiled form)
_SIZE_QUERY = select(func.max(log_leaves.c.leaf_index))
_HEAD_COLUMNS = (
    log_heads.c.tree_size,
    log_heads.c.root_hash,
    log_heads.c.timestamp_ms,
    log_heads.c.signature,
)
# What an append reads before it writes, in one statement: the last leaf index, the account's salt and
# the latest head (each an index probe).
_APPEND_STATE = Prepared(
    select(
        _SIZE_QUERY.scalar_subquery().label("last"),
        select(log_salts.c.salt)
        .where(log_salts.c.account == bindparam("account"))
        .scalar_subquery()
        .label("salt"),
        *(
            select(column).order_by(log_heads.c.id.desc()).limit(1).scalar_subquery().label(column.name)
            for column in _HEAD_COLUMNS
        ),
    )
)
_LATEST_HEAD = select(log_heads).order_by(log_heads.c.id.desc()).limit(1)
_LEAF_QUERY = select(log_leaves.c.leaf).where(log_leaves.c.leaf_index == bindparam("index"))
_SALT_QUERY = select(log_salts.c.salt).where(log_salts.c.account == bindparam("account"))
_SALT_PREPARED = Prepared(_SALT_QUERY)
_INSERT_LEAF = Prepared(log_leaves.insert())
_INSERT_NODES = Prepared(log_nodes.insert())
_INSERT_HEAD = Prepared(log_heads.insert())
_INSERT_SALT = {
    # RETURNING says whether this transaction inserted it (psycopg reports no rowcount for DO NOTHING)
    "sqlite": Prepared(sqlite.insert(log_salts).on_conflict_do_nothing().returning(log_salts.c.salt)),
    "postgresql": Prepared(postgresql.insert(log_salts).on_conflict_do_nothing().returning(log_salts.c.salt)),
}
_APPEND_LOCK = Prepared(select(func.pg_advisory_xact_lock(ADVISORY_LOCK)))
# PostgreSQL: the right-edge frontier of the whole tree, found from its size in the same statement, so an
# append reads it in the round trip that reads its state (size N: for each bit b of N, node (b, (N>>b)-1)).
# One primary-key probe per node as a scalar subquery: as a join, the plan a connection cached while the
# table was small scanned it whole once it had grown (1 ms more per append than the read it replaces).
_FRONTIER_PG = Prepared(
    text(
        "SELECT f.level, f.node_index, (SELECT n.hash FROM log_nodes AS n"
        " WHERE n.level = f.level AND n.node_index = f.node_index) AS hash FROM ("
        "SELECT CAST(b AS SMALLINT) AS level, (s.size >> b) - 1 AS node_index"
        " FROM generate_series(0, 62) AS b,"
        " (SELECT coalesce(max(leaf_index) + 1, 0) AS size FROM log_leaves) AS s"
        " WHERE (s.size >> b) & 1 = 1) AS f"
    ).columns(log_nodes.c.level, log_nodes.c.node_index, log_nodes.c.hash)
)


@lru_cache(maxsize=256)
def _nodes_query(count: int) -> Prepared:
    """`count` primary-key lookups in one statement (UNION ALL), built once per count and cached.

    Both backends answer each arm with an index probe; OR-of-ANDs and row-value IN make SQLite scan.
    """
    arms = [
        select(log_nodes.c.level, log_nodes.c.node_index, log_nodes.c.hash).where(
            log_nodes.c.level == bindparam(f"l{i}"), log_nodes.c.node_index == bindparam(f"i{i}")
        )
        for i in range(count)
    ]
    return Prepared(union_all(*arms))


def _append_state(conn: Connection, account: str) -> tuple[Any, dict[NodeId, bytes]]:
    """The append's state row (`_APPEND_STATE`) and, on PostgreSQL, the tree's frontier nodes read in the
    same round trip, after the lock the caller queued (elsewhere no nodes: the caller reads them)."""
    if conn.dialect.name != "postgresql":
        return _APPEND_STATE.rows(conn, {"account": account})[0], {}
    states, nodes = rows_together(conn, [(_APPEND_STATE, {"account": account}), (_FRONTIER_PG, {})])
    return states[0], {(int(r.level), int(r.node_index)): bytes(r.hash) for r in nodes if r.hash is not None}


class LogError(ValueError):
    """A request the log cannot answer (index or size out of range); `reason` in zh and en."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en}


class LogCorrupt(RuntimeError):
    """A stored node a proof needs is missing: run `faircollect log verify`."""


@dataclass(frozen=True, slots=True)
class LeafRef:
    """A leaf just appended. `head` and `proof` are set when the append was asked for a receipt: the
    head signed in that append (it covers the leaf) and the leaf's inclusion proof against it."""

    index: int
    leaf_hash: bytes
    leaf: str
    head: SignedHead | None = field(default=None, compare=False, repr=False)
    proof: tuple[bytes, ...] | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "leaf_hash": self.leaf_hash.hex(), "leaf": self.leaf}


@dataclass(slots=True)
class Problem:
    kind: str
    message: dict[str, str]
    leaf: int | None = None
    head: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "leaf": self.leaf, "head": self.head, "message": dict(self.message)}


@dataclass(slots=True)
class VerifyReport:
    """What `verify` found. `first_broken_leaf` is exact when a leaf row itself shows the damage;
    when only a signed head does, `broken_range` brackets it between the last good head and that one."""

    leaves: int = 0
    heads: int = 0
    nodes: int = 0
    problems: list[Problem] = field(default_factory=list)
    first_broken_leaf: int | None = None
    broken_range: tuple[int, int] | None = None
    more: dict[str, int] = field(default_factory=dict)  # problems of a kind beyond MAX_PER_KIND, counted

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        """Every problem found, listed or only counted."""
        return len(self.problems) + sum(self.more.values())

    def add(self, kind: str, en: str, zh: str, leaf: int | None = None, head: int | None = None) -> None:
        if leaf is not None and (self.first_broken_leaf is None or leaf < self.first_broken_leaf):
            self.first_broken_leaf = leaf
        if sum(p.kind == kind for p in self.problems) >= MAX_PER_KIND:
            self.more[kind] = self.more.get(kind, 0) + 1  # one bad edit can shift a million rows
            return
        self.problems.append(Problem(kind, {"zh": zh, "en": en}, leaf, head))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "leaves": self.leaves,
            "heads": self.heads,
            "nodes": self.nodes,
            "first_broken_leaf": self.first_broken_leaf,
            "broken_range": list(self.broken_range) if self.broken_range else None,
            "problems": [p.to_dict() for p in self.problems],
            "more": dict(self.more),
        }


def default_key_path(engine: Engine | Connection) -> Path:
    """FAIRCOLLECT_LOG_KEY, else `faircollect-log.key` beside a SQLite file, else in the working directory."""
    explicit = os.environ.get(KEY_ENV)
    if explicit:
        return Path(explicit)
    url = engine.engine.url if isinstance(engine, Connection) else engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / KEY_FILE
    return Path.cwd() / KEY_FILE


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # someone else created it first: use theirs
    with os.fdopen(fd, "wb") as out:
        out.write(new_private_key())


class TransparencyLog:
    """The append-only Merkle log over one database.

    A head is signed when `append` or `head()` finds `sign_every_leaves` new leaves since the last head,
    or new leaves and a last head `sign_every_seconds` old, and when a receipt needs a head that covers
    its leaf. Every head is kept.
    """

    def __init__(
        self,
        engine: Engine,
        key_path: str | Path | None = None,
        sign_every_leaves: int = 1000,
        sign_every_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if sign_every_leaves < 1 or sign_every_seconds < 0:
            raise ValueError("sign_every_leaves must be ≥ 1 and sign_every_seconds ≥ 0")
        self.engine = engine
        self.key_path = Path(key_path) if key_path is not None else default_key_path(engine)
        self.sign_every_leaves = sign_every_leaves
        self.sign_every_seconds = sign_every_seconds
        self.clock = clock
        self._key: Ed25519PrivateKey | None = None
        self._public: bytes | None = None

    # keys -------------------------------------------------------------------------------------------

    def private_key(self) -> Ed25519PrivateKey:
        """The signing key, created at `key_path` on first use."""
        if self._key is None:
            if not self.key_path.exists():
                _create_key_file(self.key_path)
            self._key = load_private_key(self.key_path.read_bytes())
        return self._key

    def public_key(self) -> bytes:
        if self._public is None:
            self._public = public_key_bytes(self.private_key())
        return self._public

    def public_key_b64(self) -> str:
        return b64(self.public_key())

    # writing ----------------------------------------------------------------------------------------

    def append(self, conn: Connection, record: Mapping[str, Any], *, receipt: bool = False) -> LeafRef:
        """Add a decision or contact record as the next leaf, inside the caller's transaction.

        With `receipt`, the append also signs a head covering the new leaf (unless the cadence signed
        one anyway) and returns it with the leaf's inclusion proof, computed from the nodes the append
        already holds: `receipt_for` then needs no further reads.
        """
        self._lock(conn)
        account = account_of(record)
        state, known = _append_state(conn, account)
        size = 0 if state.last is None else int(state.last) + 1
        salt = bytes(state.salt) if state.salt is not None else self._new_salt(conn, account)
        last = None if state.tree_size is None else _head(state)
        leaf = make_leaf(record, salt)
        data = leaf.encode("utf-8")
        lh = merkle.leaf_hash(data)
        frontier_ids = merkle.root_plan(size)
        if all(n in known for n in frontier_ids):
            frontier = [known[n] for n in frontier_ids]
        else:  # SQLite, or a node missing (then this read says which, as for any other read)
            frontier = self._read_nodes(conn, frontier_ids)
        created, new_frontier = merkle.append_leaf(size, frontier, lh)
        _INSERT_LEAF.run(conn, {"leaf_index": size, "leaf": data, "leaf_hash": lh, "created_at": self._now()})
        _INSERT_NODES.run_many(conn, [{"level": lv, "node_index": ix, "hash": h} for (lv, ix), h in created])
        head = None
        if self._due(last, size + 1) or receipt:
            head = self._sign(conn, size + 1, merkle.fold(new_frontier), last)
        if not receipt:
            return LeafRef(size, lh, leaf)
        # the last leaf's audit path is made of the old frontier and the nodes this append created
        known = dict(zip(frontier_ids, frontier, strict=True))
        known.update(created)
        proof = merkle.resolve(merkle.inclusion_plan(size, size + 1), known.__getitem__)
        return LeafRef(size, lh, leaf, head, tuple(proof))

    def receipt_for(self, conn: Connection, ref: LeafRef) -> dict[str, Any]:
        """The receipt of a leaf appended with `receipt=True` (no reads), else as `receipt` gives it."""
        if ref.head is None or ref.proof is None:
            return self.receipt(conn, ref.index)
        return make_receipt(ref.leaf, ref.index, ref.head, ref.proof, self.public_key())

    def head(self, conn: Connection) -> SignedHead:
        """The latest signed head, signing a new one first if one is due."""
        self._lock(conn)
        size = self.size(conn)
        last = self.latest_head(conn)
        if last is None or self._due(last, size):
            return self._sign(conn, size, self.root(conn, size), last)
        return last

    def _due(self, last: SignedHead | None, size: int) -> bool:
        """A new head is due for `size` leaves: none yet, or N new leaves, or new leaves and T seconds."""
        if last is None:
            return True
        if size <= last.tree_size:
            return False
        return (
            size - last.tree_size >= self.sign_every_leaves
            or self._now_ms() - last.timestamp >= self.sign_every_seconds * 1000
        )

    def signed_head(self, conn: Connection) -> dict[str, Any]:
        """`head()` as JSON with the public key (what `GET /v1/log/head` and `faircollect log head` show)."""
        return {**self.head(conn).to_dict(), "public_key": self.public_key_b64()}

    def receipt(self, conn: Connection, index: int) -> dict[str, Any]:
        """A receipt for leaf `index` against the latest head (signing one that covers it if needed)."""
        row = conn.execute(_LEAF_QUERY, {"index": index}).first()
        if row is None:
            size = self.size(conn)
            raise LogError(f"no leaf {index} (the log has {size})", f"不存在第 {index} 号叶（共 {size} 个）")
        head = self.latest_head(conn)
        # under the lock another transaction may have signed a head that covers it meanwhile
        if (head is None or head.tree_size <= index) and self._lock(conn):
            head = self.latest_head(conn)
        if head is None or head.tree_size <= index:
            size = self.size(conn)
            plan = merkle.inclusion_plan(index, size)
            frontier = merkle.root_plan(size)
            nodes = self._node_map(conn, [*merkle.plan_nodes(plan), *frontier])
            head = self._sign(conn, size, merkle.fold([nodes[n] for n in frontier]), head)
            proof = merkle.resolve(plan, nodes.__getitem__)
        else:
            proof = self._proof(conn, merkle.inclusion_plan(index, head.tree_size))
        return make_receipt(bytes(row.leaf).decode("utf-8"), index, head, proof, self.public_key())

    # reading ----------------------------------------------------------------------------------------

    def size(self, conn: Connection) -> int:
        last = conn.execute(_SIZE_QUERY).scalar()
        return 0 if last is None else int(last) + 1

    def root(self, conn: Connection, size: int) -> bytes:
        return merkle.fold(self._read_nodes(conn, merkle.root_plan(size)))

    def latest_head(self, conn: Connection) -> SignedHead | None:
        row = conn.execute(_LATEST_HEAD).first()
        return None if row is None else _head(row)

    def index_of(self, conn: Connection, leaf_hash: bytes) -> int | None:
        row = conn.execute(
            select(log_leaves.c.leaf_index).where(log_leaves.c.leaf_hash == leaf_hash).limit(1)
        ).first()
        return None if row is None else int(row.leaf_index)

    def leaf(self, conn: Connection, index: int) -> str | None:
        row = conn.execute(_LEAF_QUERY, {"index": index}).first()
        return None if row is None else bytes(row.leaf).decode("utf-8")

    def inclusion(self, conn: Connection, index: int, size: int) -> dict[str, Any]:
        """Audit path for leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1)."""
        self._check_size(conn, size)
        if not 0 <= index < size:
            raise LogError(
                f"leaf {index} is not in a tree of {size} leaves", f"第 {index} 号叶不在大小为 {size} 的树中"
            )
        leaf_hash = self._read_nodes(conn, [(0, index)])[0]
        proof = self._proof(conn, merkle.inclusion_plan(index, size))
        return {
            "leaf_index": index,
            "tree_size": size,
            "leaf_hash": leaf_hash.hex(),
            "audit_path": [p.hex() for p in proof],
        }

    def consistency(self, conn: Connection, first: int, second: int) -> dict[str, Any]:
        """Consistency proof between tree sizes `first` ≤ `second` (RFC 6962 §2.1.2)."""
        self._check_size(conn, second)
        if not 0 <= first <= second:
            raise LogError(f"sizes must satisfy 0 ≤ {first} ≤ {second}", f"大小须满足 0 ≤ {first} ≤ {second}")
        proof = self._proof(conn, merkle.consistency_plan(first, second))
        return {"first": first, "second": second, "proof": [p.hex() for p in proof]}

    # verification -----------------------------------------------------------------------------------

    def verify(self, conn: Connection, public_key: bytes | str | None = None) -> VerifyReport:
        """Recompute the tree from the stored leaves; check the stored nodes, every signed head, and the
        consistency of each head with the one before it."""
        report = VerifyReport()
        tree = self._check_leaves(conn, report)
        self._check_nodes(conn, tree, report)
        self._check_heads(conn, tree, report, self._verifying_key(conn, public_key, report))
        return report

    def _check_leaves(self, conn: Connection, report: VerifyReport) -> merkle.MemoryTree:
        tree = merkle.MemoryTree()
        for row in _chunks(conn, select(log_leaves.c.leaf_index, log_leaves.c.leaf, log_leaves.c.leaf_hash)):
            index = int(row.leaf_index)
            expected = tree.size
            if index != expected:
                report.add(
                    "leaf_missing",
                    f"leaves {expected}..{index - 1} are missing",
                    f"第 {expected}..{index - 1} 号叶缺失",
                    leaf=expected,
                )
                break  # indices after a gap no longer line up with tree positions
            recomputed = merkle.leaf_hash(bytes(row.leaf))
            if recomputed != bytes(row.leaf_hash):
                report.add(
                    "leaf_changed",
                    f"leaf {index}: its content does not match its stored hash",
                    f"第 {index} 号叶：内容与所存哈希不符",
                    leaf=index,
                )
            tree.append(recomputed)
        report.leaves = tree.size
        return tree

    def _check_nodes(self, conn: Connection, tree: merkle.MemoryTree, report: VerifyReport) -> None:
        query = select(log_nodes.c.level, log_nodes.c.node_index, log_nodes.c.hash).order_by(
            log_nodes.c.level, log_nodes.c.node_index
        )
        nxt = [0] * len(tree.levels)  # per level, the next node index expected
        mismatched: set[int] = set()  # levels already reported
        for row in conn.execute(query).yield_per(VERIFY_CHUNK):
            level, index = int(row.level), int(row.node_index)
            report.nodes += 1
            if level >= len(tree.levels) or index >= len(tree.levels[level]):
                last_leaf = ((index + 1) << level) - 1  # its last leaf is the one that created it
                report.add(
                    "node_extra",
                    f"stored node ({level}, {index}) has no leaves behind it (leaf {last_leaf} deleted?)",
                    f"存储的节点 ({level}, {index}) 没有对应的叶（第 {last_leaf} 号叶被删除？）",
                    leaf=min(last_leaf, tree.size),
                )
                continue
            if index > nxt[level]:
                self._missing_nodes(level, nxt[level], index, report)
            nxt[level] = index + 1
            if tree.levels[level][index] != bytes(row.hash):
                self._node_mismatch(level, index, report, mismatched)
        for level, nodes in enumerate(tree.levels):
            if nxt[level] < len(nodes):
                self._missing_nodes(level, nxt[level], len(nodes), report)

    @staticmethod
    def _node_mismatch(level: int, index: int, report: VerifyReport, mismatched: set[int]) -> None:
        if level == 0:
            report.add(
                "node_mismatch",
                f"leaf {index}: its stored tree hash differs from the leaf (moved or replaced)",
                f"第 {index} 号叶：所存树哈希与该叶不符（被移动或替换）",
                leaf=index,
            )
        elif level not in mismatched:  # a parent of a bad leaf: say once per level, name no leaf
            mismatched.add(level)
            first, end = index << level, (index + 1) << level
            report.add(
                "node_mismatch",
                f"stored tree hashes at level {level} disagree with the leaves (first: leaves {first}..{end - 1})",
                f"第 {level} 层存储的树哈希与叶不一致（首处：第 {first}..{end - 1} 号叶）",
            )

    @staticmethod
    def _missing_nodes(level: int, start: int, end: int, report: VerifyReport) -> None:
        last_leaf = ((start + 1) << level) - 1  # the leaf whose append creates the first missing node
        report.add(
            "node_missing",
            f"tree hashes ({level}, {start}..{end - 1}) are missing (leaf {last_leaf} was added behind the log's back?)",
            f"缺少树哈希 ({level}, {start}..{end - 1})（第 {last_leaf} 号叶未经日志写入？）",
            leaf=last_leaf,
        )

    def _check_heads(
        self, conn: Connection, tree: merkle.MemoryTree, report: VerifyReport, key: Ed25519PublicKey | None
    ) -> None:
        previous: SignedHead | None = None
        last_good = 0
        for row in conn.execute(select(log_heads).order_by(log_heads.c.id)):
            head, number = _head(row), int(row.id)
            report.heads += 1
            # a head that is not the log's own (bad signature) says nothing about the leaves
            good = self._signed(key, head, number, report) and self._matches_leaves(
                head, number, tree, last_good, report
            )
            if previous is not None:
                self._check_pair(previous, head, number, tree, report)
            if good:
                last_good = max(last_good, head.tree_size)
            previous = head

    @staticmethod
    def _matches_leaves(
        head: SignedHead, number: int, tree: merkle.MemoryTree, last_good: int, report: VerifyReport
    ) -> bool:
        if head.tree_size > tree.size:
            report.add(
                "head_beyond_leaves",
                f"signed head #{number} covers {head.tree_size} leaves but only {tree.size} are stored",
                f"第 {number} 个签名树头覆盖 {head.tree_size} 个叶，但只存有 {tree.size} 个",
                leaf=tree.size,
                head=number,
            )
            return False
        if tree.root(head.tree_size) != head.root_hash:
            report.add(
                "head_root",
                f"signed head #{number} (size {head.tree_size}): the stored leaves do not give its root; "
                f"a leaf in [{last_good}, {head.tree_size}) was changed (or the head is not from this log)",
                f"第 {number} 个签名树头（大小 {head.tree_size}）：所存的叶得不出其根哈希；"
                f"[{last_good}, {head.tree_size}) 中有叶被改动（或该树头并非出自此日志）",
                head=number,
            )
            if report.broken_range is None:
                report.broken_range = (last_good, head.tree_size)
            return False
        return True

    @staticmethod
    def _signed(key: Ed25519PublicKey | None, head: SignedHead, number: int, report: VerifyReport) -> bool:
        """The head's signature holds (or cannot be checked: no key, reported once elsewhere)."""
        if key is None:
            return True
        try:
            verify_head(key, head)
        except SignatureError:
            report.add(
                "head_signature",
                f"signed head #{number} (size {head.tree_size}): the signature is not valid",
                f"第 {number} 个签名树头（大小 {head.tree_size}）：签名无效",
                head=number,
            )
            return False
        return True

    def _check_pair(
        self, older: SignedHead, newer: SignedHead, number: int, tree: merkle.MemoryTree, report: VerifyReport
    ) -> None:
        """Consecutive heads must be one append-only history: a consistency proof (from the tree the
        leaves give) must take the older signed root to the newer one."""
        if newer.tree_size < older.tree_size or newer.timestamp < older.timestamp:
            report.add(
                "head_order",
                f"signed head #{number} goes back in size or time from the one before",
                f"第 {number} 个签名树头的大小或时间早于前一个",
                head=number,
            )
            return
        if newer.tree_size > tree.size:
            return  # reported as head_beyond_leaves: there is no tree to prove anything from
        proof = tree.consistency_proof(older.tree_size, newer.tree_size)
        try:
            merkle.verify_consistency(
                older.tree_size, newer.tree_size, older.root_hash, newer.root_hash, proof
            )
        except ProofError as exc:
            report.add(
                "head_consistency",
                f"signed head #{number} is not consistent with the head before it: {exc.reason['en']}",
                f"第 {number} 个签名树头与前一个不一致：{exc.reason['zh']}",
                head=number,
            )

    def _verifying_key(
        self, conn: Connection, given: bytes | str | None, report: VerifyReport
    ) -> Ed25519PublicKey | None:
        if given is not None:
            return load_public_key(given)
        if self.key_path.exists():
            try:
                return load_public_key(self.public_key())
            except (ValueError, OSError):  # FormatError, cryptography's own, unreadable file
                report.add(
                    "key_unreadable",
                    f"the log key {self.key_path} is not an Ed25519 private key, so head signatures cannot be checked",
                    f"日志密钥 {self.key_path} 不是 Ed25519 私钥，无法核验树头签名",
                )
                return None
        if conn.execute(select(log_heads.c.id).limit(1)).first() is not None:
            report.add(
                "key_missing",
                f"the log key {self.key_path} is missing, so head signatures cannot be checked",
                f"日志密钥 {self.key_path} 不存在，无法核验树头签名",
            )
        return None

    # internals --------------------------------------------------------------------------------------

    def _lock(self, conn: Connection) -> bool:
        """Serialise appends and signing on PostgreSQL (True when a lock was taken: others may have
        written before we got it). SQLite write transactions already exclude each other."""
        if conn.dialect.name != "postgresql":
            return False
        _APPEND_LOCK.run(conn)
        return True

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _sign(self, conn: Connection, size: int, root: bytes, last: SignedHead | None) -> SignedHead:
        """Sign and keep a head; `last` is the latest head (read under the lock)."""
        timestamp = max(self._now_ms(), last.timestamp if last else 0)  # heads never go back in time
        head = sign_head(self.private_key(), size, root, timestamp)
        _INSERT_HEAD.run(
            conn,
            {"tree_size": size, "root_hash": root, "timestamp_ms": timestamp, "signature": head.signature},
        )
        return head

    def _new_salt(self, conn: Connection, account: str) -> bytes:
        """A salt for an account the append's state read found without one. Appends hold the log's lock
        while they read and insert salts, so no other append can have created it since."""
        salt = secrets.token_bytes(32)
        values = {"account": account, "salt": salt, "created_at": self._now()}
        if _INSERT_SALT[conn.dialect.name].first(conn, values) is not None:
            return salt
        # written meanwhile by something that does not take the log's lock: use theirs
        return bytes(_SALT_PREPARED.scalar(conn, {"account": account}))

    def _read_nodes(self, conn: Connection, ids: Sequence[NodeId]) -> list[bytes]:
        if not ids:
            return []
        wanted = sorted(set(ids))
        params: dict[str, int] = {}
        for i, (level, index) in enumerate(wanted):
            params[f"l{i}"], params[f"i{i}"] = level, index
        rows = _nodes_query(len(wanted)).rows(conn, params)
        found = {(int(r.level), int(r.node_index)): bytes(r.hash) for r in rows}
        missing = [n for n in wanted if n not in found]
        if missing:
            raise LogCorrupt(f"tree hashes {missing[:5]} are missing; run `faircollect log verify`")
        return [found[n] for n in ids]

    def _proof(self, conn: Connection, plan: Sequence[list[NodeId]]) -> list[bytes]:
        return merkle.resolve(plan, self._node_map(conn, merkle.plan_nodes(plan)).__getitem__)

    def _node_map(self, conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        unique = sorted(set(ids))
        return dict(zip(unique, self._read_nodes(conn, unique), strict=True))

    def _check_size(self, conn: Connection, size: int) -> None:
        current = self.size(conn)
        if not 0 <= size <= current:
            raise LogError(
                f"tree size {size} is beyond the log ({current} leaves)",
                f"树大小 {size} 超出日志（共 {current} 个叶）",
            )


def _head(row: Any) -> SignedHead:
    return SignedHead(int(row.tree_size), bytes(row.root_hash), int(row.timestamp_ms), bytes(row.signature))


def _chunks(conn: Connection, query: Any) -> Iterator[Any]:
    """Leaves in index order, fetched a chunk at a time by key range (portable, bounded memory per query)."""
    after = -1
    while True:
        rows = conn.execute(
            query.where(log_leaves.c.leaf_index > after).order_by(log_leaves.c.leaf_index).limit(VERIFY_CHUNK)
        ).all()
        if not rows:
            return
        yield from rows
        after = int(rows[-1].leaf_index)
