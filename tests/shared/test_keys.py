"""Token keys: only the gateway's private key signs, services verify with public keys, keys rotate."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner

from gateway.cli import main
from shared.auth import ADMIN, OPERATOR, Principal, TokenService
from shared.clock import ManualClock
from shared.errors import Unauthorized
from shared.keys import KeyRing, keys_for, load_private_key, private_pem, public_pem
from shared.settings import DISTRIBUTED, Settings

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
ALICE = Principal("alice", frozenset({OPERATOR}))


def verifier_of(*rings: KeyRing, clock: ManualClock | None = None) -> TokenService:
    """A service's token checker: the public keys of ``rings``, no signing key."""
    return TokenService(KeyRing.of(public=[k for ring in rings for k in ring.public.values()]),
                        clock=clock or ManualClock(NOW))


def test_a_service_accepts_the_gateways_token_and_refuses_one_signed_by_any_other_key():
    gateway, other = KeyRing.generate(), KeyRing.generate()
    service = verifier_of(gateway)

    assert service.verify(TokenService(gateway).issue(ALICE, now=NOW)).username == "alice"
    with pytest.raises(Unauthorized):
        service.verify(TokenService(other).issue(Principal("mallory", frozenset({ADMIN})), now=NOW))


def test_a_token_for_another_audience_or_without_a_known_key_id_is_refused():
    gateway = KeyRing.generate()
    service = verifier_of(gateway)
    claims = {"iss": "duban-gateway", "sub": "alice", "exp": int((NOW + timedelta(hours=1)).timestamp())}
    kid = gateway.signing_kid
    assert gateway.signing is not None

    for token in (jwt.encode({**claims, "aud": "elsewhere"}, gateway.signing, algorithm="EdDSA",
                             headers={"kid": kid}),
                  jwt.encode({**claims, "aud": "duban"}, gateway.signing, algorithm="EdDSA"),
                  jwt.encode({**claims, "aud": "duban"}, "x" * 40, algorithm="HS256", headers={"kid": kid})):
        with pytest.raises(Unauthorized):
            service.verify(token)


def test_a_rotated_key_keeps_earlier_tokens_valid_until_they_expire():
    clock = ManualClock(NOW)
    old, new = KeyRing.generate(), KeyRing.generate()
    earlier = TokenService(old, ttl=timedelta(hours=8)).issue(ALICE, now=NOW)
    # rotation: services accept both public keys, then the gateway signs with the new key only
    service = verifier_of(old, new, clock=clock)
    later = TokenService(new, ttl=timedelta(hours=8)).issue(ALICE, now=NOW + timedelta(hours=1))

    assert jwt.get_unverified_header(earlier)["kid"] != jwt.get_unverified_header(later)["kid"]
    assert service.verify(earlier).username == service.verify(later).username == "alice"
    clock.advance(timedelta(hours=8, seconds=1))
    with pytest.raises(Unauthorized, match="expired"):
        service.verify(earlier)
    assert service.verify(later).username == "alice"
    # once no earlier token can still be valid, the old public key is dropped
    with pytest.raises(Unauthorized):
        verifier_of(new, clock=ManualClock(NOW)).verify(earlier)


def test_embedded_mode_generates_one_key_pair_per_data_folder_readable_by_its_owner_only(tmp_path):
    settings = Settings(data_dir=tmp_path)

    first, again = keys_for(settings, signing=True), keys_for(settings, signing=True)

    assert first.signing_kid == again.signing_kid
    assert stat.S_IMODE((tmp_path / "jwt-signing-key.pem").stat().st_mode) == 0o600
    assert keys_for(settings, signing=False).signing is None
    assert keys_for(Settings(data_dir=tmp_path / "other"), signing=True).signing_kid != first.signing_kid


def _distributed_files(tmp_path: Path) -> Settings:
    ring = KeyRing.generate()
    assert ring.signing is not None
    (tmp_path / "private.pem").write_bytes(private_pem(ring.signing))
    (tmp_path / "public.pem").write_bytes(public_pem(ring.signing.public_key()))
    return Settings(mode=DISTRIBUTED, jwt_private_key_file=tmp_path / "private.pem",
                    jwt_public_keys_file=tmp_path / "public.pem")


def test_distributed_mode_generates_nothing_and_a_service_never_holds_the_private_key(tmp_path):
    settings = _distributed_files(tmp_path)

    with pytest.raises(RuntimeError, match="DUBAN_JWT_PRIVATE_KEY_FILE"):
        keys_for(replace(settings, jwt_private_key_file=None), signing=True)
    with pytest.raises(RuntimeError, match="DUBAN_JWT_PUBLIC_KEYS_FILE"):
        keys_for(replace(settings, jwt_public_keys_file=None), signing=False)
    service = keys_for(replace(settings, jwt_private_key_file=None), signing=False)
    gateway = keys_for(settings, signing=True)

    assert service.signing is None
    assert TokenService(service).verify(TokenService(gateway).issue(ALICE, now=datetime.now(UTC))).username == "alice"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.pem", "public.pem"]


def test_duban_keys_generate_writes_a_private_key_0600_and_appends_its_public_key_to_the_bundle(tmp_path):
    runner = CliRunner()
    bundle = tmp_path / "public.pem"

    first = runner.invoke(main, ["keys", "generate", str(tmp_path / "k1.pem"), "--public", str(bundle)])
    second = runner.invoke(main, ["keys", "generate", str(tmp_path / "k2.pem"), "--public", str(bundle)])
    again = runner.invoke(main, ["keys", "generate", str(tmp_path / "k1.pem")])
    listed = runner.invoke(main, ["keys", "list", str(bundle)])

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert again.exit_code != 0 and "never overwritten" in again.output
    assert stat.S_IMODE((tmp_path / "k1.pem").stat().st_mode) == 0o600
    kid1 = first.output.split()[1]
    assert listed.output.split() == [kid1, second.output.split()[1]]
    assert KeyRing.of(signing=load_private_key((tmp_path / "k1.pem").read_bytes())).signing_kid == kid1
