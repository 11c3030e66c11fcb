"""The shared cache across real processes: two gunicorn instances on one database, with the embedded cache (the
database table) and with a real redis-server. An edit made in another process is seen by both at once, a page kept
by one is served by the other, and the progress look-up's rate limit counts across both.

Outside CI a missing redis-server skips the Redis run; with CI=true it fails, so a broken image cannot pass.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.processes import ROOT, World, free_port, fresh_database, kill, socket_open, wait_for

pytestmark = pytest.mark.process

CATALOGUE = ROOT / "tests" / "intake" / "catalogue"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(params=["embedded", "redis"])
def cache_env(request, tmp_path):
    if request.param == "embedded":
        yield {}
        return
    server = shutil.which("redis-server")
    if server is None:
        message = "redis-server is not installed (tools/system-deps.sh test installs it)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: socket_open(port), 30, "redis-server to listen")
        yield {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    finally:
        kill(proc)


@pytest.fixture
def two_servers(tmp_path, cache_env):
    with fresh_database(tmp_path, "cache") as url:
        world = World(tmp_path, url, **cache_env)
        world.manage("migrate", "--noinput")
        world.manage("import_catalogue", str(CATALOGUE), "--no-progress")
        try:
            yield world, world.start_gunicorn("a"), world.start_gunicorn("b")
        finally:
            world.stop()


def _open(opener, base, path, data=None):
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data).encode() if data else None,
                                     headers={"Host": "localhost", "Referer": base + path})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_two_servers_share_pages_versions_and_rate_limits(two_servers):
    world, a, b = two_servers
    path = world.query("from guides.models import ThemePage; "
                       "print(__import__('json').dumps(ThemePage.objects.filter(alias_of__isnull=True, "
                       "locale__language_code='zh-hans').first().get_url_parts()[2]))")
    plain = urllib.request.build_opener()

    status, headers, before = _open(plain, a, path)
    assert status == 200 and headers["X-Page-Cache"] == "MISS"
    status, headers, body = _open(plain, b, path)
    assert headers["X-Page-Cache"] == "HIT" and body == before  # kept by a, served by b

    # A registry edit in another process (as an editor's request or a task would make it).
    world.manage("shell", "-c", "from guides.models import ServiceItem; i = ServiceItem.objects.get(code='AK-XK-0001'); "
                                "i.name = '企业设立登记（新名称）'; i.save()")
    for base in (b, a):
        status, headers, body = _open(plain, base, path)
        assert status == 200 and "企业设立登记（新名称）" in body, base
    assert headers["X-Page-Cache"] == "HIT"  # b stored the new page, a served it

    # The progress look-up allows 10 guesses per client IP in 10 minutes, counted across both servers.
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, _, form = _open(browser, a, "/intake/progress/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    guess = {"csrfmiddlewaretoken": token, "tracking_number": "61090020260101000001", "phone": "13800000000"}
    statuses = [_open(browser, (a, b)[n % 2], "/intake/progress/", guess)[0] for n in range(10)]
    assert statuses == [200] * 10
    assert _open(browser, a, "/intake/progress/", guess)[0] == 429
    assert _open(browser, b, "/intake/progress/", guess)[0] == 429
