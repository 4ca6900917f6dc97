"""The county's private keys at rest: every one encrypted with the county's passphrase.

A copied key folder (a backup stick, a colleague's laptop) then opens nothing by itself.
Keys are PKCS#8 PEM files encrypted with cryptography's best available scheme, written
atomically with mode 0600. The passphrase comes from the person at the command line (a
prompt) or, for automation, from ``KIOSK_KEY_PASSPHRASE``; ``kiosk demo`` uses ``demo``
and says so. A key folder written before encryption still loads (``protect`` encrypts it
in place), with a warning in the log each time.
"""

import getpass
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from kiosk import config, log
from kiosk.errors import KnownError
from kiosk.files import write_atomic

PASSPHRASE_ENV = "KIOSK_KEY_PASSPHRASE"
DEMO_PASSPHRASE = b"demo"
MIN_PASSPHRASE = 4

_log = log.get("kiosk.county")
_asked: bytes | None = None  # asked once per command, not once per key


class NoPassphrase(KnownError):
    def __init__(self) -> None:
        super().__init__(f"需要县级密钥口令：请在提示时输入，或设置环境变量 {PASSPHRASE_ENV}",
                         f"the county key passphrase is needed: type it when asked, or set {PASSPHRASE_ENV}")


class WrongPassphrase(KnownError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"密钥口令不对，无法打开 {path}", f"wrong passphrase for {path}")


def passphrase(confirm: bool = False) -> bytes:
    """The county's key passphrase: ``KIOSK_KEY_PASSPHRASE``, else asked at the terminal
    (once per command; twice with ``confirm``, when keys are made).

    Raises:
        NoPassphrase: neither is available (a script without the variable).
    """
    global _asked
    from_env = config.env(PASSPHRASE_ENV)
    if from_env:
        return from_env.encode("utf-8")
    if _asked is not None:
        return _asked
    if not sys.stdin.isatty():
        raise NoPassphrase()
    typed = getpass.getpass("县级密钥口令 / county key passphrase: ")
    if confirm and getpass.getpass("再输入一次 / again: ") != typed:
        raise KnownError("两次输入的口令不一致", "the two passphrases differ")
    if len(typed) < MIN_PASSPHRASE:
        raise KnownError(f"口令至少 {MIN_PASSPHRASE} 个字符",
                         f"the passphrase needs {MIN_PASSPHRASE} characters or more")
    _asked = typed.encode("utf-8")
    return _asked


def write_private(path: Path, key: PrivateKeyTypes, secret: bytes) -> None:
    """Write ``key`` encrypted with ``secret`` (PKCS#8 PEM, mode 0600, atomically)."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(secret))  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, pem, 0o600)


def load_private(path: Path, secret: bytes | None) -> PrivateKeyTypes:
    """The private key in ``path``.

    Raises:
        WrongPassphrase: the passphrase does not open it.
        KnownError: missing or not a key (``FileNotFoundError`` is passed on as is).
    """
    data = path.read_bytes()
    if b"ENCRYPTED" not in data:
        _log.warning("the key %s is not encrypted: run kiosk feed protect-keys", path)
        return serialization.load_pem_private_key(data, password=None)
    if secret is None:
        raise NoPassphrase()
    try:
        return serialization.load_pem_private_key(data, password=secret)
    except ValueError as exc:
        if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise WrongPassphrase(path) from exc
        raise KnownError(f"密钥文件 {path} 已损坏", f"the key file {path} is damaged: {exc}") from exc


def is_encrypted(path: Path) -> bool:
    return b"ENCRYPTED" in path.read_bytes()


def protect(folder: Path, secret: bytes) -> list[Path]:
    """Encrypt every unencrypted private key (``*.pem``, retired ones included) in ``folder``
    in place; returns those it encrypted."""
    done = []
    for path in sorted(folder.rglob("*.pem*")):
        if path.is_file() and not path.is_symlink() and b"PRIVATE KEY" in path.read_bytes() \
                and not is_encrypted(path):
            write_private(path, load_private(path, None), secret)
            done.append(path)
    return done
