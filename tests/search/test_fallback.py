"""OpenSearch unreachable at run time (a closed port): the search answers from the database and logs a warning."""

import logging

import pytest

from search.backends import SearchQuery, search
from search.node import free_port

pytestmark = pytest.mark.django_db


def test_unreachable_node_falls_back_to_the_database(settings, search_documents, caplog):
    settings.OPENSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.GUIDE_SEARCH_BACKEND = "opensearch"
    with caplog.at_level(logging.WARNING, logger="search.backends"):
        results = search(SearchQuery(q="开超市", site_code="ankang"))
    assert results.fallback and results.engine == "database"
    assert results.hits[0].code == "AK-YJS-001"
    assert any("answering from the database" in r.getMessage() for r in caplog.records)


def test_unreachable_node_search_page_still_answers(settings, search_documents, client):
    settings.OPENSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    settings.GUIDE_SEARCH_BACKEND = "opensearch"
    r = client.get("/search/", {"q": "开超市"}, HTTP_HOST="localhost")
    assert r.status_code == 200 and "备用检索" in r.content.decode()
