"""Remove uploaded files INTAKE_RETENTION_DAYS after their application finished (delivered). Safe to run daily."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import storage
from intake.models import Application, Upload


class Command(BaseCommand):
    help = "删除办结送达超过保留期限的办件的上传材料文件（记录保留）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数（默认 INTAKE_RETENTION_DAYS）")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.INTAKE_RETENTION_DAYS if days is None else days
        cutoff = timezone.now() - timedelta(days=days)
        apps = Application.objects.filter(finished_at__lte=cutoff, uploads_purged_at__isnull=True)
        files = 0
        for app in apps.iterator():
            uploads = list(Upload.objects.filter(application=app, purged_at__isnull=True))
            if not dry_run:
                for upload in uploads:
                    storage.delete(upload.stored_name)
                now = timezone.now()
                Upload.objects.filter(pk__in=[u.pk for u in uploads]).update(purged_at=now)
                Application.objects.filter(pk=app.pk).update(uploads_purged_at=now)
            files += len(uploads)
        self.stdout.write(f"{'would remove' if dry_run else 'removed'} {files} files (finished before {cutoff:%Y-%m-%d})")
