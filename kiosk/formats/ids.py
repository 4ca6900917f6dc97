"""Envelope ids (ULIDs) and the receipt number a villager types on a digit keypad.

ULID: 48-bit milliseconds since 1970 + 80 random bits, 26 Crockford base32 characters,
sortable by time and monotonic within a process (same millisecond: random part + 1).

Receipt number: ``DDDDD-DDDDD-DDDD``, 14 decimal digits in groups of 5-5-4 (16 characters,
digits and '-' only). It is *derived* from the envelope's ULID: the first 8 bytes of
SHA-256("shenqing-receipt-v1" + the ULID's 16 bytes) modulo 10^14. Terminal and county
therefore always agree (the county recomputes it and refuses an envelope whose receipt
does not match its id), and nothing has to be assigned centrally. Why no date prefix:
a date spends digits on information a day already shares, so collisions come sooner;
14 random-looking digits give 10^14 numbers, so even 100,000 requests over a county's
whole lifetime collide with probability about 5·10⁻⁵ (n²/2N), and the county's UNIQUE
index catches that case and reports it rather than merging two requests. No check digit
is needed either: with at most ~10^5 receipts among 10^14 numbers a mistyped number finds
nothing (the chance of hitting another villager's is about 10⁻⁹).
"""

import hashlib
import os
import re
import threading
import time

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(CROCKFORD)}
_ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
_RECEIPT_RE = re.compile(r"\d{5}-\d{5}-\d{4}")
_RANDOM_MAX = (1 << 80) - 1

_lock = threading.Lock()
_last_ms = -1
_last_random = 0


def new_ulid(now_ms: int | None = None) -> str:
    """A new ULID; later calls in this process always sort after earlier ones.

    A clock that steps back is held at the last millisecond; an explicit ``now_ms`` (a
    given sealing time) is used as given, and only ids of the same millisecond count up.
    """
    global _last_ms, _last_random
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    with _lock:
        if ms == _last_ms or (now_ms is None and ms < _last_ms):
            ms, rand = _last_ms, _last_random + 1
            if rand > _RANDOM_MAX:  # 2^80 ids in one millisecond: borrow the next one
                ms, rand = ms + 1, int.from_bytes(os.urandom(10), "big")
        else:
            rand = int.from_bytes(os.urandom(10), "big")
        _last_ms, _last_random = ms, rand
    return _encode((ms << 80) | rand)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def ulid_to_int(ulid: str) -> int:
    value = 0
    for char in ulid:
        value = (value << 5) | _DECODE[char]
    return value


def is_crockford(text: str) -> bool:
    """Whether ``text`` is made of Crockford base32 characters only (upper case)."""
    return isinstance(text, str) and all(c in _DECODE for c in text)


def is_ulid(text: str) -> bool:
    return isinstance(text, str) and _ULID_RE.fullmatch(text) is not None


def ulid_ms(ulid: str) -> int:
    """Milliseconds since 1970 encoded in the ULID."""
    return ulid_to_int(ulid) >> 80


def receipt_for(ulid: str) -> str:
    """The receipt number of the envelope with this id (see the module docstring)."""
    digest = hashlib.sha256(b"shenqing-receipt-v1" + ulid_to_int(ulid).to_bytes(16, "big")).digest()
    digits = f"{int.from_bytes(digest[:8], 'big') % 10**14:014d}"
    return f"{digits[:5]}-{digits[5:10]}-{digits[10:]}"


def is_receipt(text: str) -> bool:
    return isinstance(text, str) and _RECEIPT_RE.fullmatch(text) is not None


def key_fingerprint(public_raw: bytes) -> str:
    """A short human-checkable name of a public key: SHA-256, first 16 bytes, hex in groups of 4.

    128 bits: staff can read it aloud over the phone, and nobody can make a second key
    with the same fingerprint.
    """
    hexed = hashlib.sha256(public_raw).hexdigest()[:32]
    return "-".join(hexed[i : i + 4] for i in range(0, 32, 4))
