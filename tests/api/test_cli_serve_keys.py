"""`faircollect keys …` and `faircollect serve` from the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from faircollect.cli.app import app

runner = CliRunner()


def keys(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["keys", *args])
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_the_key_last_and_list_and_revoke(db_url: str) -> None:
    code, out, _ = keys("create", "--role", "dialer", "--db", db_url, "--label", "ivr-1", "--lang", "en")
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert key.startswith("fc_")
    key_id = key.split("_")[1]
    code, listed, _ = keys("list", "--db", db_url, "--lang", "en")
    assert code == 0 and key_id in listed and "dialer" in listed and "ivr-1" in listed
    assert key.split("_", 2)[2] not in listed  # the secret is never shown again
    assert keys("revoke", key_id, "--db", db_url)[0] == 0
    code, _, err = keys("revoke", key_id, "--db", db_url)
    assert code == 2 and key_id in err


def test_bad_role_exits_2() -> None:
    code, _, err = keys("create", "--role", "root", "--db", "sqlite:////nonexistent-dir/x.db")
    assert code == 2 and "--role" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tomorrow_10am_shanghai() -> str:
    """A planned time inside the cn pack's hours whatever the time of the run: the server judges a past
    time at the moment of the check (after 22:00 in Shanghai, outside those hours)."""
    zone = ZoneInfo("Asia/Shanghai")
    return datetime.combine(datetime.now(zone).date() + timedelta(days=1), dtime(10), zone).isoformat()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_on_loopback(tmp_path: Path, workers: int) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    code, out, _ = keys("create", "--role", "dialer", "--db", db)
    assert code == 0
    key = out.strip().splitlines()[-1]
    port = _free_port()
    env = {**os.environ, "FAIRCOLLECT_LOG_KEY": str(tmp_path / "log.key")}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("faircollect")),
            *("serve", "--db", db, "--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
        body = {"channel": "call", "account": "a", "debtor": "d", "at": _tomorrow_10am_shanghai()}
        resp = httpx.post(f"{base}/v1/check", json=body, headers={"Authorization": f"Bearer {key}"})
        assert resp.status_code == 200 and resp.json()["verdict"] == "allow"
        assert resp.json()["receipt"]["index"] == 0
        assert httpx.get(f"{base}/v1/log/head").json()["tree_size"] == 1

        # many connections at once (spread over the workers): the cn cap of 3 calls a day still holds
        def check(_: int) -> dict[str, Any]:
            with httpx.Client(timeout=30) as client:
                reply = client.post(f"{base}/v1/check", json=body, headers={"Authorization": f"Bearer {key}"})
                return dict(reply.json())

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(check, range(12)))
        assert sorted(a["verdict"] for a in answers).count("allow") == 2
        assert sorted(a["receipt"]["index"] for a in answers) == list(range(1, 13))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_with_an_unknown_pack_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--pack", "mars"])
    assert result.exit_code == 2 and "--pack" in result.stderr
