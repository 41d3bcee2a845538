"""Password hashing with argon2id (argon2-cffi), the one place that knows the hash format (DESIGN §8)."""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hash, verify and upgrade passwords; tests pass a cheap ``PasswordHasher`` to stay fast."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        # argon2-cffi's defaults follow RFC 9106's low-memory profile and use argon2id.
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; a corrupt hash counts as a mismatch, never a crash."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, so an unknown username cannot be told by timing."""
        self.verify(self._dummy(), password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    def _dummy(self) -> str:
        # Made on first use, not at construction: building an app must not burn a hash's CPU time.
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(24))
            return self._dummy_hash
