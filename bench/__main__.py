"""`make bench`: catalogue import, page throughput under gunicorn, screening speed, page weight and paint times in
a throttled phone browser, submissions on PostgreSQL and SQLite, staff pages at 1,000 and 100,000 cases on
PostgreSQL. Takes about 4 minutes without the last two (--skip-volume, --skip-intake); `--only volume` runs one.

Prints a table and writes bench/results/latest.json. Everything runs on loopback against throwaway or demo
data; the load generator is a separate process (bench/load.py), bounded in requests and in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PY = sys.executable
SETTINGS = "bench.settings"
HTTP_WORKERS = 4
SECTIONS = ("import", "screening", "http", "search", "intake", "volume", "browser")


def _env(**extra) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1", **extra}


def _timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_import() -> dict:
    """Migrate and import the catalogue into a fresh SQLite file, then import again (idempotent)."""
    tmp = Path(tempfile.mkdtemp(prefix="guide-bench-"))
    try:
        # A fresh file, whatever DATABASE_URL says: this measures the import itself, not a shared server.
        env = _env(DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", MEDIA_ROOT=str(tmp / "media"))
        manage = [PY, "manage.py"]
        migrate = _timed([*manage, "migrate", "--noinput"], env)
        first = _timed([*manage, "import_catalogue", "--no-progress"], env)
        second = _timed([*manage, "import_catalogue", "--no-progress"], env)
        size = (tmp / "bench.sqlite3").stat().st_size
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"migrate_s": round(migrate, 2), "import_s": round(first, 2), "reimport_s": round(second, 2),
            "db_mb": round(size / 2**20, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, host: str = "localhost") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """gunicorn with 2 sync workers on the demo database, DEBUG off."""

    def __init__(self, workers: int = 2):
        self.port = _free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "60", "guide_site.wsgi:application"],
            cwd=ROOT, env=_env(), stdout=self.log, stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if _get(self.port, "/bench/ping/")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        output = self.log.read().decode(errors="replace")[-3000:]
        self.__exit__()
        raise SystemExit(f"gunicorn did not start:\n{output}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def load(port: int, paths: list[str], host: str, seconds: float, threads: int) -> dict:
    out = subprocess.run(
        [PY, "-m", "bench.load", "--port", str(port), "--host-header", host, "--threads", str(threads),
         "--seconds", str(seconds), "--max-requests", "100000", *paths],
        cwd=ROOT, env=_env(), check=True, capture_output=True, text=True, timeout=seconds + 120,
    )
    return json.loads(out.stdout)


def _largest_theme():
    from guides.catalogue import read_catalogue
    from screening.engine import Theme, answer_paths

    catalogue = read_catalogue(ROOT / "demo" / "catalogue")
    registry = catalogue.item_registry()
    best = None
    for spec in catalogue.themes:
        theme = Theme.from_spec(spec, registry)
        n = sum(1 for _ in answer_paths(theme))
        if best is None or n > best[0]:
            best = (n, theme, spec)
    return best


def bench_screening(theme) -> dict:
    from screening.engine import answer_paths, evaluate, lint, situation_tree

    start = time.perf_counter()
    paths = list(answer_paths(theme))
    enumerate_s = time.perf_counter() - start
    start = time.perf_counter()
    for path in paths:
        evaluate(theme, path).as_dict()
    evaluate_s = time.perf_counter() - start
    start = time.perf_counter()
    lint(theme)
    lint_s = time.perf_counter() - start
    start = time.perf_counter()
    situation_tree(theme)
    tree_s = time.perf_counter() - start
    return {"theme": theme.code, "paths": len(paths), "enumerate_s": round(enumerate_s, 3),
            "evaluate_total_s": round(evaluate_s, 3), "evaluate_per_path_us": round(evaluate_s / len(paths) * 1e6, 1),
            "lint_s": round(lint_s, 3), "situation_tree_s": round(tree_s, 3)}


def bench_http(theme, spec, seconds: float, threads: int) -> dict:
    from screening.engine import answer_paths, to_query

    # Several workers sharing the page cache, as in production; the pages are fetched once before the timed runs,
    # as a live site's visitors would have (the first visitor after a change pays the render).
    out: dict = {"workers": HTTP_WORKERS, "threads": threads, "seconds_per_run": seconds}
    with Server(HTTP_WORKERS) as server:
        status, body = _get(server.port, "/api/themes/")
        listed = json.loads(body)["themes"] if status == 200 else []
        theme_paths = [urlsplit(t["url"]).path for t in listed[:10]]
        if not theme_paths:
            raise SystemExit(f"/api/themes/ answered {status}: is the demo database imported (make demo)?")
        out["theme_pages"] = theme_paths
        for path in theme_paths:
            _get(server.port, path)
        out["ping"] = load(server.port, ["/bench/ping/"], "localhost", seconds, threads)
        out["theme_page"] = load(server.port, theme_paths, "localhost", seconds, threads)
        out["theme_page_vs_ping"] = round(out["theme_page"]["rps"] / out["ping"]["rps"], 3)

        # The wizard's checklist endpoint, if it exists yet: varied answers from the largest theme.
        host = "localhost" if spec.get("sites") == ["all"] else f"{spec['sites'][0]}.localhost"
        paths = list(answer_paths(theme))
        sample = paths[:: max(1, len(paths) // 50)]
        urls = [f"/api/themes/{theme.code}/checklist/?{urlencode(to_query(theme, p))}" for p in sample]
        status, _ = _get(server.port, urls[0], host)
        if status == 200:
            for url in urls:
                _get(server.port, url, host)
            out["checklist"] = load(server.port, urls, host, seconds, threads)
            out["checklist_vs_ping"] = round(out["checklist"]["rps"] / out["ping"]["rps"], 3)
        else:
            out["checklist"] = None
            out["checklist_note"] = f"{urls[0]} 返回 {status}，跳过（清单接口尚未提供？）"
    return out


def _row(name: str, r: dict | None) -> str:
    if not r:
        return f"  {name:<22} —"
    return (f"  {name:<22} {r['rps']:>8.1f} req/s   p50 {r['p50_ms']:>7.2f} ms   p95 {r['p95_ms']:>7.2f} ms"
            f"   ({r['requests']} 次, 错误 {r['errors']}, 状态 {r['statuses']})")


def report(results: dict) -> str:
    lines = ["", "== 基准测试结果 ==", ""]
    imp = results.get("import")
    if imp:
        lines += ["目录导入（全新 SQLite 临时库）:",
                  f"  migrate                {imp['migrate_s']:>8.2f} s",
                  f"  首次导入               {imp['import_s']:>8.2f} s",
                  f"  再次导入（幂等）       {imp['reimport_s']:>8.2f} s",
                  f"  数据库大小             {imp['db_mb']:>8.1f} MB", ""]
    s = results.get("screening")
    lines += [] if not s else [f"筛查引擎（最大主题 {s['theme']}，{s['paths']} 条答案路径）:",
              f"  枚举全部路径           {s['enumerate_s']:>8.3f} s",
              f"  逐条求值（含 as_dict） {s['evaluate_total_s']:>8.3f} s   每条 {s['evaluate_per_path_us']:.1f} µs",
              f"  lint                   {s['lint_s']:>8.3f} s",
              f"  situation_tree         {s['situation_tree_s']:>8.3f} s", ""]
    h = results.get("http")
    if h:
        lines += [f"gunicorn {h['workers']} 个 worker，负载进程 {h['threads']} 线程，每项 {h['seconds_per_run']} s:",
                  _row("/bench/ping/（基线）", h["ping"]), _row("主题页面", h["theme_page"]),
                  f"  主题页面 / 基线        {h['theme_page_vs_ping']:>8.3f}",
                  _row("清单接口", h.get("checklist"))]
        if h.get("checklist"):
            lines.append(f"  清单接口 / 基线        {h['checklist_vs_ping']:>8.3f}")
        if h.get("checklist_note"):
            lines.append(f"  注：{h['checklist_note']}")
    if results.get("browser"):
        from bench import browser_bench

        lines += ["", *browser_bench.report_lines(results["browser"])]
    v = results.get("volume")
    if v:
        big = max(int(k) for k in v if k.isdigit())
        lines += ["", f"工作人员页面（PostgreSQL，中位数 ms；1,000 件 → {big:,} 件，比值不应超过 3）:"]
        lines += [f"  {k[:-3]:<22} {v['1000'][k]:>8.2f} → {v[str(big)][k]:>8.2f}   × {r:.2f}"
                  for k, r in v["ratio"].items()]
    for key, title in (("search", "搜索"), ("intake", "一次表单与移交")):
        if results.get(key):
            lines += ["", f"{title}:", json.dumps(results[key], ensure_ascii=False, indent=2)]
    lines += ["", f"结果已写入 {RESULTS / 'latest.json'}"]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="每项负载测试的时长（秒）")
    parser.add_argument("--threads", type=int, default=4, help="负载进程的并发线程数")
    parser.add_argument("--skip-import", action="store_true", help="跳过目录导入计时")
    parser.add_argument("--skip-http", action="store_true", help="跳过 gunicorn 负载测试")
    parser.add_argument("--skip-search", action="store_true", help="跳过搜索计时（数据库与 OpenSearch）")
    parser.add_argument("--skip-intake", action="store_true", help="跳过一次表单提交与移交计时")
    parser.add_argument("--skip-volume", action="store_true", help="跳过 1,000 与 100,000 件办件的工作人员页面计时（PostgreSQL）")
    parser.add_argument("--skip-browser", action="store_true", help="跳过手机画像浏览器测量（Chromium）")
    parser.add_argument("--only", choices=SECTIONS, help="只运行这一项（其余全部跳过）")
    args = parser.parse_args(argv)
    skip = {name: getattr(args, f"skip_{name}", False) or (args.only is not None and args.only != name)
            for name in SECTIONS}
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)

    began = time.perf_counter()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
                     "cpus": os.cpu_count(), "machine": platform.machine()}
    if not skip["import"]:
        print("目录导入计时…", flush=True)
        results["import"] = bench_import()
    if not skip["screening"] or not skip["http"]:
        _, theme, spec = _largest_theme()
    if not skip["screening"]:
        print("筛查引擎计时…", flush=True)
        results["screening"] = bench_screening(theme)
    if not skip["http"]:
        print("gunicorn 负载测试…", flush=True)
        results["http"] = bench_http(theme, spec, args.seconds, args.threads)
    if not skip["browser"]:
        print("手机画像浏览器测量（Chromium）…", flush=True)
        from bench import browser_bench

        with Server() as server:
            results["browser"] = browser_bench.run(server.port)
    if not skip["search"]:
        print("搜索计时（数据库、OpenSearch）…", flush=True)
        from bench import search_bench

        results["search"] = search_bench.run()
    if not skip["intake"]:
        print("一次表单提交与移交计时…", flush=True)
        from bench import intake_bench

        results["intake"] = intake_bench.run()
    if not skip["volume"]:
        print("工作人员页面容量计时（PostgreSQL，1,000 与 100,000 件）…", flush=True)
        from bench import volume_bench

        results["volume"] = volume_bench.run()
    results["total_s"] = round(time.perf_counter() - began, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(report(results))
    print(f"总耗时 {results['total_s']} s")


if __name__ == "__main__":
    main()
