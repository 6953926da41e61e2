"""`faircollect log verify | verify-receipt | head` on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner

from faircollect.cli import log as log_cli
from faircollect.store.db import make_engine, write_tx
from faircollect.store.meta import metadata
from faircollect.store.translog import TABLES, TransparencyLog, log_leaves
from faircollect.translog.receipts import receipt_json
from faircollect.translog.signing import b64, load_private_key, new_private_key, public_key_bytes

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    log_cli.register(app)

    @app.callback()
    def main() -> None:  # keep `log` a sub-command even with one group
        """test app"""

    return app


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, TransparencyLog]:
    monkeypatch.delenv("FAIRCOLLECT_LOG_KEY", raising=False)
    monkeypatch.delenv("FAIRCOLLECT_DB", raising=False)
    path = tmp_path / "faircollect.db"
    engine = make_engine(str(path), pool_size=1)
    metadata.create_all(engine, tables=list(TABLES))
    log = TransparencyLog(engine, sign_every_leaves=2)  # default key: beside the database file
    for i in range(5):
        with write_tx(engine) as conn:
            log.append(conn, {"type": "contact", "id": f"c-{i}", "account": "A", "debtor": "张三"})
    return str(path), log


def test_verify_clean_and_tampered(db: tuple[str, TransparencyLog]) -> None:
    path, log = db
    ok = runner.invoke(cli(), ["log", "verify", "--db", path, "--lang", "en"])
    assert ok.exit_code == 0, ok.output
    assert "intact: 5 leaves" in ok.output
    zh = runner.invoke(cli(), ["log", "verify", "--db", path, "--lang", "zh"])
    assert "透明日志完好" in zh.output
    with write_tx(log.engine) as conn:
        conn.execute(update(log_leaves).where(log_leaves.c.leaf_index == 3).values(leaf=b"{}"))
    bad = runner.invoke(cli(), ["log", "verify", "--db", path, "--lang", "en"])
    assert bad.exit_code == 1
    assert "first broken leaf: 3" in bad.output
    as_json = runner.invoke(cli(), ["log", "verify", "--db", path, "--format", "json"])
    assert json.loads(as_json.output)["first_broken_leaf"] == 3


def test_verify_uses_the_default_db(db: tuple[str, TransparencyLog], monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = db
    monkeypatch.chdir(Path(path).parent)
    assert runner.invoke(cli(), ["log", "verify"]).exit_code == 0
    monkeypatch.setenv("FAIRCOLLECT_DB", "sqlite:///" + str(Path(path).parent / "other.db"))
    missing = runner.invoke(cli(), ["log", "verify"])
    assert missing.exit_code == 2 and "no such database file" in missing.output


def test_verify_receipt_offline(db: tuple[str, TransparencyLog], tmp_path: Path) -> None:
    _, log = db
    with write_tx(log.engine) as conn:
        receipt = log.receipt(conn, 4)
    file = tmp_path / "receipt.json"
    file.write_text(receipt_json(receipt), encoding="utf-8")
    key = log.public_key_b64()
    ok = runner.invoke(cli(), ["log", "verify-receipt", str(file), "--public-key", key, "--lang", "en"])
    assert ok.exit_code == 0, ok.output
    assert "VALID" in ok.output and "leaf 4" in ok.output
    key_file = tmp_path / "log.pub"
    key_file.write_text(key + "\n")
    assert (
        runner.invoke(cli(), ["log", "verify-receipt", str(file), "--public-key", str(key_file)]).exit_code
        == 0
    )
    stdin = runner.invoke(cli(), ["log", "verify-receipt", "-"], input=file.read_bytes())
    assert stdin.exit_code == 0, stdin.output

    changed = bytearray(file.read_bytes())
    changed[changed.index(b"c-4") + 2] = ord("5")
    file.write_bytes(bytes(changed))
    bad = runner.invoke(cli(), ["log", "verify-receipt", str(file), "--lang", "en"])
    assert bad.exit_code == 1
    assert "INVALID" in bad.output and "changed" in bad.output


def test_verify_receipt_with_another_key_fails(db: tuple[str, TransparencyLog], tmp_path: Path) -> None:
    _, log = db
    with write_tx(log.engine) as conn:
        file = tmp_path / "r.json"
        file.write_text(receipt_json(log.receipt(conn, 0)))
    other = b64(public_key_bytes(load_private_key(new_private_key())))
    result = runner.invoke(cli(), ["log", "verify-receipt", str(file), "--public-key", other, "--lang", "en"])
    assert result.exit_code == 1 and "different key" in result.output


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = runner.invoke(cli(), ["log", "verify-receipt", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "none.json: FILE: cannot read" in missing.output
    bad_key = runner.invoke(
        cli(), ["log", "verify-receipt", str(tmp_path / "none.json"), "--public-key", "xyz"]
    )
    assert bad_key.exit_code == 2 and "--public-key" in bad_key.output
    empty = tmp_path / "empty.db"
    make_engine(str(empty)).connect().close()
    no_log = runner.invoke(cli(), ["log", "verify", "--db", str(empty)])
    assert no_log.exit_code == 2 and "log_leaves" in no_log.output


def test_head(db: tuple[str, TransparencyLog]) -> None:
    path, log = db
    result = runner.invoke(cli(), ["log", "head", "--db", path])
    assert result.exit_code == 0, result.output
    head = json.loads(result.output)
    assert head["tree_size"] == 5 and head["public_key"] == log.public_key_b64()
    assert set(head) == {"tree_size", "root_hash", "timestamp", "signature", "public_key"}


def test_a_damaged_key_file_is_reported_not_a_traceback(db: tuple[str, TransparencyLog]) -> None:
    path, log = db
    log.key_path.write_bytes(b"not a key")
    verify = runner.invoke(cli(), ["log", "verify", "--db", path, "--lang", "en"])
    assert verify.exit_code == 1 and "not an Ed25519 private key" in verify.output
    head = runner.invoke(cli(), ["log", "head", "--db", path])
    assert head.exit_code == 2 and "--key-file" in head.output
    assert verify.exception is None or isinstance(verify.exception, SystemExit)
