"""A real OIDC provider on loopback: Keycloak from Maven Central, with the demo realm (deploy/keycloak/).

The tests sign in through it (tests/accounts) and a developer can try 统一身份认证 with `make keycloak`, which
prints the settings `make run` then needs. Keycloak 26 needs Java 21 or newer: $KEYCLOAK_JAVA_HOME, else the
newest JDK in $JAVA_HOME or /usr/lib/jvm. Its files go under .cache/keycloak/ (never committed); the database is
in memory, so every start imports the realm afresh.

    python -m deploy.keycloak fetch          # idempotent download and unpack
    python -m deploy.keycloak start [PORT]   # foreground until Ctrl-C; prints the OIDC_* settings
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

VERSION = "26.5.6"
ROOT = Path(__file__).resolve().parent.parent
REALM_FILE = Path(__file__).resolve().parent / "keycloak" / "guide-realm.json"
REALM = json.loads(REALM_FILE.read_text(encoding="utf-8"))
CACHE = Path(os.environ.get("KEYCLOAK_CACHE_DIR", ROOT / ".cache" / "keycloak"))
START_TIMEOUT = float(os.environ.get("KEYCLOAK_START_TIMEOUT", 180))


class KeycloakError(RuntimeError):
    pass


def _java_major(home: Path) -> int:
    try:
        for line in (home / "release").read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                return int(line.split("=", 1)[1].strip('"').split(".")[0])
    except (OSError, ValueError):
        pass
    return 0


def java_home() -> Path:
    if os.environ.get("KEYCLOAK_JAVA_HOME"):
        return Path(os.environ["KEYCLOAK_JAVA_HOME"])
    candidates = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    candidates += sorted(Path("/usr/lib/jvm").glob("*"), key=_java_major, reverse=True)
    for home in candidates:
        if (home / "bin" / "java").is_file() and _java_major(home) >= 21:
            return home
    found = ", ".join(f"{c} (Java {_java_major(c)})" for c in candidates) or "none"
    raise KeycloakError(f"Keycloak {VERSION} needs Java 21+; found {found}. Set KEYCLOAK_JAVA_HOME.")


def home() -> Path:
    return CACHE / f"keycloak-{VERSION}"


def fetch() -> Path:
    """Download the distribution from Maven Central (through Maven, as the OpenSearch node is) and unpack it."""
    target = home()
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers on a cold cache fetch once
        if (target / "bin" / "kc.sh").is_file():
            return target
        if shutil.which("mvn") is None:
            raise KeycloakError("mvn (Maven) is not installed: apt-get install maven")
        scratch = CACHE / "download"
        cmd = ["mvn", "-B", "-ntp", "-q", "dependency:copy", f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{VERSION}:zip",
               f"-DoutputDirectory={scratch}"]
        if os.environ.get("KEYCLOAK_MAVEN_REPO"):
            cmd.append(f"-Dmaven.repo.local={os.environ['KEYCLOAK_MAVEN_REPO']}")
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=CACHE)
        archive = scratch / f"keycloak-quarkus-dist-{VERSION}.zip"
        if done.returncode != 0 or not archive.is_file():
            raise KeycloakError(f"fetching Keycloak {VERSION} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        with zipfile.ZipFile(archive) as z:
            z.extractall(CACHE)
        for script in (target / "bin").glob("*.sh"):
            script.chmod(0o755)
        shutil.rmtree(scratch)
    return target


class KeycloakNode:
    """One Keycloak process on 127.0.0.1, its realm imported at start; stop() ends it."""

    realm = REALM["realm"]

    def __init__(self, port: int):
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.log = CACHE / f"keycloak-{port}.log"
        # The master realm's administrator, for this process only (allow_redirect uses it).
        self.admin = ("admin", secrets.token_urlsafe(16))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{self.realm}"

    def client(self, client_id: str) -> dict:
        """The demo realm's client ``client_id`` (its secret too)."""
        return next(c for c in REALM["clients"] if c["clientId"] == client_id)

    def start(self) -> KeycloakNode:
        kc_home = fetch()
        imports = kc_home / "data" / "import"
        imports.mkdir(parents=True, exist_ok=True)
        shutil.copy(REALM_FILE, imports / REALM_FILE.name)
        env = {**os.environ, "JAVA_HOME": str(java_home()),
               "KC_BOOTSTRAP_ADMIN_USERNAME": self.admin[0], "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin[1],
               "JAVA_OPTS_KC_HEAP": os.environ.get("KEYCLOAK_HEAP", "-Xms64m -Xmx512m")}
        cmd = [str(kc_home / "bin" / "kc.sh"), "start-dev", "--db=dev-mem", "--import-realm",
               "--http-host=127.0.0.1", f"--http-port={self.port}", "--hostname-strict=false",
               "--health-enabled=false", "--metrics-enabled=false"]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # One start at a time per distribution: a first start rewrites lib/quarkus/ (Quarkus' build step), and two
        # test workers starting at once broke each other's.
        with open(CACHE / ".start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with open(self.log, "wb") as out:
                self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                             start_new_session=True)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise KeycloakError(f"Keycloak exited with {self.proc.returncode}:\n{self.log_tail()}")
                if self._ready():
                    return self
                time.sleep(0.5)
        self.stop()
        raise KeycloakError(f"Keycloak not ready after {START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def _api(self, method: str, path: str, body=None, *, form: dict | None = None, token: str = ""):
        data = urllib.parse.urlencode(form).encode() if form else json.dumps(body).encode() if body else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers={
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=30) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def allow_redirect(self, client_id: str, base_url: str) -> None:
        """Let ``client_id`` send visitors back to ``base_url`` too (a test server on a port chosen at random)."""
        token = self._api("POST", "/realms/master/protocol/openid-connect/token", form={
            "grant_type": "password", "client_id": "admin-cli", "username": self.admin[0],
            "password": self.admin[1]})["access_token"]
        base = f"/admin/realms/{self.realm}/clients"
        client = self._api("GET", f"{base}?clientId={urllib.parse.quote(client_id)}", token=token)[0]
        client["redirectUris"] = sorted({*client["redirectUris"], f"{base_url.rstrip('/')}/*"})
        self._api("PUT", f"{base}/{client['id']}", client, token=token)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2) as r:
                return json.load(r).get("issuer") == self.issuer
        except (OSError, ValueError):
            return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
        self.proc = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.keycloak", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "start"])
    parser.add_argument("port", nargs="?", type=int, default=8180)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(f"Keycloak {VERSION}: {fetch()}")
            return 0
        node = KeycloakNode(args.port).start()
    except KeycloakError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Keycloak {VERSION} 已启动: {node.url}/admin/ (realm {node.realm}). 用它登录，启动网站前设置：")
    for audience, client in (("PUBLIC", "guide-public"), ("STAFF", "guide-staff")):
        secret = node.client(client)["secret"]
        print(f"  export OIDC_{audience}_ISSUER={node.issuer} OIDC_{audience}_CLIENT_ID={client} "
              f"OIDC_{audience}_CLIENT_SECRET={secret}")
    print("演示账号：" + ", ".join(f"{u['username']} / {u['credentials'][0]['value']}" for u in REALM["users"]))
    try:
        node.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
