"""The envelope, the keys, the ids and the forms: real keys, real crypto, real files."""

import base64
import datetime as dt
import json
import stat

import pytest

from kiosk.county.inbox import keys as county_keys
from kiosk.errors import KnownError
from kiosk.formats import envelope, forms, ids
from kiosk.outbox import identity
from tests.helpers.envelopes import CALLBACK, DISCLOSURE, make_county, valid_id


@pytest.fixture
def terminal(tmp_path):
    return identity.load_or_create(tmp_path / "terminal")


@pytest.fixture
def county(tmp_path):
    return make_county(tmp_path / "county")


def resign(data: bytes, terminal_key, change) -> bytes:
    """The envelope with ``change`` applied to its fields and signed again by ``terminal_key``."""
    fields = json.loads(data)
    change(fields)
    fields.pop("sig")
    fields["sig"] = base64.b64encode(terminal_key.sign(envelope.canonical(fields))).decode()
    return envelope.canonical(fields)


def reason_of(data: bytes, private) -> str:
    with pytest.raises(envelope.EnvelopeError) as info:
        envelope.open_envelope(data, private)
    assert info.value.zh and info.value.en
    return info.value.reason


# --- seal and open ---------------------------------------------------------------------------


def test_seal_then_open_gives_the_form_and_the_header(terminal, county):
    public, private = county
    now = dt.datetime(2026, 11, 27, 9, 30, 1, 250_000, tzinfo=dt.UTC)
    sealed = envelope.seal(DISCLOSURE, "disclosure", public, terminal, now=now)
    opened = envelope.open_envelope(sealed.data, private)
    assert opened.form == {**DISCLOSURE, "refers_to": {"village": "371522102001", "year": "2025"}}
    assert opened.header == sealed.header
    assert opened.header.created == "2026-11-27T09:30:01.250Z"
    assert ids.ulid_ms(opened.header.id) == int(now.timestamp() * 1000)
    assert opened.header.receipt == ids.receipt_for(opened.header.id)
    assert opened.header.terminal_fingerprint == terminal.fingerprint()
    assert opened.header.county_key == county_keys.key_id(public)
    assert envelope.read_header(sealed.data) == sealed.header  # no county key needed

    callback = envelope.seal(CALLBACK, "callback", public, terminal)
    assert envelope.open_envelope(callback.data, private).form == CALLBACK


def test_the_envelope_carries_no_plaintext(terminal, county):
    data = envelope.seal(DISCLOSURE, "disclosure", county[0], terminal).data
    for secret in ("欧阳小明", DISCLOSURE["id_number"], "13912345678", "耕地地力", "前街村"):
        assert secret.encode() not in data
        assert json.dumps(secret).strip('"').encode() not in data  # nor JSON-escaped


def test_every_single_changed_byte_is_refused(terminal, county):
    public, private = county
    data = envelope.seal(CALLBACK, "callback", public, terminal).data
    for position in range(len(data)):
        for flip in (0x01, 0x20):
            changed = bytearray(data)
            changed[position] ^= flip
            with pytest.raises(envelope.EnvelopeError):
                envelope.open_envelope(bytes(changed), private)
            with pytest.raises(envelope.EnvelopeError):
                envelope.read_header(bytes(changed))


def _replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def test_a_changed_header_field_ciphertext_or_signature_is_tampering(terminal, county):
    public, private = county
    sealed = envelope.seal(DISCLOSURE, "disclosure", public, terminal)
    data, fields = sealed.data, json.loads(sealed.data)
    assert reason_of(_replace_once(data, b'"disclosure"', b'"callback"'), private) == "tampered"
    created = fields["created"].encode()
    assert reason_of(_replace_once(data, created, created.replace(b"T", b"T")[:-5] + b"999Z"), private) == (
        "tampered"
    )
    ct = fields["sealed"]["ct"]
    middle = len(ct) // 2
    other = "A" if ct[middle] != "A" else "B"
    new_ct = ct[:middle] + other + ct[middle + 1 :]
    assert reason_of(_replace_once(data, ct.encode(), new_ct.encode()), private) == "tampered"
    sig = fields["sig"]
    new_sig = ("A" if sig[0] != "A" else "B") + sig[1:]
    assert reason_of(_replace_once(data, sig.encode(), new_sig.encode()), private) == "tampered"


def test_a_ciphertext_moved_into_another_envelope_is_refused(terminal, county):
    public, private = county
    first = json.loads(envelope.seal(CALLBACK, "callback", public, terminal).data)
    second = envelope.seal({**CALLBACK, "phone": "18800001111"}, "callback", public, terminal).data
    swapped = json.loads(second)
    swapped["sealed"] = first["sealed"]
    assert reason_of(envelope.canonical(swapped), private) == "tampered"
    # Even the terminal's own key cannot move it: the header is the AEAD's associated data.
    resigned = resign(second, terminal, lambda f: f.update(sealed=first["sealed"]))
    assert reason_of(resigned, private) == "cannot_open"
    relabelled = resign(second, terminal, lambda f: f.update(created="2020-01-01T00:00:00.000Z"))
    assert reason_of(relabelled, private) == "cannot_open"


def test_sealed_to_another_county_key_is_named(tmp_path, terminal, county):
    other_public, _ = make_county(tmp_path / "other")
    data = envelope.seal(CALLBACK, "callback", other_public, terminal).data
    assert reason_of(data, county[1]) == "other_county_key"
    with pytest.raises(envelope.WrongCountyKey) as info:
        envelope.open_envelope(data, county[1])
    assert county_keys.key_id(other_public) in info.value.zh


def test_truncated_or_foreign_files_are_malformed(terminal, county):
    data = envelope.seal(DISCLOSURE, "disclosure", county[0], terminal).data
    for cut in (0, 1, 20, len(data) // 2, len(data) - 2, len(data) - 1):
        assert reason_of(data[:cut], county[1]) == "malformed"
    foreign_files = (b"\x89PNG\r\n", b"[]", b'{"format":"x"}', "申请".encode(), data + b"\n", b" " + data)
    for foreign in foreign_files:
        assert reason_of(foreign, county[1]) == "malformed"
    assert reason_of(b"x" * (envelope.MAX_BYTES + 1), county[1]) == "malformed"


def test_a_future_format_version_is_named(terminal, county):
    data = envelope.seal(CALLBACK, "callback", county[0], terminal).data
    with pytest.raises(envelope.UnsupportedVersion) as info:
        envelope.read_header(_replace_once(data, b'"v":2', b'"v":3'))
    assert "3" in info.value.zh


def test_a_signed_envelope_with_a_wrong_receipt_is_malformed(terminal, county):
    data = envelope.seal(CALLBACK, "callback", county[0], terminal).data
    wrong = resign(data, terminal, lambda f: f.update(receipt="12345-12345-1234"))
    assert reason_of(wrong, county[1]) == "malformed"


def test_invalid_form_is_not_sealed(terminal, county):
    with pytest.raises(forms.FormError):
        envelope.seal({**CALLBACK, "phone": "1234"}, "callback", county[0], terminal)
    with pytest.raises(forms.FormError):
        envelope.seal(CALLBACK, "complaint", county[0], terminal)
    with pytest.raises(KnownError):
        envelope.seal(CALLBACK, "callback", "bm90IGEga2V5", terminal)


# --- keys and ids ----------------------------------------------------------------------------


def test_terminal_key_is_made_once_private_and_stable(tmp_path):
    folder = tmp_path / "term"
    first = identity.load_or_create(folder)
    path = folder / identity.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = identity.load_or_create(folder)
    assert again.public_raw == first.public_raw and len(first.public_raw) == 32
    assert base64.b64decode(first.public_b64) == first.public_raw
    assert len(first.fingerprint()) == 39 and first.fingerprint().count("-") == 7
    assert identity.load_or_create(tmp_path / "other").fingerprint() != first.fingerprint()
    assert not [p for p in folder.iterdir() if p.name != identity.KEY_FILE]  # no temporaries left
    path.write_bytes(b"garbage")
    with pytest.raises(KnownError):
        identity.load_or_create(folder)


def test_county_keys_are_not_overwritten_unless_asked_and_old_ones_still_open(tmp_path, terminal):
    keydir = tmp_path / "county"
    made = county_keys.create_inbox_keys(keydir)
    public = made.key
    assert stat.S_IMODE((keydir / county_keys.PRIVATE_FILE).stat().st_mode) == 0o600
    assert len(base64.b64decode(public)) == 32 and county_keys.inbox_public(keydir) == made
    old = envelope.seal(CALLBACK, "callback", public, terminal).data
    with pytest.raises(KnownError):
        county_keys.create_inbox_keys(keydir)
    assert county_keys.inbox_public(keydir) == made
    new_public = county_keys.create_inbox_keys(keydir, replace=True).key
    assert new_public != public
    assert reason_of(old, county_keys.load_inbox_private(keydir)) == "other_county_key"
    keyring = county_keys.load_keyring(keydir)
    assert set(keyring) == {county_keys.key_id(public), county_keys.key_id(new_public)}
    assert envelope.open_envelope(old, keyring).form == CALLBACK
    with pytest.raises(KnownError):
        county_keys.load_inbox_private(tmp_path / "nowhere")


def test_ulids_are_well_formed_unique_and_monotonic_within_one_millisecond():
    made = [ids.new_ulid(1_764_000_000_000) for _ in range(5000)]
    assert made == sorted(made) and len(set(made)) == 5000
    assert all(ids.is_ulid(u) and len(u) == 26 for u in made)
    assert ids.ulid_ms(made[-1]) == 1_764_000_000_000
    later = ids.new_ulid()
    assert later > made[-1]


def test_receipts_are_short_keypad_numbers_derived_from_the_id():
    ulids = [ids.new_ulid() for _ in range(20_000)]
    receipts = [ids.receipt_for(u) for u in ulids]
    assert all(ids.is_receipt(r) and len(r) <= 16 and set(r) <= set("0123456789-") for r in receipts)
    assert len(set(receipts)) == len(receipts)
    assert ids.receipt_for(ulids[0]) == receipts[0]  # the county recomputes the same number
    assert not ids.is_receipt("1234-5678")


# --- forms -----------------------------------------------------------------------------------


def refused_field(kind: str, form: dict) -> forms.FormError:
    with pytest.raises(forms.FormError) as info:
        forms.validate(kind, form)
    return info.value


def test_phone_must_be_eleven_digits_starting_with_one():
    for phone in ("1391234567", "139123456789", "23912345678", "1391234567a"):
        assert refused_field("callback", {**CALLBACK, "phone": phone}).field == "phone"
    assert forms.validate("callback", {**CALLBACK, "phone": "139 1234-5678"})["phone"] == "13912345678"


def test_required_fields_and_their_words():
    error = refused_field("disclosure", {**DISCLOSURE, "name": "   "})
    assert error.field == "name" and "姓名" in error.zh and "不能为空" in error.zh and "required" in error.en
    assert refused_field("disclosure", {**DISCLOSURE, "wanted": ""}).field == "wanted"
    assert refused_field("callback", {"phone": "13912345678"}).field == "topic"
    assert refused_field("disclosure", {**DISCLOSURE, "delivery": "快递"}).field == "delivery"
    no_address = {k: v for k, v in DISCLOSURE.items() if k != "address"}
    assert refused_field("disclosure", no_address).field == "address"
    assert refused_field("disclosure", {**no_address, "delivery": "电子邮件"}).field == "email"
    bad_email = {**no_address, "delivery": "电子邮件", "email": "x@y"}
    assert refused_field("disclosure", bad_email).field == "email"
    assert forms.validate("disclosure", {**no_address, "delivery": "现场领取"})["delivery"] == "现场领取"
    assert refused_field("callback", {**CALLBACK, "salary": "1"}).field == "salary"


def test_ten_thousand_characters_are_refused_clearly():
    error = refused_field("disclosure", {**DISCLOSURE, "wanted": "补" * 10_000})
    assert error.field == "wanted" and "10000" in error.zh and "2000" in error.zh and "too long" in error.en
    assert refused_field("callback", {**CALLBACK, "text": "话" * 10_000}).field == "text"
    assert forms.validate("callback", {**CALLBACK, "text": "话" * 2000})["text"] == "话" * 2000


def test_callback_text_may_be_empty():
    assert forms.validate("callback", {"phone": "13912345678", "topic": "医保"})["text"] == ""


def test_id_number_check_digit():
    good = DISCLOSURE["id_number"]
    wrong_last = good[:17] + ("0" if good[17] != "0" else "1")
    error = refused_field("disclosure", {**DISCLOSURE, "id_number": wrong_last})
    assert error.field == "id_number" and "校验" in error.zh
    assert refused_field("disclosure", {**DISCLOSURE, "id_number": good[:17]}).field == "id_number"
    with_x = valid_id("11010519491231002")
    assert with_x.endswith("X")
    assert forms.validate("disclosure", {**DISCLOSURE, "id_number": with_x.lower()})["id_number"] == with_x


def test_refers_to_names_only_what_the_kiosk_knows():
    assert refused_field("disclosure", {**DISCLOSURE, "refers_to": {"url": "x"}}).field == "refers_to"
    assert refused_field("disclosure", {**DISCLOSURE, "refers_to": "catalogue"}).field == "refers_to"


def test_masked_name_and_phone_last4():
    assert forms.masked_name("张三") == "张*"
    assert forms.masked_name("张小三") == "张*三"
    assert forms.masked_name("欧阳小明") == "欧**明"
    assert forms.masked_name("李") == "李"
    assert forms.phone_last4("139-1234-5678") == "5678"
