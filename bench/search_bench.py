"""Search benchmark: p50/p95 of theme search on both engines over the demo pages, and OpenSearch at 100x.

`run()` returns a dict of figures (called by bench/__main__.py); `python -m bench.search_bench` prints it.
The work happens in a child process on a copy of the demo database (or a fresh import when there is
none), so the caller's Django set-up and data are untouched. About 1-2 minutes, most of it the 100x index.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = 100
FACET_CASES = [{}, {"category": ("市场准入",)}, {"audience": ("法人",), "online": ("网上预审",)}, {"visits": ("0", "1")}]


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


def _queries(sites: list[str]) -> list:
    import yaml

    from search.backends import SearchQuery

    rel = yaml.safe_load((ROOT / "search" / "relevance.yaml").read_text("utf-8"))
    rng = random.Random(7)
    out = []
    for i, row in enumerate(rel):
        site = sites[i % len(sites)]
        out.append(SearchQuery(q=row["query"], site_code=site, scope="city" if i % 3 == 0 else "site",
                               filters=FACET_CASES[i % len(FACET_CASES)]))
    out += [SearchQuery(q="", site_code=rng.choice(sites), filters=f) for f in FACET_CASES]
    return out


def _measure(engine: str, queries, repeat: int = 2) -> dict:
    from search.backends import search

    for q in queries[:10]:  # warm-up: jieba, connections, caches
        search(q, backend=engine)
    samples = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            results = search(q, backend=engine)
            samples.append(time.perf_counter() - start)
            assert not results.fallback, "OpenSearch fell back to the database during the benchmark"
    return _percentiles(samples)


def _synthetic(docs: list[dict], scale: int) -> list[dict]:
    """Vary the real documents: new codes, shuffled popularity, a few words swapped between themes."""
    rng = random.Random(42)
    out = []
    for n in range(scale):
        for d in docs:
            other = docs[rng.randrange(len(docs))]
            out.append({**d, "id": f"{d['id']}-{n}", "page_id": d["page_id"] * 1000 + n, "code": f"{d['code']}-{n}",
                        "popularity": rng.randrange(1000),
                        "summary_text": d["summary_text"] + " " + other["summary_text"].split(" ")[1] + " ",
                        "visits_after": rng.choice([0, 1, 1, 2])})
    return out


def _child() -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from search.backends import get_backend
    from search.indexing import all_documents
    from search.node import OpenSearchNode
    from search.os_engine import client, rebuild

    started = time.perf_counter()
    docs = all_documents()
    get_backend("database").index_documents(docs)
    figures = {"documents": len(docs), "db_index_s": round(time.perf_counter() - started, 2)}
    sites = sorted({d["site_code"] for d in docs})
    queries = _queries(sites)
    figures["database"] = _measure("database", queries)

    node = OpenSearchNode(ephemeral=True)
    node.start()
    try:
        from django.conf import settings

        settings.OPENSEARCH_URL = node.url
        es = client(node.url, timeout=120)
        info = rebuild(docs, es, "bench-themes")
        settings.OPENSEARCH_INDEX = "bench-themes"
        figures["opensearch"] = {**_measure("opensearch", queries), "index_s": round(info["seconds"], 2)}

        big = _synthetic(docs, SCALE)
        info = rebuild(big, es, "bench-themes-100x", chunk_size=2000)
        settings.OPENSEARCH_INDEX = "bench-themes-100x"
        figures["opensearch_100x"] = {**_measure("opensearch", queries, repeat=1), "documents": info["docs"],
                                      "index_s": round(info["seconds"], 2),
                                      "docs_per_s": round(info["docs"] / info["seconds"])}
        figures["node_rss_mb"] = round((node.rss_bytes() or 0) / 2**20)
    finally:
        node.stop()
    return figures


def _database_copy(tmp: Path) -> tuple[str, bool]:
    src = ROOT / "db.sqlite3"
    if src.exists():
        try:
            with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as con:
                n = con.execute("select count(*) from guides_themepage").fetchone()[0]
        except sqlite3.Error:
            n = 0
        if n >= 1000:
            shutil.copy(src, tmp / "bench.sqlite3")
            return f"sqlite:///{tmp / 'bench.sqlite3'}", False
    return f"sqlite:///{tmp / 'bench.sqlite3'}", True


def run() -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="guide-search-bench-"))
    try:
        url, fresh = _database_copy(tmp)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("SEARCH_BENCH_SETTINGS", "guide_site.settings.test"),
               "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "OPENSEARCH_URL": ""}
        if fresh:
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
            subprocess.run([sys.executable, "manage.py", "import_catalogue", "--no-progress"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, "-m", "bench.search_bench", "--child"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child(), ensure_ascii=False))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
