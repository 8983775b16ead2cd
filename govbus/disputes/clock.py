"""The service-level clock of a dispute: the agreement's working days, Monday to Friday.

Public holidays are not counted out; an agreement that needs them names its own calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

_SATURDAY = 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start`` (a weekend start counts from Monday)."""
    moment = start
    while moment.weekday() >= _SATURDAY:
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() < _SATURDAY:
            added += 1
    return moment


def working_days_between(start: date, end: date) -> int:
    """Working days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY:
            days += 1
    return days
