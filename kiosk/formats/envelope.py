"""The envelope: one villager request, sealed to the county and signed by the terminal.

An envelope is one canonical JSON object (keys sorted, no spaces, ASCII only; any other
spelling of the same object is refused, so every byte counts):

    format      "shenqing-inbox-envelope"
    v           2, the format version (1: before reply keys; still opened)
    id          ULID of the request
    receipt     receipt number, derived from the id (see ``ids``)
    kind        "disclosure" | "callback" | "comment" (意见征集) | "status" (the terminal's
                status report, kiosk.formats.status_report: no villager's data)
    created     UTC time of sealing, ISO 8601 with milliseconds and "Z"
    terminal    the terminal's ed25519 public key, base64 of the raw 32 bytes
    county_key  id (fingerprint) of the county inbox X25519 key it is sealed to
    sealed      {"epk": ephemeral X25519 public key, "nonce": 12 bytes,
                 "ct": ChaCha20-Poly1305 ciphertext}, base64; the plaintext is the canonical
                 JSON of {"form": the form, "reply_key": 16 random bytes in base64} (v1: the
                 form alone)
    sig         ed25519 signature by ``terminal`` over the canonical JSON of all other fields

The AEAD key is HKDF-SHA256(X25519(ephemeral, county), info = label + epk + county
public key). The associated data is the canonical JSON of every header field (all but
``sealed`` and ``sig``), so a ciphertext cannot be moved under another id, kind, time or
terminal even by someone who could forge the signature. The plaintext exists only in memory.

The reply key is the villager's: it is printed in the receipt's QR code and nowhere else on
the terminal, and the county seals its answer to it (kiosk.formats.replies), so the answer
in the public feed is readable only by whoever holds the paper. Every file is judged within
bounds before it is parsed: at most MAX_BYTES, nesting at most 2 (4 inside the seal).
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.errors import KnownError
from kiosk.formats import forms, ids, public_keys, safe_json, status_report

FORMAT = "shenqing-inbox-envelope"
VERSION = 2
READABLE_VERSIONS = (1, 2)
KINDS = ("disclosure", "callback", "comment", status_report.KIND)
MAX_BYTES = 64 * 1024  # a form is at most a few thousand characters
REPLY_KEY_BYTES = 16
_PLAIN_DEPTH = 4  # {"form": {"refers_to": {...}}}; a status report's {"form": {"usage": {month: {...}}}}
_HKDF_INFO = b"shenqing-inbox-v1"
_HEADER_KEYS = ("county_key", "created", "format", "id", "kind", "receipt", "terminal", "v")
_ALL_KEYS = frozenset((*_HEADER_KEYS, "sealed", "sig"))
_SEALED_KEYS = frozenset(("ct", "epk", "nonce"))


class Signer(Protocol):
    """The terminal's signing key as sealing needs it (kiosk.outbox.identity has the real one)."""

    @property
    def public_b64(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class EnvelopeError(KnownError):
    """An envelope is refused. ``reason`` is a short code for reports and tests."""

    reason = "refused"


class EnvelopeMalformed(EnvelopeError):
    reason = "malformed"

    def __init__(self, detail: str = ""):
        super().__init__(
            "不是完整的申请信封（文件不完整、格式错误或不是信封）",
            "not a complete envelope (truncated, malformed or not an envelope)"
            + (f": {detail}" if detail else ""),
        )


class UnsupportedVersion(EnvelopeError):
    reason = "version"

    def __init__(self, version: Any):
        super().__init__(
            f"信封格式版本 {version} 不受支持，请升级本程序",
            f"envelope format version {version} is not supported; upgrade this program",
        )


class BadSignature(EnvelopeError):
    reason = "tampered"

    def __init__(self) -> None:
        super().__init__(
            "信封签名不符，内容已被改动，拒收", "the envelope's signature does not match: it was altered"
        )


class WrongCountyKey(EnvelopeError):
    reason = "other_county_key"

    def __init__(self, key: str):
        super().__init__(
            f"此信封封存给了另一把县级受理密钥（{key}），本县无法打开",
            f"the envelope is sealed to another county inbox key ({key})",
        )


class CannotOpen(EnvelopeError):
    reason = "cannot_open"

    def __init__(self) -> None:
        super().__init__(
            "信封签名有效但内容无法解密，请联系终端管理员", "signed correctly but cannot be decrypted"
        )


@dataclass(frozen=True)
class Header:
    id: str
    receipt: str
    kind: str
    created: str
    terminal: str
    county_key: str

    @property
    def terminal_fingerprint(self) -> str:
        return ids.key_fingerprint(base64.b64decode(self.terminal))


@dataclass(frozen=True)
class Envelope:
    header: Header
    data: bytes
    reply_key: bytes = b""  # the villager's, for the receipt's QR code; never stored here

    @property
    def id(self) -> str:
        return self.header.id


@dataclass(frozen=True)
class Opened:
    header: Header
    form: dict[str, Any]
    reply_key: bytes | None  # None in a version 1 envelope


def digest(data: bytes) -> str:
    """What names one envelope's exact bytes (SHA-256, first 128 bits, hex): the county
    files by it, and the feed acknowledges by it. Two envelopes that share an id but not a
    digest are a conflict, never the same request."""
    return hashlib.sha256(data).hexdigest()[:32]


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _aead_key(shared: bytes, epk: bytes, county_public: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO + epk + county_public)
    return hkdf.derive(shared)


def format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seal(
    form: dict[str, Any],
    kind: str,
    county_public_b64: str,
    terminal_key: Signer,
    *,
    now: dt.datetime | None = None,
) -> Envelope:
    """Validate ``form``, seal it to the county key and sign it with the terminal key.

    Raises:
        forms.FormError: a field is wrong; nothing is sealed.
        KnownError: the county key is not a valid public key.
    """
    clean = validate_form(kind, form)
    county_public = public_keys.decode_public(county_public_b64)
    now = now or dt.datetime.now(dt.UTC)
    ulid = ids.new_ulid(int(now.timestamp() * 1000))
    reply_key = os.urandom(REPLY_KEY_BYTES)
    header = {
        "county_key": public_keys.key_id(county_public),
        "created": format_time(now),
        "format": FORMAT,
        "id": ulid,
        "kind": kind,
        "receipt": ids.receipt_for(ulid),
        "terminal": terminal_key.public_b64,
        "v": VERSION,
    }
    ephemeral = X25519PrivateKey.generate()
    epk = public_keys.public_raw(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(county_public))
    nonce = os.urandom(12)
    plaintext = json.dumps({"form": clean, "reply_key": _b64(reply_key)}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False).encode()
    ciphertext = ChaCha20Poly1305(_aead_key(shared, epk, county_public)).encrypt(
        nonce, plaintext, canonical(header)
    )
    fields = {**header, "sealed": {"ct": _b64(ciphertext), "epk": _b64(epk), "nonce": _b64(nonce)}}
    fields["sig"] = _b64(terminal_key.sign(canonical(fields)))
    return Envelope(_header(header), canonical(fields), reply_key)


def validate_form(kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """What ``kind`` carries, checked by its own rules (a request's form, or a status report).

    Raises:
        forms.FormError: the first field out of its rules.
    """
    return status_report.validate(form) if kind == status_report.KIND else forms.validate(kind, form)


def _header(fields: Mapping[str, Any]) -> Header:
    return Header(**{k: fields[k] for k in ("id", "receipt", "kind", "created", "terminal", "county_key")})


def _decode_b64(text: Any, length: int | None, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise EnvelopeMalformed(f"{what} is not base64") from exc
    if _b64(raw) != text or (length is not None and len(raw) != length):
        raise EnvelopeMalformed(f"{what} has the wrong length or spelling")
    return raw


def _parse(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Fields and decoded binary parts of a signature-checked envelope."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_BYTES:
        raise EnvelopeMalformed("too large")
    if not data.isascii():
        raise EnvelopeMalformed("not ASCII")
    try:
        fields = safe_json.loads(data, max_bytes=MAX_BYTES, max_depth=2)
    except safe_json.JSONRefused as exc:
        raise EnvelopeMalformed(str(exc)) from exc
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise EnvelopeMalformed("no envelope format marker")
    if fields.get("v") not in READABLE_VERSIONS or isinstance(fields.get("v"), bool):
        raise UnsupportedVersion(str(fields.get("v"))[:20])
    sealed = fields.get("sealed")
    if set(fields) != _ALL_KEYS or not isinstance(sealed, dict) or set(sealed) != _SEALED_KEYS:
        raise EnvelopeMalformed("wrong set of fields")
    if any(not isinstance(fields[k], str) for k in _HEADER_KEYS if k != "v") or canonical(fields) != data:
        raise EnvelopeMalformed("not in canonical form")
    raw = {
        "terminal": _decode_b64(fields["terminal"], 32, "terminal"),
        "sig": _decode_b64(fields["sig"], 64, "sig"),
        "epk": _decode_b64(sealed["epk"], 32, "epk"),
        "nonce": _decode_b64(sealed["nonce"], 12, "nonce"),
        "ct": _decode_b64(sealed["ct"], None, "ct"),
    }
    unsigned = {k: v for k, v in fields.items() if k != "sig"}
    try:
        Ed25519PublicKey.from_public_bytes(raw["terminal"]).verify(raw["sig"], canonical(unsigned))
    except InvalidSignature as exc:
        raise BadSignature() from exc
    # Signed by the terminal yet inconsistent: a faulty terminal, not a tamperer.
    if fields["kind"] not in KINDS or not ids.is_ulid(fields["id"]):
        raise EnvelopeMalformed("bad kind or id")
    if fields["receipt"] != ids.receipt_for(fields["id"]):
        raise EnvelopeMalformed("receipt does not match id")
    try:
        dt.datetime.fromisoformat(fields["created"])
    except ValueError as exc:
        raise EnvelopeMalformed("bad created time") from exc
    return fields, raw


def read_header(data: bytes) -> Header:
    """The envelope's header after checking its form and the terminal's signature.

    Needs no county key: the outbox and a USB copier use it to check integrity.

    Raises:
        EnvelopeError: malformed/truncated, unsupported version or bad signature.
    """
    fields, _ = _parse(bytes(data))
    return _header(fields)


def open_envelope(
    data: bytes, county_private: X25519PrivateKey | Mapping[str, X25519PrivateKey]
) -> Opened:
    """Verify and decrypt an envelope with the county inbox key (or a keyring by key id).

    Raises:
        EnvelopeError: the subclass says what is wrong.
    """
    fields, raw = _parse(bytes(data))
    keyring = (
        county_private
        if isinstance(county_private, Mapping)
        else {public_keys.key_id(public_keys.public_raw(county_private)): county_private}
    )
    private = keyring.get(fields["county_key"])
    if private is None:
        raise WrongCountyKey(fields["county_key"])
    header = {k: fields[k] for k in _HEADER_KEYS}
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(raw["epk"]))
        key = _aead_key(shared, raw["epk"], public_keys.public_raw(private))
        plaintext = ChaCha20Poly1305(key).decrypt(raw["nonce"], raw["ct"], canonical(header))
        inside = safe_json.loads(plaintext, max_bytes=MAX_BYTES, max_depth=_PLAIN_DEPTH)
    except (InvalidTag, ValueError) as exc:  # ValueError: low-order point, bounds, UTF-8, JSON
        raise CannotOpen() from exc
    if fields["v"] == 1:
        form, reply_key = inside, None
    elif isinstance(inside, dict) and set(inside) == {"form", "reply_key"}:
        form, reply_key = inside["form"], _decode_b64(inside["reply_key"], REPLY_KEY_BYTES, "reply_key")
    else:
        raise CannotOpen()
    if not isinstance(form, dict):
        raise CannotOpen()
    return Opened(_header(fields), form, reply_key)
