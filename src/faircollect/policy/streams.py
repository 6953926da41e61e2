"""Split a lender's records into one stream per debtor, routing each event to the debtors it concerns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from faircollect.model import Contact, Event, Record


@dataclass
class Streams:
    by_debtor: dict[str, list[Record]] = field(default_factory=dict)
    orphans: list[Event] = field(default_factory=list)  # events about no known account or party


def group_by_debtor(records: Iterable[Record]) -> Streams:
    """Contacts go to their debtor. An event goes to every debtor of its account, or, with only a party,
    to every debtor whose stream involves that party (as debtor or as a contacted person)."""
    streams: dict[str, list[Record]] = defaultdict(list)
    debtors_of_account: dict[str, set[str]] = defaultdict(set)
    debtors_of_party: dict[str, set[str]] = defaultdict(set)
    events: list[Event] = []
    for r in records:
        if type(r) is Contact:
            streams[r.debtor].append(r)
        else:
            assert isinstance(r, Event)
            events.append(r)
    if not events:
        return Streams(dict(streams), [])
    for debtor, stream in streams.items():  # only needed to route events
        for c in stream:
            assert isinstance(c, Contact)
            debtors_of_account[c.account].add(debtor)
            debtors_of_party[c.party].add(debtor)
        debtors_of_party[debtor].add(debtor)
    orphans: list[Event] = []
    for e in events:
        if e.account is not None:
            targets = debtors_of_account.get(e.account, set())
        else:
            assert e.party is not None
            targets = debtors_of_party.get(e.party, set())
        if not targets:
            orphans.append(e)
        for debtor in sorted(targets):
            streams[debtor].append(e)
    return Streams(dict(streams), orphans)
