"""Raw public keys as the feed and the envelopes carry them; shared by terminal and county."""

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.errors import KnownError
from kiosk.formats.ids import key_fingerprint


def public_raw(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def decode_public(public_b64: str) -> bytes:
    """Raw 32 bytes of a base64 X25519 public key.

    Raises:
        KnownError: not base64 of 32 bytes.
    """
    try:
        raw = base64.b64decode(public_b64.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise _bad_public() from exc
    if len(raw) != 32:
        raise _bad_public()
    return raw


def _bad_public() -> KnownError:
    return KnownError(
        "县级受理公钥格式错误（应为32字节的base64）", "county inbox key is not base64 of 32 bytes"
    )


def key_id(public: bytes | str) -> str:
    """The id an envelope names its county key by (fingerprint of the raw public key)."""
    return key_fingerprint(decode_public(public) if isinstance(public, str) else public)
