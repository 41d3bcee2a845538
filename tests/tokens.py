"""Token key files for tests of the distributed mode (imported as ``tests.tokens``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.keys import KeyRing, private_pem, public_pem


def key_files(folder: Path) -> dict[str, Any]:
    """A fresh gateway key pair in ``folder``: the Settings fields that point at it."""
    ring = KeyRing.generate()
    assert ring.signing is not None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jwt-signing-key.pem").write_bytes(private_pem(ring.signing))
    (folder / "jwt-public-keys.pem").write_bytes(public_pem(ring.signing.public_key()))
    return {"jwt_private_key_file": folder / "jwt-signing-key.pem",
            "jwt_public_keys_file": folder / "jwt-public-keys.pem"}
