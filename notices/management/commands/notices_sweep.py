"""Re-enqueue every due notice (e.g. from cron after an outage) and make sure the sweeper is running."""

from django.core.management.base import BaseCommand

from notices import delivery
from notices.tasks import ensure_sweeper, send_notice


class Command(BaseCommand):
    help = "重新排队所有到期未发送的通知。"

    def handle(self, *args, **options):
        due = delivery.due()
        for pk in due:
            send_notice.enqueue(pk)
        ensure_sweeper()
        self.stdout.write(f"queued {len(due)} notices")
