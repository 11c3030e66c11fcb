"""Write (or, with --check, compare) the screening regression snapshots under screening/snapshots/."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from screening import snapshots


class Command(BaseCommand):
    help = "为每个主题写出全部答案路径及其清单（--check 只比较，不一致时失败）。"

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(settings.CATALOGUE_DIR), help="目录文件夹（默认参考目录）")
        parser.add_argument("--dir", default=str(snapshots.SNAPSHOT_DIR), help="快照文件夹")
        parser.add_argument("--check", action="store_true", help="只比较，不写入；有差异时以非零状态退出")

    def handle(self, catalogue, dir, check=False, **options):
        directory = Path(dir)
        # Read from the catalogue files, not the database: the snapshots pin what the catalogue means.
        current = snapshots.render_catalogue(catalogue)
        total = sum(s.paths for s in current.values())
        empty = sum(s.not_applicable for s in current.values())
        summary = f"{len(current)} 个主题，{total} 条答案路径，其中 {empty} 条不适用。"
        if check:
            diffs = snapshots.compare(current, directory)
            if diffs:
                for diff in diffs[:5]:
                    self.stdout.write(diff[:4000])
                raise CommandError(f"{len(diffs)} 个快照与已提交的不一致；确认无误后运行 "
                                   f"`python manage.py screening_snapshots` 接受新结果。")
            self.stdout.write(self.style.SUCCESS(f"快照一致：{summary}"))
            return
        changed = snapshots.write(current, directory)
        self.stdout.write(self.style.SUCCESS(f"已更新 {changed} 个快照文件：{summary}"))
