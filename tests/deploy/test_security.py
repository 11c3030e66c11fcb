"""Production settings pass `check --deploy`; every response carries the Content Security Policy; /healthz."""

import os
import subprocess
import sys

import pytest
from django.core.management.utils import get_random_secret_key

from tests.processes import ROOT, free_port


def test_check_deploy_is_clean_under_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guide_site.settings.production",
           "SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "guide.example.gov.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guide_site.settings.production", "SECRET_KEY": "",
           "ALLOWED_HOSTS": "guide.example.gov.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def _policy(response) -> dict[str, list[str]]:
    directives = (d.split() for d in response.headers["Content-Security-Policy"].split(";"))
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
def test_public_pages_have_the_strict_policy(client):
    for path in ("/", "/search/?q=开办", "/intake/progress/", "/healthz"):
        policy = _policy(client.get(path, HTTP_HOST="localhost"))
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], path
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], path


@pytest.mark.django_db
def test_the_admin_has_the_looser_policy(client):
    policy = _policy(client.get("/admin/login/", HTTP_HOST="localhost"))
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]  # the page preview is an iframe of the admin
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_templates_render_no_inline_script_or_style(client):
    for path in ("/", "/search/?q=开办"):
        body = client.get(path, HTTP_HOST="localhost").content.decode()
        assert " style=" not in body and "<script>" not in body, path


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_fails_when_the_cache_cannot_be_reached(client, settings):
    # Redis on a port nothing listens on: every cache call fails for real. (Changing CACHES resets the cache
    # connections: Django's setting_changed handler.)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "ok", "cache": "fail"}}
