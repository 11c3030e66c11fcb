"""Real processes for tests: free loopback ports, bounded waits, a database of their own, `manage.py` subprocesses.

Shared by the hand-off tests (tests/intake/test_real_processes.py) and the browser journeys (tests/browser/). Every
wait is bounded and everything listens on 127.0.0.1 only; callers kill what they start in ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def socket_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def kill(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


@contextlib.contextmanager
def fresh_database(tmp: Path, prefix: str = "proc"):
    """Yield a DATABASE_URL for a database nobody else uses; PostgreSQL databases are dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'db.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    # CREATE/DROP DATABASE from the server's maintenance database: DATABASE_URL's own database need not exist.
    admin = psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True,
                            connect_timeout=10)
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        admin.close()


class World:
    """A database, an environment and the processes started against them (a web server, task workers)."""

    def __init__(self, tmp: Path, url: str, **env: str):
        self.tmp = tmp
        self.url = url
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guide_site.settings.test", "DATABASE_URL": url,
                    "GUIDE_TASKS_BACKEND": "database", "INTAKE_STORAGE_DIR": str(tmp / "uploads"),
                    "PYTHONUNBUFFERED": "1", **env}
        self.server: subprocess.Popen | None = None
        self.procs: list[subprocess.Popen] = []
        self.port = 0
        self.base = ""

    def manage(self, *args, timeout: float = 300, env: dict | None = None) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env or self.env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    def query(self, code: str, timeout: float = 60):
        """Run Python in a Django shell against this database; the code prints one JSON value."""
        return json.loads(self.manage("shell", "-c", code, timeout=timeout).strip().splitlines()[-1])

    def start_server(self, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        log = self.tmp / "server.log"
        self.server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks",
             *extra], cwd=ROOT, env=self.env, stdout=open(log, "a"), stderr=subprocess.STDOUT)
        self.procs.append(self.server)
        self.base = f"http://127.0.0.1:{self.port}"

        def up():
            if self.server.poll() is not None:
                raise AssertionError(f"runserver died: {log.read_text()[-3000:]}")
            return socket_open(self.port)

        wait_for(up, 60, "runserver to listen")

    def start_gunicorn(self, name: str, workers: int = 1) -> str:
        """A gunicorn of its own on a free port, as production serves the site; returns its base URL."""
        port = free_port()
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "guide_site.wsgi:application"], cwd=ROOT, env=self.env, stdout=open(log, "a"),
            stderr=subprocess.STDOUT)
        self.procs.append(proc)

        def up():
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn {name} died: {log.read_text()[-3000:]}")
            return socket_open(port)

        wait_for(up, 60, f"gunicorn {name} to listen")
        return f"http://127.0.0.1:{port}"

    def start_worker(self, env: dict | None = None, name: str = "worker") -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
                                cwd=ROOT, env=env or self.env, stdout=open(self.tmp / f"{name}.log", "a"),
                                stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            kill(proc)
        self.procs.clear()
