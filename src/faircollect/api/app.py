"""The FastAPI application: the gate's routes, the transparency log's, JSON errors in zh and en."""

from __future__ import annotations

from fastapi import FastAPI

from faircollect import __version__
from faircollect.api import errors, logroutes, routes
from faircollect.api.fastlane import FastLane
from faircollect.gate.service import Gate
from faircollect.store.translog import TransparencyLog

DESCRIPTION = """FairCollect gate: ask before every collection contact; report its outcome after.
合规催收门控：每次联系前询问，联系后报告结果。

Authentication: `Authorization: Bearer <key>` (keys from `faircollect keys create`)."""


def create_app(gate: Gate, translog: TransparencyLog | None = None) -> FastAPI:
    """The API over `gate`; with `translog` (normally the gate's own) the log routes too."""
    app = FastAPI(title="FairCollect", version=__version__, description=DESCRIPTION)
    app.state.gate = gate
    app.state.translog = translog
    default_pack = gate.packs.get(None)[1].ref
    errors.install(app, default_pack)
    app.include_router(routes.router)
    app.add_middleware(FastLane, gate=gate, default_pack=default_pack)
    if translog is not None:
        app.include_router(logroutes.router)
    return app
