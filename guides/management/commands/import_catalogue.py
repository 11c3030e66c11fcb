from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from guides.catalogue import CatalogueError, read_catalogue
from guides.importer import import_catalogue


class Command(BaseCommand):
    help = "导入 SCHEMA.md 格式的主题服务目录（全部检查通过才写入，重复导入不产生重复数据）。"

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.CATALOGUE_DIR))
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, directory, no_progress=False, **options):
        try:
            catalogue = read_catalogue(Path(directory))
        except CatalogueError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"目录有 {len(exc.problems)} 处问题，未导入任何内容。") from exc

        def progress(themes):
            return tqdm(themes, desc="导入主题", unit="个", disable=no_progress or None, file=self.stderr)

        report = import_catalogue(catalogue, progress=progress)
        self.stdout.write(self.style.SUCCESS(str(report)))
