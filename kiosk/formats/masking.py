"""Recognising and masking personal numbers.

Full ID numbers and bank or social-security card numbers never reach a terminal: the county
side masks them (ID: at most the first 6 and last 4 characters; card: last 4 only) and the
terminal refuses anything that still looks unmasked.
"""

import re

MASK = "*"

_FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])|(?<!\d)\d{15}(?!\d)")
_MASKED_ID = re.compile(r"^(\d{6}|\*{6})\*{8}(\d{3}[\dX])$")
_CARD_RUN = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ACCOUNT_TAIL = re.compile(r"^(?:尾号|\*{4,15})?(\d{4})$")
# Compiled once: these run on every row of a county's payout files.
_WHOLE_ID = re.compile(r"\d{17}[\dX]")
_WHOLE_CARD = re.compile(r"\d{12,19}")
_SPACES = re.compile(r"\s")
_SPACE_IN_DIGITS = re.compile(r"(?<=\d) (?=\d)")


KEEP_ID_HEAD, KEEP_ID_TAIL = 6, 4  # the one policy: what of an ID number may ever be shown


def mask_id(full: str) -> str:
    """``371522198001011234`` -> ``371522********1234`` (first 6 + last 4 kept).

    Raises:
        ValueError: not an 18-character ID number (see ``shown_id`` for one being typed).
    """
    digits = full.strip().upper()
    if not _WHOLE_ID.fullmatch(digits):
        raise ValueError("not an 18-character ID number")
    return shown_id(digits)


def shown_id(typed: str) -> str:
    """An ID number, whole or still being typed, as a screen may show it once its step is
    left: a whole one as ``mask_id`` shows it; a partial one (its "last 4" would be birth
    date digits) keeps only the first 6."""
    typed = typed.strip().upper()
    if len(typed) == 18:
        return typed[:KEEP_ID_HEAD] + MASK * (18 - KEEP_ID_HEAD - KEEP_ID_TAIL) + typed[-KEEP_ID_TAIL:]
    return typed[:KEEP_ID_HEAD] + MASK * max(0, len(typed) - KEEP_ID_HEAD)


def mask_card(full: str) -> str:
    """A bank or social-security card number -> its last 4 digits only."""
    digits = _SPACES.sub("", full)
    if not _WHOLE_CARD.fullmatch(digits):
        raise ValueError("not a card number")
    return digits[-4:]


def masked_if_full_id(value: str) -> str:
    """County side: a full 18-character ID is masked; anything else is left for validation."""
    candidate = value.strip().upper()
    return mask_id(candidate) if _WHOLE_ID.fullmatch(candidate) else value


def tail_if_full_card(value: str) -> str:
    """County side: a full card number becomes ``尾号1234``; anything else is left as is."""
    digits = _SPACES.sub("", value)
    return f"尾号{digits[-4:]}" if _WHOLE_CARD.fullmatch(digits) else value


def is_masked_id(value: str) -> bool:
    """True for ``371522********123X`` or ``**************123X``."""
    return bool(_MASKED_ID.match(value))


def account_tail(value: str) -> str | None:
    """The 4 digits of an account shown as ``尾号1234``, ``****1234`` or ``1234``; else None."""
    match = _ACCOUNT_TAIL.match(value.strip())
    return match[1] if match else None


_DIGIT_RUN = re.compile(r"\d[\d -]{6,}")


def may_hold_number(text: str) -> bool:
    """Cheap pre-check: only text with a run of 7+ digits can hold an ID, card or phone."""
    return bool(_DIGIT_RUN.search(text))


def contains_full_id(text: str) -> bool:
    return bool(_FULL_ID.search(text))


def contains_card_number(text: str) -> bool:
    return bool(_CARD_RUN.search(_SPACE_IN_DIGITS.sub("", text)))


def contains_phone(text: str) -> bool:
    return bool(_MOBILE.search(text) or _LANDLINE.search(text))


# Personal details in free text a clerk writes (an answer), spelled as people spell them:
# 139 0000 0001, 139-0000-0001, 110105 19491231 002X, 0635-1234567, …村5号.
_NUMBER_RUN = re.compile(r"\d[\d \t\-－—]*[\dXx]")
_SEPARATORS = re.compile(r"[ \t\-－—]")
_ADDRESS = re.compile(r"(?:村|庄|屯|社区|小区|街|路|巷|弄|组)[^，。；;,\s]{0,12}?\d+\s*(?:号|栋|幢|单元|室)"
                      r"|门牌|住址|家住|住在")


def personal_detail(text: str) -> str | None:
    """What kind of personal detail ``text`` holds, in words (手机号, 身份证号, 银行卡号,
    固定电话, 住址), or None. Digits may be grouped with spaces or dashes; dates written as
    2026-12-01 are not mistaken for numbers."""
    for run in _NUMBER_RUN.findall(text):
        digits = _SEPARATORS.sub("", run).upper()
        if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
            return "手机号"
        if (len(digits) == 18 and digits[:17].isdigit()) or (len(digits) == 15 and digits.isdigit()):
            return "身份证号"
        if 16 <= len(digits) <= 19 and digits.isdigit():
            return "银行卡号"
        if 10 <= len(digits) <= 12 and digits.startswith("0") and digits.isdigit():
            return "固定电话"
    if _ADDRESS.search(text):
        return "住址"
    return None
