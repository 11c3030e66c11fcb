"""Rebuild the theme search documents: the database table always, OpenSearch when OPENSEARCH_URL is set."""

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.backends import get_backend
from search.indexing import all_documents


class Command(BaseCommand):
    help = "重建主题搜索索引（数据库；设置了 OPENSEARCH_URL 时也重建 OpenSearch，别名切换零停机）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument("--database-only", action="store_true", help="只重建数据库中的搜索文档")

    def handle(self, *args, no_progress=False, database_only=False, **options):
        docs = all_documents()
        get_backend("database").index_documents(docs)
        self.stdout.write(f"database: {len(docs)} documents")
        if database_only or not getattr(settings, "OPENSEARCH_URL", None):
            return
        from search.os_engine import rebuild

        with tqdm(total=len(docs), desc="OpenSearch", unit="doc", disable=no_progress) as bar:
            info = rebuild(docs, progress=bar.update)
        self.stdout.write(f"opensearch: {info['docs']} documents into {info['index']} in {info['seconds']:.1f}s")
