"""Audit throughput of the rule engine: synthetic contacts through the cn pack, no text (issue 2).

    .venv/bin/python benchmarks/audit_throughput.py [--contacts 1000000] [--debtors 50000] [--profile]

Measures, each in a fresh process so that peak memory (ru_maxrss) belongs to one measurement:
  engine   records already in memory: `run_audit` only (grouping by debtor, replay, sorting findings);
  e2e      from a JSONL file on disk: `read_path` (parse and validate) and then `run_audit`;
each with one process and with `workers=2`. `--profile` adds a cProfile of the one-process engine run
(top 25 functions by own time). Target: ≥ 200,000 contacts/s on one core and < 2 GB peak.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faircollect.audit.runner import run_audit
from faircollect.audit.synthetic import generate_bulk, to_jsonl_lines
from faircollect.io.readers import read_path
from faircollect.policy.pack import load_pack

TARGET_RATE = 200_000
TARGET_PEAK_MB = 2048


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: the machine is shared, so wall time alone
    says as much about the neighbours as about the engine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _engine(args: argparse.Namespace) -> dict[str, Any]:
    pack = load_pack("cn")
    t0 = time.perf_counter()
    records = list(generate_bulk(args.contacts, args.debtors, seed=args.seed))
    generated = time.perf_counter() - t0
    before = _peak_mb()
    c0, t0 = _cpu(), time.perf_counter()
    result = run_audit(pack, records, workers=args.workers)
    elapsed = time.perf_counter() - t0
    return {
        "cpu_s": _cpu() - c0,
        "generate_s": generated,
        "peak_before_audit_mb": before,
        "audit_s": elapsed,
        "total_s": elapsed,
        "contacts": result.contacts,
        "findings": len(result.findings),
    }


def _e2e(args: argparse.Namespace) -> dict[str, Any]:
    pack = load_pack("cn")
    c0, t0 = _cpu(), time.perf_counter()
    read = read_path(args.file)
    parsed = time.perf_counter() - t0
    if read.error_count:
        raise SystemExit(f"{args.file}: {read.error_count} bad lines, first: {read.errors[0]}")
    t1 = time.perf_counter()
    result = run_audit(pack, read.records, workers=args.workers)
    done = time.perf_counter()
    return {
        "cpu_s": _cpu() - c0,
        "read_s": parsed,
        "audit_s": done - t1,
        "total_s": done - t0,
        "contacts": result.contacts,
        "findings": len(result.findings),
    }


def _profile(args: argparse.Namespace) -> dict[str, Any]:
    pack = load_pack("cn")
    records = list(generate_bulk(args.contacts, args.debtors, seed=args.seed))
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    run_audit(pack, records)
    profiler.disable()
    elapsed = time.perf_counter() - t0
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    return {"total_s": elapsed, "contacts": len(records), "report": out.getvalue()}


PHASES = {"engine": _engine, "e2e": _e2e, "profile": _profile}


def _run_phase(args: argparse.Namespace) -> None:
    figures = PHASES[args.phase](args)
    figures["peak_mb"] = _peak_mb()
    figures["peak_child_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(figures))


def _spawn(phase: str, args: argparse.Namespace, workers: int, file: str | None = None) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--contacts",
        str(args.contacts),
        "--debtors",
        str(args.debtors),
        "--seed",
        str(args.seed),
        "--workers",
        str(workers),
    ]
    if file:
        cmd += ["--file", file]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {phase} failed with exit code {done.returncode}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _write_jsonl(args: argparse.Namespace, path: Path) -> float:
    t0 = time.perf_counter()
    with path.open("w", encoding="utf-8") as out:
        for line in to_jsonl_lines(generate_bulk(args.contacts, args.debtors, seed=args.seed)):
            out.write(line + "\n")
    return time.perf_counter() - t0


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores {platform.machine()} ({model}), Python {platform.python_version()}"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _line(name: str, f: dict[str, Any]) -> str:
    rate = f["contacts"] / f["total_s"]
    per_cpu = f["contacts"] / f["cpu_s"]
    child = f" (largest worker {f['peak_child_mb']:,.0f} MB)" if f["peak_child_mb"] > 1 else ""
    parts = (
        f"read {f['read_s']:.1f} s + audit {f['audit_s']:.1f} s"
        if "read_s" in f
        else f"audit {f['audit_s']:.1f} s"
    )
    return (
        f"{name:<22} {rate:>9,.0f} contacts/s wall, {per_cpu:>9,.0f} per CPU-second   "
        f"{f['total_s']:6.1f} s ({parts}; CPU {f['cpu_s']:.1f} s)   "
        f"peak {f['peak_mb']:,.0f} MB{child}   findings {f['findings']:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--debtors", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also profile the one-process engine run")
    parser.add_argument("--no-workers", action="store_true", help="skip the workers=2 runs")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _run_phase(args)
        return

    print(f"audit throughput: {args.contacts:,} contacts, {args.debtors:,} debtors, cn pack, no text")
    print(f"machine: {_machine()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load {_load()}")
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmp:
        path = Path(tmp) / "contacts.jsonl"
        written = _write_jsonl(args, path)
        print(f"input: {path.stat().st_size / 2**20:,.0f} MiB JSONL written in {written:.1f} s")
        runs = [("engine, 1 process", "engine", 1), ("end to end, 1 process", "e2e", 1)]
        if not args.no_workers:
            runs += [("engine, workers=2", "engine", 2), ("end to end, workers=2", "e2e", 2)]
        results = {}
        for name, phase, workers in runs:
            results[name] = f = _spawn(phase, args, workers, str(path))
            print(_line(name, f), flush=True)
    print(f"load average after the runs: {_load()}")
    one = results["engine, 1 process"]
    rate = one["contacts"] / one["cpu_s"]
    peak = max(f["peak_mb"] + f["peak_child_mb"] for f in results.values())
    print(
        f"target ≥ {TARGET_RATE:,} contacts/s on one core (engine, per CPU-second): "
        f"{'met' if rate >= TARGET_RATE else 'NOT met'} ({rate:,.0f}); peak < {TARGET_PEAK_MB:,} MB: {'met' if peak < TARGET_PEAK_MB else 'NOT met'} "
        f"(highest {peak:,.0f} MB, parent + largest worker)"
    )
    if args.profile:
        prof = _spawn("profile", args, 1)
        print(f"\ncProfile of the one-process engine run ({prof['total_s']:.1f} s under the profiler):")
        print(prof["report"])


if __name__ == "__main__":
    main()
