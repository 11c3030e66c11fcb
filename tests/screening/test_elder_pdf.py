"""The 一次告知单 PDF in large print (长辈模式): asked for by ``_large=1`` or the elder cookie."""

import base64
import re
import zlib
from urllib.parse import urlencode

import pytest

from guides.models import ThemePage

pytestmark = pytest.mark.django_db

ANSWERS = [("subject", "company"), ("food", "bulk"), ("area", "large"), ("tobacco", "sells"), ("sign", "large"),
           ("premises", "own")]


def _theme_path(language="zh-hans"):
    page = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code=language)
    return page.get_url_parts()[2]


def _text_operators(pdf: bytes) -> tuple[list[float], list[tuple[float, float]]]:
    """Font sizes (``Tf``) of shown text and (size, leading) pairs of ``Tf``/``TL`` set together, from the page
    streams."""
    sizes, pairs = [], []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = raw.strip()
        if data.endswith(b"~>"):  # reportlab writes /Filter [ /ASCII85Decode /FlateDecode ]
            data = base64.a85decode(data[:-2])
        try:
            content = zlib.decompress(data)
        except zlib.error:
            continue  # a font or image stream
        # Only text objects that show text: reportlab also sets a default font in empty BT/ET pairs.
        for block in re.findall(rb"BT .*? ET", content, re.S):
            if not re.search(rb"\) Tj|\] TJ", block):
                continue
            sizes += [float(s) for s in re.findall(rb"/F\S+ ([\d.]+) Tf", block)]
            pairs += [(float(s), float(t)) for s, t in re.findall(rb"/F\S+ ([\d.]+) Tf ([\d.]+) TL", block)]
    return sizes, pairs


def _pdf(client, query=""):
    qs = urlencode(ANSWERS) + query
    response = client.get(f"{_theme_path()}checklist/pdf/?{qs}")
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    return response


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_large_print_pdf_has_bigger_text_and_leading(client):
    standard = _pdf(client).content
    large = _pdf(client, "&_large=1").content
    std_sizes, _pairs = _text_operators(standard)
    sizes, pairs = _text_operators(large)
    assert std_sizes and sizes
    # Body text (the most used size): 10 pt in the standard PDF, at least 16 pt in large print.
    body = max(set(sizes), key=sizes.count)
    assert max(set(std_sizes), key=std_sizes.count) < 12
    assert body >= 16
    assert min(sizes) >= 14  # only the QR caption and URL are smaller than body text
    assert pairs and all(leading >= 1.3 * size for size, leading in pairs)
    assert _pages(large) > _pages(standard)


def test_elder_cookie_gives_the_large_pdf_and_the_checklist_links_to_it(client):
    standard = _pdf(client)
    assert "Cookie" in standard["Vary"]
    client.cookies["elder"] = "1"
    large = _pdf(client)
    sizes, _pairs = _text_operators(large.content)
    assert min(sizes) >= 14 and max(set(sizes), key=sizes.count) >= 16
    page = client.get(f"{_theme_path()}checklist/?{urlencode(ANSWERS)}").content.decode()
    assert re.search(r'href="[^"]*checklist/pdf/\?[^"]*_large=1"', page)


def test_large_parameter_is_not_taken_for_an_answer(client):
    # The wizard's reserved parameters must not make the answers invalid (which would redirect to the wizard).
    response = client.get(f"{_theme_path()}checklist/?{urlencode(ANSWERS)}&_large=1")
    assert response.status_code == 200


def test_english_large_print_pdf(client):
    response = client.get(f"{_theme_path('en')}checklist/pdf/?{urlencode(ANSWERS)}&_large=1")
    assert response.status_code == 200
    sizes, pairs = _text_operators(response.content)
    assert max(set(sizes), key=sizes.count) >= 16 and min(sizes) >= 14
    assert all(leading >= 1.3 * size for size, leading in pairs)
