"""Seed the 2026 public holidays and adjusted working days (国务院办公厅 2026 年节假日安排). Idempotent."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand

from window.models import WorkdayException


def _span(first: date, last: date, note: str):
    day = first
    while day <= last:
        yield day, False, note
        day += timedelta(days=1)


HOLIDAYS_2026 = [
    *_span(date(2026, 1, 1), date(2026, 1, 3), "元旦"),
    (date(2026, 1, 4), True, "元旦调休上班"),
    (date(2026, 2, 14), True, "春节调休上班"),
    *_span(date(2026, 2, 15), date(2026, 2, 23), "春节"),
    (date(2026, 2, 28), True, "春节调休上班"),
    *_span(date(2026, 4, 4), date(2026, 4, 6), "清明节"),
    *_span(date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
    (date(2026, 5, 9), True, "劳动节调休上班"),
    *_span(date(2026, 6, 19), date(2026, 6, 21), "端午节"),
    *_span(date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
    (date(2026, 9, 20), True, "国庆节调休上班"),
    *_span(date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
    (date(2026, 10, 10), True, "国庆节调休上班"),
]


class Command(BaseCommand):
    help = "Seed 2026 Chinese public holidays and adjusted working days into the window calendar (idempotent)."

    def handle(self, *args, **options):
        created = 0
        for day, is_workday, note in HOLIDAYS_2026:
            # get_or_create, not update_or_create: an admin's later edit of a date wins over the seed.
            _, new = WorkdayException.objects.get_or_create(date=day, defaults={"is_workday": is_workday, "note": note})
            created += new
        self.stdout.write(f"workday exceptions: {created} added, {len(HOLIDAYS_2026) - created} already present")
