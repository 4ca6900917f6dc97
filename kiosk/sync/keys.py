"""The county's TUF signing keys: one ed25519 key per top-level role, kept as PEM files.

The key folder is the county's secret. ``root.json`` in it is public: it is the trusted
root that ships with every terminal.
"""

import datetime as dt
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root

from kiosk.errors import KnownError

ROLES = ("root", "targets", "snapshot", "timestamp")
ROOT_EXPIRY_DAYS = 3 * 365


def init_keys(keydir: Path) -> Path:
    """Create the four role keys and version 1 of the root metadata.

    Returns:
        the path of the trusted ``root.json`` to ship with terminals.

    Raises:
        KnownError: the folder already holds keys (they are never overwritten).
    """
    if any((keydir / f"{role}.pem").exists() for role in ROLES):
        raise KnownError(f"{keydir} 中已有密钥，不会覆盖", f"{keydir} already holds keys; not overwriting")
    keydir.mkdir(parents=True, exist_ok=True)
    expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=ROOT_EXPIRY_DAYS)
    root = Metadata(Root(expires=expires, consistent_snapshot=True))
    signers = {}
    for role in ROLES:
        signer = CryptoSigner.generate_ed25519()
        signers[role] = signer
        root.signed.add_key(signer.public_key, role)
        path = keydir / f"{role}.pem"
        path.write_bytes(signer.private_bytes)
        os.chmod(path, 0o600)
    root.sign(signers["root"])
    root.to_file(str(keydir / "root.json"))
    return keydir / "root.json"


def load_signer(keydir: Path, role: str) -> CryptoSigner:
    """The signer for ``role`` from its PEM file.

    Raises:
        KnownError: the key file is missing or unreadable.
    """
    path = keydir / f"{role}.pem"
    try:
        private = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KnownError(f"无法读取签名密钥 {path}", f"cannot read signing key {path}: {exc}") from exc
    return CryptoSigner(private)
