"""WAL pages a gate check and an outcome write on SQLite, per B-tree (each table and each index).

In WAL mode every commit appends each page it changed to the WAL as one frame (the page plus a 24-byte
header): a request writes at least one page per B-tree it touches, and every frame costs CPU in the
commit and bytes to fsync and checkpoint. This script:
  1. makes a fresh SQLite database (`migrate.upgrade`) and a `Gate` with the cn pack and the
     transparency log on, in process (as gate_http.py's gate path drives it, same bodies and debtors);
  2. warms up with --warmup checks and the outcomes of the allowed ones;
  3. runs --checks checks, then the outcomes of the allowed ones, in chunks. The gate's connections
     never checkpoint (`wal_autocheckpoint=0`); the WAL is truncated before each chunk and read after
     it, so every frame the chunk wrote is counted, and its page number is attributed to the B-tree
     that owns the page (`dbstat`);
  4. prints frames per check and per outcome, per B-tree, and the in-process ms per check and per
     outcome (the gate calls only: the counting and checkpoints are outside the timing).

With --revision the schema stops at that migration (e.g. 0002_translog, before 0003 cut the B-trees), to
compare schemas in one sitting: the machine's other load moves the milliseconds, never the frames.

Usage: .venv/bin/python benchmarks/gate_pages.py [--warmup 1000] [--checks 3000] [--revision R] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import struct
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gate_http import DEBTORS, OUTCOMES, body
from sqlalchemy import event

from faircollect.gate.packs import PackBook
from faircollect.gate.service import Caller, Gate
from faircollect.store import migrate
from faircollect.store.db import make_engine
from faircollect.store.translog import TransparencyLog

WAL_HEADER = 32
FRAME_HEADER = 24
CHUNK = 200  # requests between WAL truncations (a chunk's WAL stays near 20 MB)


class WalCounter:
    """Counts the frames the gate's commits append to one database's WAL, by the B-tree of each page."""

    def __init__(self, path: Path) -> None:
        self.wal = Path(f"{path}-wal")
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.page_size = int(self.conn.execute("PRAGMA page_size").fetchone()[0])
        self.pages: Counter[int] = Counter()  # page number → frames written
        self.commits = 0

    def truncate(self) -> None:
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0 and self.wal.stat().st_size == 0, "the WAL could not be truncated"

    def read(self) -> None:
        """Add the frames of the WAL written since the last `truncate`."""
        data = self.wal.read_bytes()
        frame = FRAME_HEADER + self.page_size
        for offset in range(WAL_HEADER, len(data) - frame + 1, frame):
            page, commit_size = struct.unpack_from(">II", data, offset)
            self.pages[page] += 1
            self.commits += commit_size != 0  # the last frame of each commit holds the database size

    def by_btree(self) -> Counter[str]:
        """Frames per B-tree: 'table' or 'table.index' (pages read back now; the gate frees none)."""
        owner = dict(
            self.conn.execute(
                "SELECT d.pageno, CASE WHEN m.type = 'index' THEN m.tbl_name || '.' || d.name ELSE d.name END"
                " FROM dbstat AS d LEFT JOIN sqlite_schema AS m ON m.name = d.name"
            ).fetchall()
        )
        out: Counter[str] = Counter()
        for page, frames in self.pages.items():
            out[owner.get(page, "(free or unknown page)")] += frames
        return out

    def reset(self) -> None:
        self.pages.clear()
        self.commits = 0


def counted(requests: list[Callable[[], Any]], wal: WalCounter) -> tuple[float, list[Any]]:
    """Run the requests in chunks, truncating the WAL before and reading it after each chunk; the
    seconds spent in the requests themselves, and their replies."""
    wal.reset()
    spent, replies = 0.0, []
    for start in range(0, len(requests), CHUNK):
        wal.truncate()
        t0 = time.perf_counter()
        replies.extend(request() for request in requests[start : start + CHUNK])
        spent += time.perf_counter() - t0
        wal.read()
    return spent, replies


def held(replies: list[Any]) -> list[str]:
    return [r.body["reservation"]["id"] for r in replies if r.body.get("reservation")]


def report(name: str, n: int, seconds: float, wal: WalCounter) -> dict[str, Any]:
    btrees = wal.by_btree()
    total = sum(btrees.values())
    return {
        name: n,
        "ms": round(seconds / max(1, n) * 1000, 3),
        "frames": round(total / max(1, n), 2),
        "commits": round(wal.commits / max(1, n), 2),
        "wal_kb": round(total * (wal.page_size + FRAME_HEADER) / max(1, n) / 1024, 1),
        "by_btree": {k: round(v / max(1, n), 2) for k, v in sorted(btrees.items())},
    }


def run(warmup: int, checks: int, revision: str, workdir: Path) -> dict[str, Any]:
    path = workdir / "pages.db"
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _no_autocheckpoint(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")  # only this script's truncations empty the WAL

    migrate.upgrade(engine, revision)
    gate = Gate(engine, PackBook("cn"), translog=TransparencyLog(engine, key_path=workdir / "log.key"))
    caller = Caller(key_id="bench")
    rng = random.Random(11)

    def check() -> Any:
        return gate.check(body(rng.randrange(DEBTORS)), caller)

    def outcome(reservation: str) -> Callable[[], Any]:
        return lambda: gate.record_outcome(reservation, {"outcome": rng.choice(OUTCOMES)}, caller)

    wal = WalCounter(path)

    def measure(n: int) -> dict[str, Any]:
        check_s, replies = counted([check] * n, wal)
        reservations = held(replies)
        checks_seen = {**report("checks", n, check_s, wal), "allowed": len(reservations)}
        outcome_s, _ = counted([outcome(r) for r in reservations], wal)
        return {"checks": checks_seen, "outcomes": report("outcomes", len(reservations), outcome_s, wal)}

    measure(warmup)  # code, caches and a history of debtors, accounts and log nodes to write among
    result = measure(checks)
    result["revision"] = migrate.current(engine)
    result["database_pages"] = int(wal.conn.execute("PRAGMA page_count").fetchone()[0])
    wal.conn.close()
    engine.dispose()
    return result


def show(result: dict[str, Any]) -> None:
    c, o = result["checks"], result["outcomes"]
    print(
        f"schema {result['revision']}: {c['checks']} checks ({c['allowed']} allowed), {o['outcomes']} outcomes, "
        "SQLite WAL, 4 KB pages"
    )
    print(f"{'B-tree (table.index)':58} {'per check':>10} {'per outcome':>12}")
    for name in sorted(set(c["by_btree"]) | set(o["by_btree"])):
        print(f"{name:58} {c['by_btree'].get(name, 0):10.2f} {o['by_btree'].get(name, 0):12.2f}")
    print(f"{'frames (total)':58} {c['frames']:10.2f} {o['frames']:12.2f}")
    print(f"{'WAL KB':58} {c['wal_kb']:10.1f} {o['wal_kb']:12.1f}")
    print(f"{'commits':58} {c['commits']:10.2f} {o['commits']:12.2f}")
    print(f"{'ms in process':58} {c['ms']:10.3f} {o['ms']:12.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warmup", type=int, default=1000, help="checks (and their outcomes) before measuring")
    ap.add_argument("--checks", type=int, default=3000, help="checks measured (then their outcomes)")
    ap.add_argument("--revision", default="head", help="migrate the new database up to this revision only")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.warmup, args.checks, args.revision, Path(tmp))
    if args.json:
        print(json.dumps(result, indent=2))
    show(result)


if __name__ == "__main__":
    main()
