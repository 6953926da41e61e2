"""Worker for the multi-process concurrency test: N threads check the same planned call at once.

Usage: python concurrent_checks.py DB_URL NOW_ISO GO_FILE THREADS BODY_JSON
Prints `ready` once connected, waits until GO_FILE exists, then prints one JSON list of verdicts.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from faircollect.gate.service import Gate
from faircollect.store.db import make_engine


def main() -> None:
    url, now_iso, go_file, threads, body_json = sys.argv[1:6]
    now = datetime.fromisoformat(now_iso)
    gate = Gate(make_engine(url, pool_size=int(threads)), clock=lambda: now)
    assert gate.healthy()
    body = json.loads(body_json)
    verdicts: list[str] = []
    lock = threading.Lock()
    go = Path(go_file)
    print("ready", flush=True)

    def one() -> None:
        while not go.exists():
            time.sleep(0.002)
        verdict = gate.check(body).body["verdict"]
        with lock:
            verdicts.append(verdict)

    workers = [threading.Thread(target=one) for _ in range(int(threads))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps(verdicts))


if __name__ == "__main__":
    main()
