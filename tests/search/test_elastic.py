"""The Elasticsearch backend's own plumbing, against the Elasticsearch-API engine: the template from
infra/elasticsearch, versioned indices behind the alias, and the atomic swap of a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.search.elastic import ElasticBackend
from services.search.handlers import reindex
from services.search.mappings import render
from tests.search.conftest import open_desk, ticket

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_index_template_is_the_one_the_code_installs():
    assert (ROOT / "infra/elasticsearch/cases.json").read_text() == render()


@pytest.fixture
def elastic(tmp_path, elastic_url):
    desk = open_desk(tmp_path, "elasticsearch", elastic_url)
    yield desk
    desk.search.backend.drop()
    desk.search.db.dispose()


def test_the_alias_points_at_one_versioned_index_with_the_templates_mappings(elastic):
    backend: ElasticBackend = elastic.search.backend
    elastic.feed(ticket(1, "小区噪音扰民", "广场舞噪音"))

    [index] = backend.indices()
    mapping = backend.client.indices.get_mapping(index=index)[index]["mappings"]

    assert index.startswith(f"{backend.alias}-v")
    assert mapping["properties"]["title_words"]["analyzer"] == "words"
    assert mapping["properties"]["departments"]["type"] == "keyword"


def test_a_rebuild_swaps_the_alias_to_a_new_index_and_drops_the_old(elastic):
    backend: ElasticBackend = elastic.search.backend
    for n in range(3):
        elastic.feed(ticket(n, f"噪音投诉{n}", "广场舞噪音"))
    [before] = backend.indices()

    name, total = reindex(elastic.search)
    elastic.refresh()

    assert backend.indices() == [name] != [before]
    assert not backend.client.indices.exists(index=before)
    assert total == 3 and elastic.find(q="噪音")["total"] == 3
