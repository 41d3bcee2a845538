"""Identifiers are canonical random UUID strings."""

from __future__ import annotations

import uuid

from shared.ids import new_id


def test_new_ids_are_random_version_4_uuids_in_canonical_form():
    ids = [new_id() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 and uuid.UUID(i).variant == uuid.RFC_4122 and str(uuid.UUID(i)) == i
               for i in ids)
