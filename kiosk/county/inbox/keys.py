"""The county inbox's X25519 key pair: terminals seal requests to its public half.

Files in the key folder: ``inbox_x25519.pem`` (private, PKCS8 PEM, mode 0600) and
``inbox_x25519.pub`` (the raw public key in base64, what the signed feed carries).
Replacing the pair moves the old one to ``retired/<key id>.pem``: envelopes already sealed
to it (sitting in outboxes or on USB sticks) can still be opened by ``load_keyring``.
"""

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.errors import KnownError
from kiosk.files import fsync_dir, write_atomic
from kiosk.formats.public_keys import decode_public, key_id, public_raw

__all__ = ["create_inbox_keys", "decode_public", "inbox_public", "inbox_public_if_any", "key_id",
           "load_inbox_private", "load_keyring", "public_raw"]

PRIVATE_FILE = "inbox_x25519.pem"
PUBLIC_FILE = "inbox_x25519.pub"
RETIRED_DIR = "retired"


def create_inbox_keys(keydir: Path | str, *, replace: bool = False) -> str:
    """Make a new inbox key pair in ``keydir``; returns the public key (base64).

    Args:
        replace: retire an existing pair instead of refusing.

    Raises:
        KnownError: a pair exists and ``replace`` is false.
    """
    keydir = Path(keydir)
    keydir.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_path = keydir / PRIVATE_FILE
    if private_path.exists() or (keydir / PUBLIC_FILE).exists():
        if not replace:
            raise KnownError(
                f"{keydir} 中已有受理密钥，未覆盖（覆盖会使已封存的申请无法打开）",
                f"{keydir} already holds inbox keys; not overwritten (sealed requests would be lost)",
            )
        _retire(keydir)
    private = X25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_b64 = base64.b64encode(public_raw(private)).decode("ascii")
    write_atomic(private_path, pem, 0o600)
    write_atomic(keydir / PUBLIC_FILE, (public_b64 + "\n").encode("ascii"), 0o644)
    return public_b64


def _retire(keydir: Path) -> None:
    old = _load_private(keydir / PRIVATE_FILE)
    retired = keydir / RETIRED_DIR
    retired.mkdir(exist_ok=True, mode=0o700)
    os.replace(keydir / PRIVATE_FILE, retired / f"{key_id(public_raw(old))}.pem")
    fsync_dir(retired)
    (keydir / PUBLIC_FILE).unlink(missing_ok=True)
    fsync_dir(keydir)


def load_inbox_private(keydir: Path | str) -> X25519PrivateKey:
    """The current inbox private key.

    Raises:
        KnownError: missing or damaged.
    """
    return _load_private(Path(keydir) / PRIVATE_FILE)


def load_keyring(keydir: Path | str) -> dict[str, X25519PrivateKey]:
    """Current and retired inbox private keys by key id."""
    keydir = Path(keydir)
    keys = [load_inbox_private(keydir)]
    keys += [_load_private(p) for p in sorted((keydir / RETIRED_DIR).glob("*.pem"))]
    return {key_id(public_raw(k)): k for k in keys}


def inbox_public(keydir: Path | str) -> str:
    """The inbox public key as base64 of the raw 32 bytes (what the signed feed carries)."""
    path = Path(keydir) / PUBLIC_FILE
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    decode_public(text)
    return text


def inbox_public_if_any(keydir: Path | str) -> str | None:
    """The inbox public key if the key folder has one (folders made before the way back have
    none: ``kiosk inbox init-keys`` makes it), else None."""
    if not (Path(keydir) / PUBLIC_FILE).exists():
        return None
    return inbox_public(keydir)


def _load_private(path: Path) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except ValueError as exc:
        raise KnownError(f"受理私钥文件 {path} 已损坏", f"inbox private key {path} is damaged") from exc
    if not isinstance(key, X25519PrivateKey):
        raise KnownError(f"{path} 不是 X25519 私钥", f"{path} is not an X25519 private key")
    return key


def _missing(path: Path) -> KnownError:
    return KnownError(
        f"找不到受理密钥 {path}，请先创建县级受理密钥",
        f"inbox key {path} not found; create the inbox keys first",
    )
