"""Sealed requests between terminal and county: the forms a villager fills, an ID number
with a right check character, the county's inbox keys, envelopes sealed at a fixed time and
dropped in a folder, and the county's list of terminals.
"""

import datetime as dt

from kiosk.county.inbox import keys as county_keys
from kiosk.formats import envelope

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in Shen County


def valid_id(prefix17: str) -> str:
    """An ID number with the right GB 11643 check character (computed here independently)."""
    total = sum(int(d) * w for d, w in zip(prefix17, ID_WEIGHTS, strict=True))
    return prefix17 + "10X98765432"[total % 11]


DISCLOSURE = {
    "name": "欧阳小明",
    "id_number": valid_id("37152219620315123"),
    "phone": "13912345678",
    "wanted": "2025年张鲁回族镇耕地地力保护补贴发放明细，特别是第三批次的说明",
    "delivery": "邮寄",
    "address": "莘县张鲁回族镇前街村12号",
    "purpose": "核对本户补贴",
    "refers_to": {"village": "371522102001", "year": 2025},
}
CALLBACK = {
    "phone": "15066667777", "topic": "低保", "text": "想问问今年的低保什么时候评", "preferred_time": "上午"
}


def make_county(path):
    """The county's inbox keys in ``path``: (public key as base64, private key)."""
    county_keys.create_inbox_keys(path, today=NOW.date())
    return county_keys.inbox_public(path).key, county_keys.load_inbox_private(path)


def seal(terminal, public, kind="callback", **changes):
    """A request of ``kind`` (the forms above with ``changes``) sealed by ``terminal`` at NOW."""
    form = {**(CALLBACK if kind == "callback" else DISCLOSURE), **changes}
    return envelope.seal(form, kind, public, terminal, now=NOW)


def drop(folder, sealed):
    """The envelopes as the county finds them in ``folder`` (a stick's inbox, the uploads)."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in sealed:
        (folder / f"{item.id}.env").write_bytes(item.data)


def write_terminals_csv(path, rows, header="fingerprint,name,town,status"):
    """The county's list of terminals (terminals.csv) as Chinese Excel saves it."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def forge(terminal, public, plaintext: bytes, *, kind="callback", ulid=None, version=2, now=NOW):
    """An envelope as anyone with a key of their own can make one: correctly signed and
    sealed to the county, holding whatever ``plaintext`` they like, under any id."""
    import base64
    import os

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from kiosk.formats import ids, public_keys

    county_public = public_keys.decode_public(public)
    ulid = ulid or ids.new_ulid(int(now.timestamp() * 1000))
    header = {
        "county_key": public_keys.key_id(county_public), "created": envelope.format_time(now),
        "format": envelope.FORMAT, "id": ulid, "kind": kind, "receipt": ids.receipt_for(ulid),
        "terminal": terminal.public_b64, "v": version,
    }  # fmt: skip
    ephemeral = X25519PrivateKey.generate()
    epk = public_keys.public_raw(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(county_public))
    nonce = os.urandom(12)
    ct = ChaCha20Poly1305(envelope._aead_key(shared, epk, county_public)).encrypt(
        nonce, plaintext, envelope.canonical(header))
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    fields = {**header, "sealed": {"ct": b64(ct), "epk": b64(epk), "nonce": b64(nonce)}}
    fields["sig"] = b64(terminal.sign(envelope.canonical(fields)))
    return envelope.canonical(fields)


def payload(form: dict, reply_key: bytes = b"k" * 16) -> bytes:
    """The plaintext a genuine terminal seals: the form and the villager's reply key."""
    import base64
    import json

    return json.dumps({"form": form, "reply_key": base64.b64encode(reply_key).decode()},
                      ensure_ascii=False).encode()  # fmt: skip


def hold_county_key(folder):
    """The open terminal database holds the county's inbox key (made in ``folder``), as a
    sync of a feed carrying it leaves it: requests can be sealed."""
    from kiosk.store.models import FeedState

    public = county_keys.create_inbox_keys(folder)
    FeedState.update(inbox_key=public.key, inbox_key_expires=public.expires).execute()
    return public


def status_report(**changes):
    """A terminal's status report that passes kiosk.formats.status_report.validate."""
    report = {
        "app_version": "0.1.0", "sent_via": "http", "started_at": "2026-11-27T00:00:00+00:00",
        "uptime_s": 7200, "starts_7d": 1, "unclean_7d": 0, "feed_version": 7,
        "data_as_of": "2026-11-26T12:00:00+00:00", "applied_at": "2026-11-26T13:00:00+00:00",
        "last_sync_at": "2026-11-27T01:00:00+00:00", "last_sync_result": "ok", "last_sync_message": "",
        "clock_vs_feed_s": 50400,
        "outbox": {"waiting": 0, "sent": 1, "acknowledged": 4, "damaged": 0, "missing": 0},
        "disk_free_mb": 20480, "db_mb": 120,
        "printer": {"last_job_at": "2026-11-26T08:00:00+00:00", "last_outcome": "ok", "last_error": "",
                    "pages_since": 12, "failed_in_row": 0},
        "screen": "1080x1920", "handwriting": True, "speech": True,
        "usage": {"2026-11": {"payouts": 30, "prints": 2}}, "faults": [],
    }  # fmt: skip
    return {**report, **changes}


def seal_status(terminal, public, when, **changes):
    """A status report of ``terminal`` signed at ``when`` (with ``changes``)."""
    return envelope.seal(status_report(**changes), "status", public, terminal, now=when)
