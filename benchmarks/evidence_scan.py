"""Evidence kit benchmark: 100,000 SMS + 20,000 calls → full report (findings, HTML, PDF, drafts, manifest).

Writes a year of a synthetic borrower's phone (examples/generate.py, family and bank traffic scaled up;
the collectors text and call as in the example), then runs `faircollect evidence scan` in a child process
and prints its wall time and peak resident memory. Target: ≤ 15 s and ≤ 500 MB.

    .venv/bin/python benchmarks/evidence_scan.py [--sms 100000] [--calls 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from faircollect.evidence.examples import generate

DAYS = 365


def write_export(out: Path, n_sms: int, n_calls: int) -> tuple[Path, Path]:
    sms, calls = out / "sms-20270301090000.xml", out / "calls-20270301090000.xml"
    # noise levels that give at least the wanted counts over a year; the streams are cut to the exact number
    generate.write_sms(
        sms, islice(generate.messages(DAYS, noise=max(1, n_sms // 3300), seed=1), n_sms), n_sms
    )
    generate.write_calls(
        calls, islice(generate.calls(DAYS, noise=max(1, n_calls // 1000), seed=2), n_calls), n_calls
    )
    return sms, calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the export and the report here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fc-evidence-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    sms, calls = write_export(work, args.sms, args.calls)
    t_gen = time.perf_counter() - t0
    out = work / "report"
    cmd = [
        sys.executable,
        "-c",
        "from faircollect.cli.app import main; main()",
        "evidence",
        "scan",
        str(sms),
        str(calls),
        "--collector",
        "+8613555556666",
        "--out",
        str(out),
    ]
    t1 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t1
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(proc.returncode)
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    from pypdf import PdfReader

    pages = len(PdfReader(out / "report.pdf").pages)
    t = doc["totals"]
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, screener: {doc['screener']}")
    print(
        f"export: {args.sms} SMS ({sms.stat().st_size / 1e6:.1f} MB) + {args.calls} calls ({calls.stat().st_size / 1e6:.1f} MB), written in {t_gen:.1f} s"
    )
    print(
        f"collectors: {t['collectors']}, collector contacts: {t['collector_contacts']}, findings: {t['findings']}, PDF pages: {pages}"
    )
    print(
        f"evidence scan → full report: {wall:.1f} s wall ({cpu:.1f} s CPU), peak RSS {peak_mb:.0f} MB (target ≤ 15 s, ≤ 500 MB)"
    )


if __name__ == "__main__":
    main()
