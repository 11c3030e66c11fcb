"""Re-enqueue every due hand-off (e.g. from cron after an outage) and make sure the sweeper is running."""

from django.core.management.base import BaseCommand

from intake import handoff
from intake.tasks import deliver_outbox, ensure_sweeper


class Command(BaseCommand):
    help = "重新排队所有到期未送达的推送记录。"

    def handle(self, *args, **options):
        due = handoff.due()
        for pk in due:
            deliver_outbox.enqueue(pk)
        ensure_sweeper()
        self.stdout.write(f"queued {len(due)} hand-offs")
