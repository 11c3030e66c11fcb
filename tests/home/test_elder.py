"""长辈模式 (elder-friendly mode): the switch, its cookie, every public page type and the large-print PDF."""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from guides.models import ThemePage

pytestmark = pytest.mark.django_db

SUPERMARKET = "AK-YJS-001"
ANSWERS = [("subject", "company"), ("food", "bulk"), ("area", "large"), ("tobacco", "sells"), ("sign", "large"),
           ("premises", "own")]
SWITCH_ON = 'name="elder" value="1"'
SWITCH_OFF = 'name="elder" value="0"'


def _theme_path(code=SUPERMARKET, language="zh-hans"):
    page = ThemePage.objects.get(code=code, alias_of__isnull=True, locale__language_code=language)
    return page.get_url_parts()[2]


def _public_pages():
    """(name, host, path) for every public page type that extends base.html and needs no account."""
    theme = _theme_path()
    qs = urlencode(ANSWERS)
    return [
        ("home", "localhost", "/"),
        ("theme list", "localhost", "/themes/"),
        ("theme page", "localhost", theme),
        ("wizard step", "localhost", f"{theme}screening/"),
        ("checklist", "localhost", f"{theme}checklist/?{qs}"),
        ("search", "localhost", "/search/?q=超市"),
        ("intake form", "localhost", f"/intake/apply/{SUPERMARKET}/?{qs}"),
        ("progress", "localhost", "/intake/progress/"),
        ("county home", "hanbin.localhost", "/"),
        ("english home", "localhost", "/en/"),
        ("english theme page", "localhost", _theme_path(language="en")),
    ]


def _html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_every_public_page_has_the_switch_and_the_class_follows_the_cookie():
    for name, host, path in _public_pages():
        client = Client(HTTP_HOST=host)
        standard = client.get(path)
        assert standard.status_code == 200, (name, standard.status_code)
        html = standard.content.decode()
        assert SWITCH_ON in html and SWITCH_OFF not in html, name
        assert 'class="elder"' not in _html_tag(standard), name
        assert "Cookie" in standard["Vary"], name

        client.cookies["elder"] = "1"
        elder = client.get(path)
        assert elder.status_code == 200, name
        html = elder.content.decode()
        assert 'class="elder"' in _html_tag(elder), name
        assert SWITCH_OFF in html and SWITCH_ON not in html, name
        assert "Cookie" in elder["Vary"], name
        assert 'target="_blank"' not in html, name


def test_switch_wording_in_both_languages(client):
    assert "长辈模式（大字体）" in client.get("/").content.decode()
    assert "Larger text mode" in client.get("/en/").content.decode()
    client.cookies["elder"] = "1"
    assert "返回标准模式" in client.get("/").content.decode()
    assert "Back to standard mode" in client.get("/en/").content.decode()


def test_switch_form_posts_to_the_view_of_the_current_language(client):
    assert re.search(r'<form method="post" action="/elder/"', client.get("/").content.decode())
    html = client.get("/en/").content.decode()
    assert re.search(r'<form method="post" action="/en/elder/"', html)
    assert '<input type="hidden" name="next" value="/en/">' in html


def test_toggle_sets_and_clears_the_cookie_and_returns_to_next(client):
    theme = _theme_path()
    response = client.post("/elder/", {"elder": "1", "next": theme})
    assert response.status_code == 302 and response["Location"] == theme
    cookie = response.cookies["elder"]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert 'class="elder"' in _html_tag(client.get(theme))

    response = client.post("/elder/", {"elder": "0", "next": theme})
    assert response.status_code == 302 and response["Location"] == theme
    assert response.cookies["elder"].value == "" and response.cookies["elder"]["max-age"] == 0
    assert 'class="elder"' not in _html_tag(client.get(theme))


def test_toggle_keeps_the_query_string_of_next(client):
    target = f"{_theme_path()}checklist/?{urlencode(ANSWERS)}"
    response = client.post("/elder/", {"elder": "1", "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http://evil.example", "",
                                    "javascript:alert(1)", "/\\evil.example"])
def test_toggle_rejects_an_off_site_next(client, target):
    response = client.post("/elder/", {"elder": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    english = client.post("/en/elder/", {"elder": "1", "next": target})
    assert english["Location"] == "/en/"


def test_toggle_on_a_county_site_stays_on_that_site(county_client):
    response = county_client.post("/elder/", {"elder": "1", "next": "http://hanbin.localhost/themes/"})
    assert response["Location"] == "http://hanbin.localhost/themes/"
    response = county_client.post("/elder/", {"elder": "1", "next": "http://localhost/themes/"})
    assert response["Location"] == "/"


def test_toggle_requires_post_but_no_csrf_token_so_public_pages_carry_none():
    client = Client(enforce_csrf_checks=True)
    assert client.get("/elder/").status_code == 405
    page = client.get("/")
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert "csrftoken" not in page.cookies
    response = client.post("/elder/", {"elder": "1", "next": "/"})
    assert response.status_code == 302 and response.cookies["elder"].value == "1"


def test_csrf_stays_on_for_the_other_forms():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/intake/progress/", {"tracking_number": "AK1", "phone": "1"}).status_code == 403


def test_other_cookie_values_are_standard_mode(client):
    client.cookies["elder"] = "yes"
    assert 'class="elder"' not in _html_tag(client.get("/"))


def test_responses_that_never_read_the_cookie_do_not_vary_on_it(client):
    response = client.get("/api/themes/")
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")


def test_search_has_no_suggestion_popup_in_elder_mode(client):
    standard = client.get("/search/").content.decode()
    assert "data-autocomplete=" in standard and "autocomplete.js" in standard and 'role="listbox"' in standard
    client.cookies["elder"] = "1"
    elder = client.get("/search/").content.decode()
    assert "data-autocomplete=" not in elder and "autocomplete.js" not in elder
    assert 'role="listbox"' not in elder and 'role="combobox"' not in elder
    assert 'id="search-q"' in elder  # the plain search box stays


def test_no_page_template_opens_a_new_window_or_a_dialog():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert "_blank" not in text and "<dialog" not in text and "window.open" not in text, path
