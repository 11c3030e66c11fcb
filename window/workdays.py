"""The working-day calendar with the exceptions an admin keeps in WorkdayException (see calendar.py)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from . import calendar
from .models import WorkdayException


def exceptions() -> dict[date, bool]:
    # A few dozen rows a year: read them whole rather than per-day queries.
    return dict(WorkdayException.objects.values_list("date", "is_workday"))


def add_workdays(start: date, days: int) -> date:
    return calendar.add_workdays(start, days, exceptions())


def workdays_between(start: date, end: date) -> int:
    return calendar.workdays_between(start, end, exceptions())


def today() -> date:
    return timezone.localdate()
