"""Pure working-day arithmetic across the 2026 holidays (no database)."""

from datetime import date

import pytest

from window import calendar
from window.management.commands.seed_workdays import HOLIDAYS_2026

EXC = {d: w for d, w, _ in HOLIDAYS_2026}


def test_weekends_rest_and_weekdays_work_without_exceptions():
    assert calendar.is_workday(date(2026, 3, 2), {})  # Monday
    assert not calendar.is_workday(date(2026, 3, 7), {})  # Saturday


def test_national_day_week_is_skipped_and_adjusted_saturday_counts():
    assert not calendar.is_workday(date(2026, 10, 1), EXC)
    assert calendar.is_workday(date(2026, 9, 20), EXC)  # Sunday worked (调休)
    assert calendar.is_workday(date(2026, 10, 10), EXC)  # Saturday worked
    # Accepted Wed 30 Sep: 1 Oct–7 Oct off, Thu 8 = 1st, Fri 9 = 2nd, Sat 10 (adjusted) = 3rd.
    assert calendar.add_workdays(date(2026, 9, 30), 3, EXC) == date(2026, 10, 10)
    assert calendar.add_workdays(date(2026, 9, 30), 3, {}) == date(2026, 10, 5)


def test_spring_festival_and_counting_back():
    # Fri 13 Feb + 2: Sat 14 (adjusted) = 1, 15–23 off, Tue 24 = 2.
    assert calendar.add_workdays(date(2026, 2, 13), 2, EXC) == date(2026, 2, 24)
    assert calendar.workdays_between(date(2026, 2, 13), date(2026, 2, 24), EXC) == 2
    assert calendar.workdays_between(date(2026, 2, 24), date(2026, 2, 13), EXC) == 0


def test_zero_days_and_negative_refused():
    assert calendar.add_workdays(date(2026, 5, 1), 0, EXC) == date(2026, 5, 1)
    with pytest.raises(ValueError):
        calendar.add_workdays(date(2026, 5, 1), -1, EXC)


def test_flags():
    due = date(2026, 10, 9)
    assert calendar.flag(date(2026, 10, 12), due, 3, EXC) == "overdue"
    # From 30 Sep to 9 Oct only two working days (8, 9): due soon despite nine calendar days.
    assert calendar.flag(date(2026, 9, 30), due, 3, EXC) == "soon"
    assert calendar.flag(date(2026, 9, 1), due, 3, EXC) == ""
    assert calendar.flag(date(2026, 9, 1), None, 3, EXC) == ""


def test_seed_is_idempotent_and_keeps_admin_edits(db):
    from django.core.management import call_command

    from window.models import WorkdayException

    call_command("seed_workdays", verbosity=0)
    WorkdayException.objects.filter(date=date(2026, 10, 7)).update(is_workday=True, note="admin")
    call_command("seed_workdays", verbosity=0)
    assert WorkdayException.objects.count() == len(HOLIDAYS_2026)
    assert WorkdayException.objects.get(date=date(2026, 10, 7)).is_workday
