"""The county inbox's X25519 key pair: terminals seal requests to its public half.

It lives in a folder of its own, never beside the feed-signing keys: the machine that builds
the feed need not be able to open villagers' requests, and a copy of one folder is not a
copy of both. Files:

- ``inbox_x25519.pem``: the private key, encrypted with the county passphrase (mode 0600);
- ``inbox_x25519.json``: the public key (base64), its key id and its ``expires`` date, which
  the signed feed carries: a terminal stops sealing to a key past that date.

Replacing the pair retires the old one to ``retired/<key id>.pem`` with an end date
(``retired/<key id>.json``): envelopes already sealed to it (in outboxes, on sticks) open
until then; after it, the next import deletes the key, so old requests cannot be opened from a
copy of this folder made later.
"""

import base64
import datetime as dt
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk import log
from kiosk.county import keyfiles
from kiosk.errors import KnownError
from kiosk.files import fsync_dir, write_atomic
from kiosk.formats import safe_json
from kiosk.formats.feed_format import InboxKey
from kiosk.formats.public_keys import decode_public, key_id, public_raw

PRIVATE_FILE = "inbox_x25519.pem"
PUBLIC_FILE = "inbox_x25519.json"
RETIRED_DIR = "retired"
VALID_DAYS = 365
# After a key is replaced, envelopes sealed to it may still be on their way (a stick in a
# drawer, a terminal offline for weeks): they open for this long after the key's own expiry.
GRACE_DAYS = 60

_log = log.get("kiosk.county")


# What the signed feed tells terminals: the key (base64) and the last day to seal to it.
InboxPublic = InboxKey


def create_inbox_keys(keydir: Path | str, *, replace: bool = False, valid_days: int = VALID_DAYS,
                      passphrase: bytes | None = None, today: dt.date | None = None) -> InboxPublic:
    """Make a new inbox key pair in ``keydir``.

    Args:
        replace: retire an existing pair instead of refusing.
        valid_days: how long terminals may seal to it (renew with ``replace`` before then).

    Raises:
        KnownError: a pair exists and ``replace`` is false, or ``keydir`` holds the feed's
            signing keys (the two are kept apart).
    """
    keydir = Path(keydir)
    today = today or dt.date.today()
    if any((keydir / name).exists() for name in ("root.json", "targets.pem", "timestamp.pem")):
        raise KnownError(f"{keydir} 是数据源签名密钥目录：受理密钥请另放一个目录（如 inbox-keys）",
                         f"{keydir} holds the feed's signing keys: keep the inbox keys in a folder"
                         " of their own")
    if not 30 <= valid_days <= 5 * 365:
        raise KnownError("受理密钥有效期应在 30 到 1825 天之间",
                         "the inbox key's validity must be 30 to 1825 days")
    secret = passphrase or keyfiles.passphrase(confirm=not (keydir / PRIVATE_FILE).exists())
    keydir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (keydir / PRIVATE_FILE).exists() or (keydir / PUBLIC_FILE).exists():
        if not replace:
            raise KnownError(
                f"{keydir} 中已有受理密钥，未覆盖（覆盖会使已封存的申请无法打开）",
                f"{keydir} already holds inbox keys; not overwritten (sealed requests would be lost)",
            )
        _retire(keydir, secret, today)
    private = X25519PrivateKey.generate()
    public = InboxPublic(base64.b64encode(public_raw(private)).decode("ascii"),
                         today + dt.timedelta(days=valid_days))  # fmt: skip
    keyfiles.write_private(keydir / PRIVATE_FILE, private, secret)
    info = {"public_key": public.key, "key_id": key_id(public_raw(private)),
            "created": today.isoformat(), "expires": public.expires.isoformat()}  # fmt: skip
    write_atomic(keydir / PUBLIC_FILE, json.dumps(info, indent=2).encode("ascii"), 0o644)
    return public


def _retire(keydir: Path, secret: bytes, today: dt.date) -> None:
    old = _load_private(keydir / PRIVATE_FILE, secret)
    old_public = inbox_public(keydir)
    end = max(old_public.expires, today) + dt.timedelta(days=GRACE_DAYS)
    retired = keydir / RETIRED_DIR
    retired.mkdir(exist_ok=True, mode=0o700)
    name = key_id(public_raw(old))
    write_atomic(retired / f"{name}.json", json.dumps(
        {"retired_on": today.isoformat(), "end": end.isoformat()}).encode("ascii"), 0o600)
    os.replace(keydir / PRIVATE_FILE, retired / f"{name}.pem")
    fsync_dir(retired)
    (keydir / PUBLIC_FILE).unlink(missing_ok=True)
    fsync_dir(keydir)


def load_inbox_private(keydir: Path | str, passphrase: bytes | None = None) -> X25519PrivateKey:
    """The current inbox private key.

    Raises:
        KnownError: missing or damaged, or the passphrase is wrong.
    """
    return _load_private(Path(keydir) / PRIVATE_FILE, passphrase or keyfiles.passphrase())


def load_keyring(keydir: Path | str, passphrase: bytes | None = None,
                 today: dt.date | None = None) -> dict[str, X25519PrivateKey]:
    """The current inbox private key and the retired ones still within their end date, by
    key id. Retired keys past their end date are deleted here.

    Raises:
        KnownError: the current key is missing or damaged, or the passphrase is wrong.
    """
    keydir = Path(keydir)
    today = today or dt.date.today()
    secret = passphrase or keyfiles.passphrase()
    keys = [_load_private(keydir / PRIVATE_FILE, secret)]
    for path in sorted((keydir / RETIRED_DIR).glob("*.pem")):
        if _retired_end(path) < today:
            path.unlink()
            path.with_suffix(".json").unlink(missing_ok=True)
            _log.info("retired inbox key %s passed its end date and was deleted", path.stem)
            continue
        keys.append(_load_private(path, secret))
    return {key_id(public_raw(k)): k for k in keys}


def _retired_end(path: Path) -> dt.date:
    """A retired key's end date (one without a record, from before end dates: kept a grace
    period from when it was retired)."""
    try:
        info = safe_json.loads(path.with_suffix(".json").read_bytes(), max_bytes=4096, max_depth=1)
        return dt.date.fromisoformat(info["end"])
    except (OSError, ValueError, KeyError, TypeError):
        retired = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        return retired + dt.timedelta(days=GRACE_DAYS)


def inbox_public(keydir: Path | str) -> InboxPublic:
    """The inbox public key and its expiry (what the signed feed carries).

    Raises:
        KnownError: missing or damaged.
    """
    path = Path(keydir) / PUBLIC_FILE
    try:
        info = safe_json.loads(path.read_bytes(), max_bytes=4096, max_depth=1)
        public = InboxPublic(info["public_key"], dt.date.fromisoformat(info["expires"]))
        decode_public(public.key)
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnownError(f"受理公钥文件 {path} 已损坏",
                         f"the inbox public key file {path} is damaged") from exc
    return public


def inbox_public_if_any(keydir: Path | str) -> InboxPublic | None:
    """The inbox public key if ``keydir`` holds one, else None."""
    if not (Path(keydir) / PUBLIC_FILE).exists():
        return None
    return inbox_public(keydir)


def _load_private(path: Path, secret: bytes) -> X25519PrivateKey:
    try:
        key = keyfiles.load_private(path, secret)
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except ValueError as exc:
        raise KnownError(f"受理私钥文件 {path} 已损坏", f"inbox private key {path} is damaged") from exc
    if not isinstance(key, X25519PrivateKey):
        raise KnownError(f"{path} 不是 X25519 私钥", f"{path} is not an X25519 private key")
    return key


def _missing(path: Path) -> KnownError:
    return KnownError(
        f"找不到受理密钥 {path}，请先创建县级受理密钥（kiosk inbox init-keys）",
        f"inbox key {path} not found; create the inbox keys first (kiosk inbox init-keys)",
    )
