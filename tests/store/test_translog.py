"""The transparency log on a real database (SQLite file; PostgreSQL when FAIRCOLLECT_TEST_PG is set):
proofs served from stored hashes, head cadence, keys, salts, and tampering caught by `verify`."""

from __future__ import annotations

import os
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, event, func, select, text, update
from sqlalchemy.engine import Connection

from faircollect.store.db import make_engine, read_tx, write_tx
from faircollect.store.meta import metadata
from faircollect.store.translog import (
    KEY_ENV,
    KEY_FILE,
    MAX_PER_KIND,
    TABLES,
    LogCorrupt,
    LogError,
    TransparencyLog,
    VerifyReport,
    _append_state,
    default_key_path,
    log_heads,
    log_leaves,
    log_nodes,
    log_salts,
)
from faircollect.translog import merkle
from faircollect.translog.receipts import receipt_json, verify_receipt
from faircollect.translog.signing import sign_head

PG_URL = os.environ.get("FAIRCOLLECT_TEST_PG")
N = 23  # leaves in the tampering log: not a power of two, several heads


def record(i: int, account: str = "L-1") -> dict[str, Any]:
    return {
        "type": "contact",
        "id": f"c-{i}",
        "at": f"2026-03-02T09:{i % 60:02d}:00+08:00",
        "channel": "call",
        "outcome": "connected",
        "account": account,
        "debtor": "张三",
        "address": "+8613800138000",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'log.db'}", pool_size=2)
        metadata.create_all(eng, tables=list(TABLES))
        yield eng
        eng.dispose()
        return
    if not PG_URL:
        pytest.skip(
            "PostgreSQL not tested: set FAIRCOLLECT_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"translog_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, pool_size=1)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(PG_URL, pool_size=2, connect_args={"options": f"-csearch_path={schema}"})
    metadata.create_all(eng, tables=list(TABLES))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_log(engine: Engine, tmp_path: Path, **kwargs: Any) -> TransparencyLog:
    return TransparencyLog(engine, key_path=tmp_path / "keys" / "log.key", **kwargs)


def fill(log: TransparencyLog, n: int, start: int = 0) -> list[int]:
    indices = []
    for i in range(start, start + n):
        with write_tx(log.engine) as conn:
            indices.append(log.append(conn, record(i, account=f"L-{i % 3}")).index)
    return indices


def stored_tree(conn: Connection) -> merkle.MemoryTree:
    rows = conn.execute(select(log_leaves.c.leaf).order_by(log_leaves.c.leaf_index))
    return merkle.MemoryTree(merkle.leaf_hash(bytes(r.leaf)) for r in rows)


# --- behaviour -------------------------------------------------------------------------------------


def test_appends_receipts_and_proofs(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path, sign_every_leaves=5)
    assert fill(log, 13) == list(range(13))
    with write_tx(engine) as conn:
        tree = stored_tree(conn)
        assert log.size(conn) == 13
        assert log.root(conn, 13) == tree.root()
        for size in (1, 5, 8, 13):
            for index in range(size):
                got = log.inclusion(conn, index, size)
                assert got["audit_path"] == [p.hex() for p in tree.inclusion_proof(index, size)]
                assert got["leaf_hash"] == tree.node((0, index)).hex()
            for first in range(size + 1):
                proof = log.consistency(conn, first, size)["proof"]
                assert proof == [p.hex() for p in tree.consistency_proof(first, size)]
        for index in (0, 7, 12):
            receipt = log.receipt(conn, index)
            assert verify_receipt(receipt_json(receipt), public_key=log.public_key_b64()).ok
        assert log.index_of(conn, tree.node((0, 7))) == 7
        assert log.index_of(conn, b"\x00" * 32) is None
        assert log.verify(conn).ok


def test_append_commits_or_rolls_back_with_the_caller(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    fill(log, 2)
    with pytest.raises(RuntimeError), write_tx(engine) as conn:
        log.append(conn, record(99))
        raise RuntimeError("the gate's own write failed")
    with read_tx(engine) as conn:
        assert log.size(conn) == 2
        assert conn.execute(select(log_nodes.c.level)).all().__len__() == 3
        assert log.verify(conn).ok


def test_head_cadence_by_leaves_and_seconds(engine: Engine, tmp_path: Path) -> None:
    now = [1_790_000_000.0]
    log = make_log(engine, tmp_path, sign_every_leaves=4, sign_every_seconds=30, clock=lambda: now[0])
    fill(log, 9)
    with write_tx(engine) as conn:
        sizes = [r.tree_size for r in conn.execute(select(log_heads.c.tree_size).order_by(log_heads.c.id))]
        assert sizes == [1, 5, 9]
        fill_in(log, conn, 2)
        assert log.head(conn).tree_size == 9  # 2 new leaves, 0 s: not due
        now[0] += 31
        head = log.head(conn)
        assert (head.tree_size, head.timestamp) == (11, int(now[0] * 1000))
        assert log.head(conn) == head  # nothing new: no new head
        assert log.signed_head(conn)["public_key"] == log.public_key_b64()
        receipt = log.receipt(conn, 10)
        assert receipt["tree_size"] == 11
        now[0] += 31
        fill_in(log, conn, 1)  # an append also signs when the last head is T seconds old
        assert log.latest_head(conn).tree_size == 12  # type: ignore[union-attr]


def fill_in(log: TransparencyLog, conn: Connection, n: int) -> None:
    start = log.size(conn)
    for i in range(start, start + n):
        log.append(conn, record(i))


def test_a_receipt_gets_a_head_that_covers_its_leaf(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path, sign_every_leaves=1000)
    fill(log, 3)
    with write_tx(engine) as conn:
        assert log.latest_head(conn).tree_size == 1  # type: ignore[union-attr]
        receipt = log.receipt(conn, 2)
        assert receipt["head"]["tree_size"] == 3
        assert verify_receipt(receipt).ok
        with pytest.raises(LogError):
            log.receipt(conn, 3)
        with pytest.raises(LogError):
            log.inclusion(conn, 3, 3)
        with pytest.raises(LogError):
            log.inclusion(conn, 0, 4)
        with pytest.raises(LogError):
            log.consistency(conn, 2, 1)


def test_an_append_with_receipt_signs_once_and_needs_no_reads(engine: Engine, tmp_path: Path) -> None:
    """`append(receipt=True)` signs the head covering its leaf in the same step (reusing the cadence's head
    when one is due), and `receipt_for` answers from what the append returned, for any tree shape."""
    log = make_log(engine, tmp_path, sign_every_leaves=4)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    with write_tx(engine) as conn:
        event.listen(conn, "before_cursor_execute", count)
        for i in range(11):
            ref = log.append(conn, record(i, account=f"L-{i % 2}"), receipt=True)
            assert ref.head is not None and ref.head.tree_size == i + 1
            start = len(statements)
            receipt = log.receipt_for(conn, ref)
            assert len(statements) == start  # nothing read or written for the receipt
            assert verify_receipt(receipt_json(receipt), public_key=log.public_key_b64()).ok
            assert receipt["index"] == i and receipt["tree_size"] == i + 1
            assert receipt["inclusion_proof"] == log.inclusion(conn, i, i + 1)["audit_path"]
        sizes = [r.tree_size for r in conn.execute(select(log_heads.c.tree_size).order_by(log_heads.c.id))]
        assert sizes == list(range(1, 12))  # one head per receipt, none twice
        plain = log.append(conn, record(11))
        assert plain.head is None and plain.proof is None
        assert verify_receipt(log.receipt_for(conn, plain)).ok  # falls back to reading the log
        assert log.verify(conn).ok


def test_the_state_read_brings_the_frontier_on_postgresql(engine: Engine, tmp_path: Path) -> None:
    """PostgreSQL reads the tree's frontier with the append's state (found from the size in SQL): exactly
    the nodes `root_plan` names, with their stored hashes, for every size up to 33. SQLite reads none there."""
    log = make_log(engine, tmp_path)
    for size in range(34):
        with write_tx(engine) as conn:
            state, known = _append_state(conn, "L-0")
            assert (0 if state.last is None else state.last + 1) == size
            wanted = merkle.root_plan(size)
            if engine.dialect.name == "postgresql":
                assert sorted(known) == sorted(wanted)
                assert [known[n] for n in wanted] == log._read_nodes(conn, wanted)
            else:
                assert known == {}
            log.append(conn, record(size, account=f"L-{size % 3}"))
    with read_tx(engine) as conn:
        assert log.verify(conn).ok


def test_an_append_missing_a_frontier_node_says_so(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    fill(log, 6)  # frontier: (2, 0) and (1, 2)
    with write_tx(engine) as conn:
        conn.execute(delete(log_nodes).where(log_nodes.c.level == 1, log_nodes.c.node_index == 2))
    with pytest.raises(LogCorrupt, match=r"\(1, 2\)"), write_tx(engine) as conn:
        log.append(conn, record(6))


def test_concurrent_appends_make_one_log(engine: Engine, tmp_path: Path) -> None:
    """Writers in parallel (PostgreSQL: advisory lock; SQLite: write transactions) leave no gaps or forks."""
    log = make_log(engine, tmp_path, sign_every_leaves=3)
    log.public_key()
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(8):
                with write_tx(engine) as conn:
                    ref = log.append(conn, record(100 * w + i, account=f"L-{i % 2}"))
                    assert verify_receipt(log.receipt(conn, ref.index)).ok
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_tx(engine) as conn:
        report = log.verify(conn)
        assert report.ok, report.to_dict()
        assert report.leaves == 32
        assert conn.execute(select(func.count()).select_from(log_salts)).scalar() == 2


def test_a_salt_created_by_another_transaction_is_used(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite write transactions cannot overlap, so this race cannot happen there")
    log = make_log(engine, tmp_path)
    got: list[bytes] = []
    with engine.connect() as first:
        first.begin()
        mine = log._new_salt(first, "L-race")  # the race is inside _new_salt
        other = threading.Thread(target=lambda: got.append(_salt_in_new_tx(log, engine)))
        other.start()
        other.join(0.3)  # it waits for our uncommitted row
        first.commit()
    other.join()
    assert got == [mine]


def _salt_in_new_tx(log: TransparencyLog, engine: Engine) -> bytes:
    with engine.begin() as conn:
        return log._new_salt(conn, "L-race")


def test_salts_per_account_and_no_personal_data_in_leaves(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    fill(log, 6)
    with read_tx(engine) as conn:
        salts = {r.account: r.salt for r in conn.execute(select(log_salts.c.account, log_salts.c.salt))}
        assert sorted(salts) == ["L-0", "L-1", "L-2"]
        assert len(set(salts.values())) == 3
        for row in conn.execute(select(log_leaves.c.leaf)):
            leaf = bytes(row.leaf).decode()
            assert "张三" not in leaf and "13800138000" not in leaf and "L-" not in leaf
        assert log.leaf(conn, 0) is not None and log.leaf(conn, 6) is None


def test_key_created_on_first_use_private_and_reused(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    assert not log.key_path.exists()
    fill(log, 1)
    assert log.key_path.exists()
    assert stat.S_IMODE(log.key_path.stat().st_mode) == 0o600
    again = make_log(engine, tmp_path)
    assert again.public_key_b64() == log.public_key_b64()


def test_default_key_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    eng = make_engine(f"sqlite:///{tmp_path / 'db' / 'x.db'}")
    assert default_key_path(eng) == (tmp_path / "db" / KEY_FILE).resolve()
    monkeypatch.chdir(tmp_path)
    assert default_key_path(create_engine("sqlite://")) == tmp_path / KEY_FILE
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "k"))
    assert default_key_path(eng) == tmp_path / "k"


def test_verify_with_missing_or_wrong_key(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    fill(log, 3)
    with read_tx(engine) as conn:
        stranger = TransparencyLog(engine, key_path=tmp_path / "nowhere.key")
        report = stranger.verify(conn)
        assert [p.kind for p in report.problems] == ["key_missing"]
        assert not (tmp_path / "nowhere.key").exists()  # verifying never creates a key
        other = make_log(engine, tmp_path / "other")
        other.public_key()
        assert {p.kind for p in other.verify(conn).problems} == {"head_signature"}
        assert stranger.verify(conn, public_key=log.public_key_b64()).ok


def test_empty_log_verifies(engine: Engine, tmp_path: Path) -> None:
    log = make_log(engine, tmp_path)
    with write_tx(engine) as conn:
        assert log.verify(conn).ok
        head = log.head(conn)
        assert (head.tree_size, head.root_hash) == (0, merkle.EMPTY_ROOT)
        assert log.verify(conn).ok


# --- tampering ---------------------------------------------------------------------------------------


def leaf_row(conn: Connection, index: int) -> Any:
    return conn.execute(select(log_leaves).where(log_leaves.c.leaf_index == index)).one()


def set_leaf(conn: Connection, index: int, leaf: bytes, with_hash: bool) -> None:
    values: dict[str, Any] = {"leaf": leaf}
    if with_hash:
        values["leaf_hash"] = merkle.leaf_hash(leaf)
    conn.execute(update(log_leaves).where(log_leaves.c.leaf_index == index).values(**values))


def edit_leaf(conn: Connection) -> int:
    row = leaf_row(conn, 9)
    set_leaf(conn, 9, bytes(row.leaf).replace(b'"connected"', b'"unanswered"'), with_hash=False)
    return 9


def edit_leaf_and_hash(conn: Connection) -> int:
    row = leaf_row(conn, 9)
    set_leaf(conn, 9, bytes(row.leaf).replace(b"c-9", b"c-8"), with_hash=True)
    return 9


def edit_leaf_hash_and_every_node(conn: Connection) -> int:
    """A careful forger: the leaf, its hash and every stored tree hash rewritten to agree."""
    row = leaf_row(conn, 9)
    set_leaf(conn, 9, bytes(row.leaf).replace(b"c-9", b"c-X"), with_hash=True)
    tree = stored_tree(conn)
    conn.execute(delete(log_nodes))
    conn.execute(
        log_nodes.insert(),
        [
            {"level": lv, "node_index": i, "hash": h}
            for lv, level in enumerate(tree.levels)
            for i, h in enumerate(level)
        ],
    )
    return 9


def delete_middle_leaf(conn: Connection) -> int:
    conn.execute(delete(log_leaves).where(log_leaves.c.leaf_index == 7))
    return 7


def delete_last_leaf(conn: Connection) -> int:
    conn.execute(delete(log_leaves).where(log_leaves.c.leaf_index == N - 1))
    return N - 1


def delete_and_renumber(conn: Connection) -> int:
    """Remove leaf 7 and close the gap so indices stay contiguous."""
    conn.execute(delete(log_leaves).where(log_leaves.c.leaf_index == 7))
    for k in range(8, N):
        conn.execute(update(log_leaves).where(log_leaves.c.leaf_index == k).values(leaf_index=k - 1))
    return 7


def reorder_leaves(conn: Connection) -> int:
    """Swap two records (each keeps its own correct hash)."""
    a, b = leaf_row(conn, 4), leaf_row(conn, 11)
    conn.execute(
        update(log_leaves).where(log_leaves.c.leaf_index == 11).values(leaf=a.leaf, leaf_hash=a.leaf_hash)
    )
    conn.execute(
        update(log_leaves).where(log_leaves.c.leaf_index == 4).values(leaf=b.leaf, leaf_hash=b.leaf_hash)
    )
    return 4


def insert_leaf(conn: Connection) -> int:
    """Slip a record in at index 5, shifting the later ones up."""
    for k in reversed(range(5, N)):
        conn.execute(update(log_leaves).where(log_leaves.c.leaf_index == k).values(leaf_index=k + 1))
    forged = b'{"id":"c-forged","type":"contact"}'
    row = leaf_row(conn, 6)
    conn.execute(
        log_leaves.insert().values(
            leaf_index=5, leaf=forged, leaf_hash=merkle.leaf_hash(forged), created_at=row.created_at
        )
    )
    return 5


def append_raw_leaf(conn: Connection) -> int:
    """A row added behind the log's back at the end."""
    forged = b'{"id":"c-late","type":"contact"}'
    row = leaf_row(conn, 0)
    conn.execute(
        log_leaves.insert().values(
            leaf_index=N, leaf=forged, leaf_hash=merkle.leaf_hash(forged), created_at=row.created_at
        )
    )
    return N


LEAF_TAMPERING: list[Callable[[Connection], int]] = [
    edit_leaf,
    edit_leaf_and_hash,
    edit_leaf_hash_and_every_node,
    delete_middle_leaf,
    delete_last_leaf,
    delete_and_renumber,
    reorder_leaves,
    insert_leaf,
    append_raw_leaf,
]


def tampered_log(engine: Engine, tmp_path: Path) -> TransparencyLog:
    log = make_log(engine, tmp_path, sign_every_leaves=4)
    fill(log, N)
    with write_tx(engine) as conn:
        log.receipt(conn, N - 1)  # a head that covers every leaf
        assert log.verify(conn).ok
    return log


@pytest.mark.parametrize("tamper", LEAF_TAMPERING, ids=lambda f: f.__name__)
def test_leaf_tampering_is_reported(
    engine: Engine, tmp_path: Path, tamper: Callable[[Connection], int]
) -> None:
    log = tampered_log(engine, tmp_path)
    with write_tx(engine) as conn:
        broken = tamper(conn)
    with read_tx(engine) as conn:
        report = log.verify(conn)
    assert not report.ok
    if report.first_broken_leaf is not None:
        assert report.first_broken_leaf == broken, report.to_dict()
    else:
        assert report.broken_range is not None
        lo, hi = report.broken_range
        assert lo <= broken < hi, report.to_dict()
        assert hi - lo <= 4  # heads every 4 leaves bracket it that closely


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("root_hash", b"\x11" * 32),
        ("tree_size", 3),
        ("timestamp_ms", 1),
        ("signature", b"\x22" * 64),
    ],
)
def test_head_tampering_is_reported(engine: Engine, tmp_path: Path, column: str, value: Any) -> None:
    log = tampered_log(engine, tmp_path)
    with write_tx(engine) as conn:
        second = conn.execute(select(log_heads.c.id).order_by(log_heads.c.id).offset(1).limit(1)).scalar_one()
        conn.execute(update(log_heads).where(log_heads.c.id == second).values({column: value}))
    with read_tx(engine) as conn:
        report = log.verify(conn)
    assert not report.ok
    assert second in {p.head for p in report.problems}
    assert "head_signature" in {p.kind for p in report.problems}
    assert (report.first_broken_leaf, report.broken_range) == (None, None)  # the leaves are not blamed


def test_a_forged_head_with_a_valid_signature_is_caught(engine: Engine, tmp_path: Path) -> None:
    """Even someone holding the key cannot slip in a head for another history: it contradicts the
    leaves and the heads around it."""
    log = tampered_log(engine, tmp_path)
    with write_tx(engine) as conn:
        second = conn.execute(select(log_heads).order_by(log_heads.c.id).offset(1).limit(1)).one()
        forged = sign_head(log.private_key(), int(second.tree_size), b"\x33" * 32, int(second.timestamp_ms))
        conn.execute(
            update(log_heads)
            .where(log_heads.c.id == second.id)
            .values(root_hash=forged.root_hash, signature=forged.signature)
        )
    with read_tx(engine) as conn:
        report = log.verify(conn)
    assert {(p.kind, p.head) for p in report.problems} == {
        ("head_root", second.id),
        ("head_consistency", second.id),
        ("head_consistency", second.id + 1),
    }


def test_the_migration_creates_exactly_these_tables(tmp_path: Path) -> None:
    """0002_translog (run through the project's migrations) matches the tables declared here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from faircollect.store import migrate

    eng = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}", pool_size=1)
    migrate.upgrade(eng)
    names = {t.name for t in TABLES}
    with eng.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [d for d in diffs if names & _diff_names(d)]
    assert ours == []
    log = TransparencyLog(eng, key_path=tmp_path / "k.key")
    with write_tx(eng) as conn:
        log.append(conn, record(0))
        assert verify_receipt(log.receipt(conn, 0)).ok


def _diff_names(diff: Any) -> set[str]:
    """Every table name a compare_metadata entry mentions (as an object or as a plain name)."""
    items = diff if isinstance(diff, list) else [diff]
    names: set[str] = set()
    for item in items:
        for part in item if isinstance(item, tuple) else (item,):
            for obj in (part, getattr(part, "table", None)):
                if isinstance(obj, str):
                    names.add(obj)
                elif getattr(obj, "name", None):
                    names.add(obj.name)
    return names


def test_a_report_lists_a_bounded_number_of_problems_per_kind() -> None:
    report = VerifyReport()
    for i in reversed(range(MAX_PER_KIND + 50)):
        report.add("node_mismatch", f"leaf {i}", f"叶 {i}", leaf=i)
    report.add("head_root", "head", "树头", head=1)
    assert len(report.problems) == MAX_PER_KIND + 1
    assert report.more == {"node_mismatch": 50}
    assert report.total == MAX_PER_KIND + 51
    assert report.first_broken_leaf == 0  # counted problems still name the first broken leaf
    assert report.to_dict()["more"] == {"node_mismatch": 50}
