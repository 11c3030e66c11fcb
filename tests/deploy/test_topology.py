"""The production topology (deploy/topology.py) on loopback: nginx with TLS → two gunicorn instances, a db_worker,
PostgreSQL, Redis and OpenSearch, under guide_site.settings.production.

Started once for the module with the one-theme test catalogue. Outside CI a machine without nginx, Redis or the
PostgreSQL server skips; with CI=true it fails (tools/system-deps.sh test installs them).
"""

from __future__ import annotations

import html.parser
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploy.topology import Topology, missing_parts
from tests.browser.support import in_ci
from tests.intake.test_real_processes import CATALOGUE, apply_over_http
from tests.processes import wait_for

# One group: under xdist the module-scoped topology is then started once, on one worker (Makefile: --dist loadgroup).
pytestmark = [pytest.mark.topology, pytest.mark.xdist_group("topology")]

CLERK = """
import json
from django.contrib.auth import get_user_model
from wagtail.models import Site
from window.constants import Role
from window.models import WindowRole
user = get_user_model().objects.create_user("clerk", password="topology-pw-2026")
WindowRole.objects.create(user=user, role=Role.CLERK, site=Site.objects.get(is_default_site=True), department_code="")
print(json.dumps(user.pk))
"""


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    missing = missing_parts()
    if missing:
        (pytest.fail if in_ci() else pytest.skip)(f"the topology needs {', '.join(missing)}")
    mp = pytest.MonkeyPatch()
    with Topology(tmp_path_factory.mktemp("topology"), catalogue=CATALOGUE) as t:
        # urllib's default HTTPS context (apply_over_http's too) trusts the topology's self-signed certificate.
        mp.setenv("SSL_CERT_FILE", str(t.ca_file))
        t.manage("shell", "-c", CLERK)
        try:
            yield t
        finally:
            mp.undo()


def get(url: str, opener=None, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with (opener or urllib.request.build_opener(_NoRedirect)).open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Forms(html.parser.HTMLParser):
    """Each form's action and hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("type") == "hidden" and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def forms(body: bytes) -> list[dict]:
    parser = _Forms()
    parser.feed(body.decode())
    return parser.forms


def post(opener, url: str, data: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST",
                                     headers={"Referer": url})
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "") or exc.read()[:2000].decode(errors="replace")


def instance(t: Topology, n: int) -> str:
    return f"https://localhost:{t.pinned_ports[n]}"


def test_submitted_on_one_instance_accepted_in_the_window_on_the_other(topology):
    tracking = apply_over_http(SimpleNamespace(base=instance(topology, 0)))
    clerk = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    web2 = instance(topology, 1)
    status, _, body = get(f"{web2}/admin/login/", clerk)
    assert status == 200
    token = next(f["fields"]["csrfmiddlewaretoken"] for f in forms(body) if "csrfmiddlewaretoken" in f["fields"])
    status, location = post(clerk, f"{web2}/admin/login/", {"csrfmiddlewaretoken": token, "username": "clerk",
                                                             "password": "topology-pw-2026", "next": "/window/"})
    assert status == 302 and location.endswith("/window/"), (status, location)

    case = f"{web2}/window/cases/{tracking}/"
    # The db_worker hands the application to the window; until then the case does not exist.
    body = wait_for(lambda: (lambda r: r[0] == 200 and r[2])(get(case, clerk)), 60, "the hand-off to the window")
    accept = next(f for f in forms(body) if f["action"].endswith("/accept/"))
    status, _ = post(clerk, urllib.parse.urljoin(case, accept["action"]), accept["fields"])
    assert status == 302
    # The other instance sees it too (the session and the case live in the shared database).
    status, _, body = get(f"{instance(topology, 0)}/window/cases/{tracking}/", clerk)
    assert status == 200 and "已受理" in body.decode()
    state = topology.query(f"import json; from window.models import Case; "
                           f"print(json.dumps(Case.objects.get(tracking_number='{tracking}').status))")
    assert state == "in_approval"  # accepted, and sent on to the approving departments


def test_nginx_balances_over_both_instances_and_health_is_ok(topology):
    for _ in range(6):
        status, headers, body = get(f"{topology.base}/healthz")
        assert status == 200 and json.loads(body) == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "max-age=31536000; includeSubDomains; preload" in headers["Strict-Transport-Security"]
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    for n in (1, 2):
        wait_for(lambda n=n: "/healthz" in topology.log(f"web{n}-access").read_text(), 10, f"web{n}'s access log")


def test_plain_http_is_redirected_to_https(topology):
    status, headers, _ = get(f"http://localhost:{topology.http_port}/intake/progress/")
    assert status == 301 and headers["Location"] == f"{topology.base}/intake/progress/"
    # Behind the proxy Django itself redirects a request that did not come over TLS.
    status, headers, _ = get(f"http://127.0.0.1:{topology.web_ports[0]}/", Host="localhost")
    assert status == 301 and headers["Location"].startswith("https://localhost/")


def test_static_files_come_from_nginx_not_django(topology):
    status, headers, body = get(f"{topology.base}/static/css/site.css")
    assert status == 200 and b".progress-bar" in body and headers["Content-Type"].startswith("text/css")
    status, _, _ = get(f"http://127.0.0.1:{topology.web_ports[0]}/static/css/site.css", Host="localhost",
                       **{"X-Forwarded-Proto": "https"})
    assert status == 404  # gunicorn serves no static files: without nginx they are missing


def test_uploads_are_never_served_as_files(topology):
    tracking = apply_over_http(SimpleNamespace(base=topology.base))
    uploads = Path(topology.env["INTAKE_STORAGE_DIR"])
    stored = [p for p in uploads.rglob("*") if p.is_file()]
    assert stored, "the application's uploads are not in the shared upload directory"
    relative = stored[0].relative_to(uploads).as_posix()
    for path in (f"/media/{relative}", f"/media/../uploads/{relative}", f"/uploads/{relative}",
                 f"/static/../shared/uploads/{relative}"):
        status, headers, body = get(topology.base + path)
        if status == 301:  # Django's APPEND_SLASH: the slashed path must not serve it either
            status, _, body = get(urllib.parse.urljoin(topology.base, headers["Location"]))
        assert status in (400, 404), (path, status)
        assert not body.startswith(b"%PDF"), path
    # The receipt page links the files only for the applicant's own session.
    status, _, _ = get(f"{topology.base}/intake/applications/{tracking}/")
    assert status in (302, 403, 404)


def test_the_look_up_rate_limit_is_shared_by_both_instances(topology):
    # Ten look-ups per client and ten minutes in all: counted in Redis, not in each instance's own memory.
    codes = []
    for n in range(12):
        web = instance(topology, n % 2)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                             _NoRedirect)
        _, _, body = get(f"{web}/intake/progress/", opener)
        token = next(f["fields"]["csrfmiddlewaretoken"] for f in forms(body) if "csrfmiddlewaretoken" in f["fields"])
        codes.append(post(opener, f"{web}/intake/progress/", {"csrfmiddlewaretoken": token,
                                                               "tracking_number": "61090020260101000001",
                                                               "phone": "13800001234"})[0])
    assert codes[:10].count(429) == 0 and codes[10:] == [429, 429], codes


def test_search_runs_on_opensearch(topology):
    status, _, _ = get(f"{topology.base}/search/?q=" + urllib.parse.quote("食品"))
    assert status == 200
    count = topology.query("import json; from django.conf import settings; from opensearchpy import OpenSearch; "
                           "c = OpenSearch([settings.OPENSEARCH_URL]); "
                           "print(json.dumps(c.count(index=settings.OPENSEARCH_INDEX)['count']))")
    assert count >= 1, "the theme index in OpenSearch is empty"
