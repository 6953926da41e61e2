"""Transparency log benchmark: appends per second through the storage path (SQLite file), proofs served
from the stored hashes, and proof size / time at 1,000,000 leaves (tree built in memory).

    .venv/bin/python benchmarks/translog_bench.py [--appends 2000] [--prefill 100000] [--leaves 1000000]
        [--checks 1000] [--pg URL (default: FAIRCOLLECT_TEST_PG)]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from faircollect.store.db import make_engine, read_tx, write_tx
from faircollect.store.meta import metadata
from faircollect.store.translog import TABLES, TransparencyLog, log_leaves, log_nodes
from faircollect.translog import merkle
from faircollect.translog.receipts import receipt_json, verify_receipt


def contact(i: int) -> dict[str, Any]:
    """A gate-sized record: a decision about a planned call."""
    return {
        "type": "decision",
        "verdict": "allow",
        "at": "2026-03-02T10:00:00+08:00",
        "contact": {
            "id": f"c-{i}",
            "channel": "call",
            "account": f"L-{i % 5000}",
            "debtor": f"D-{i % 5000}",
            "party": f"D-{i % 5000}",
            "address": f"+86138{i % 100000000:08d}",
            "collector": f"staff-{i % 40}",
            "purpose": "collection",
        },
        "findings": [],
        "next_allowed_at": None,
        "pack": {"id": "cn", "sha256": "0" * 64},
    }


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds / n * 1e3:.2f} ms each)"


def timed(fn: Callable[[], Any], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def prefill(engine: Any, n: int) -> None:
    """Bulk-load n leaves and all their tree hashes (as appends would have left them)."""
    leaves = [json.dumps({"id": f"pre-{i}"}).encode() for i in range(n)]
    tree = merkle.MemoryTree(merkle.leaf_hash(x) for x in leaves)
    now = datetime.now(UTC)
    with write_tx(engine) as conn:
        step = 20_000
        for a in range(0, n, step):
            conn.execute(
                log_leaves.insert(),
                [
                    {"leaf_index": i, "leaf": leaves[i], "leaf_hash": tree.node((0, i)), "created_at": now}
                    for i in range(a, min(n, a + step))
                ],
            )
        rows = [
            {"level": lv, "node_index": i, "hash": h}
            for lv, level in enumerate(tree.levels)
            for i, h in enumerate(level)
        ]
        for a in range(0, len(rows), step):
            conn.execute(log_nodes.insert(), rows[a : a + step])


def storage(appends: int, prefill_n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", pool_size=1)
        metadata.create_all(engine, tables=list(TABLES))
        log = TransparencyLog(engine, key_path=Path(tmp) / "log.key", sign_every_leaves=1000)
        log.public_key()

        start = time.perf_counter()
        for i in range(appends):
            with write_tx(engine) as conn:
                log.append(conn, contact(i))
        print(
            f"append, one write transaction each (gate path), log of 0..{appends}: {rate(appends, time.perf_counter() - start)}"
        )

        start = time.perf_counter()
        size = 0
        for i in range(appends, 2 * appends):
            with write_tx(engine) as conn:
                ref = log.append(conn, contact(i))
                receipt = log.receipt(conn, ref.index)
                size += len(receipt_json(receipt).encode())
        print(f"append + receipt (a signed head per receipt): {rate(appends, time.perf_counter() - start)}")
        print(f"receipt size: {size / appends:,.0f} bytes on average")

        start = time.perf_counter()
        with write_tx(engine) as conn:
            for i in range(2 * appends, 3 * appends):
                log.append(conn, contact(i))
        print(
            f"append, {appends} in one transaction (batch import): {rate(appends, time.perf_counter() - start)}"
        )

        start = time.perf_counter()
        with read_tx(engine) as conn:
            report = log.verify(conn)
        assert report.ok, report.to_dict()
        print(
            f"log verify, {report.leaves:,} leaves and {report.heads} heads: {time.perf_counter() - start:.2f} s"
        )

    if prefill_n:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'big.db'}", pool_size=1)
            metadata.create_all(engine, tables=list(TABLES))
            log = TransparencyLog(engine, key_path=Path(tmp) / "log.key", sign_every_leaves=1000)
            log.public_key()
            prefill(engine, prefill_n)
            start = time.perf_counter()
            for i in range(appends):
                with write_tx(engine) as conn:
                    log.append(conn, contact(i))
            print(
                f"append, one write transaction each, log of {prefill_n:,}+: {rate(appends, time.perf_counter() - start)}"
            )
            n = prefill_n + appends
            rng = random.Random(1)
            with read_tx(engine) as conn:
                t = timed(lambda: log.inclusion(conn, rng.randrange(n), n), 300)
                print(f"inclusion proof served from stored hashes at {n:,} leaves: {t * 1e3:.2f} ms")
                t = timed(lambda: log.consistency(conn, rng.randrange(1, n), n), 300)
                print(f"consistency proof served from stored hashes at {n:,} leaves: {t * 1e3:.2f} ms")
            with write_tx(engine) as conn:
                receipt = log.receipt(conn, rng.randrange(n))
            start = time.perf_counter()
            with read_tx(engine) as conn:
                report = log.verify(conn)
            assert report.ok, report.to_dict()
            print(f"log verify, {report.leaves:,} leaves: {time.perf_counter() - start:.2f} s")
            t = timed(lambda: verify_receipt(receipt_json(receipt)), 300)
            print(f"offline receipt check (JSON parse, leaf hash, Ed25519, proof): {t * 1e3:.2f} ms")


def postgres(url: str, appends: int) -> None:
    """The same gate-path appends on PostgreSQL, in a throw-away schema."""
    schema = f"translog_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, pool_size=1)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, pool_size=1, connect_args={"options": f"-csearch_path={schema}"})
    try:
        metadata.create_all(engine, tables=list(TABLES))
        with tempfile.TemporaryDirectory() as tmp:
            log = TransparencyLog(engine, key_path=Path(tmp) / "log.key", sign_every_leaves=1000)
            log.public_key()
            start = time.perf_counter()
            for i in range(appends):
                with write_tx(engine) as conn:
                    ref = log.append(conn, contact(i))
                    log.receipt(conn, ref.index)
            print(
                f"PostgreSQL: append + receipt, one transaction each: {rate(appends, time.perf_counter() - start)}"
            )
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def gate_path(checks: int) -> None:
    """`Gate.check` (decision + reservation + leaf + receipt in one transaction) with and without the log."""
    from faircollect.gate.service import Gate
    from faircollect.store import migrate

    fixed = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: inside the calling window
    for with_log in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'gate.db'}", pool_size=1)
            migrate.upgrade(engine)
            log = TransparencyLog(engine, key_path=Path(tmp) / "log.key") if with_log else None
            gate = Gate(engine, translog=log, clock=lambda: fixed)
            body = {"at": "2026-03-02T10:00:00+08:00", "tz": "Asia/Shanghai", "channel": "call"}
            gate.check({**body, "account": "warm", "debtor": "warm"})
            start = time.perf_counter()
            for i in range(checks):
                reply = gate.check({**body, "account": f"a-{i}", "debtor": f"d-{i}"})
                assert reply.status == 200 and (reply.body["receipt"] is not None) == with_log
            label = "with the log (leaf + signed head + receipt)" if with_log else "without the log"
            print(f"gate check on SQLite, {label}: {rate(checks, time.perf_counter() - start)}")


def memory(n: int) -> None:
    start = time.perf_counter()
    tree = merkle.MemoryTree(merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(n))
    print(f"build a {n:,}-leaf tree in memory: {time.perf_counter() - start:.2f} s")
    rng = random.Random(7)
    root = tree.root()
    indices = [rng.randrange(n) for _ in range(2000)]
    start = time.perf_counter()
    proofs = [tree.inclusion_proof(i) for i in indices]
    gen = (time.perf_counter() - start) / len(indices)
    start = time.perf_counter()
    for i, proof in zip(indices, proofs, strict=True):
        merkle.verify_inclusion(i, n, tree.node((0, i)), proof, root)
    ver = (time.perf_counter() - start) / len(indices)
    lengths = [len(p) for p in proofs]
    print(
        f"inclusion proof at {n:,} leaves: {statistics.mean(lengths):.1f} hashes "
        f"({max(lengths) * 32} bytes max), build {gen * 1e6:.0f} µs, verify {ver * 1e6:.0f} µs"
    )
    pairs = [(rng.randrange(1, n), n) for _ in range(2000)]
    start = time.perf_counter()
    cproofs = [tree.consistency_proof(a, b) for a, b in pairs]
    gen = (time.perf_counter() - start) / len(pairs)
    start = time.perf_counter()
    for (a, b), proof in zip(pairs, cproofs, strict=True):
        merkle.verify_consistency(a, b, tree.root(a), root, proof)
    ver = (time.perf_counter() - start) / len(pairs)
    lengths = [len(p) for p in cproofs]
    print(
        f"consistency proof to {n:,} leaves: {statistics.mean(lengths):.1f} hashes "
        f"({max(lengths) * 32} bytes max), build {gen * 1e6:.0f} µs, verify (incl. old root) {ver * 1e6:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--prefill", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=1000, help="gate checks (0: skip the gate path)")
    parser.add_argument(
        "--pg", default=os.environ.get("FAIRCOLLECT_TEST_PG"), help="also time appends on this PostgreSQL URL"
    )
    args = parser.parse_args()
    storage(args.appends, args.prefill)
    if args.pg:
        postgres(args.pg, args.appends)
    if args.checks:
        gate_path(args.checks)
    memory(args.leaves)


if __name__ == "__main__":
    main()
