"""Model-based property: under the cn pack a planned call to one debtor on one day is allowed exactly when
the connected calls plus the open reservations leave room under 3, and the unanswered attempts plus the open
reservations leave room under 6 (an open reservation counts at its worst outcome in each tally), whatever
mix of checks, outcomes (also late ones) and waiting came before."""

from __future__ import annotations

import tempfile
from pathlib import Path

from dbtest import Clock, planned_call
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from faircollect.gate.service import Gate
from faircollect.store import migrate
from faircollect.store.db import make_engine
from faircollect.store.tables import contacts, reservations

Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("checks"), st.integers(1, 4)),  # that many checks in a row
        st.tuples(st.just("outcome"), st.integers(0, 4)),  # which reservation, and which outcome
        st.tuples(st.just("outcomes"), st.integers(0, 4)),  # every held reservation gets this outcome
        st.tuples(st.just("wait"), st.integers(1, 20)),  # minutes
    ),
    min_size=1,
    max_size=12,
)
OUTCOMES = ["connected", "unanswered", "busy", "voicemail", "failed"]
UNANSWERED = ("unanswered", "busy", "voicemail")


def tallies(engine: Engine, clock: Clock) -> tuple[int, int, int]:
    with engine.connect() as conn:
        connected = conn.execute(
            select(func.count()).select_from(contacts).where(contacts.c.outcome == "connected")
        ).scalar_one()
        unanswered = conn.execute(
            select(func.count()).select_from(contacts).where(contacts.c.outcome.in_(UNANSWERED))
        ).scalar_one()
        still_open = conn.execute(
            select(func.count())
            .select_from(reservations)
            .where(reservations.c.contact_id.is_(None), reservations.c.expires_at > clock.now)
        ).scalar_one()
    return connected, unanswered, still_open


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=steps)
def test_allowed_exactly_when_both_tallies_leave_room(ops: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "p.db"))
        migrate.upgrade(engine)
        clock = Clock()
        gate = Gate(engine, clock=clock)
        held: list[str] = []  # reservations without an outcome, expired or not
        for op, n in ops:
            if op == "checks":
                for _ in range(n):
                    connected, unanswered, still_open = tallies(engine, clock)
                    expected = connected + still_open < 3 and unanswered + still_open < 6
                    reply = gate.check(planned_call())
                    assert (reply.body["verdict"] == "allow") == expected, (connected, unanswered, still_open)
                    if expected:
                        held.append(reply.body["reservation"]["id"])
            elif op in ("outcome", "outcomes") and held:
                chosen = [held.pop(n % len(held))] if op == "outcome" else [held.pop() for _ in list(held)]
                for rid in chosen:
                    assert gate.record_outcome(rid, {"outcome": OUTCOMES[n]}).status == 201
            elif op == "wait":
                clock.advance(minutes=n)
        engine.dispose()
