"""Local-clock arithmetic for rules and `next_allowed_at`: windows, local midnights, across DST."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache


@lru_cache(maxsize=256)
def minutes(clock: str) -> int:
    """'08:00' → 480. '24:00' is allowed as the end of a day."""
    hours, _, mins = clock.partition(":")
    return int(hours) * 60 + int(mins)


def at_local(day: date, minute_of_day: int, zone: tzinfo) -> datetime:
    """The instant at which the local clock in `zone` shows `day` + `minute_of_day` minutes.

    In a DST gap the wall time does not exist; the first instant after the gap is returned. At a DST
    overlap the earlier instant is returned.
    """
    if minute_of_day >= 24 * 60:
        day, minute_of_day = day + timedelta(days=1), minute_of_day - 24 * 60
    wall = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), tzinfo=zone)
    instant = wall.astimezone(timezone.utc)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        # nonexistent wall time (spring forward): the transition itself
        return _gap_end(wall, zone)
    return instant


def _gap_end(wall: datetime, zone: tzinfo) -> datetime:
    before = wall.replace(fold=0).astimezone(timezone.utc)
    after = wall.replace(fold=1).astimezone(timezone.utc)
    lo, hi = min(before, after), max(before, after)
    # the wall clock jumps somewhere in (lo, hi]; find the first instant whose local time is past `wall`
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= wall.replace(tzinfo=None):
            hi = mid
        else:
            lo = mid
    return hi


def day_start(day: date, zone: tzinfo) -> datetime:
    return at_local(day, 0, zone)


def in_window(local: datetime, start: int, end: int) -> bool:
    """Half-open [start, end) on the local clock, in minutes (seconds count: 21:59:30 < 22:00)."""
    m = local.hour * 60 + local.minute
    if start <= end:
        return start <= m < end
    return m >= start or m < end  # a window across midnight
