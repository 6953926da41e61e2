"""What is known about one debtor before a contact: earlier contacts, events, and indexes over them.

The engine replays a debtor's stream in time order, asking the rules about each outbound contact and then
adding it here. Indexes are kept incrementally so that each rule looks only at the few contacts it counts.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from faircollect.model import Contact, Event
from faircollect.policy.screener import Screener, ScreenResult

# Events that end a state, and states that end by themselves.
CLOSERS = {
    "dispute_opened": "dispute_resolved",
    "opt_out": "opt_in",
    "breathing_space_start": "breathing_space_end",
    "debtor_unreachable": "debtor_reached",
}


class History:
    """Contacts and events of one debtor, with the local-day and per-person indexes rules count on."""

    def __init__(self, screener: Screener | None = None) -> None:
        self.screener = screener
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.by_party_day: dict[tuple[str, date], list[Contact]] = defaultdict(list)
        self.by_party: dict[str, list[Contact]] = defaultdict(list)
        self._screened: dict[str, ScreenResult] = {}
        # when the debtor was reached: connected calls (pending ones at their worst) and inbound contacts
        self.debtor_reached: list[datetime] = []

    # --- building -------------------------------------------------------------------------------
    def add(self, record: Contact | Event) -> None:
        if isinstance(record, Event):
            self.events[record.kind].append(record)
            return
        c = record
        day = (c.local_at or self.local(c)).date()
        self.by_party_day[(c.party, day)].append(c)
        self.by_party[c.party].append(c)
        if c.role == "debtor" and (
            c.direction == "inbound" or (c.channel == "call" and c.outcome in ("connected", None))
        ):
            insort(self.debtor_reached, c.at)

    # --- time -------------------------------------------------------------------------------------
    @staticmethod
    def local(c: Contact) -> datetime:
        """`c.at` on the person's clock, computed once per contact."""
        value = c.local_at
        if value is None:
            value = c.local_at = c.local()
        return value

    def same_day(self, c: Contact) -> list[Contact]:
        local = c.local_at or self.local(c)
        return self.by_party_day.get((c.party, local.date()), [])

    def days_back(self, c: Contact, days: int) -> Iterator[Contact]:
        """Contacts with this person on the local day of `c` and the `days - 1` days before it."""
        today = self.local(c).date()
        first = today - timedelta(days=days - 1)
        for d in range(days):
            yield from self.by_party_day.get((c.party, first + timedelta(days=d)), [])

    # --- events -----------------------------------------------------------------------------------
    def reached_between(self, start: datetime, end: datetime) -> bool:
        """Was the debtor reached at some instant in [start, end]?"""
        i = bisect_left(self.debtor_reached, start)
        return i < len(self.debtor_reached) and self.debtor_reached[i] <= end

    def has(self, kind: str) -> bool:
        return kind in self.events

    def active(
        self,
        kind: str,
        c: Contact,
        *,
        default_days: int | None = None,
        match_party: bool = True,
        match_channel: bool = False,
    ) -> Event | None:
        """The event of `kind` in force for contact `c`: at or before it, not ended by `until`, by its
        closing event or (when it has no `until`) by `default_days`; None when there is none."""
        found: Event | None = None
        for e in self.events.get(kind, ()):  # few per debtor: a scan beats an index
            if e.at > c.at or not applies(e, c, match_party) or (match_channel and e.channel != c.channel):
                continue
            if e.until is not None:
                if c.at >= e.until:
                    continue
            elif default_days is not None and c.at >= e.at + timedelta(days=default_days):
                continue
            if found is None or e.at >= found.at:
                found = e
        if found is None:
            return None
        closer = CLOSERS.get(kind)
        if closer:
            for e in self.events.get(closer, ()):
                if (
                    found.at <= e.at <= c.at
                    and applies(e, c, match_party)
                    and not (match_channel and e.channel != c.channel)
                    and (e.at > found.at or e.id != found.id)
                ):
                    return None
        return found

    # --- screening --------------------------------------------------------------------------------
    def screen(self, text: str) -> ScreenResult | None:
        if self.screener is None:
            return None
        result = self._screened.get(text)
        if result is None:
            result = self.screener.screen(text)
            self._screened[text] = result
        return result


def applies(e: Event, c: Contact, match_party: bool = True) -> bool:
    """An event with only an account applies to every party of it; with only a party, to every account."""
    if e.account is not None and e.account != c.account:
        return False
    return not (match_party and e.party is not None and e.party != c.party)
