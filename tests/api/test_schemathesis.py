"""Property-based run of the OpenAPI schema: generated requests never get a server error (the only 5xx
allowed is the gate's deliberate fail-closed 503, which must then be a block), and every response
matches the documented status codes, content type and schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from dbtest import Clock
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks
from sqlalchemy import Engine

from faircollect.api.app import create_app
from faircollect.gate.service import Gate
from faircollect.store.keys import create_key
from faircollect.store.translog import TransparencyLog

EXAMPLES = 15  # per operation: bounded, the machine is shared
ROLE = {"/v1/accounts/{account}/contacts": "auditor", "/v1/events": "admin"}


@pytest.fixture
def api_schema(engine: Engine, clock: Clock, tmp_path: Path) -> Any:
    translog = TransparencyLog(engine, key_path=tmp_path / "log.key")
    app = create_app(Gate(engine, clock=clock, translog=translog), translog)
    app.state.test_keys = {role: create_key(engine, role)[1] for role in ("admin", "dialer", "auditor")}
    return schemathesis.openapi.from_asgi("/openapi.json", app)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_api_has_no_server_error_and_keeps_its_schema(api_schema: Any) -> None:
    keys = api_schema.app.state.test_keys
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:
        fuzz(operation, {"Authorization": f"Bearer {keys[ROLE.get(operation.path, 'dialer')]}"})


def fuzz(operation: Any, auth: dict[str, str]) -> None:
    """Send generated requests to one operation and check every answer."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: Any) -> None:
        response = case.call(headers=auth)
        if response.status_code >= 500:  # only the deliberate fail-closed answer
            assert case.path == "/v1/check" and response.status_code == 503, response.text
            assert response.json()["verdict"] == "block"
        case.validate_response(response, checks=CHECKS)

    run()
