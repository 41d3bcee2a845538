"""The Elasticsearch index template of the case index, in one place.

``infra/elasticsearch/cases.json`` is this template rendered (``render()``); a test fails when the committed
file is stale. Text arrives already cut into words by jieba (search mode) in our code, so the ``*_words``
fields split on whitespace only, exactly as SQLite FTS5 does in the embedded mode: no analysis plugin is
needed on the cluster, and both engines index the same words.
"""

from __future__ import annotations

import json
from typing import Any

WORDS = {"type": "text", "analyzer": "words"}
STORED = {"type": "text", "index": False}      # returned, never searched: the words fields are


def template(alias: str) -> dict[str, Any]:
    """The composable index template for the versioned indices behind ``alias`` (``<alias>-v…``)."""
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {
            "settings": {
                "number_of_shards": 1,
                "refresh_interval": "1s",
                "analysis": {"analyzer": {"words": {"type": "custom", "tokenizer": "whitespace"}}},
            },
            "mappings": {
                "dynamic": "strict",
                "properties": {
                    "seq": {"type": "long"},
                    "key": {"type": "keyword"},
                    "kind": {"type": "keyword"},
                    "id": {"type": "keyword"},
                    "number": {"type": "keyword"},
                    "title": STORED, "body": STORED, "address": STORED,
                    "region": {"type": "keyword"},
                    "status": {"type": "keyword"},
                    "departments": {"type": "keyword"},
                    "confidential": {"type": "boolean"},
                    "tags": {"type": "keyword"},
                    "caller_key": {"type": "keyword"},
                    "at": {"type": "date"},
                    "status_at": {"type": "date"},
                    "updated_at": {"type": "date"},
                    "memo": {"type": "object", "enabled": False},
                    "title_words": WORDS, "body_words": WORDS, "extra_words": WORDS,
                },
            },
        },
        "_meta": {"description": "Duban case index (services/search); the alias is " + alias},
    }


def render(alias: str = "duban-cases") -> str:
    """The committed file: ``python -c 'from services.search.mappings import render; print(render(), end="")'
    > infra/elasticsearch/cases.json``."""
    return json.dumps(template(alias), indent=2, ensure_ascii=False) + "\n"
