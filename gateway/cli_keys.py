"""``duban keys``: the gateway's token signing key and the public keys services verify with."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("keys")
def keys() -> None:
    """Token keys: generate a signing key pair, show a key's id (docs/deployment.md, rotation)."""


@keys.command("generate")
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public", "public_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also append the public key to this bundle (DUBAN_JWT_PUBLIC_KEYS_FILE)")
def generate(private_key: Path, public_file: Path | None) -> None:
    """Write a new Ed25519 signing key (mode 0600) to PRIVATE_KEY and print its public key and id."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared.keys import key_id, private_pem, public_pem, write_private

    if private_key.exists():
        raise click.ClickException(f"{private_key} exists; a signing key is never overwritten")
    key = Ed25519PrivateKey.generate()
    write_private(private_key, private_pem(key))
    pem = public_pem(key.public_key())
    if public_file is not None:
        with public_file.open("ab") as bundle:
            bundle.write(pem)
    click.echo(f"kid {key_id(key.public_key())}")
    click.echo(pem.decode(), nl=False)


@keys.command("list")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def list_keys(bundle: Path) -> None:
    """The key ids of every public key in BUNDLE."""
    from shared.keys import key_id, load_public_keys

    for key in load_public_keys(bundle.read_bytes()):
        click.echo(key_id(key))
