"""The gate over a real database: check → reserve → outcome, stored decisions, idempotency, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from dbtest import Clock, planned_call
from sqlalchemy import Engine, func, select

from faircollect.gate.errors import GateError
from faircollect.gate.service import Caller, Gate
from faircollect.policy.screener import ScreenResult, Span
from faircollect.store.tables import contacts, decisions, reservations


@pytest.fixture
def gate(engine: Engine, clock: Clock) -> Gate:
    return Gate(engine, clock=clock)


def allowed(gate: Gate, n: int, **extra: Any) -> list[dict[str, Any]]:
    replies = [gate.check(planned_call(**extra)) for _ in range(n)]
    return [r.body["reservation"] for r in replies if r.body["verdict"] == "allow"]


def test_allow_reserves_and_the_fourth_connected_call_is_blocked(gate: Gate) -> None:
    got = [gate.check(planned_call()) for _ in range(4)]
    assert [r.status for r in got] == [200] * 4
    assert [r.body["verdict"] for r in got] == ["allow", "allow", "allow", "block"]
    for r in got[:3]:
        res = r.body["reservation"]
        assert res["id"].startswith("r-") and res["expires_at"] == "2026-03-02T02:15:00+00:00"
    blocked = got[3].body
    assert blocked["reservation"] is None
    assert [f["code"] for f in blocked["findings"]] == ["frequency.connected_calls_day"]
    assert blocked["next_allowed_at"] is not None
    assert blocked["pack"]["id"] == "cn" and len(blocked["pack"]["sha256"]) == 64


def test_a_plan_dated_in_the_past_is_reserved_for_now_and_counts_today(gate: Gate, engine: Engine) -> None:
    """A stale `at` cannot slip a reservation onto a past day, where today's tally would not see it."""
    stale = planned_call(at="2026-01-05T10:00:00+08:00")
    assert [gate.check(stale).body["verdict"] for _ in range(4)] == ["allow"] * 3 + ["block"]
    with engine.connect() as conn:
        stored = conn.execute(select(reservations.c.planned)).scalars().all()
    assert {p["at"] for p in stored} == {"2026-03-02T10:00:00+08:00"}  # the gate's now, in the plan's offset


def test_every_decision_is_stored_blocked_ones_too(gate: Gate, engine: Engine) -> None:
    verdicts = [gate.check(planned_call()).body for _ in range(5)]
    with engine.connect() as conn:
        rows = conn.execute(select(decisions).order_by(decisions.c.seq)).all()
    assert [r.verdict for r in rows] == ["allow"] * 3 + ["block"] * 2
    assert [r.id for r in rows] == [v["id"] for v in verdicts]
    assert {(r.pack_id, r.pack_sha256) for r in rows} == {("cn", verdicts[0]["pack"]["sha256"])}
    assert rows[4].findings[0]["code"] == "frequency.connected_calls_day"
    assert rows[4].reservation_id is None and rows[0].reservation_id == verdicts[0]["reservation"]["id"]


def test_outcomes_free_the_right_number_of_slots(gate: Gate) -> None:
    first = allowed(gate, 5)
    assert len(first) == 3
    # one conversation, two unanswered: the connected tally is 1, so two more calls may be planned
    for res, outcome in zip(first, ["connected", "unanswered", "busy"], strict=True):
        reply = gate.record_outcome(res["id"], {"outcome": outcome})
        assert reply.status == 201 and reply.body["contact"]["outcome"] == outcome
    assert len(allowed(gate, 5)) == 2


def test_expired_reservation_frees_its_slot(gate: Gate, clock: Clock) -> None:
    assert len(allowed(gate, 4)) == 3
    clock.advance(minutes=14, seconds=59)
    assert len(allowed(gate, 1)) == 0
    clock.advance(seconds=1)  # at exactly 15 minutes a reservation no longer counts
    assert len(allowed(gate, 4)) == 3


def test_reservation_time_to_live_is_configurable(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock, ttl=timedelta(seconds=30))
    (res,) = allowed(gate, 1)
    assert res["expires_at"] == "2026-03-02T02:00:30+00:00"


def test_a_late_outcome_is_still_recorded_and_says_so(gate: Gate, clock: Clock, engine: Engine) -> None:
    (res,) = allowed(gate, 1)
    clock.advance(minutes=20)
    reply = gate.record_outcome(res["id"], {"outcome": "connected", "duration_s": 42})
    assert reply.status == 201 and reply.body["reservation"]["expired"] is True
    with engine.connect() as conn:
        row = conn.execute(select(contacts)).one()
    assert (row.id, row.reservation_id, row.duration_s) == (res["id"], res["id"], 42.0)


def test_a_recorded_outcome_is_judged(gate: Gate) -> None:
    # three conversations today; a fourth call dialled outside the gate is a violation when recorded
    for res in allowed(gate, 3):
        gate.record_outcome(res["id"], {"outcome": "connected"})
    body = planned_call(id="c-direct", outcome="connected", at="2026-03-02T11:00:00+08:00")
    reply = gate.record_contact(body)
    assert reply.status == 201
    assert [f["code"] for f in reply.body["findings"]] == ["frequency.connected_calls_day"]


def test_second_outcome_for_a_reservation_is_a_conflict(gate: Gate) -> None:
    (res,) = allowed(gate, 1)
    gate.record_outcome(res["id"], {"outcome": "unanswered"})
    with pytest.raises(GateError) as e:
        gate.record_outcome(res["id"], {"outcome": "connected"})
    assert e.value.status == 409 and e.value.en and e.value.zh


def test_unknown_reservation_is_404(gate: Gate) -> None:
    with pytest.raises(GateError) as e:
        gate.record_outcome("r-nope", {"outcome": "connected"})
    assert e.value.status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "call", "account": "a"}, "debtor"),
        ({**planned_call(), "channel": "pigeon"}, "channel"),
        ({**planned_call(), "at": "tomorrow"}, "at"),
        ({**planned_call(), "at": "2026-03-02T10:00:00"}, "at"),
        ({**planned_call(), "tz": "Mars/Olympus"}, "tz"),
        ({**planned_call(), "outcome": "connected"}, "outcome"),
        ({**planned_call(), "colour": "red"}, "colour"),
        ({**planned_call(), "pack": "/etc/passwd"}, "pack"),
    ],
)
def test_bad_planned_contacts_name_the_field(gate: Gate, body: dict[str, Any], field: str) -> None:
    with pytest.raises(GateError) as e:
        gate.check(body)
    assert (e.value.status, e.value.field) == (422, field)
    assert field in e.value.en and field in e.value.zh


def test_bad_outcome_reports_are_refused(gate: Gate) -> None:
    (res,) = allowed(gate, 1)
    for body, field in (
        ({"outcome": "delivered"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "connected", "x": 1}, "x"),
    ):
        with pytest.raises(GateError) as e:
            gate.record_outcome(res["id"], body)
        assert (e.value.status, e.value.field) == (422, field)


def test_a_given_contact_id_cannot_be_reused(gate: Gate) -> None:
    first = gate.check(planned_call(id="plan-1"))
    assert first.body["reservation"] is not None
    with pytest.raises(GateError) as e:
        gate.check(planned_call(id="plan-1"))
    assert (e.value.status, e.value.field) == (409, "id")
    reply = gate.record_outcome(first.body["reservation"]["id"], {"outcome": "connected"})
    assert reply.body["contact"]["id"] == "plan-1"


def test_account_of_another_debtor_is_a_conflict(gate: Gate) -> None:
    gate.check(planned_call(debtor="d-1", account="a-1"))
    with pytest.raises(GateError) as e:
        gate.check(planned_call(debtor="d-2", account="a-1"))
    assert e.value.status == 409


def test_events_change_the_next_decision(gate: Gate) -> None:
    reply = gate.record_event(
        {"id": "e-1", "at": "2026-03-01T09:00:00+08:00", "kind": "dispute_opened", "account": "a-1"}
    )
    assert reply.status == 201 and reply.body["event"]["kind"] == "dispute_opened"
    decision = gate.check(planned_call())
    assert decision.body["verdict"] == "block"
    assert [f["code"] for f in decision.body["findings"]] == ["hold.dispute"]
    assert decision.body["next_allowed_at"] is None
    with pytest.raises(GateError) as e:
        gate.record_event(
            {"id": "e-1", "at": "2026-03-01T09:00:00+08:00", "kind": "dispute_opened", "account": "a-1"}
        )
    assert e.value.status == 409


def test_quiet_hours_block_with_the_next_allowed_time(gate: Gate) -> None:
    reply = gate.check(planned_call(at="2026-03-02T23:00:00+08:00"))
    assert reply.body["verdict"] == "block"
    assert [f["code"] for f in reply.body["findings"]] == ["time.quiet_hours"]
    assert reply.body["next_allowed_at"] == "2026-03-03T08:00:00+08:00"


# --- idempotency --------------------------------------------------------------------------------


def test_a_repeated_check_returns_the_first_answer_and_counts_once(gate: Gate, engine: Engine) -> None:
    caller = Caller(key_id="k1", idempotency_key="dial-42")
    first = gate.check(planned_call(), caller)
    again = gate.check(planned_call(), caller)
    assert again == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reservations)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 1
    assert len(allowed(gate, 3)) == 2  # the retry took no second slot


def test_the_same_idempotency_key_with_another_body_is_refused(gate: Gate) -> None:
    caller = Caller(key_id="k1", idempotency_key="dial-42")
    gate.check(planned_call(), caller)
    with pytest.raises(GateError) as e:
        gate.check(planned_call(at="2026-03-02T11:00:00+08:00"), caller)
    assert e.value.status == 409


def test_idempotency_keys_belong_to_one_api_key(gate: Gate) -> None:
    a = gate.check(planned_call(), Caller(key_id="k1", idempotency_key="same"))
    b = gate.check(planned_call(), Caller(key_id="k2", idempotency_key="same"))
    assert a.body["id"] != b.body["id"]


def test_a_repeated_outcome_returns_the_first_answer(gate: Gate, engine: Engine) -> None:
    (res,) = allowed(gate, 1)
    caller = Caller(key_id="k1", idempotency_key="out-1")
    first = gate.record_outcome(res["id"], {"outcome": "connected"}, caller)
    again = gate.record_outcome(res["id"], {"outcome": "connected"}, caller)
    assert again == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(contacts)).scalar() == 1


def test_a_repeated_contact_and_event_count_once(gate: Gate, engine: Engine) -> None:
    caller = Caller(key_id="k1", idempotency_key="imp-1")
    body = planned_call(id="c-in", direction="inbound", outcome="connected")
    assert gate.record_contact(body, caller) == gate.record_contact(body, caller)
    event = {
        "id": "e-1",
        "at": "2026-03-01T09:00:00+08:00",
        "kind": "opt_out",
        "party": "d-1",
        "channel": "sms",
    }
    caller = Caller(key_id="k1", idempotency_key="ev-1")
    assert gate.record_event(event, caller) == gate.record_event(event, caller)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(contacts)).scalar() == 1


# --- history ------------------------------------------------------------------------------------


def test_account_history_shows_contacts_findings_and_blocked_attempts(gate: Gate) -> None:
    for res in allowed(gate, 4):
        gate.record_outcome(res["id"], {"outcome": "connected"})
    gate.record_event(
        {"id": "e-1", "at": "2026-03-02T12:00:00+08:00", "kind": "cease_request", "account": "a-1"}
    )
    body = gate.account_history("a-1").body
    assert body["debtor"] == "d-1"
    assert len(body["contacts"]) == 3 and all(c["findings"] == [] for c in body["contacts"])
    assert [d["verdict"] for d in body["decisions"]] == ["allow"] * 3 + ["block"]
    assert body["decisions"][3]["findings"][0]["code"] == "frequency.connected_calls_day"
    assert [e["id"] for e in body["events"]] == ["e-1"]
    assert body["next"] is None
    page = gate.account_history("a-1", limit=2).body
    assert len(page["decisions"]) == 2 and page["next"] == {
        "after_contact": page["contacts"][-1]["seq"],
        "after_decision": page["decisions"][-1]["seq"],
    }
    rest = gate.account_history("a-1", **page["next"], limit=2).body
    assert [d["verdict"] for d in rest["decisions"]] == ["allow", "block"]


def test_history_of_unknown_account_is_404(gate: Gate) -> None:
    with pytest.raises(GateError) as e:
        gate.account_history("nope")
    assert e.value.status == 404


# --- screening --------------------------------------------------------------------------------------


class FakeScreener:
    """A screener double: "坐牢" is a threat of arrest; "也许" makes screening unsure."""

    def screen(self, text: str) -> ScreenResult:
        if "坐牢" in text:
            start = text.index("坐牢")
            return ScreenResult(
                ("threat.arrest",),
                "block",
                True,
                {"threat.arrest": 0.99},
                (Span(start, start + 2, "threat.arrest", "坐牢"),),
            )
        return ScreenResult((), "review" if "也许" in text else "allow", True, {})


def test_content_violation_blocks_for_good(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock, screener=FakeScreener())
    reply = gate.check(planned_call(channel="sms", text="不还钱就让你坐牢"))
    assert reply.body["verdict"] == "block" and reply.body["next_allowed_at"] is None
    assert [f["code"] for f in reply.body["findings"]] == ["content.threat.arrest"]
    assert reply.body["screening"]["labels"] == ["threat.arrest"]


def test_unsure_screening_is_review_without_reservation(engine: Engine, clock: Clock) -> None:
    gate = Gate(engine, clock=clock, screener=FakeScreener())
    reply = gate.check(planned_call(channel="sms", text="也许您忘了还款"))
    assert reply.body["verdict"] == "review" and reply.body["reservation"] is None


def test_without_a_screener_the_decision_says_content_rules_are_off(gate: Gate) -> None:
    reply = gate.check(planned_call(channel="sms", text="不还钱就让你坐牢"))
    assert reply.body["verdict"] == "allow"
    assert reply.body["screening"]["status"] == "off"


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.check(planned_call(debtor="d-\x00")),
        lambda g: g.check({**planned_call(), "text": "hello\x00"}),
        lambda g: g.record_contact(
            {**planned_call(), "id": "c-1", "outcome": "connected", "address": "\x00"}
        ),
        lambda g: g.record_event(
            {"id": "e-1", "at": "2026-03-02T10:00:00+08:00", "kind": "opt_out", "party": "\x00"}
        ),
        lambda g: g.record_outcome("r-1", {"outcome": "connected", "text": "\x00"}),
    ],
)
def test_a_nul_character_is_bad_input_not_a_store_failure(gate: Gate, call: Any, engine: Engine) -> None:
    """PostgreSQL text cannot hold U+0000: refused as input on both backends, nothing stored."""
    with pytest.raises(GateError) as err:
        call(gate)
    assert err.value.status == 422 and "U+0000" in err.value.en
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 0


@pytest.mark.parametrize("route", ["outcome", "history"])
def test_a_nul_in_an_id_is_not_found(gate: Gate, route: str) -> None:
    with pytest.raises(GateError) as err:
        if route == "outcome":
            gate.record_outcome("r-\x00", {"outcome": "connected"})
        else:
            gate.account_history("a-\x00")
    assert err.value.status == 404
