"""`faircollect keys`: create, list and revoke API keys (stored only as hashes)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from faircollect.cli.common import LangOption, bad_input, resolve_lang
from faircollect.i18n import pick
from faircollect.store import migrate
from faircollect.store.db import make_engine, resolve_url
from faircollect.store.keys import ROLES, create_key, list_keys, revoke_key

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: FAIRCOLLECT_DB, else ./faircollect.db) / 数据库地址"),
]
ROLE_TEXT = {
    "admin": {"zh": "管理员", "en": "admin"},
    "dialer": {"zh": "外呼系统", "en": "dialer"},
    "auditor": {"zh": "审计", "en": "auditor"},
}

keys_app = typer.Typer(help="API keys for the gate / 门控接口密钥", no_args_is_help=True)


def _engine(db: str | None) -> Engine:
    try:
        engine = make_engine(db)
        migrate.upgrade(engine)
    except SQLAlchemyError as e:
        bad_input([f"{resolve_url(db)}: --db: cannot open the database / 无法打开数据库: {e}"])
    return engine


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="admin | dialer | auditor")],
    db: DbOption = None,
    label: Annotated[str | None, typer.Option("--label", help="a note: who holds the key")] = None,
    lang: LangOption = None,
) -> None:
    """Print a new API key (the last line); only its hash is stored / 生成新密钥（最后一行），只保存其哈希"""
    chosen = resolve_lang(lang)
    if role not in ROLES:
        bad_input([f"--role: must be one of {', '.join(ROLES)}, not {role!r} / 角色须为 {'、'.join(ROLES)}"])
    record, key = create_key(_engine(db), role, label)
    typer.echo(
        pick(
            {
                "zh": f"已创建{ROLE_TEXT[role]['zh']}密钥 {record.id}。密钥只显示这一次，请妥善保存：",
                "en": f"created {role} key {record.id}. It is shown only once; keep it safe:",
            },
            chosen,
        )
    )
    typer.echo(key)


@keys_app.command("list")
def list_(db: DbOption = None, lang: LangOption = None) -> None:
    """List keys (id, role, created, revoked); secrets are never shown / 列出密钥"""
    chosen = resolve_lang(lang)
    header = {"zh": "编号\t角色\t创建时间\t吊销时间\t备注", "en": "id\trole\tcreated\trevoked\tlabel"}
    typer.echo(pick(header, chosen))
    for k in list_keys(_engine(db)):
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        created = k.created_at.isoformat(timespec="seconds")
        typer.echo(f"{k.id}\t{k.role}\t{created}\t{revoked}\t{k.label or ''}")


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (from `keys list`) or the key itself")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Revoke a key; it stops working at once / 吊销密钥，立即失效"""
    chosen = resolve_lang(lang)
    if not revoke_key(_engine(db), key_id):
        bad_input([f"{key_id}: no active key with this id / 没有该编号的有效密钥"])
    typer.echo(pick({"zh": f"已吊销密钥 {key_id}", "en": f"revoked key {key_id}"}, chosen))


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
