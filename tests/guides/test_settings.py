"""Production refuses to start without its secrets; the repository holds none."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_production(env):
    return subprocess.run(
        [sys.executable, "-c", "import guide_site.settings.production"],
        cwd=ROOT, env={**{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}, **env},
        capture_output=True, text=True,
    )


def test_production_requires_secret_key_and_hosts():
    result = _import_production({})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = _import_production({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
    assert _import_production({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "guide.example.org"}).returncode == 0
