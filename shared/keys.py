"""The keys behind access tokens: one Ed25519 signing key (the gateway's), any number of public keys.

Only the gateway holds the private key; every other process gets public keys only, so a compromised
service can read tokens but never mint one. A token names its key in the JWT ``kid`` header, so a key
can be rotated without logging everybody out: services accept several public keys, the gateway signs
with one (docs/deployment.md, "Rotating the token key").

- embedded mode: a key pair is generated once per data folder (files mode 0600);
- distributed mode: ``DUBAN_JWT_PRIVATE_KEY_FILE`` (gateway only) and ``DUBAN_JWT_PUBLIC_KEYS_FILE``
  (every part: one or more PEM public keys, concatenated) must be given; nothing is generated.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.settings import Settings

ALGORITHM = "EdDSA"
PRIVATE_KEY_FILE = "jwt-signing-key.pem"
PUBLIC_KEYS_FILE = "jwt-public-keys.pem"
_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def key_id(public: Ed25519PublicKey) -> str:
    """A stable id of a public key: the start of the SHA-256 of its raw bytes (RFC 7638 in spirit)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def private_pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the token signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return key


def load_public_keys(data: bytes) -> list[Ed25519PublicKey]:
    """Every PEM public key in ``data`` (a bundle of concatenated keys)."""
    keys = []
    for block in _PEM_BLOCK.findall(data):
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("token verification keys must be Ed25519 public keys (PEM)")
        keys.append(key)
    return keys


@dataclass(frozen=True)
class KeyRing:
    """The keys one process holds: maybe the signing key, and the public keys it accepts, by kid."""

    public: dict[str, Ed25519PublicKey]
    signing: Ed25519PrivateKey | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.signing is not None and self.signing_kid not in self.public:
            self.public[self.signing_kid] = self.signing.public_key()
        if not self.public:
            raise ValueError("no public key to verify tokens with")

    @property
    def signing_kid(self) -> str:
        if self.signing is None:
            raise RuntimeError("this process holds no token signing key (only the gateway does)")
        return key_id(self.signing.public_key())

    @classmethod
    def generate(cls) -> KeyRing:
        """A fresh key pair (tests, and the first start of an embedded data folder)."""
        return cls(public={}, signing=Ed25519PrivateKey.generate())

    @classmethod
    def of(cls, *, signing: Ed25519PrivateKey | None = None,
           public: list[Ed25519PublicKey] | tuple[Ed25519PublicKey, ...] = ()) -> KeyRing:
        return cls(public={key_id(key): key for key in public}, signing=signing)

    def verifier(self) -> KeyRing:
        """The same public keys without the signing key (what a service gets in embedded mode)."""
        return KeyRing(public=dict(self.public))


def write_private(path: Path, data: bytes) -> None:
    """A new key file, 0600 in a 0700 folder from its first byte (shared.files); never overwritten."""
    from shared.files import write_new_private

    if not write_new_private(path, data.decode("ascii")):
        raise FileExistsError(path)


def embedded_keys(data_dir: Path) -> KeyRing:
    """The data folder's key pair, generated on first use (files mode 0600, the folder 0700)."""
    from shared.files import write_new_private

    private_path, public_path = data_dir / PRIVATE_KEY_FILE, data_dir / PUBLIC_KEYS_FILE
    if not private_path.exists():
        key = Ed25519PrivateKey.generate()
        # Two processes starting at once: the first file written wins, the other reads it.
        if write_new_private(private_path, private_pem(key).decode("ascii")):
            write_new_private(public_path, public_pem(key.public_key()).decode("ascii"))
    signing = load_private_key(private_path.read_bytes())
    public = load_public_keys(public_path.read_bytes()) if public_path.exists() else []
    return KeyRing.of(signing=signing, public=public)


CALLER_KEY_FILE = "caller-key"


def caller_hash_key(settings: Settings) -> bytes | None:
    """The secret the hotline and search hash callers' phones with (shared.privacy.caller_key): from
    ``DUBAN_CALLER_KEY_FILE``, else generated once in an embedded data folder; None in a distributed
    deployment that gave none (same-caller suggestions are then off, never keyed with a default)."""
    import secrets

    from shared.files import write_new_private

    if settings.caller_key_file is not None:
        return settings.caller_key_file.read_bytes().strip()
    if not settings.embedded:
        return None
    path = settings.data_dir / CALLER_KEY_FILE
    write_new_private(path, secrets.token_urlsafe(32))  # a no-op once it exists
    return path.read_bytes().strip()


def keys_for(settings: Settings, *, signing: bool) -> KeyRing:
    """The key ring of a process: the gateway signs (``signing=True``), every service only verifies."""
    if settings.embedded and settings.jwt_private_key_file is None and settings.jwt_public_keys_file is None:
        keys = embedded_keys(settings.data_dir)
        return keys if signing else keys.verifier()
    public = load_public_keys(settings.jwt_public_keys_file.read_bytes()) if settings.jwt_public_keys_file else []
    if signing:
        if settings.jwt_private_key_file is None:
            raise RuntimeError("DUBAN_JWT_PRIVATE_KEY_FILE (the gateway's token signing key) is required "
                               "in distributed mode; `duban keys generate` makes one")
        return KeyRing.of(signing=load_private_key(settings.jwt_private_key_file.read_bytes()), public=public)
    if not public:
        raise RuntimeError("DUBAN_JWT_PUBLIC_KEYS_FILE (the gateway's public key or keys) is required "
                           "in distributed mode")
    return KeyRing.of(public=public)
