"""Masking of ID, card and phone numbers (kiosk.formats.masking) and money formatting
(kiosk.fmt, the leaf both programs write amounts with)."""

import string

from hypothesis import given
from hypothesis import strategies as st

from kiosk import fmt
from kiosk.formats import masking

digits = st.text(alphabet=string.digits, min_size=17, max_size=17)


def test_an_id_being_typed_shows_no_more_than_a_masked_one():
    whole = "11010519491231002X"
    assert masking.shown_id(whole.lower()) == "110105********002X" == masking.mask_id(whole)
    assert masking.shown_id("1101051949123") == "110105*******"  # no birth-date digits as a "tail"
    assert masking.shown_id("1101") == "1101"


@given(body=digits, check=st.sampled_from([*string.digits, "X"]))
def test_mask_id_keeps_only_first_six_and_last_four(body, check):
    full = body + check
    masked = masking.mask_id(full)
    assert masked == full[:6] + "********" + full[-4:]
    assert masking.is_masked_id(masked)
    assert not masking.contains_full_id(masked)
    assert masking.contains_full_id(f"备注{full}号")


@given(card=st.text(alphabet=string.digits, min_size=16, max_size=19))
def test_card_numbers_are_detected_and_cut_to_four(card):
    assert masking.contains_card_number(f"卡号{card}")
    assert masking.mask_card(card) == card[-4:]
    assert masking.account_tail("尾号" + card[-4:]) == card[-4:]


def test_phones_are_detected():
    assert masking.contains_phone("13812345678")
    assert masking.contains_phone("0635-7123456")
    assert not masking.contains_phone("2025年度 5.20亩")


def test_money_and_words():
    assert fmt.money(123450) == "1,234.50"
    assert fmt.money(5) == "0.05"
    assert fmt.money(-100) == "-1.00"
    assert fmt.money_in_words(123450) == "壹仟贰佰叁拾肆元伍角整"
    assert fmt.money_in_words(1000500) == "壹万零伍元整"
    assert fmt.money_in_words(105) == "壹元零伍分"
    assert fmt.money_in_words(0) == "零元整"
    assert fmt.hundredths(520) == "5.2"


@given(st.integers(min_value=0, max_value=10**12))
def test_money_round_trips(fen):
    text = fmt.money(fen)
    assert int(text.replace(",", "").replace(".", "")) == fen
