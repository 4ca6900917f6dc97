"""The county's TUF signing keys: one ed25519 key per top-level role, kept as PEM files
encrypted with the county's passphrase (kiosk.county.keyfiles).

The key folder is the county's secret. ``root.pem`` need not be in it for a routine
``kiosk feed build``, which signs with targets, snapshot and timestamp only: keep the root
key offline (a stick in the safe) and bring it back for ``rotate-root``. The county inbox's
key lives in a folder of its own (kiosk.county.inbox.keys). ``root.json`` in it is public: it is the trusted
root that ships with every terminal. ``root_history/N.root.json`` keeps every version of
the root, which the publisher puts in every feed so that a terminal shipped with an old
root can walk the chain of rotations up to the current one.

Rotation (``rotate_root``) writes the next root version with a fresh expiry and,
optionally, new keys for some roles. The new root is signed by the new root key and,
when the root key changes, also by the old one (TUF: a new root must carry a threshold of
signatures of the previous root's keys and of its own). Replaced key files are kept as
``<role>.pem.old-<root version they belonged to>``; nothing is ever overwritten.
"""

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, Key
from tuf.api.metadata import Metadata, Root
from tuf.api.serialization.json import JSONSerializer

from kiosk.county import keyfiles
from kiosk.errors import KnownError
from kiosk.files import write_atomic
from kiosk.formats import releases

ROLES = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES = ("targets", "snapshot", "timestamp")  # what a routine build signs with
ROOT_EXPIRY_DAYS = 3 * 365
ROOT_HISTORY = "root_history"


def init_keys(keydir: Path, now: dt.datetime | None = None, passphrase: bytes | None = None) -> Path:
    """Create the four role keys (encrypted) and version 1 of the root metadata.

    Args:
        now: when the root's validity starts (default: now; tests pass the past).
        passphrase: what the keys are encrypted with (default: kiosk.county.keyfiles.passphrase).

    Returns:
        the path of the trusted ``root.json`` to ship with terminals.

    Raises:
        KnownError: the folder already holds keys (they are never overwritten).
    """
    if any((keydir / f"{role}.pem").exists() for role in ROLES):
        raise KnownError(f"{keydir} 中已有密钥，不会覆盖", f"{keydir} already holds keys; not overwriting")
    secret = passphrase or keyfiles.passphrase(confirm=True)
    keydir.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    root = Metadata(Root(expires=now + dt.timedelta(days=ROOT_EXPIRY_DAYS),
                         consistent_snapshot=True))  # fmt: skip
    signers = {}
    for role in ROLES:
        key = Ed25519PrivateKey.generate()
        signers[role] = CryptoSigner(key)
        root.signed.add_key(signers[role].public_key, role)
        keyfiles.write_private(keydir / f"{role}.pem", key, secret)
    root.sign(signers["root"])
    _write_root(keydir, root)
    return keydir / "root.json"


def load_signer(keydir: Path, role: str, passphrase: bytes | None = None) -> CryptoSigner:
    """The signer for ``role`` from its encrypted PEM file.

    Raises:
        KnownError: the key file is missing or unreadable, or the passphrase is wrong.
    """
    path = keydir / f"{role}.pem"
    if not path.exists():
        offline = "（根密钥平时离线保管：轮换根证书时请把 root.pem 放回密钥目录）" if role == "root" else ""
        raise KnownError(f"找不到签名密钥 {path}{offline}", f"signing key {path} not found")
    try:
        private = keyfiles.load_private(path, passphrase or _secret_for(path))
    except OSError as exc:
        raise KnownError(f"无法读取签名密钥 {path}", f"cannot read signing key {path}: {exc}") from exc
    except ValueError as exc:
        raise KnownError(f"签名密钥 {path} 已损坏", f"signing key {path} is damaged: {exc}") from exc
    return CryptoSigner(private)


def _secret_for(path: Path) -> bytes | None:
    """The passphrase, asked for only when the key is encrypted (an old folder's are not)."""
    return keyfiles.passphrase() if keyfiles.is_encrypted(path) else None



def root_history(keydir: Path) -> dict[int, Path]:
    """Every root version the key folder holds (version -> file), the current one included.

    A key folder made before rotation existed holds only ``root.json``: its history is
    that one version.
    """
    found = {}
    folder = keydir / ROOT_HISTORY
    if folder.is_dir():
        for path in folder.glob("*.root.json"):
            version = path.name.split(".", 1)[0]
            if version.isdigit():
                found[int(version)] = path
    current = keydir / "root.json"
    if current.exists():
        found[Metadata[Root].from_file(str(current)).signed.version] = current
    return found


@dataclass(frozen=True)
class Rotation:
    version: int
    expires: dt.datetime
    replaced: tuple[str, ...]
    kept_as: tuple[Path, ...]


def rotate_root(keydir: Path, roles: tuple[str, ...] = (), expiry_days: int = ROOT_EXPIRY_DAYS,
                now: dt.datetime | None = None, passphrase: bytes | None = None,
                app_key: Key | None = None) -> Rotation:
    """Write the next root version: fresh expiry, new keys for ``roles``; with ``app_key``,
    the release key the root names from now on (kiosk.formats.releases.APP_PIN).

    The old root (even an expired one) stays valid as a link of the chain; terminals
    accept the new root on their next sync once ``kiosk feed build`` has published it.

    Raises:
        KnownError: no key folder, an unknown role, a bad expiry, or a key file that a
            previous rotation already kept under the name this one would use.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise KnownError(f"未知的角色 {', '.join(unknown)}（可选：{', '.join(ROLES)}）",
                         f"unknown role {', '.join(unknown)} (choose from {', '.join(ROLES)})")  # fmt: skip
    if not 1 <= expiry_days <= 10 * 365:
        raise KnownError("根证书有效期应在 1 到 3650 天之间",
                         "the root's expiry must be 1 to 3650 days")  # fmt: skip
    try:
        old = Metadata[Root].from_file(str(keydir / "root.json"))
    except (OSError, ValueError) as exc:
        raise KnownError(f"{keydir} 中没有可用的 root.json，请先运行 kiosk feed init-keys",
                         f"no usable root.json in {keydir}; run kiosk feed init-keys first") from exc
    secret = passphrase or keyfiles.passphrase()
    old_root_signer = load_signer(keydir, "root", secret)
    if old_root_signer.public_key.keyid not in old.signed.roles["root"].keyids:
        raise KnownError(f"{keydir}/root.pem 与 root.json 不匹配，不能轮换",
                         f"{keydir}/root.pem does not match root.json; cannot rotate")  # fmt: skip
    version = old.signed.version
    roles = tuple(r for r in ROLES if r in roles)  # each once, in a fixed order
    kept = {role: keydir / f"{role}.pem.old-{version}" for role in roles}
    clash = [str(p) for p in kept.values() if p.exists()]
    if clash:
        raise KnownError(f"{', '.join(clash)} 已存在，不会覆盖",
                         f"{', '.join(clash)} exists; not overwriting")  # fmt: skip

    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    new = Metadata[Root].from_dict(old.to_dict())
    new.signatures.clear()
    new.signed.version = version + 1
    new.signed.expires = now + dt.timedelta(days=expiry_days)
    fresh_keys = {role: Ed25519PrivateKey.generate() for role in roles}
    fresh = {role: CryptoSigner(key) for role, key in fresh_keys.items()}
    for role in roles:
        for keyid in list(new.signed.roles[role].keyids):
            new.signed.revoke_key(keyid, role)
        new.signed.add_key(fresh[role].public_key, role)
    if app_key is not None:
        new.signed.unrecognized_fields[releases.APP_PIN] = {"keyid": app_key.keyid, "key": app_key.to_dict()}
    new.sign(fresh.get("root", old_root_signer))
    if "root" in fresh:
        new.sign(old_root_signer, append=True)

    # The history first (the publisher reads it), then the keys, then root.json: an
    # interruption leaves either the old state or a new root whose keys are on disk.
    if not (keydir / ROOT_HISTORY / f"{version}.root.json").exists():
        _atomic_write(keydir / ROOT_HISTORY / f"{version}.root.json",
                      (keydir / "root.json").read_bytes())  # fmt: skip
    _atomic_write(keydir / ROOT_HISTORY / f"{version + 1}.root.json", _json(new))
    for role, key in fresh_keys.items():
        os.link(keydir / f"{role}.pem", kept[role])  # fails rather than overwrite
        keyfiles.write_private(keydir / f"{role}.pem", key, secret)
    _atomic_write(keydir / "root.json", _json(new))
    return Rotation(version + 1, new.signed.expires, roles, tuple(kept.values()))


def _json(metadata: Metadata) -> bytes:
    return metadata.to_bytes(JSONSerializer(compact=False))


def _write_root(keydir: Path, root: Metadata[Root]) -> None:
    _atomic_write(keydir / ROOT_HISTORY / f"{root.signed.version}.root.json", _json(root))
    _atomic_write(keydir / "root.json", _json(root))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, 0o644)
