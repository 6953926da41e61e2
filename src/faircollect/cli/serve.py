"""`faircollect serve`: the gate's HTTP API over a database (SQLite file by default)."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from faircollect.cli.common import LangOption, bad_input, load_screener, resolve_lang, settle
from faircollect.gate.errors import GateError
from faircollect.gate.packs import PackBook
from faircollect.gate.service import DEFAULT_TTL, Gate
from faircollect.i18n import pick
from faircollect.store import migrate
from faircollect.store.db import make_engine, resolve_url
from faircollect.store.translog import TransparencyLog

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: FAIRCOLLECT_DB, else ./faircollect.db) / 数据库地址"),
]


def build_gate(
    db: str | None,
    pack: str,
    ttl: timedelta = DEFAULT_TTL,
    log_key: Path | None = None,
    upgrade: bool = True,
) -> tuple[Gate, TransparencyLog]:
    """Open (and migrate) the database and assemble the gate (shared with `faircollect demo`)."""
    engine = make_engine(db, background_checkpoint=True)
    if upgrade:
        migrate.upgrade(engine)
    translog = TransparencyLog(engine, key_path=log_key)
    gate = Gate(engine, PackBook(pack), screener=load_screener(), translog=translog, ttl=ttl)
    return gate, translog


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        db: DbOption = None,
        pack: Annotated[str, typer.Option("--pack", help="default pack for checks that name none")] = "cn",
        host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
        reservation_ttl: Annotated[
            float,
            typer.Option("--reservation-ttl", min=1, help="seconds a reservation waits for its outcome"),
        ] = DEFAULT_TTL.total_seconds(),
        log_key: Annotated[
            Path | None,
            typer.Option(
                "--log-key",
                help="transparency-log key file (default: FAIRCOLLECT_LOG_KEY, else beside the db)",
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                help="server processes (one per core; SQLite writers of all of them take turns) / 进程数",
            ),
        ] = 1,
        lang: LangOption = None,
    ) -> None:
        """Run the HTTP API (OpenAPI at /openapi.json) / 运行门控 HTTP 接口"""
        import uvicorn

        from faircollect.api.app import create_app

        chosen = resolve_lang(lang)
        try:
            gate, translog = build_gate(db, pack, timedelta(seconds=reservation_ttl), log_key)
        except GateError as e:
            bad_input([f"{pack}: --pack: {pick({'zh': e.zh, 'en': e.en}, chosen)}"])
        except SQLAlchemyError as e:
            where = resolve_url(db)
            print(f"{where}: --db: cannot open the database / 无法打开数据库: {e}", file=sys.stderr)
            raise typer.Exit(1) from None
        print(
            pick(
                {
                    "zh": f"门控已启动：http://{host}:{port}  （接口说明 /docs，默认规则包 {pack}）",
                    "en": f"gate listening on http://{host}:{port}  (API docs at /docs, default pack {pack})",
                },
                chosen,
            ),
            file=sys.stderr,
        )
        if workers == 1:
            app = create_app(gate, translog)
            settle()
            uvicorn.run(app, host=host, port=port, log_level="warning")
            return
        # Several processes: each builds its own gate from the same settings (the database is migrated and
        # the log key created above, once). uvicorn's supervisor restarts a worker that dies.
        translog.private_key()
        gate.engine.dispose()
        os.environ[WORKER_SETTINGS] = json.dumps(
            {"db": db, "pack": pack, "ttl": reservation_ttl, "log_key": str(translog.key_path)}
        )
        uvicorn.run(
            f"{__name__}:worker_app", factory=True, workers=workers, host=host, port=port, log_level="warning"
        )


WORKER_SETTINGS = "FAIRCOLLECT_SERVE_SETTINGS"


def worker_app() -> Any:
    """The app of one `serve --workers N` process, from the settings the parent left in the environment."""
    from faircollect.api.app import create_app

    s = json.loads(os.environ[WORKER_SETTINGS])
    gate, translog = build_gate(
        s["db"], s["pack"], timedelta(seconds=s["ttl"]), Path(s["log_key"]), upgrade=False
    )
    app = create_app(gate, translog)
    settle()
    return app
