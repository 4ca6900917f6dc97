"""Formats a stranger can write to: JSON within bounds, form text without hidden characters,
and the sealed replies (a row found by a hash, an answer only the receipt's key opens)."""

import json
import os

import pytest

from kiosk.formats import envelope, forms, ids, replies, safe_json
from tests.helpers.envelopes import CALLBACK, DISCLOSURE


def test_deep_nesting_is_refused_before_parsing_and_strings_do_not_count():
    with pytest.raises(safe_json.JSONRefused, match="deeper"):
        safe_json.loads(b"[" * 100_000, max_bytes=200_000, max_depth=4)
    assert safe_json.loads(json.dumps({"a": "[[[[[[" * 100, "b": ["\\\"{{"]}), max_bytes=10_000,
                           max_depth=2)["b"] == ['\\"{{']  # fmt: skip
    with pytest.raises(safe_json.JSONRefused, match="larger"):
        safe_json.loads(b'"' + b"x" * 100 + b'"', max_bytes=50, max_depth=1)
    with pytest.raises(safe_json.JSONRefused, match="repeated"):
        safe_json.loads(b'{"a":1,"a":2}', max_bytes=50, max_depth=1)
    with pytest.raises(safe_json.JSONRefused, match="UTF-8"):
        safe_json.loads(b'"\xff"', max_bytes=50, max_depth=1)


@pytest.mark.parametrize("hidden", ["\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad",
                                    "\u061c", "\u200e"])  # fmt: skip
def test_invisible_and_direction_characters_are_removed_from_villager_text(hidden):
    form = {**CALLBACK, "text": f"想问{hidden}低保exe.txt", "topic": f"社会{hidden}救助"}
    clean = forms.validate("callback", form)
    assert clean["text"] == "想问低保exe.txt" and clean["topic"] == "社会救助"


@pytest.mark.parametrize("bad", ["a\x1bb", "a\x00b", "a\x7fb", "a\x85b", "a\ud800b"])
def test_control_characters_and_lone_surrogates_are_refused_by_name(bad):
    with pytest.raises(forms.FormError, match="控制字符 U\\+") as refused:
        forms.validate("callback", {**CALLBACK, "text": bad})
    assert refused.value.field == "text"


@pytest.mark.parametrize("value", [["x"], 10**30, {"a": 1}, True, 3.5])
def test_a_field_that_is_not_text_is_refused(value):
    with pytest.raises(forms.FormError, match="应为文字"):
        forms.validate("callback", {**CALLBACK, "topic": value})


def test_refers_to_holds_short_text_by_the_same_rules():
    refers_to = {"village": "371522102001", "year": 2025}
    clean = forms.validate("disclosure", {**DISCLOSURE, "refers_to": refers_to})
    assert clean["refers_to"] == {"village": "371522102001", "year": "2025"}
    bads = ({"village": "3715\x07"}, {"year": 10**30}, {"year": [2025]}, {"x": "1"}, {"village": "1" * 101})
    for bad in bads:
        with pytest.raises(forms.FormError) as refused:
            forms.validate("disclosure", {**DISCLOSURE, "refers_to": bad})
        assert refused.value.field == "refers_to"


def test_a_huge_field_is_refused_before_it_is_cleaned():
    with pytest.raises(forms.FormError, match="太长"):
        forms.validate("callback", {**CALLBACK, "text": "啊" * 1_000_000})


def test_an_answer_opens_only_with_its_receipts_key():
    key, other = os.urandom(16), os.urandom(16)
    number = ids.receipt_for(ids.new_ulid())
    sealed = replies.seal_answer("请到镇便民服务中心领取", key, number)
    assert replies.open_answer(sealed, key, number) == "请到镇便民服务中心领取"
    # An unchanged answer seals to the same bytes; another answer under another nonce.
    assert replies.seal_answer("请到镇便民服务中心领取", key, number) == sealed
    assert replies.seal_answer("另一个答复", key, number)[:16] != sealed[:16]
    for wrong_key, wrong_number in ((other, number), (key, ids.receipt_for(ids.new_ulid()))):
        with pytest.raises(replies.AnswerUnreadable):
            replies.open_answer(sealed, wrong_key, wrong_number)
    assert "领取" not in sealed and number not in sealed


def test_the_receipt_qr_carries_the_number_and_the_key():
    key = os.urandom(16)
    text = replies.qr_text("12345-67890-1234", key)
    assert replies.parse_qr(text) == ("12345-67890-1234", key)
    lower = text.lower().replace("sqgk-receipt:", "SQGK-RECEIPT:")
    assert replies.parse_qr(lower) == ("12345-67890-1234", key)
    assert replies.parse_qr("SQGK-RECEIPT:12345-67890-1234") == ("12345-67890-1234", None)
    assert replies.parse_qr("SQGK-RECEIPT:12345-67890-1234:NOTAKEY") is None
    assert replies.parse_qr("https://example.org/verify") is None
    assert replies.lookup("12345-67890-1234") != replies.lookup("12345-67890-1235")


def test_an_envelope_carries_a_fresh_reply_key_the_county_opens(tmp_path):
    from kiosk.outbox import identity
    from tests.helpers.envelopes import make_county

    public, private = make_county(tmp_path / "inbox")
    terminal = identity.load_or_create(tmp_path / "terminal")
    first = envelope.seal(CALLBACK, "callback", public, terminal)
    second = envelope.seal(CALLBACK, "callback", public, terminal)
    assert len(first.reply_key) == 16 and first.reply_key != second.reply_key
    assert first.reply_key not in first.data
    assert replies.encode_key(first.reply_key).encode() not in first.data
    opened = envelope.open_envelope(first.data, private)
    assert opened.form == CALLBACK and opened.reply_key == first.reply_key
    assert envelope.digest(first.data) != envelope.digest(second.data)
