from pathlib import Path

from django.core.management.base import BaseCommand

from guides.exporter import export_catalogue


class Command(BaseCommand):
    help = "将数据库中的主题服务目录导出为 SCHEMA.md 格式。"

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        count = export_catalogue(Path(directory))
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个主题到 {directory}"))
