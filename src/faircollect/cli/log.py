"""`faircollect log` commands: check the transparency log, check one receipt offline, show the signed head."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import inspect, make_url
from sqlalchemy.exc import SQLAlchemyError

from faircollect.cli.common import LangOption, bad_input, resolve_lang
from faircollect.i18n import pick
from faircollect.store.db import make_engine, read_tx, resolve_url, write_tx
from faircollect.store.translog import TransparencyLog, VerifyReport
from faircollect.translog.receipts import verify_receipt
from faircollect.translog.signing import FormatError, load_public_key

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: FAIRCOLLECT_DB, else ./faircollect.db) / 数据库地址"),
]
PublicKeyOption = Annotated[
    str | None,
    typer.Option(
        "--public-key",
        help="the log's public key: base64, or a file holding it (base64 or PEM) / 日志公钥：base64 或其文件",
    ),
]
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file", help="the log's key file (default: FAIRCOLLECT_LOG_KEY, else beside the database)"
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="text | json")]

MAX_SHOWN = 20


def _public_key(value: str | None) -> str | bytes | None:
    """`--public-key`: a file if one exists at that path, else the key itself; checked here (exit 2)."""
    if value is None:
        return None
    path = Path(value)
    try:
        key: str | bytes = path.read_bytes() if path.is_file() else value
        load_public_key(key)
    except OSError as exc:
        bad_input([f"{value}: --public-key: cannot read ({exc.strerror}) / 无法读取"])
    except (FormatError, ValueError) as exc:
        bad_input([f"{value}: --public-key: {exc}"])
    return key


def _open_log(db: str | None, key_file: Path | None) -> TransparencyLog:
    url = resolve_url(db)
    parsed = make_url(url)  # printed as such: the password is masked
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        bad_input([f"{parsed.database}: --db: no such database file / 数据库文件不存在"])
    try:
        engine = make_engine(url, pool_size=1)
        present = inspect(engine).has_table("log_leaves")
    except SQLAlchemyError as exc:
        bad_input([f"{parsed}: --db: cannot open the database ({type(exc).__name__}) / 无法打开数据库"])
    if not present:
        bad_input([f"{parsed}: log_leaves: no transparency log in this database / 该数据库中没有透明日志"])
    return TransparencyLog(engine, key_path=key_file)


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        bad_input([f"--format: must be text or json, not {fmt!r} / 格式须为 text 或 json"])


def _print_report(report: VerifyReport, lang: str) -> None:
    if report.ok:
        print(
            pick(
                {
                    "zh": f"透明日志完好：{report.leaves} 个叶、{report.nodes} 个树哈希、{report.heads} 个签名树头均已核验",
                    "en": f"log intact: {report.leaves} leaves, {report.nodes} tree hashes and "
                    f"{report.heads} signed heads checked",
                },
                lang,
            )
        )
        return
    print(
        pick(
            {
                "zh": f"透明日志已被改动：发现 {report.total} 处问题",
                "en": f"log TAMPERED: {report.total} problem(s)",
            },
            lang,
        )
    )
    if report.first_broken_leaf is not None:
        print(
            pick(
                {
                    "zh": f"首个损坏的叶：第 {report.first_broken_leaf} 号",
                    "en": f"first broken leaf: {report.first_broken_leaf}",
                },
                lang,
            )
        )
    elif report.broken_range is not None:
        lo, hi = report.broken_range
        print(
            pick(
                {
                    "zh": f"损坏的叶位于第 {lo}..{hi - 1} 号之间",
                    "en": f"the broken leaf is among leaves {lo}..{hi - 1}",
                },
                lang,
            )
        )
    for problem in report.problems[:MAX_SHOWN]:
        print(f"  - {pick(problem.message, lang)}")
    if report.total > MAX_SHOWN:
        rest = report.total - min(len(report.problems), MAX_SHOWN)
        print(pick({"zh": f"  … 另有 {rest} 处", "en": f"  … {rest} more"}, lang))


def verify(
    db: DbOption = None,
    public_key: PublicKeyOption = None,
    key_file: KeyFileOption = None,
    fmt: FormatOption = "text",
    lang: LangOption = None,
) -> None:
    """Recompute the log from its stored leaves; check every signed head (exit 1 if anything was changed).
    重新计算日志并核验每个签名树头（发现改动时退出码为 1）。"""
    chosen = resolve_lang(lang)
    _check_format(fmt)
    key = _public_key(public_key)
    log = _open_log(db, key_file)
    try:
        with read_tx(log.engine) as conn:
            report = log.verify(conn, public_key=key)
    except SQLAlchemyError as exc:
        bad_input(
            [
                f"{log.engine.url}: --db: the database failed during the check ({type(exc).__name__}) / 核验中数据库出错"
            ]
        )
    if fmt == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, chosen)
    raise typer.Exit(0 if report.ok else 1)


def verify_receipt_cmd(
    file: Annotated[str, typer.Argument(help="receipt JSON file, or - for stdin / 回执文件")],
    public_key: PublicKeyOption = None,
    fmt: FormatOption = "text",
    lang: LangOption = None,
) -> None:
    """Check one receipt offline, without the database (exit 1 if it does not verify).
    离线核验一张回执，无需数据库（未通过时退出码为 1）。"""
    chosen = resolve_lang(lang)
    _check_format(fmt)
    key = _public_key(public_key)
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        bad_input([f"{file}: FILE: cannot read ({exc.strerror}) / 无法读取"])
    check = verify_receipt(data, key)
    if fmt == "json":
        print(json.dumps(check.to_dict(), ensure_ascii=False, indent=2))
    elif check.ok:
        trust = (
            {"zh": "签名由您提供的公钥核验", "en": "signed by the key you gave"}
            if key is not None
            else {
                "zh": "签名由回执自带的公钥核验；请与贷款方公布的公钥比对",
                "en": "signed by the receipt's own key; compare it with the lender's published key",
            }
        )
        print(
            pick(
                {
                    "zh": f"回执有效：该记录是日志第 {check.index} 号叶，包含在大小为 {check.tree_size} 的签名树中（{pick(trust, 'zh')}）",
                    "en": f"receipt VALID: the record is leaf {check.index} of the signed tree of size "
                    f"{check.tree_size} ({pick(trust, 'en')})",
                },
                chosen,
            )
        )
    else:
        print(
            pick(
                {
                    "zh": f"回执无效：{pick(check.reason, 'zh')}",
                    "en": f"receipt INVALID: {pick(check.reason, 'en')}",
                },
                chosen,
            )
        )
    raise typer.Exit(0 if check.ok else 1)


def head(db: DbOption = None, key_file: KeyFileOption = None, lang: LangOption = None) -> None:
    """Print the latest signed tree head and the log's public key (signing a new head if one is due).
    输出最新的签名树头与日志公钥。"""
    resolve_lang(lang)
    log = _open_log(db, key_file)
    try:
        with write_tx(log.engine) as conn:
            document: dict[str, Any] = log.signed_head(conn)
    except (FormatError, ValueError) as exc:
        bad_input([f"{log.key_path}: --key-file: {exc} / 日志密钥不可用"])
    except SQLAlchemyError as exc:
        bad_input([f"{log.engine.url}: --db: cannot read the log ({type(exc).__name__}) / 无法读取日志"])
    except OSError as exc:
        bad_input([f"{log.key_path}: --key-file: {exc.strerror} / 无法读写日志密钥"])
    print(json.dumps(document, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        help="Transparency log: verify it, verify a receipt, show the signed head / 透明日志",
        no_args_is_help=True,
    )
    sub.command("verify")(verify)
    sub.command("verify-receipt")(verify_receipt_cmd)
    sub.command("head")(head)
    app.add_typer(sub, name="log")
