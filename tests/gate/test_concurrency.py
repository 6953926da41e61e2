"""Caps hold when many dialers ask at once: 50 threads (and several processes) on one debtor."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from dbtest import T0, Clock, planned_call
from sqlalchemy import Engine, func, select

from faircollect.gate.service import Gate, Reply
from faircollect.store.db import make_engine
from faircollect.store.tables import reservations

THREADS = 50
WORKER = Path(__file__).with_name("concurrent_checks.py")


def storm(gate: Gate, body: dict[str, Any], n: int = THREADS) -> list[Reply]:
    """`n` threads send the same check at the same instant."""
    barrier = threading.Barrier(n)
    replies: list[Reply] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        reply = gate.check(body)
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return replies


@pytest.fixture
def wide_engine(db_url: str, engine: Engine) -> Engine:
    """An engine with a connection per thread, so the storm is limited by locks, not the pool."""
    return make_engine(db_url, pool_size=THREADS)


def test_fifty_threads_get_exactly_three_reservations(wide_engine: Engine, clock: Clock) -> None:
    gate = Gate(wide_engine, clock=clock)
    replies = storm(gate, planned_call())
    assert all(r.status == 200 for r in replies)
    assert Counter(r.body["verdict"] for r in replies) == {"allow": 3, "block": THREADS - 3}
    with wide_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reservations)).scalar() == 3

    # outcomes arrive: one conversation, two unanswered → two new slots, no more
    held = [r.body["reservation"]["id"] for r in replies if r.body["verdict"] == "allow"]
    for rid, outcome in zip(held, ["connected", "unanswered", "voicemail"], strict=True):
        assert gate.record_outcome(rid, {"outcome": outcome}).status == 201
    again = storm(gate, planned_call())
    assert Counter(r.body["verdict"] for r in again) == {"allow": 2, "block": THREADS - 2}

    # those two expire without an outcome: their slots open again
    clock.advance(minutes=15)
    last = storm(gate, planned_call())
    assert Counter(r.body["verdict"] for r in last) == {"allow": 2, "block": THREADS - 2}
    wide_engine.dispose()


def test_different_debtors_do_not_share_caps(wide_engine: Engine, clock: Clock) -> None:
    gate = Gate(wide_engine, clock=clock)
    bodies = [planned_call(debtor=f"d-{i % 5}", account=f"a-{i % 5}") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    verdicts: list[tuple[str, str]] = []

    def one(body: dict[str, Any]) -> None:
        barrier.wait()
        verdicts.append((str(body["debtor"]), gate.check(body).body["verdict"]))

    threads = [threading.Thread(target=one, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    allowed = Counter(d for d, v in verdicts if v == "allow")
    assert allowed == {f"d-{i}": 3 for i in range(5)}
    wide_engine.dispose()


def test_several_processes_get_exactly_three_reservations(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    processes, threads = 4, 12
    go = tmp_path / "go"
    cmd = [
        sys.executable,
        str(WORKER),
        db_url,
        T0.isoformat(),
        str(go),
        str(threads),
        json.dumps(planned_call()),
    ]
    running = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    for p in running:  # every process is connected and waiting before the first check
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    go.touch()
    verdicts: list[str] = []
    for p in running:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        verdicts.extend(json.loads(out))
    assert Counter(verdicts) == {"allow": 3, "block": processes * threads - 3}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reservations)).scalar() == 3
