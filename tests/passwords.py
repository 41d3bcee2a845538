"""Password hashing for tests (imported as ``tests.passwords``)."""

from __future__ import annotations

from argon2 import PasswordHasher

from gateway.passwords import Passwords


def fast_passwords(time_cost: int = 1) -> Passwords:
    """Real argon2id with tiny costs: the algorithm is the real one, only the work factor is not."""
    return Passwords(PasswordHasher(time_cost=time_cost, memory_cost=1024, parallelism=1))
