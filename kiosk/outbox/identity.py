"""The terminal's own ed25519 signing key, made on first use in its folder."""

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import KnownError
from kiosk.files import create_exclusive
from kiosk.formats.ids import key_fingerprint

KEY_FILE = "terminal_ed25519.pem"


class TerminalIdentity:
    """The terminal's key pair; the private half never leaves this object or its file."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._private = private_key
        self.public_raw: bytes = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    def fingerprint(self) -> str:
        """What staff compare with the county's list of terminals, e.g. ``1a2b-3c4d-…``."""
        return key_fingerprint(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._private.public_key()


def load_or_create(folder: Path | str) -> TerminalIdentity:
    """The terminal key in ``folder``, created (PEM, mode 0600, atomically) if there is none.

    Raises:
        KnownError: the key file exists but is not an ed25519 private key.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        create_exclusive(path, pem, 0o600)  # if another process won the race, load its key
    return _load(path)


def _load(path: Path) -> TerminalIdentity:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise KnownError(
            f"终端密钥文件 {path} 已损坏，请工作人员联系县里重新登记本终端",
            f"terminal key file {path} is damaged; the terminal must be enrolled again",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KnownError(
            f"终端密钥文件 {path} 不是 ed25519 私钥", f"terminal key file {path} is not an ed25519 key"
        )
    return TerminalIdentity(key)
