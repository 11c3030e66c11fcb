"""The production topology on loopback: nginx (TLS) → two gunicorn web instances, a db_worker, PostgreSQL, Redis
and OpenSearch, with guide_site.settings.production. `make topology` runs it until Ctrl-C; tests/deploy uses it.

Everything is real and throwaway: a PostgreSQL cluster made with initdb (as user postgres when run by root), a
Redis without persistence, an ephemeral OpenSearch node (search/node.py), a self-signed certificate for localhost,
and a SECRET_KEY generated per run. All of it lives under one temporary directory and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from search.node import OpenSearchNode
from tests.processes import free_port, kill, socket_open, wait_for

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "guide-site.conf"
DEMO_CATALOGUE = ROOT / "demo" / "catalogue"
HOSTS = "localhost,127.0.0.1"
# What the topology needs on the machine (tools/system-deps.sh test installs them).
PROGRAMS = {"nginx": "/usr/sbin/nginx", "redis-server": "/usr/bin/redis-server", "openssl": "/usr/bin/openssl"}


def missing_parts() -> list[str]:
    missing = [name for name, path in PROGRAMS.items() if not os.path.exists(path)]
    if not _pg_bin():
        missing.append("PostgreSQL server (initdb, pg_ctl)")
    return missing


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def render_site(**values: str) -> str:
    text = SITE_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = [line for line in text.splitlines() if "@" in line and not line.lstrip().startswith("#")]
    assert not left, f"unfilled placeholders: {left}"
    return text


class Topology:
    def __init__(self, tmp: Path | None = None, catalogue: Path = DEMO_CATALOGUE):
        self.tmp = Path(tmp or tempfile.mkdtemp(prefix="guide-topology-"))
        self.catalogue = catalogue
        self.procs: dict[str, subprocess.Popen] = {}
        self.search_node: OpenSearchNode | None = None
        self.pgdata: Path | None = None
        self.web_ports: list[int] = []
        self.pinned_ports: list[int] = []
        self.https_port = self.http_port = self.pg_port = self.redis_port = 0
        self.env: dict[str, str] = {}
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ addresses

    @property
    def base(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def ca_file(self) -> Path:
        return self.tmp / "tls" / "cert.pem"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def log(self, name: str) -> Path:
        return self.tmp / "logs" / f"{name}.log"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Topology:
        missing = missing_parts()
        if missing:
            raise RuntimeError(f"the topology needs: {', '.join(missing)} (bash tools/system-deps.sh test)")
        (self.tmp / "logs").mkdir(exist_ok=True)
        t0 = time.monotonic()
        search_error: list[BaseException] = []
        search = threading.Thread(target=self._start_search, args=(search_error,), daemon=True)
        search.start()  # OpenSearch takes longest: it starts while the rest is set up
        self._start_postgres()
        self._start_redis()
        self._tls()
        self.env = self._environment()
        # collectstatic needs no database: it copies while migrate runs.
        static = self._start("collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"])
        self.manage("migrate", "--noinput")
        failed = static.wait(300)
        del self.procs["collectstatic"]  # main() watches only the servers
        if failed:
            raise RuntimeError(f"collectstatic failed: {self.log('collectstatic').read_text()[-3000:]}")
        search.join(180)
        if search_error or search.is_alive():
            raise RuntimeError(f"OpenSearch did not start: {search_error}")
        self.env["OPENSEARCH_URL"] = self.search_node.url
        self.env["GUIDE_SEARCH_BACKEND"] = "opensearch"
        # The import's follow-up tasks (indexing) run inline, as in `make demo`.
        inline = {**self.env, "GUIDE_TASKS_BACKEND": "immediate"}
        self.manage("import_catalogue", str(self.catalogue), "--no-progress", env=inline)
        self.manage("rebuild_search_index", "--no-progress", env=inline)
        for n in (1, 2):
            self._start_web(n)
        self._start("worker", [sys.executable, "manage.py", "db_worker", "--interval", "0.5",
                               "--no-startup-delay"])
        self._start_nginx()
        wait_for(lambda: self._healthy(), 60, "/healthz through nginx")
        self.timings["started"] = time.monotonic() - t0
        return self

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if name == "nginx" and proc.poll() is None:
                proc.terminate()  # nginx stops its workers on SIGTERM
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)
            kill(proc)
        self.procs.clear()
        if self.search_node is not None:
            self.search_node.stop()
        if self.pgdata is not None:
            subprocess.run(_as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate",
                                         "stop"]), capture_output=True, timeout=60)
            shutil.rmtree(self.pgdata, ignore_errors=True)

    def __enter__(self) -> Topology:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ the parts

    def _start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env or self.env, stdout=open(self.log(name), "a"),
                                stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def _listening(self, name: str, port: int, timeout: float = 60) -> None:
        def up():
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name).read_text()[-3000:]}")
            return socket_open(port)

        wait_for(up, timeout, f"{name} to listen on {port}")

    def _start_search(self, errors: list) -> None:
        try:
            self.search_node = OpenSearchNode(ephemeral=True)
            self.search_node.start()
        except BaseException as exc:  # reported by start(), which joins this thread
            errors.append(exc)

    def _start_postgres(self) -> None:
        pg = _pg_bin()
        self.pgdata = Path(tempfile.mkdtemp(prefix="guide-topology-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.pgdata, user.pw_uid, user.pw_gid)
        subprocess.run(_as_postgres([str(pg / "initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True, timeout=120)
        self.pg_port = free_port()
        subprocess.run(_as_postgres([str(pg / "pg_ctl"), "-D", str(self.pgdata), "-o",
                                     f"-h 127.0.0.1 -p {self.pg_port} -k {self.pgdata}", "-l",
                                     str(self.pgdata / "server.log"), "-w", "start"]),
                       check=True, capture_output=True, timeout=120)
        subprocess.run(_as_postgres([str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U",
                                     "postgres", "guide"]), check=True, capture_output=True, timeout=60)

    def _start_redis(self) -> None:
        self.redis_port = free_port()
        self._start("redis", [PROGRAMS["redis-server"], "--bind", "127.0.0.1", "--port", str(self.redis_port),
                              "--save", "", "--appendonly", "no", "--dir", str(self.tmp)], env=dict(os.environ))
        self._listening("redis", self.redis_port)

    def _tls(self) -> None:
        tls = self.tmp / "tls"
        tls.mkdir(exist_ok=True)
        subprocess.run([PROGRAMS["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
                       check=True, capture_output=True, timeout=60)

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "guide_site.settings.production",
            # A new key each run; never written to a file.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOSTS,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/guide",
            "CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "STATIC_ROOT": str(self.tmp / "static"),
            # One shared directory for every web instance and the worker, as the shared storage of docs/deploy.md.
            "MEDIA_ROOT": str(self.tmp / "shared" / "media"),
            "INTAKE_STORAGE_DIR": str(self.tmp / "shared" / "uploads"),
            "INTAKE_HANDOFF_BACKEND": "window",
            "GUIDE_TASKS_BACKEND": "database",
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str, env: dict | None = None, timeout: float = 600) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env or self.env,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def query(self, code: str):
        """Run Python in a Django shell against the topology's database; the code prints one JSON value last."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def _start_web(self, n: int) -> None:
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self._start(f"web{n}", [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "guide_site.wsgi:application",
                                "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                "--access-logfile", str(self.log(f"web{n}-access"))])
        self._listening(f"web{n}", port)
        self.web_ports.append(port)

    def _start_nginx(self) -> None:
        self.https_port, self.http_port = free_port(), free_port()
        conf = self.tmp / "nginx"
        conf.mkdir(exist_ok=True)
        site = render_site(
            UPSTREAM_SERVERS="\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"
                                       for p in self.web_ports),
            HTTP_LISTEN=f"127.0.0.1:{self.http_port}", HTTPS_LISTEN=f"127.0.0.1:{self.https_port}",
            HTTPS_PORT_SUFFIX=f":{self.https_port}", SERVER_NAMES="localhost 127.0.0.1",
            TLS_CERT=str(self.ca_file), TLS_KEY=str(self.tmp / "tls" / "key.pem"),
            STATIC_ROOT=self.env["STATIC_ROOT"], MEDIA_ROOT=self.env["MEDIA_ROOT"])
        (conf / "guide-site.conf").write_text(site)
        # For the tests only: one more TLS port per web instance, proxied the same way, so a test can choose the
        # instance that serves a request (a submission on one, the window on the other).
        self.pinned_ports = [free_port() for _ in self.web_ports]
        pinned = "".join(f"""
server {{
    listen 127.0.0.1:{mine} ssl;
    ssl_certificate {self.ca_file};
    ssl_certificate_key {self.tmp / "tls" / "key.pem"};
    client_max_body_size 60m;
    location / {{
        proxy_pass http://127.0.0.1:{web};
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Real-IP $remote_addr;
    }}
}}""" for mine, web in zip(self.pinned_ports, self.web_ports, strict=True))
        # The part /etc/nginx/nginx.conf provides on a server: here everything stays in the temporary directory.
        (conf / "nginx.conf").write_text(f"""
daemon off;
# Workers as the user who owns the temporary files (a server runs them as www-data, with read access granted).
user {pwd.getpwuid(os.geteuid()).pw_name};
worker_processes 2;
pid {conf}/nginx.pid;
error_log {self.log('nginx-error')} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.log('nginx-access')};
    client_body_temp_path {conf}/body;
    proxy_temp_path {conf}/proxy;
    fastcgi_temp_path {conf}/fastcgi;
    uwsgi_temp_path {conf}/uwsgi;
    scgi_temp_path {conf}/scgi;
    include {conf}/guide-site.conf;
{pinned}
}}
""")
        self._start("nginx", [PROGRAMS["nginx"], "-c", str(conf / "nginx.conf"), "-p", str(conf)],
                    env=dict(os.environ))
        self._listening("nginx", self.https_port)

    def _healthy(self) -> bool:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=5, context=self.ssl_context()) as r:
                return r.status == 200
        return False


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # `kill` or a timeout stops it as Ctrl-C does, with everything it started.
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=DEMO_CATALOGUE)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt), Topology(catalogue=args.catalogue) as topology:
        print(f"site:     {topology.base}/   (self-signed: trust {topology.ca_file}, or curl --cacert it)")
        print(f"web:      {', '.join(f'127.0.0.1:{p}' for p in topology.web_ports)} (gunicorn)")
        print(f"postgres: {topology.env['DATABASE_URL']}   redis: {topology.env['REDIS_URL']}")
        print(f"search:   {topology.search_node.url}   logs: {topology.tmp / 'logs'}")
        print(f"ready in {topology.timings['started']:.0f}s; Ctrl-C stops everything")
        while all(p.poll() is None for p in topology.procs.values()):
            time.sleep(1)
        print("a process exited; see the logs", file=sys.stderr)


if __name__ == "__main__":
    main()
