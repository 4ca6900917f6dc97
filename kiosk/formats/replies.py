"""How the county's answers travel in the public feed without being public.

The feed is read by anyone who can read its mirror, so a reply row carries no receipt number,
envelope id or answer text in clear:

- ``lookup(receipt)``: what the row is found by. A terminal computes it from the number a
  villager types; the number itself is not in the feed. It is a plain hash: whoever knows a
  number (the villager, a courier who saw the envelope id) can learn its status and dates,
  which are not personal; nobody learns numbers from the feed.
- ``seal_answer`` / ``open_answer``: the answer text, sealed (ChaCha20-Poly1305) under a key
  derived from the 16 random bytes the terminal put in the envelope and printed in the
  receipt's QR code only. Without the paper, a mirror reader faces 128 bits: no amount of
  GPU time reads an answer.
- the acknowledgement is the envelope's digest (kiosk.formats.envelope.digest): a terminal
  drops its ciphertext only for the exact envelope the county filed.
"""

import base64
import binascii
import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.formats import ids

QR_PREFIX = "SQGK-RECEIPT:"
KEY_BYTES = 16
_LOOKUP_LABEL = b"shenqing-reply-lookup-v1"
_ANSWER_LABEL = b"shenqing-reply-answer-v1"
MAX_SEALED = 12_000  # base64 of a 2,000-character answer (6,000 bytes of UTF-8) and its tag


class AnswerUnreadable(ValueError):
    """The sealed answer does not open with this key (another receipt's, or damaged)."""


def lookup(receipt: str) -> str:
    """The reply row's key for a receipt number (32 hex digits)."""
    return hashlib.sha256(_LOOKUP_LABEL + receipt.encode("ascii")).hexdigest()[:32]


def _key(reply_key: bytes, receipt: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_ANSWER_LABEL + receipt.encode("ascii")).derive(reply_key)  # fmt: skip


def seal_answer(answer: str, reply_key: bytes, receipt: str) -> str:
    """``answer`` sealed for whoever holds ``reply_key`` (base64 of nonce + ciphertext).

    Deterministic: the nonce is a keyed hash of the answer, so an unchanged answer seals to
    the same bytes (the feed's replies partition changes only when an answer does) and two
    different answers never share a nonce under one key.
    """
    key = _key(reply_key, receipt)
    nonce = hmac.new(key, answer.encode("utf-8"), hashlib.sha256).digest()[:12]
    sealed = ChaCha20Poly1305(key).encrypt(nonce, answer.encode("utf-8"), lookup(receipt).encode("ascii"))
    return base64.b64encode(nonce + sealed).decode("ascii")


def open_answer(sealed: str, reply_key: bytes, receipt: str) -> str:
    """The answer text.

    Raises:
        AnswerUnreadable: wrong key, another receipt's row, or damaged.
    """
    try:
        raw = base64.b64decode(sealed, validate=True)
        text = ChaCha20Poly1305(_key(reply_key, receipt)).decrypt(
            raw[:12], raw[12:], lookup(receipt).encode("ascii"))
        return text.decode("utf-8")
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise AnswerUnreadable(str(exc) or "does not open") from exc


def encode_key(reply_key: bytes) -> str:
    """The reply key as the QR code carries it: 26 characters of Crockford base32."""
    value = int.from_bytes(reply_key, "big")
    return "".join(ids.CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def decode_key(text: str) -> bytes | None:
    """The reply key from its QR form, or None if ``text`` is not one."""
    text = text.strip().upper()
    if len(text) != 26 or not ids.is_crockford(text) or text[0] not in "01234567":  # 128 of 130 bits
        return None
    value = 0
    for char in text:
        value = (value << 5) | ids.CROCKFORD.index(char)
    return value.to_bytes(KEY_BYTES, "big")


def qr_text(receipt: str, reply_key: bytes | None) -> str:
    """What a receipt's QR code holds: the number, and the villager's key to the answer."""
    return f"{QR_PREFIX}{receipt}" + (f":{encode_key(reply_key)}" if reply_key else "")


def parse_qr(text: str) -> tuple[str, bytes | None] | None:
    """(receipt number as scanned, reply key or None) from a receipt QR's text, or None."""
    text = text.strip()
    if not text.upper().startswith(QR_PREFIX):
        return None
    number, _, key = text[len(QR_PREFIX):].partition(":")
    reply_key = decode_key(key) if key else None
    if key and reply_key is None:
        return None
    return number, reply_key
