"""The online gate: check → reserve → record outcome, atomically per debtor, failing closed.

Every decision is stored (blocked ones too) with its pack id and hash, and appended to the transparency
log in the same transaction. A reservation counts in every tally at its worst outcome until its outcome
arrives or it expires. The rules themselves live only in the engine (`faircollect.policy.engine`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from faircollect.gate import validate
from faircollect.gate.errors import GateError, StoreUnavailable, conflict, not_found
from faircollect.gate.log import Log, leaf_index
from faircollect.gate.packs import PackBook
from faircollect.i18n import default_lang
from faircollect.model import Contact, Decision, Finding, PackRef
from faircollect.policy.engine import as_it_can_happen, decide, judge
from faircollect.policy.pack import Pack
from faircollect.policy.screener import Screener
from faircollect.store import repo
from faircollect.store.db import lock_party, utcnow, write_tx
from faircollect.store.fastsql import Read, deferring, read_all
from faircollect.store.tables import api_keys

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=15)
UNAVAILABLE = {
    "zh": "门控无法读写数据库，为安全起见拒绝本次联系",
    "en": "the gate cannot read or write its database, so it refuses this contact (fail closed)",
}
UNDECIDED = {
    "zh": "门控内部出错，未能作出判断，为安全起见拒绝本次联系",
    "en": "the gate failed while deciding (internal error), so it refuses this contact (fail closed)",
}


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks: the API key id (for idempotency and the record) and the answer language, if chosen."""

    key_id: str | None = None
    lang: str | None = None
    idempotency_key: str | None = None


class Gate:
    def __init__(
        self,
        engine: Engine,
        packs: PackBook | None = None,
        screener: Screener | None = None,
        translog: Log | None = None,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.packs = packs or PackBook()
        self.screener = screener
        self.translog = translog
        self.ttl = ttl
        self.clock = clock

    # --- check -----------------------------------------------------------------------------------

    def check(self, body: Mapping[str, Any], caller: Caller = Caller()) -> Reply:
        """A Decision for a planned contact and, if allowed, a reservation. Never `allow` on failure."""
        now = self.clock()
        fields = dict(body)
        pack_name, pack = self.packs.get(validate.text_field(fields, "pack"))
        fields.pop("pack", None)
        if fields.get("at") is None:
            fields["at"] = now.isoformat()
        planned = as_it_can_happen(validate.planned_contact(fields), now)  # the reservation counts it so
        given_id = planned.id or None
        reservation_id = "r-" + uuid.uuid4().hex
        planned.id = given_id or reservation_id
        lang = caller.lang or default_lang(pack.jurisdiction)
        try:
            with self._tx("check", body, caller) as slot:
                conn = slot.conn
                reads: list[Read[Any]] = [
                    slot.read(),
                    repo.history_read(conn, planned.debtor, now, [planned.account], [planned.party]),
                ]
                if given_id is not None:
                    reads += [repo.contact_exists_read(given_id), repo.planned_id_used_read(given_id)]
                stored, history, *used = self._lock_debtor(conn, planned, now, reads)
                earlier = slot.replay(stored)
                if earlier is not None:
                    return earlier
                if any(used):
                    raise conflict(
                        "id_in_use",
                        f"联系编号 {given_id} 已被使用，请换一个",
                        f"contact id {given_id} is already used; plan it under a new id",
                        "id",
                    )
                decision = decide(pack, planned, history.with_pending(), now, self.screener)
                reply = self._store_decision(
                    conn, decision, planned, pack_name, reservation_id, now, caller, lang
                )
                slot.answer(reply)
            return reply
        except GateError:
            raise
        except Exception as e:  # any failure on the way to an answer must not let the contact through
            log.exception("gate check failed closed")
            return fail_closed(pack.ref, e)

    def _store_decision(
        self,
        conn: Connection,
        decision: Decision,
        planned: Contact,
        pack_name: str,
        reservation_id: str,
        now: datetime,
        caller: Caller,
        lang: str,
    ) -> Reply:
        decision_id = "d-" + uuid.uuid4().hex
        reserved: str | None = None
        if decision.verdict == "allow":
            expires_at = now + self.ttl
            repo.insert_reservation(
                conn,
                reservation_id,
                planned,
                pack_name,
                decision.pack,
                decision_id,
                now,
                expires_at,
                caller.key_id,
            )
            reserved = reservation_id
            decision.reservation = {"id": reservation_id, "expires_at": expires_at.isoformat()}
        findings = [f.to_dict(lang) for f in decision.findings]
        ref = self._append(
            conn,
            {
                "type": "decision",
                "id": decision_id,
                "at": now.isoformat(),
                "contact": planned.to_dict(),
                "account": planned.account,
                "verdict": decision.verdict,
                "findings": _codes(decision.findings),
                "next_allowed_at": decision.next_allowed_at.isoformat() if decision.next_allowed_at else None,
                "reservation": reserved,
                "pack": decision.pack.to_dict(),
            },
        )
        repo.insert_decision(
            conn,
            decision_id,
            planned,
            decision.verdict,
            findings,
            decision.next_allowed_at,
            decision.screening,
            decision.pack,
            now,
            caller.key_id,
            reserved,
            _index(ref),
        )
        decision.receipt = self._receipt(conn, ref)
        return Reply(200, {"id": decision_id, **decision.to_dict(lang)})

    # --- outcome of a reservation ---------------------------------------------------------------

    def record_outcome(
        self, reservation_id: str, body: Mapping[str, Any], caller: Caller = Caller()
    ) -> Reply:
        """Turn a reservation into a recorded contact; its findings are judged like any recorded contact.

        An outcome that arrives after its reservation expired is still recorded (the contact happened),
        and the answer says the reservation had expired.
        """
        report = validate.outcome_body(body)
        if validate.NUL in reservation_id:  # no reservation id holds one (and PostgreSQL cannot compare it)
            raise not_found("预约", "reservation", reservation_id.replace(validate.NUL, "\\0"))
        now = self.clock()
        with self._store_errors(), self._tx(f"outcome:{reservation_id}", body, caller) as slot:
            conn = slot.conn
            row = repo.get_reservation(conn, reservation_id)
            if row is None:
                raise not_found("预约", "reservation", reservation_id)
            planned = repo.pending_contact(row.planned)  # what an outcome cannot change: ids, people
            history_read = repo.history_read(
                conn, row.debtor, now, [planned.account], [planned.party], reservation_id
            )
            # the reservation again: now that no one else can change it (SQLite: locked since BEGIN)
            stored, row, exists, history = lock_party(
                conn,
                row.debtor,
                None,
                now,
                [
                    slot.read(),
                    repo.reservation_read(reservation_id),
                    repo.contact_exists_read(planned.id),
                    history_read,
                ],
            )
            earlier = slot.replay(stored)
            if earlier is not None:
                return earlier
            if row is None:  # gone meanwhile
                raise not_found("预约", "reservation", reservation_id)
            if row.contact_id is not None:
                raise conflict(
                    "outcome_recorded",
                    f"预约 {reservation_id} 的结果已记录（联系 {row.contact_id}）",
                    f"reservation {reservation_id} already has its outcome (contact {row.contact_id})",
                )
            contact = validate.recorded_contact({**row.planned, **report})
            _, pack = self.packs.get(row.pack)
            if exists:
                raise _duplicate_contact(contact.id)
            reply = self._record(conn, pack, contact, history, now, caller, reservation_id)
            repo.close_reservation(conn, reservation_id, contact.id)
            reply.body["reservation"] = {
                "id": reservation_id,
                "expires_at": row.expires_at.isoformat(),
                "expired": row.expires_at <= now,
            }
            slot.answer(reply)
        return reply

    # --- contacts and events recorded directly --------------------------------------------------

    def record_contact(self, body: Mapping[str, Any], caller: Caller = Caller()) -> Reply:
        """Record a contact that did not go through a reservation (inbound calls, imports)."""
        fields = dict(body)
        _, pack = self.packs.get(validate.text_field(fields, "pack"))
        fields.pop("pack", None)
        contact = validate.recorded_contact(fields)
        now = self.clock()
        with self._store_errors(), self._tx("contacts", body, caller) as slot:
            conn = slot.conn
            history_read = repo.history_read(conn, contact.debtor, now, [contact.account], [contact.party])
            stored, exists, history = self._lock_debtor(
                conn, contact, now, [slot.read(), repo.contact_exists_read(contact.id), history_read]
            )
            earlier = slot.replay(stored)
            if earlier is not None:
                return earlier
            if exists:
                raise _duplicate_contact(contact.id)
            reply = self._record(conn, pack, contact, history, now, caller, None)
            slot.answer(reply)
        return reply

    def _record(
        self,
        conn: Connection,
        pack: Pack,
        contact: Contact,
        history: repo.DebtorRecords,
        now: datetime,
        caller: Caller,
        reservation_id: str | None,
    ) -> Reply:
        lang = caller.lang or default_lang(pack.jurisdiction)
        findings = judge(pack, contact, history.recorded(), self.screener)
        ref = self._append(
            conn,
            {
                "type": "contact",
                "contact": contact.to_dict(),
                "account": contact.account,
                "at": now.isoformat(),
                "findings": _codes(findings),
                "reservation": reservation_id,
                "pack": pack.ref.to_dict(),
            },
        )
        rendered = [f.to_dict(lang) for f in findings]
        repo.insert_contact(
            conn, contact, rendered, pack.ref, now, caller.key_id, reservation_id, _index(ref)
        )
        body = {
            "contact": contact.to_dict(),
            "findings": rendered,
            "pack": pack.ref.to_dict(),
            "receipt": self._receipt(conn, ref),
        }
        return Reply(201, body)

    def record_event(self, body: Mapping[str, Any], caller: Caller = Caller()) -> Reply:
        event = validate.event(body)
        now = self.clock()
        with self._store_errors(), self._tx("events", body, caller) as slot:
            conn = slot.conn
            # serialise with checks about the same debtor (the event changes what they may allow)
            target = (repo.account_debtor(conn, event.account) if event.account else None) or event.party
            if target is not None:
                (stored,) = lock_party(conn, target, None, now, [slot.read()])
            else:
                (stored,) = read_all(conn, [slot.read()])
            earlier = slot.replay(stored)
            if earlier is not None:
                return earlier
            if repo.event_exists(conn, event.id):
                raise conflict(
                    "duplicate",
                    f"事件编号 {event.id} 已存在",
                    f"event id {event.id} is already recorded",
                    "id",
                )
            ref = self._append(
                conn, {"type": "event", "event": event.to_dict(), "account": event.account or ""}
            )
            repo.insert_event(conn, event, now, caller.key_id, _index(ref))
            reply = Reply(201, {"event": event.to_dict(), "receipt": self._receipt(conn, ref)})
            slot.answer(reply)
        return reply

    # --- reading ---------------------------------------------------------------------------------

    def account_history(
        self, account: str, after_contact: int = 0, after_decision: int = 0, limit: int = 1000
    ) -> Reply:
        """An account's contacts (with findings and receipts), every decision (blocked ones too), events."""
        if validate.NUL in account:  # bodies with NUL are refused, so no stored account holds one
            raise not_found("账户", "account", account.replace(validate.NUL, "\\0"))
        # a write transaction: a receipt may need a newly signed head
        with self._store_errors(), write_tx(self.engine) as conn:
            debtor = repo.account_debtor(conn, account)
            if debtor is None:
                raise not_found("账户", "account", account)
            contact_rows = repo.account_contacts(conn, account, after_contact, limit)
            decision_rows = repo.account_decisions(conn, account, after_decision, limit)
            contacts = [
                {
                    "seq": r.seq,
                    "contact": repo.contact_from_row(r).to_dict(),
                    "findings": r.findings,
                    "reservation": r.reservation_id,
                    "pack": {"id": r.pack_id, "sha256": r.pack_sha256},
                    "recorded_at": r.recorded_at.isoformat(),
                    "receipt": self._stored_receipt(conn, r.leaf),
                }
                for r in contact_rows
            ]
            decisions = [_decision_row(r, self._stored_receipt(conn, r.leaf)) for r in decision_rows]
            events = [repo.event_from_row(r).to_dict() for r in repo.account_events(conn, account, debtor)]
        more = len(contact_rows) == limit or len(decision_rows) == limit
        cursor = {
            "after_contact": contact_rows[-1].seq if contact_rows else after_contact,
            "after_decision": decision_rows[-1].seq if decision_rows else after_decision,
        }
        return Reply(
            200,
            {
                "account": account,
                "debtor": debtor,
                "contacts": contacts,
                "decisions": decisions,
                "events": events,
                "next": cursor if more else None,
            },
        )

    def healthy(self) -> bool:
        """Whether the gate's own tables can be read (not merely whether the server answers)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(api_keys.c.id).limit(1))
        except SQLAlchemyError:
            return False
        return True

    # --- plumbing --------------------------------------------------------------------------------

    def _lock_debtor(self, conn: Connection, c: Contact, now: datetime, reads: list[Read[Any]]) -> list[Any]:
        """Lock the debtor and make sure the account is theirs; then `reads`' values (read under the lock)."""
        owner, *values = lock_party(
            conn, c.debtor, c.tz if c.role == "debtor" else None, now, [repo.owner_read(c.account), *reads]
        )
        try:
            repo.claim_account(conn, c.account, c.debtor, now, owner)
        except repo.AccountConflict as e:
            raise conflict(
                "account_debtor",
                f"账户 {e.account} 属于另一债务人，不能记在 {c.debtor} 名下",
                f"account {e.account} belongs to another debtor, not {c.debtor}",
                "debtor",
            ) from None
        return values

    def _append(self, conn: Connection, record: dict[str, Any]) -> Any:
        """Append the record's leaf (None without a log); every answer that appends carries a receipt,
        so the append prepares it (one head signed in the same step, the proof from nodes in hand)."""
        if self.translog is None:
            return None
        return self.translog.append(conn, record, receipt=True)

    def _receipt(self, conn: Connection, ref: Any) -> dict[str, Any] | None:
        if self.translog is None or ref is None:
            return None
        return self.translog.receipt_for(conn, ref)

    def _stored_receipt(self, conn: Connection, leaf: int | None) -> dict[str, Any] | None:
        if self.translog is None or leaf is None:
            return None
        return self.translog.receipt(conn, leaf)

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, OSError) as e:
            if isinstance(e, IntegrityError):
                raise conflict(
                    "conflict", "与已存记录冲突，未写入", "conflicts with a stored record; nothing written"
                ) from e
            raise StoreUnavailable(str(e)) from e

    @contextmanager
    def _tx(self, route: str, body: Mapping[str, Any], caller: Caller) -> Iterator[_Slot]:
        """A write transaction that knows the request, to replay the answer to a repeated Idempotency-Key.
        On PostgreSQL its writes travel with the next read instead of one round trip each, and the last ones
        with the COMMIT (`deferring`)."""
        with write_tx(self.engine) as conn, deferring(conn, commit=True):
            yield _Slot(conn, route, caller, body)


_NOTHING: Read[None] = Read((), lambda rows: None)


class _Slot:
    """Read (`read()`) and `replay()` once the debtor is locked, so two copies of one request cannot both
    pass."""

    def __init__(self, conn: Connection, route: str, caller: Caller, body: Mapping[str, Any]) -> None:
        self.conn = conn
        self.route = route
        self.key_id = caller.key_id or ""
        self.idem_key = caller.idempotency_key
        self.digest = repo.request_digest(route, dict(body)) if self.idem_key else ""

    def read(self) -> Read[Any | None]:
        """The stored answer to this request's Idempotency-Key, if any (nothing to read without a key)."""
        if not self.idem_key:
            return _NOTHING
        return repo.idempotent_read(self.key_id, self.idem_key)

    def replay(self, stored: Any | None) -> Reply | None:
        """The first answer, given what `read()` found once the debtor was locked."""
        if stored is None:
            return None
        if stored.route != self.route or stored.request_sha256 != self.digest:
            raise conflict(
                "idempotency_mismatch",
                "该 Idempotency-Key 已用于另一请求",
                "this Idempotency-Key was already used for a different request",
                "Idempotency-Key",
            )
        return Reply(stored.status, stored.response)

    def answer(self, reply: Reply) -> None:
        if self.idem_key:
            repo.put_idempotent(
                self.conn, self.key_id, self.idem_key, self.route, self.digest, reply.status, reply.body
            )


def _index(ref: Any) -> int | None:
    return None if ref is None else leaf_index(ref)


def _codes(findings: list[Finding]) -> list[dict[str, str]]:
    return [{"code": f.code, "rule": f.rule, "severity": f.severity} for f in findings]


def _duplicate_contact(contact_id: str) -> GateError:
    return conflict(
        "duplicate", f"联系编号 {contact_id} 已存在", f"contact id {contact_id} is already recorded", "id"
    )


def _decision_row(r: Any, receipt: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "id": r.id,
        "decided_at": r.decided_at.isoformat(),
        "verdict": r.verdict,
        "contact": r.planned,
        "findings": r.findings,
        "next_allowed_at": r.next_allowed_at.isoformat() if r.next_allowed_at else None,
        "reservation": r.reservation_id,
        "screening": r.screening,
        "pack": {"id": r.pack_id, "sha256": r.pack_sha256},
        "receipt": receipt,
    }


def fail_closed(pack: PackRef, error: BaseException | None = None) -> Reply:
    """The answer when the gate cannot decide safely: block, HTTP 503, and why."""
    store = error is None or isinstance(error, (SQLAlchemyError, StoreUnavailable, OSError))
    body: dict[str, Any] = {
        "id": None,
        "verdict": "block",
        "findings": [],
        "next_allowed_at": None,
        "reservation": None,
        "pack": pack.to_dict(),
        "receipt": None,
        "reason": {
            "code": "gate.unavailable" if store else "gate.error",
            "message": dict(UNAVAILABLE if store else UNDECIDED),
        },
    }
    if error is not None:
        body["reason"]["detail"] = type(error).__name__
    return Reply(503, body)


__all__ = ["DEFAULT_TTL", "Caller", "Gate", "Reply", "fail_closed"]
