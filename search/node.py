"""Run a real single-node OpenSearch on loopback, for development, tests and CI.

Pure standard library, no Django: usable from pytest fixtures, CI scripts and as a
plain script (``tools/opensearch/opensearch.sh start|stop|status`` runs this file).

This module is the one place that knows how to *run* the node; fetching the
distribution (Maven Central, see ``tools/opensearch/pom.xml``) is done by
``tools/opensearch/opensearch.sh fetch``, which :meth:`OpenSearchNode.start` runs
when the distribution is missing.

The node:

* binds HTTP to ``127.0.0.1:<port>`` (a free port when none is given);
* uses ``discovery.type=single-node`` (so production bootstrap checks such as
  ``vm.max_map_count`` are not enforced) and has no security plugin at all;
* keeps config, data, logs and its pid file in ``.cache/opensearch/nodes/<port>/``;
* gets a small heap (512m unless told otherwise) and needs no network;
* runs as the unprivileged system user ``opensearch`` (created with ``useradd`` on
  first use) when started by root, because OpenSearch refuses to run as root and
  has no setting to override that.

Example::

    with OpenSearchNode(ephemeral=True) as node:   # starts, waits for yellow
        OpenSearch(node.url).info()
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FETCH_SCRIPT = ROOT / "tools" / "opensearch" / "opensearch.sh"
HOST = "127.0.0.1"
RUN_AS_USER = "opensearch"  # used only when started by root
DEFAULT_HEAP = "512m"
DEFAULT_START_TIMEOUT = 180.0
CLUSTER_NAME = "guide-site-local"
BOOTSTRAP_CLASS = "org.opensearch.bootstrap.OpenSearch"

# Talk to the node directly, never through an http(s)_proxy from the environment.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class OpenSearchNodeError(RuntimeError):
    """The node could not be fetched, started, reached or stopped."""


def cache_dir() -> Path:
    return Path(os.environ.get("OPENSEARCH_CACHE_DIR") or ROOT / ".cache" / "opensearch")


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        return s.connect_ex((host, port)) == 0


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "".join(deque(fh, maxlen=lines))
    except OSError:
        return ""


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie (a container's PID 1 may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _java_home() -> Path:
    """A JDK that OpenSearch 2.19 runs on (11-23: it still uses the security manager).

    $OPENSEARCH_JAVA_HOME is taken as given; otherwise $JAVA_HOME, then ``java`` on
    PATH, then /usr/lib/jvm/* -- the first that is a supported version, so that a
    JAVA_HOME pointing at Java 24+ (needed by other tools) does not break the node.
    """
    if os.environ.get("OPENSEARCH_JAVA_HOME"):
        return Path(os.environ["OPENSEARCH_JAVA_HOME"])
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    if java := shutil.which("java"):
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    candidates += sorted(Path("/usr/lib/jvm").glob("*"), key=lambda p: -(_java_major(p) or 0))
    for home in candidates:
        if (home / "bin" / "java").is_file() and _java_major(home) in range(11, 24):
            return home
    found = ", ".join(f"{c} (Java {_java_major(c)})" for c in candidates) or "none"
    raise OpenSearchNodeError(
        f"no JDK 11-23 found for OpenSearch 2.19 (found: {found}); install openjdk-17 or set OPENSEARCH_JAVA_HOME"
    )


def _java_major(java_home: Path) -> int | None:
    try:
        for line in (java_home / "release").read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                version = line.split("=", 1)[1].strip().strip('"')
                major = version.split(".")[0]
                return int(version.split(".")[1]) if major == "1" else int(major)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _ensure_run_as_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(RUN_AS_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run(
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            "OpenSearch (local dev/test node)",
            RUN_AS_USER,
        ],
        capture_output=True,
        text=True,
    )
    try:  # another process may have created it meanwhile
        return pwd.getpwnam(RUN_AS_USER)
    except KeyError:
        raise OpenSearchNodeError(
            f"OpenSearch refuses to run as root and creating the user {RUN_AS_USER!r} failed: "
            f"{result.stderr.strip() or result.returncode}"
        ) from None


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


class OpenSearchNode:
    """One single-node OpenSearch cluster on ``127.0.0.1``.

    ``ephemeral=True`` starts from empty data and deletes the node's directory on
    :meth:`stop` (tests); otherwise data survives restarts on the same port.
    A node object made for a port whose node was started elsewhere (e.g. by the
    shell script) can inspect and :meth:`stop` it through its pid file.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        heap: str | None = None,
        ephemeral: bool = False,
        start_timeout: float = DEFAULT_START_TIMEOUT,
    ):
        self.port = port
        self.heap = heap or os.environ.get("OPENSEARCH_HEAP") or DEFAULT_HEAP
        self.ephemeral = ephemeral
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self.started_at: float | None = None
        self.ready_after: float | None = None  # seconds from start() to yellow

    # -- paths ---------------------------------------------------------------

    @property
    def home(self) -> Path:
        """The unpacked distribution (``.cache/opensearch/home`` -> ``opensearch-<version>``)."""
        return cache_dir() / "home"

    @property
    def node_dir(self) -> Path:
        if self.port is None:
            raise OpenSearchNodeError("the node has no port yet: call start() first")
        return cache_dir() / "nodes" / str(self.port)

    @property
    def pid_file(self) -> Path:
        return self.node_dir / "opensearch.pid"

    @property
    def log_file(self) -> Path:
        """Console output (stdout + stderr) of the launcher and the node."""
        return self.node_dir / "console.log"

    @property
    def server_log(self) -> Path:
        return self.node_dir / "logs" / f"{CLUSTER_NAME}.log"

    @property
    def url(self) -> str:
        if self.port is None:
            raise OpenSearchNodeError("the node has no port yet: call start() first")
        return f"http://{HOST}:{self.port}"

    # -- state ---------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        if self._proc is not None:
            return self._proc.pid if self._proc.poll() is None else None
        if self.port is None:
            return None
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if self._is_our_node(pid) else None

    def _is_our_node(self, pid: int) -> bool:
        """Guards against a stale pid file whose pid now belongs to something else."""
        if not _pid_alive(pid):
            return False
        conf = str(self.node_dir / "config")
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if f"-Dopensearch.path.conf={conf}".encode() in args:
                return True
            # before bin/opensearch execs the JVM, only its environment tells
            return f"OPENSEARCH_PATH_CONF={conf}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False

    def is_running(self) -> bool:
        return self.pid is not None

    def health(self, timeout: float = 2.0) -> dict:
        return self._get("/_cluster/health", timeout=timeout)

    def info(self, timeout: float = 2.0) -> dict:
        return self._get("/", timeout=timeout)

    def rss_bytes(self) -> int | None:
        """Resident memory of the node's JVM, from /proc."""
        pid = self.pid
        if pid is None:
            return None
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return None

    def _get(self, path: str, timeout: float) -> dict:
        with _http.open(self.url + path, timeout=timeout) as resp:
            return json.load(resp)

    def log_tail(self, lines: int = 60) -> str:
        out = _tail(self.log_file, lines)
        if not out.strip():
            out = _tail(self.server_log, lines)
        return out

    # -- start ---------------------------------------------------------------

    def fetch(self) -> None:
        """Download/unpack the distribution unless it is there and current (idempotent)."""
        result = subprocess.run(
            ["bash", str(FETCH_SCRIPT), "fetch"],
            capture_output=True,
            text=True,
            env={**os.environ, "OPENSEARCH_CACHE_DIR": str(cache_dir())},
        )
        if result.returncode != 0 or not (self.home / "bin" / "opensearch").is_file():
            raise OpenSearchNodeError(
                f"fetching OpenSearch failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )

    def start(self, port: int | None = None, *, wait: bool = True, timeout: float | None = None) -> OpenSearchNode:
        """Start the node in the background on ``port`` (a free one when None).

        With ``wait`` (the default) returns once the cluster is at least yellow,
        else raises :class:`OpenSearchNodeError` with the end of the node's log.
        """
        if self._proc is not None and self._proc.poll() is None:
            raise OpenSearchNodeError(f"this node is already running at {self.url}")
        if port is not None:
            self.port = port
        if self.port is None:
            self.port = free_port()
        if self.is_running():
            raise OpenSearchNodeError(f"an OpenSearch node is already running at {self.url} (pid {self.pid})")
        if port_is_open(self.port):
            raise OpenSearchNodeError(f"port {HOST}:{self.port} is already in use by another program")

        self.fetch()  # cheap when already fetched; refetches when tools/opensearch/ changed
        java_home = _java_home()

        self._prepare_node_dir()
        env = self._child_env(java_home)
        run_as: dict = {}
        if os.geteuid() == 0:
            user = _ensure_run_as_user()
            _chown_tree(self.node_dir, user.pw_uid, user.pw_gid)
            run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            self._check_access_as(run_as, java_home)

        self.pid_file.unlink(missing_ok=True)
        self.started_at = time.monotonic()
        with open(self.log_file, "wb") as log:  # this start's output only; logs/ keeps history
            self._proc = subprocess.Popen(
                [str(self.home / "bin" / "opensearch")],
                cwd=self.node_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **run_as,
            )
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if wait:
            try:
                self.wait_until_ready(timeout if timeout is not None else self.start_timeout)
            except OpenSearchNodeError:
                self.stop(keep_files=True)  # leave no JVM behind; keep its logs to read
                raise
        return self

    def _prepare_node_dir(self) -> None:
        node_dir = self.node_dir
        if self.ephemeral and node_dir.exists():
            shutil.rmtree(node_dir)
        config = node_dir / "config"
        for sub in (config / "jvm.options.d", node_dir / "data", node_dir / "logs", node_dir / "tmp"):
            sub.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.home / "config" / "log4j2.properties", config / "log4j2.properties")
        (config / "opensearch.yml").write_text(
            "# Written by search/node.py on every start: edit that file, not this one.\n"
            + "".join(
                f"{key}: {json.dumps(value)}\n"
                for key, value in {
                    "cluster.name": CLUSTER_NAME,
                    "node.name": f"node-{self.port}",
                    "path.data": str(node_dir / "data"),
                    "path.logs": str(node_dir / "logs"),
                    "network.host": HOST,
                    "http.port": self.port,
                    "discovery.type": "single-node",
                    "bootstrap.memory_lock": False,
                    # a nearly full disk must not turn the test node read-only / red
                    "cluster.routing.allocation.disk.threshold_enabled": False,
                }.items()
            )
        )
        logs = node_dir / "logs"
        (config / "jvm.options").write_text(
            "\n".join(
                [
                    f"-Xms{self.heap}",
                    f"-Xmx{self.heap}",
                    "-XX:+UseG1GC",
                    "-XX:G1ReservePercent=25",
                    "-XX:InitiatingHeapOccupancyPercent=30",
                    "-Djava.io.tmpdir=${OPENSEARCH_TMPDIR}",
                    "-XX:+HeapDumpOnOutOfMemoryError",
                    f"-XX:HeapDumpPath={logs}",
                    f"-XX:ErrorFile={logs}/hs_err_pid%p.log",
                    f"-Xlog:gc*,gc+age=trace,safepoint:file={logs}/gc.log:utctime,pid,tags:filecount=4,filesize=16m",
                    "18-:-Djava.security.manager=allow",
                    "20-:--add-modules=jdk.incubator.vector",
                    "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
                    "org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory",
                    "",
                ]
            )
        )

    def _child_env(self, java_home: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("JAVA_TOOL_OPTIONS", "JAVA_OPTS", "_JAVA_OPTIONS")}
        env.update(
            {
                "OPENSEARCH_HOME": str(self.home.resolve()),
                "OPENSEARCH_JAVA_HOME": str(java_home),
                "OPENSEARCH_PATH_CONF": str(self.node_dir / "config"),
                "OPENSEARCH_TMPDIR": str(self.node_dir / "tmp"),
                "HOME": str(self.node_dir),
            }
        )
        return env

    def _check_access_as(self, run_as: dict, java_home: Path) -> None:
        probe = subprocess.run(
            [
                "/bin/sh",
                "-c",
                'test -x "$1/bin/opensearch" && test -r "$1/lib" && test -x "$2/bin/java" && test -w "$3"',
                "sh",
                str(self.home.resolve()),
                str(java_home),
                str(self.node_dir),
            ],
            capture_output=True,
            **run_as,
        )
        if probe.returncode != 0:
            raise OpenSearchNodeError(
                f"user {RUN_AS_USER!r} (OpenSearch refuses to run as root) cannot reach {self.home.resolve()}, "
                f"{java_home} or {self.node_dir}: every parent directory must be traversable by others "
                f"(chmod o+x), or set OPENSEARCH_CACHE_DIR to a directory outside such a parent"
            )

    def wait_until_ready(self, timeout: float = DEFAULT_START_TIMEOUT) -> dict:
        """Block until cluster health is yellow or green; return the health."""
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while True:
            if not self.is_running():
                code = self._proc.poll() if self._proc is not None else None
                raise OpenSearchNodeError(
                    f"OpenSearch exited before it was ready (exit code {code}); "
                    f"last lines of {self.log_file}:\n{self.log_tail()}"
                )
            try:
                health = self._get("/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=5)
                if health.get("status") in ("green", "yellow"):
                    if self.started_at is not None and self.ready_after is None:
                        self.ready_after = time.monotonic() - self.started_at
                    return health
                last_error = f"cluster status {health.get('status')}"
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last_error = str(getattr(exc, "reason", exc))
            if time.monotonic() >= deadline:
                raise OpenSearchNodeError(
                    f"OpenSearch at {self.url} was not ready within {timeout:.0f}s ({last_error}); "
                    f"last lines of {self.log_file}:\n{self.log_tail()}"
                )
            time.sleep(0.5)

    # -- stop ----------------------------------------------------------------

    def stop(self, timeout: float = 30.0, *, keep_files: bool = False) -> None:
        """Stop the node (SIGTERM, SIGKILL after ``timeout``); wait until its port is closed.

        An ephemeral node's directory is deleted unless ``keep_files``.
        """
        pid = self.pid
        if pid is not None:
            self._signal(pid, signal.SIGTERM)
            if not self._wait_exit(pid, timeout):
                self._signal(pid, signal.SIGKILL)
                if not self._wait_exit(pid, 10):
                    raise OpenSearchNodeError(f"OpenSearch (pid {pid}) did not exit")
        elif self._proc is not None:
            self._proc.wait()  # already exited: reap it
        self._proc = None
        if self.port is not None:
            deadline = time.monotonic() + 10
            while port_is_open(self.port) and time.monotonic() < deadline:
                time.sleep(0.2)
            self.pid_file.unlink(missing_ok=True)
            if self.ephemeral and not keep_files:
                shutil.rmtree(self.node_dir, ignore_errors=True)

    def _signal(self, pid: int, sig: int) -> None:
        try:
            if self._proc is not None and self._proc.pid == pid:
                os.killpg(pid, sig)  # our own session: the launcher and the JVM
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            try:
                self._proc.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while _pid_alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    # -- context manager -------------------------------------------------------

    def __enter__(self) -> OpenSearchNode:
        if not (self._proc is not None and self._proc.poll() is None):
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<OpenSearchNode {self.url if self.port else '(no port)'} pid={self.pid}>"


# -- command line (tools/opensearch/opensearch.sh start|stop|status) -----------------


def _known_ports() -> list[int]:
    nodes = cache_dir() / "nodes"
    return sorted(int(p.name) for p in nodes.glob("*") if p.is_dir() and p.name.isdigit())


def _describe(node: OpenSearchNode) -> tuple[bool, str]:
    if not node.is_running():
        return False, f"{node.url}: stopped"
    try:
        status = node.health().get("status", "?")
        version = node.info().get("version", {}).get("number", "?")
    except (urllib.error.URLError, OSError, ValueError):
        status, version = "not answering yet", "?"
    rss = node.rss_bytes()
    rss_txt = f", RSS {rss / 2**20:.0f} MiB" if rss else ""
    return True, f"{node.url}: running (pid {node.pid}{rss_txt}), OpenSearch {version}, health {status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opensearch.sh", description="Local single-node OpenSearch")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_start = sub.add_parser("start", help="start in the background, wait for yellow, print the URL")
    p_start.add_argument("port", nargs="?", type=int, help="HTTP port (default: a free one)")
    p_start.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT)
    p_start.add_argument("--heap", default=None, help=f"JVM heap (default {DEFAULT_HEAP} or $OPENSEARCH_HEAP)")
    for name, text in (("stop", "stop the node on PORT (default: all)"), ("status", "show node(s)")):
        p = sub.add_parser(name, help=text)
        p.add_argument("port", nargs="?", type=int)
    args = parser.parse_args(argv)

    try:
        if args.cmd == "start":
            node = OpenSearchNode(args.port, heap=args.heap)
            if args.port is not None and node.is_running():
                print(f"already running: {_describe(node)[1]}", file=sys.stderr)
                node.wait_until_ready(args.timeout)
            else:
                node.start(timeout=args.timeout)
                print(f"OpenSearch ready in {node.ready_after:.1f}s: {_describe(node)[1]}", file=sys.stderr)
                print(f"log: {node.log_file}", file=sys.stderr)
            print(node.url)
            return 0
        ports = [args.port] if args.port is not None else _known_ports()
        if args.cmd == "stop":
            for port in ports:
                node = OpenSearchNode(port)
                was_running = node.is_running()
                node.stop()
                print(f"{node.url}: {'stopped' if was_running else 'was not running'}")
            return 0
        # status: exit 0 when (all) asked-for nodes run, 3 otherwise (like LSB init scripts)
        if not ports:
            print("no OpenSearch node has been started from here")
            return 3
        running = True
        for port in ports:
            up, text = _describe(OpenSearchNode(port))
            running &= up
            print(text)
        return 0 if running else 3
    except OpenSearchNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
