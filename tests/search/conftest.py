"""Search fixtures: the documents built once per session; a real OpenSearch node for engine tests."""

import os

import pytest


@pytest.fixture(scope="session")
def search_documents(django_db_setup, django_db_blocker):
    """Every document of the reference catalogue, in the database engine (the import's tasks built them)."""
    from search.backends import get_backend
    from search.indexing import all_documents

    with django_db_blocker.unblock():
        docs = all_documents()
        get_backend("database").index_documents(docs)
    return docs


@pytest.fixture(scope="session")
def opensearch_node():
    """A real ephemeral OpenSearch node. With CI=true a node that cannot start fails the tests."""
    from search.node import OpenSearchNode, OpenSearchNodeError

    node = OpenSearchNode(ephemeral=True)
    try:
        node.start()
    except (OpenSearchNodeError, OSError) as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"OpenSearch node could not start (CI=true): {exc}")
        pytest.skip(f"OpenSearch node could not start: {exc}")
    yield node
    node.stop()


@pytest.fixture(scope="session")
def opensearch_index(opensearch_node, search_documents):
    """The catalogue indexed into the node through the zero-downtime rebuild; returns (url, alias)."""
    from search.os_engine import client, rebuild

    alias = "test-guide-themes"
    rebuild(search_documents, client(opensearch_node.url, timeout=60), alias)
    return opensearch_node.url, alias


@pytest.fixture
def os_settings(settings, opensearch_index):
    url, alias = opensearch_index
    settings.OPENSEARCH_URL = url
    settings.OPENSEARCH_INDEX = alias
    return settings
