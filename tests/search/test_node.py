"""End to end: a real single-node OpenSearch started by search.node.OpenSearchNode.

Needs Java 17 and Maven (the first start fetches OpenSearch from Maven Central into
.cache/opensearch/). Run alone with:

    .venv/bin/pytest tests/search/test_node.py -p no:django -q
"""

import sys
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run with -p no:django, nothing else puts the repo on sys.path
    sys.path.insert(0, str(ROOT))

from search.node import OpenSearchNode, OpenSearchNodeError, free_port, port_is_open  # noqa: E402

pytestmark = pytest.mark.engine

INDEX = "guides_node_test"
INDEX_BODY = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "filter": {
                "zh_synonyms": {
                    "type": "synonym_graph",
                    "synonyms": ["超市, 商场", "开, 开办"],
                },
            },
            "analyzer": {
                # text arrives pre-segmented with spaces (jieba), so whitespace is the tokenizer
                "zh_ws": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                "zh_ws_synonym": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase", "zh_synonyms"]},
            },
        },
    },
    "mappings": {
        "properties": {
            "title": {"type": "text", "analyzer": "zh_ws", "search_analyzer": "zh_ws_synonym"},
            "category": {"type": "keyword"},
        }
    },
}
DOCS = {
    "1": {"title": "我要 开 超市", "category": "开店"},
    "2": {"title": "我要 开办 商场", "category": "开店"},
    "3": {"title": "我要 办理 营业执照", "category": "证照"},
}


def test_node_serves_synonym_search_and_aggregations_then_stops():
    node = OpenSearchNode(ephemeral=True)
    node.start()  # a free port; returns once health is at least yellow
    port = node.port
    try:
        assert port_is_open(port)
        client = OpenSearch(node.url, timeout=30)

        assert client.info()["version"]["number"].startswith("2.19.")
        assert client.cluster.health()["status"] in ("green", "yellow")
        nodes = client.nodes.info(metric="plugins")["nodes"]
        modules = {m["name"] for n in nodes.values() for m in n["modules"]}
        assert {"analysis-common", "lang-painless", "transport-netty4"} <= modules

        client.indices.create(index=INDEX, body=INDEX_BODY)
        assert client.cluster.health(index=INDEX, wait_for_status="green")["status"] == "green"

        tokens = client.indices.analyze(index=INDEX, body={"analyzer": "zh_ws_synonym", "text": "开 超市 WiFi"})
        assert {t["token"] for t in tokens["tokens"]} == {"开", "开办", "超市", "商场", "wifi"}

        for doc_id, doc in DOCS.items():
            client.index(index=INDEX, id=doc_id, body=doc)
        client.indices.refresh(index=INDEX)

        # "开办 超市": doc 1 matches via 开办→开, doc 2 via 超市→商场; doc 3 not at all
        result = client.search(
            index=INDEX,
            body={
                "query": {"match": {"title": {"query": "开办 超市", "operator": "and"}}},
                "aggs": {"by_category": {"terms": {"field": "category"}}},
            },
        )
        assert result["hits"]["total"]["value"] == 2
        assert {h["_id"] for h in result["hits"]["hits"]} == {"1", "2"}
        assert {b["key"]: b["doc_count"] for b in result["aggregations"]["by_category"]["buckets"]} == {"开店": 2}

        everything = client.search(
            index=INDEX, body={"size": 0, "aggs": {"by_category": {"terms": {"field": "category"}}}}
        )
        buckets = {b["key"]: b["doc_count"] for b in everything["aggregations"]["by_category"]["buckets"]}
        assert buckets == {"开店": 2, "证照": 1}

        # lang-painless works under the security manager
        scripted = client.search(
            index=INDEX,
            body={
                "query": {"ids": {"values": ["3"]}},
                "script_fields": {"n": {"script": {"lang": "painless", "source": "doc['category'].value.length()"}}},
            },
        )
        assert scripted["hits"]["hits"][0]["fields"]["n"] == [2]

        # the filters Wagtail's opensearch2 backend declares in its index settings (analysis-common)
        client.indices.create(
            index=INDEX + "_wagtail_like",
            body={
                "settings": {
                    "number_of_replicas": 0,
                    "index": {"max_ngram_diff": 12},
                    "analysis": {
                        "filter": {
                            "ngram": {"type": "ngram", "min_gram": 3, "max_gram": 15},
                            "edgengram": {"type": "edge_ngram", "min_gram": 1, "max_gram": 15},
                        },
                        "analyzer": {
                            "edgengram_analyzer": {
                                "type": "custom",
                                "tokenizer": "standard",
                                "filter": ["asciifolding", "lowercase", "edgengram"],
                            },
                            "ngram_analyzer": {
                                "type": "custom",
                                "tokenizer": "standard",
                                "filter": ["asciifolding", "lowercase", "ngram"],
                            },
                        },
                    },
                }
            },
        )
        edge = client.indices.analyze(
            index=INDEX + "_wagtail_like", body={"analyzer": "edgengram_analyzer", "text": "Café"}
        )
        assert [t["token"] for t in edge["tokens"]] == ["c", "ca", "caf", "cafe"]
    finally:
        node.stop()

    assert not port_is_open(port)
    assert not node.is_running()
    assert not node.node_dir.exists()  # ephemeral: data removed


def test_start_failure_raises_with_log_tail():
    node = OpenSearchNode(ephemeral=True, heap="not-a-size")
    with pytest.raises(OpenSearchNodeError) as excinfo:
        node.start(timeout=120)
    message = str(excinfo.value)
    assert "exited before it was ready" in message
    assert "not-a-size" in message  # the JVM's own complaint, from the node's log
    node.stop()
    assert not port_is_open(node.port)


def test_start_refuses_a_port_in_use():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", free_port()))
        busy.listen()
        node = OpenSearchNode(busy.getsockname()[1], ephemeral=True)
        with pytest.raises(OpenSearchNodeError, match="already in use"):
            node.start()
