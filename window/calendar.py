"""Working-day arithmetic. Pure Python (no Django): weekends are rest days unless an exception says otherwise.

``exceptions`` maps a date to True (an adjusted working day, 调休上班) or False (a public holiday).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

Exceptions = Mapping[date, bool]


def is_workday(day: date, exceptions: Exceptions) -> bool:
    if day in exceptions:
        return bool(exceptions[day])
    return day.weekday() < 5


def add_workdays(start: date, days: int, exceptions: Exceptions) -> date:
    """The date on which ``days`` working days after ``start`` run out. ``start`` itself is not counted
    (a case accepted on a day has its first working day the next one); 0 days = ``start``."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_workday(day, exceptions):
            left -= 1
    return day


def workdays_between(start: date, end: date, exceptions: Exceptions) -> int:
    """Working days in (start, end]: how many working days it took from ``start`` to ``end``; 0 if end <= start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day, exceptions):
            count += 1
    return count


def flag(today: date, due: date | None, soon: int, exceptions: Exceptions) -> str:
    """"overdue", "soon" (at most ``soon`` working days left) or "" for a running case's due date."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if workdays_between(today, due, exceptions) <= soon:
        return "soon"
    return ""
