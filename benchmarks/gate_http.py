"""Gate over HTTP: uvicorn on 127.0.0.1, a load of mixed checks and outcomes from this (second) process.

For each backend (SQLite file, PostgreSQL when --pg or FAIRCOLLECT_TEST_PG gives a server URL):
  1. a fresh database, a dialer key, `faircollect serve` in its own process (transparency log on);
  2. open loop: checks at fixed rates (default 50/s and 500/s) over 10,000 debtors; about 90 % of the allowed
     checks report an outcome. Latency is measured from each request's scheduled time, so a slow
     server cannot hide its queue (no coordinated omission);
  3. closed loop: C clients as fast as they can → throughput;
  4. in-process: engine + store read (history of one debtor, then `decide`) per second, no HTTP, by one
     thread and by two sharing the work (`--decision-threads`);
  5. in-process gate path: `Gate.check` and `Gate.record_outcome` with the transparency log (the work
     one request does besides HTTP and the key lookup): per request the time, the CPU time here and in the
     PostgreSQL server, the SQL statements, and how long the lock that serialises every log append is
     held; from these, what 500 checks/s would ask of the machine (`budget`).

Prints figures; nothing is asserted. Usage:
  .venv/bin/python benchmarks/gate_http.py [--backend sqlite|pg|both] [--rates 50,500] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from faircollect.gate.packs import PackBook
from faircollect.gate.service import Caller, Gate
from faircollect.model import Contact
from faircollect.policy.engine import decide
from faircollect.policy.pack import load_pack
from faircollect.store import migrate, repo
from faircollect.store.db import make_engine, read_tx
from faircollect.store.keys import create_key
from faircollect.store.translog import TransparencyLog

DEBTORS = 10_000


def planned_at() -> str:
    """10:00 tomorrow in Shanghai: inside the cn pack's calling hours whatever the time of the run. (A
    planned time in the past is judged at the moment of the check, which may be outside those hours, and
    then every check is blocked: a cheaper path than the one to measure.)"""
    zone = ZoneInfo("Asia/Shanghai")
    day = datetime.now(zone).date() + timedelta(days=1)
    return datetime.combine(day, dtime(10), zone).isoformat()


AT = planned_at()
OUTCOMES = ["connected"] * 3 + ["unanswered"] * 5 + ["busy"] * 2
OUTCOME_SHARE = 0.9  # of the allowed checks, those whose outcome the load reports


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(lat: list[float]) -> dict[str, float]:
    return {"n": len(lat), "p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000}


def body(debtor: int) -> dict[str, Any]:
    return {
        "channel": "call",
        "account": f"a-{debtor}",
        "debtor": f"d-{debtor}",
        "tz": "Asia/Shanghai",
        "at": AT,
    }


# --- databases ----------------------------------------------------------------------------------


@contextmanager
def database(backend: str, pg: str | None, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    assert pg, "PostgreSQL needs --pg URL or FAIRCOLLECT_TEST_PG"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    name = f"fc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, workdir: Path, workers: int = 1) -> Iterator[str]:
    port = free_port()
    exe = str(Path(sys.executable).with_name("faircollect"))
    env = {**os.environ, "FAIRCOLLECT_LOG_KEY": str(workdir / "log.key")}
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(
        [exe, "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        if os.environ.get("FAIRCOLLECT_BENCH_LOG"):
            print((workdir / "server.log").read_text()[-5000:], file=sys.stderr)


# --- load ---------------------------------------------------------------------------------------


class Conn:
    """One keep-alive HTTP/1.1 connection. A lean client, so the load generator (which shares the
    machine with the server) spends as little CPU per request as possible."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def post(self, path: str, payload: dict[str, Any], head: bytes) -> tuple[int, Any]:
        data = json.dumps(payload).encode()
        self.writer.write(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\n"
            + head
            + b"Content-Length: "
            + str(len(data)).encode()
            + b"\r\n\r\n"
            + data
        )
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        raw = await self.reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(raw)


class Client:
    """A pool of keep-alive connections to the server."""

    def __init__(self, base: str, key: str, size: int) -> None:
        url = httpx.URL(base)
        self.host, self.port = str(url.host), int(url.port or 80)
        self.head = (
            f"Host: {self.host}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.size = size
        self.idle: asyncio.Queue[Conn] = asyncio.Queue()

    async def __aenter__(self) -> Client:
        for _ in range(self.size):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.idle.put_nowait(Conn(reader, writer))
        return self

    async def __aexit__(self, *_: object) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().writer.close()

    async def post(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        conn = await self.idle.get()
        try:
            return await conn.post(path, payload, self.head)
        finally:
            self.idle.put_nowait(conn)


class Load:
    def __init__(self, client: Client, rng: random.Random) -> None:
        self.client = client
        self.rng = rng
        self.check_lat: list[float] = []
        self.outcome_lat: list[float] = []
        self.verdicts: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.pending: list[asyncio.Task[None]] = []

    async def check(self, scheduled: float) -> None:
        loop = asyncio.get_running_loop()
        status, decision = await self.client.post("/v1/check", body(self.rng.randrange(DEBTORS)))
        self.check_lat.append(loop.time() - scheduled)
        self.statuses[status] += 1
        self.verdicts[decision.get("verdict", "?")] += 1
        if decision.get("reservation") and self.rng.random() < OUTCOME_SHARE:
            self.pending.append(asyncio.create_task(self.outcome(decision["reservation"]["id"])))

    async def outcome(self, reservation: str) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self.rng.uniform(0.0, 0.5))  # the call rings, then the dialer reports
        start = loop.time()
        status, _ = await self.client.post(
            f"/v1/reservations/{reservation}/outcome", {"outcome": self.rng.choice(OUTCOMES)}
        )
        self.outcome_lat.append(loop.time() - start)
        self.statuses[status] += 1


async def open_loop(base: str, key: str, rate: float, seconds: float, seed: int) -> dict[str, Any]:
    async with Client(base, key, 64) as client:
        load = Load(client, random.Random(seed))
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for i in range(int(rate * seconds)):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(load.check(scheduled)))
        await asyncio.gather(*tasks)
        await asyncio.gather(*load.pending)
        elapsed = loop.time() - start
    return {
        "mode": f"open loop, {rate:g} checks/s offered",
        "seconds": round(elapsed, 1),
        "requests_per_s": round((len(load.check_lat) + len(load.outcome_lat)) / elapsed, 1),
        "checks_per_s": round(len(load.check_lat) / elapsed, 1),
        "check": summary(load.check_lat),
        "outcome": summary(load.outcome_lat),
        "verdicts": dict(load.verdicts),
        "statuses": dict(load.statuses),
    }


async def closed_loop(base: str, key: str, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    async with Client(base, key, clients * 2) as client:
        load = Load(client, random.Random(seed))
        loop = asyncio.get_running_loop()
        stop = loop.time() + seconds

        async def worker() -> None:
            while loop.time() < stop:
                await load.check(loop.time())

        start = loop.time()
        await asyncio.gather(*(worker() for _ in range(clients)))
        await asyncio.gather(*load.pending)
        elapsed = loop.time() - start
    return {
        "mode": f"closed loop, {clients} clients",
        "seconds": round(elapsed, 1),
        "requests_per_s": round((len(load.check_lat) + len(load.outcome_lat)) / elapsed, 1),
        "checks_per_s": round(len(load.check_lat) / elapsed, 1),
        "check": summary(load.check_lat),
        "outcome": summary(load.outcome_lat),
        "verdicts": dict(load.verdicts),
        "statuses": dict(load.statuses),
    }


@contextmanager
def quiet_collector() -> Iterator[None]:
    """No cyclic garbage collection in this (load) process while it measures: a full collection here
    paused the sending loop for 26–45 ms, and the requests scheduled in that pause were counted late,
    as if the server had been slow. (The server freezes its start-up heap itself: `serve` calls settle().)"""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


# --- in process ---------------------------------------------------------------------------------


class ServerCPU:
    """CPU seconds used by the PostgreSQL backends serving one database (read from /proc: the server runs on
    this machine); 0 for SQLite, whose work runs in this process and is counted in its CPU time."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        if self.engine.dialect.name != "postgresql":
            return 0.0
        with self.engine.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
            total = 0
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:  # not on this machine, or gone
                    continue
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / self.tick


def in_process(url: str, n: int, threads: int = 1) -> dict[str, Any]:
    """Engine + store read: load one debtor's history (contacts, events, open reservations) and decide.

    With `threads` > 1, that many threads share the n decisions, each on its own connection, as the
    server's worker threads do: on PostgreSQL one thread's decision runs while another's read is on the
    wire (a round trip on loopback costs about 150 µs here, more than the read and the decision's CPU)."""
    engine = make_engine(url)
    pack = load_pack("cn")
    now = datetime.now(UTC)
    rng = random.Random(7)
    debtors = [rng.randrange(DEBTORS) for _ in range(n)]
    planned = [
        Contact(
            id="p",
            at=datetime.fromisoformat(AT),
            channel="call",
            account=f"a-{d}",
            debtor=f"d-{d}",
            tz="Asia/Shanghai",
        )
        for d in debtors
    ]
    counts: list[Counter[str]] = [Counter() for _ in range(threads)]  # one per thread: += is not atomic

    def decide_share(share: list[Contact], verdicts: Counter[str]) -> None:
        with read_tx(engine) as conn:
            for c in share:
                history = repo.history_read(conn, c.debtor, now, [c.account], [c.party]).run(conn)
                verdicts[decide(pack, c, history.with_pending(), now).verdict] += 1

    workers = [
        threading.Thread(target=decide_share, args=(planned[i::threads], counts[i])) for i in range(threads)
    ]
    server_cpu = ServerCPU(engine)
    server_before = server_cpu()
    start, start_cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    server = server_cpu() - server_before
    engine.dispose()
    return {
        "decisions": n,
        "threads": threads,
        "decisions_per_s": round(n / elapsed),
        "cpu_ms": round(cpu / n * 1000, 3),  # per decision, this process
        "server_cpu_ms": round(server / n * 1000, 3),  # per decision, the PostgreSQL server
        "verdicts": dict(sum(counts, Counter())),
    }


class LockClock:
    """When the lock that serialises the gate's writes is taken, from the statements the gate sends: the
    SQLite write transaction's BEGIN IMMEDIATE, or PostgreSQL's log lock (`pg_advisory_xact_lock`, held
    from the log's state read to the COMMIT). Every log append in the database waits for it, whatever the
    number of server processes, so the time it is held per request bounds the requests per second."""

    def __init__(self, engine: Any) -> None:
        self.marker = "BEGIN IMMEDIATE" if engine.dialect.name == "sqlite" else "pg_advisory_xact_lock"
        self.taken: float | None = None
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements += 1
        if self.taken is None and self.marker in statement:
            self.taken = time.perf_counter()


def timed_calls(clock: LockClock, call: Any, args: list[Any]) -> tuple[dict[str, float], list[Any]]:
    """`call(arg)` for each arg, one by one: per call the wall time, this thread's CPU time, and how long
    the serialising lock was held (from its statement to the call's return, the COMMIT being the call's
    last step), in milliseconds, means; and the calls' results."""
    wall = cpu = held = 0.0
    statements = clock.statements
    results = []
    for arg in args:
        clock.taken = None
        start, start_cpu = time.perf_counter(), time.thread_time()
        results.append(call(arg))
        end = time.perf_counter()
        wall += end - start
        cpu += time.thread_time() - start_cpu
        held += end - (clock.taken or end)
    n = max(1, len(args))
    figures = {
        "ms": round(wall / n * 1000, 3),
        "cpu_ms": round(cpu / n * 1000, 3),
        "lock_ms": round(held / n * 1000, 3),
        "statements": round((clock.statements - statements) / n, 1),
    }
    return figures, results


def gate_path(url: str, workdir: Path, n: int) -> dict[str, Any]:
    """`Gate.check` then `record_outcome` for the allowed ones, in process, serially, log on: per request
    the time, the CPU time (this process, and the PostgreSQL server's), the statements, and how long the
    serialising lock is held (`LockClock`)."""
    engine = make_engine(url)
    gate = Gate(engine, PackBook("cn"), translog=TransparencyLog(engine, key_path=workdir / "log.key"))
    clock, server_cpu = LockClock(engine), ServerCPU(engine)
    rng = random.Random(11)
    caller = Caller(key_id="bench")
    before = server_cpu()
    debtors = [rng.randrange(DEBTORS) for _ in range(n)]
    check, replies = timed_calls(clock, lambda d: gate.check(body(d), caller), debtors)
    check["server_cpu_ms"] = round((server_cpu() - before) / n * 1000, 3)
    held = [r.body["reservation"]["id"] for r in replies if r.body.get("reservation")]
    before = server_cpu()
    outcome, _ = timed_calls(
        clock, lambda r: gate.record_outcome(r, {"outcome": rng.choice(OUTCOMES)}, caller), held
    )
    outcome["server_cpu_ms"] = round((server_cpu() - before) / max(1, len(held)) * 1000, 3)
    engine.dispose()
    return {"checks": n, "check": check, "outcomes": len(held), "outcome": outcome}


def budget(g: dict[str, Any], checks_per_s: float = 500.0) -> dict[str, float]:
    """What the open loop at `checks_per_s` asks of the machine, from the serial per-request figures: the
    lock's busy share of each second, and the CPU cores for the gate's work alone (no HTTP), in this process
    and in the database server. The load reports outcomes for OUTCOME_SHARE of the allowed checks."""
    outcomes_per_s = checks_per_s * OUTCOME_SHARE * g["outcomes"] / max(1, g["checks"])
    c, o = g["check"], g["outcome"]

    def per_s(key: str) -> float:
        return (checks_per_s * c[key] + outcomes_per_s * o[key]) / 1000

    return {
        "checks_per_s": checks_per_s,
        "outcomes_per_s": round(outcomes_per_s),
        "lock_busy_share": round(per_s("lock_ms"), 2),
        "gate_cpu_cores": round(per_s("cpu_ms"), 2),
        "db_server_cpu_cores": round(per_s("server_cpu_ms"), 2),
    }


# --- main ---------------------------------------------------------------------------------------


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, database(backend, args.pg, Path(tmp)) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        _, key = create_key(engine, "dialer", "benchmark")
        engine.dispose()
        result: dict[str, Any] = {"backend": backend}
        with server(url, Path(tmp), args.workers) as base:
            asyncio.run(closed_loop(base, key, 4, 3, 0))  # warm-up: first requests load code and caches
            with quiet_collector():
                result["runs"] = [
                    asyncio.run(open_loop(base, key, rate, args.seconds, 1 + i))
                    for i, rate in enumerate(args.rates)
                ]
                result["runs"].append(asyncio.run(closed_loop(base, key, args.clients, args.seconds, 99)))
        result["in_process"] = [in_process(url, args.decisions, t) for t in args.decision_threads]
        result["gate_path"] = gate_path(url, Path(tmp), args.gate_checks)
        result["budget"] = budget(result["gate_path"])
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "pg", "both"], default="both")
    ap.add_argument(
        "--pg", default=os.environ.get("FAIRCOLLECT_BENCH_PG") or os.environ.get("FAIRCOLLECT_TEST_PG")
    )
    ap.add_argument(
        "--rates",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[50.0, 500.0],
        help="checks per second offered, one open-loop run each (comma-separated)",
    )
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2, help="server processes (`serve --workers`)")
    ap.add_argument("--clients", type=int, default=32, help="concurrent clients (closed loop)")
    ap.add_argument("--decisions", type=int, default=5000, help="in-process decisions")
    ap.add_argument(
        "--decision-threads",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 2],
        help="threads sharing the in-process decisions, one run each (comma-separated)",
    )
    ap.add_argument("--gate-checks", type=int, default=1000, help="in-process gate checks (with outcomes)")
    args = ap.parse_args()
    backends = ["sqlite", "pg"] if args.backend == "both" else [args.backend]
    if "pg" in backends and not args.pg:
        print("PostgreSQL skipped: give --pg URL or set FAIRCOLLECT_TEST_PG", file=sys.stderr)
        backends.remove("pg")
    for backend in backends:
        result = run(backend, args)
        print(json.dumps(result, indent=2))
        for r in result["runs"]:
            print(
                f"{backend:6} {r['mode']:32} {r['requests_per_s']:8.1f} req/s  {r['checks_per_s']:7.1f} checks/s  "
                f"check p50 {r['check']['p50_ms']:7.1f} ms  p99 {r['check']['p99_ms']:8.1f} ms  "
                f"outcome p50 {r['outcome']['p50_ms']:7.1f} ms  p99 {r['outcome']['p99_ms']:8.1f} ms  "
                f"allowed {r['verdicts'].get('allow', 0) / max(1, sum(r['verdicts'].values())):.0%}"
            )
        for r in result["in_process"]:
            print(
                f"{backend:6} in-process engine + store read, {r['threads']} thread(s): "
                f"{r['decisions_per_s']} decisions/s; CPU per decision {r['cpu_ms']} ms here + "
                f"{r['server_cpu_ms']} ms in the database server"
            )
        g = result["gate_path"]
        for kind in ("check", "outcome"):
            f = g[kind]
            print(
                f"{backend:6} in-process gate path (log on), {kind:7}: {f['ms']} ms, CPU {f['cpu_ms']} ms here + "
                f"{f['server_cpu_ms']} ms in the database server, {f['statements']} statements, "
                f"lock held {f['lock_ms']} ms"
            )
        b = result["budget"]
        print(
            f"{backend:6} at {b['checks_per_s']:g} checks/s + {b['outcomes_per_s']} outcomes/s: the lock busy "
            f"{b['lock_busy_share']:.0%} of each second; the gate's work alone {b['gate_cpu_cores']} cores here + "
            f"{b['db_server_cpu_cores']} in the database server (the machine has {os.cpu_count()})"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
