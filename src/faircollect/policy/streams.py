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
        if isinstance(r, Contact):
            streams[r.debtor].append(r)
            debtors_of_account[r.account].add(r.debtor)
            debtors_of_party[r.party].add(r.debtor)
            debtors_of_party[r.debtor].add(r.debtor)
        else:
            events.append(r)
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
