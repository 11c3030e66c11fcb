"""Print one window case as JSON (status, version, tasks): for operators and the real-process tests."""

import json

from django.core.management.base import BaseCommand, CommandError

from window.models import Case


class Command(BaseCommand):
    help = "Show a window case as JSON."

    def add_arguments(self, parser):
        parser.add_argument("tracking_number")

    def handle(self, *args, tracking_number, **options):
        case = Case.objects.filter(tracking_number=tracking_number).first()
        if case is None:
            raise CommandError(f"no window case {tracking_number}")
        self.stdout.write(json.dumps({
            "tracking_number": case.tracking_number, "status": case.status, "version": case.version,
            "theme": case.theme_code, "versions": case.versions.count(),
            "via": list(case.versions.values_list("via", flat=True)),
            "tasks": list(case.tasks.values_list("item_code", flat=True)),
        }, ensure_ascii=False))
