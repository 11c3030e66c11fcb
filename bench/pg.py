"""Throwaway servers on loopback for the benchmarks: a PostgreSQL cluster, as .ci/run starts one (initdb and pg_ctl
as the postgres user, in a temporary directory, on a free port, stopped and removed afterwards), and a redis-server
(the production cache)."""

from __future__ import annotations

import contextlib
import glob
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(command: str) -> None:
    subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", command], check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster(database: str = "guide"):
    """Yields a DATABASE_URL; raises SystemExit when the Debian PostgreSQL packages are missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        raise SystemExit("PostgreSQL 未安装：apt-get install -y postgresql")
    pgbin, port = found[-1], _free_port()
    # A terminated bench still stops its cluster: SIGTERM becomes SystemExit, which runs the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data = tempfile.mkdtemp(prefix="bench-pg-")
    shutil.chown(data, "postgres")
    try:
        _as_postgres(f"{pgbin}/initdb -D '{data}' -A trust -U postgres -E UTF8 --locale=C.UTF-8")
        # Default durability (fsync, synchronous commit): submissions are measured as production would commit them.
        _as_postgres(f"{pgbin}/pg_ctl -D '{data}' -o '-h 127.0.0.1 -p {port} -k /tmp' -l '{data}/server.log' -w start")
        try:
            _as_postgres(f"{pgbin}/createdb -h 127.0.0.1 -p {port} {database}")
            yield f"postgres://postgres@127.0.0.1:{port}/{database}"
        finally:
            _as_postgres(f"{pgbin}/pg_ctl -D '{data}' -m fast stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def redis():
    """Yields a REDIS_URL; raises SystemExit when the Debian redis-server package is missing."""
    server = shutil.which("redis-server")
    if not server:
        raise SystemExit("redis-server 未安装：apt-get install -y redis-server")
    port = _free_port()
    proc = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
