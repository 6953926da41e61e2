"""The `faircollect` command: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from faircollect.cli import audit, check, demo, evidence, keys, ledger, log, policy, screen, serve

app = typer.Typer(
    name="faircollect",
    help="FairCollect: lawful, transparent, provable debt collection / 合规、透明、可证明的催收",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (audit, check, policy, screen, serve, keys, log, ledger, evidence, demo):
    module.register(app)


def main() -> None:
    app()
