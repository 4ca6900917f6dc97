"""Parsers for one spreadsheet cell each: text in, typed value out, or a CellError.

Every parser takes the cell as text (kiosk.formats.spreadsheet turns XLSX values into text the
way a person sees them) and raises CellError with a Chinese and an English reason.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from kiosk.formats import masking


class CellError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


Parser = Callable[[str], object]

_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


def _decimal(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise CellError(f"“{text}”不是数字", f"'{text}' is not a number")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise CellError(f"“{text}”不是数字", f"'{text}' is not a number") from exc


def hundredths(text: str) -> int:
    """A non-negative amount with at most 2 decimals, as an integer count of hundredths.

    Used for money (元 -> 分) and for quantities (5.20 亩 -> 520).
    """
    plain = _PLAIN.match(text)
    if plain:  # the common case, without Decimal
        return int(plain[1]) * 100 + int((plain[2] or "0").ljust(2, "0"))
    value = _decimal(text)
    if value < 0:
        raise CellError(f"数值“{text}”为负数", f"value '{text}' is negative")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise CellError(f"“{text}”超过 2 位小数", f"'{text}' has more than 2 decimals")
    return int(value * 100)


def integer(low: int, high: int) -> Parser:
    digits = re.compile(r"\d+").fullmatch

    def parse(text: str) -> int:
        if not digits(text):
            raise CellError(f"“{text}”不是整数", f"'{text}' is not a whole number")
        value = int(text)
        if not low <= value <= high:
            raise CellError(
                f"“{text}”不在 {low}–{high} 之间", f"'{text}' is outside {low}..{high}"
            )
        return value

    parse.kind = "integer"  # type: ignore[attr-defined]
    return parse


_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def date(text: str) -> str:
    """2025-03-15, 2025/3/15, 2025.3.15 or 2025年3月15日, returned as ISO text."""
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
            except ValueError:
                break
    raise CellError(f"日期“{text}”无法识别", f"date '{text}' does not parse")


def code(digits: int) -> Parser:
    form = re.compile(rf"\d{{{digits}}}").fullmatch

    def parse(text: str) -> str:
        if not form(text):
            raise CellError(
                f"代码“{text}”应为 {digits} 位数字", f"code '{text}' must be {digits} digits"
            )
        return text

    parse.kind = "code"  # type: ignore[attr-defined]
    return parse


def item_code(value: str) -> str:
    """A short code of capital letters and digits, e.g. A01."""
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", value):
        raise CellError(
            f"项目代码“{value}”应为大写字母开头的字母数字（如 A01）",
            f"item code '{value}' must be capital letters and digits (e.g. A01)",
        )
    return value


def short_code(value: str) -> str:
    """A code the county gives a decision or a draft: letters, digits and '-', at most 20,
    e.g. JC2026-01 (it names a sheet, a file on the verify site and a comment's anchor)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}", value):
        raise CellError(f"编号“{value[:40]}”应为字母、数字和“-”，最多20位（如 JC2026-01）",
                        f"code '{value[:40]}' must be letters, digits and '-', at most 20 (e.g. JC2026-01)")
    return value


def receipt_number(value: str) -> str:
    """A request's 受理编号 as the terminal printed it: 14 digits as 5-5-4 (kiosk.formats.ids)."""
    if not re.fullmatch(r"\d{5}-\d{5}-\d{4}", value):
        raise CellError(f"受理编号“{value}”应为 12345-67890-1234 的形式",
                        f"receipt number '{value}' must look like 12345-67890-1234")  # fmt: skip
    return value


def envelope_id(value: str) -> str:
    """A request envelope's id: a ULID (26 characters of Crockford base32)."""
    if not re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", value):
        raise CellError(f"信封编号“{value}”应为 26 位字母数字", f"envelope id '{value}' is not a ULID")
    return value


def hex_digits(count: int) -> Parser:
    """Exactly ``count`` lower-case hex digits (a digest or a lookup code)."""
    form = re.compile(rf"[0-9a-f]{{{count}}}").fullmatch

    def parse(value: str) -> str:
        if not form(value):
            raise CellError(f"“{value[:40]}”应为 {count} 位十六进制数字",
                            f"'{value[:40]}' must be {count} hex digits")  # fmt: skip
        return value

    return parse


def base64_text(value: str) -> str:
    """Standard base64 (sealed data the feed carries without reading it)."""
    if not re.fullmatch(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", value):
        raise CellError("密文格式不正确（应为 base64）", "not base64")
    return value


def text(value: str) -> str:
    return value


def one_of(*allowed: str) -> Parser:
    def parse(value: str) -> str:
        if value not in allowed:
            raise CellError(
                f"“{value}”不是允许的取值（{'、'.join(allowed)}）",
                f"'{value}' is not one of: {', '.join(allowed)}",
            )
        return value

    return parse


def subset_of(*allowed: str) -> Parser:
    """A 、-joined set of allowed values, e.g. catalogue channels."""

    def parse(value: str) -> str:
        parts = [p.strip() for p in value.split("、") if p.strip()]
        unknown = [p for p in parts if p not in allowed]
        if unknown or not parts:
            raise CellError(
                f"“{'、'.join(unknown) or value}”不是允许的取值",
                f"'{', '.join(unknown) or value}' is not an allowed value",
            )
        return "、".join(parts)

    return parse


_EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?E\+1[4-7]$")


def masked_id(value: str) -> str:
    """An ID number already masked to at most first 6 + last 4; a full number is refused."""
    upper = value.upper()
    if _EXCEL_NUMBER.match(upper):
        raise CellError(
            f"身份证号“{value}”被 Excel 存成了数字，后几位已丢失：请把该列设为“文本”后重新导出",
            f"the ID number '{value}' was stored by Excel as a number and lost its last digits:"
            " format the column as text and export again",
        )
    if masking.contains_full_id(upper):
        raise CellError(
            "出现完整身份证号，终端只接受脱敏后的号码（前6位+后4位）",
            "a full ID number is present; only masked values (first 6 + last 4) are allowed",
        )
    if not masking.is_masked_id(upper):
        raise CellError(
            f"身份证号“{value}”不是规定的脱敏格式（如 371522********123X）",
            f"ID '{value}' is not in the masked form (e.g. 371522********123X)",
        )
    return upper


def account_tail(value: str) -> str:
    """A bank/社保卡 account shown only by its last 4 digits."""
    if masking.contains_card_number(value):
        raise CellError(
            "出现完整银行卡/社保卡号，只允许保留尾号4位",
            "a full bank or social-security card number is present; only the last 4 digits"
            " are allowed",
        )
    tail = masking.account_tail(value)
    if tail is None:
        raise CellError(
            f"账号“{value}”应只写尾号4位（如 尾号1234）",
            f"account '{value}' must give only the last 4 digits (e.g. 尾号1234)",
        )
    return tail


# County side: what real exports write, turned into the plain form the parsers above read.
# The terminal never needs this (feed partitions are written in the plain form).

_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}
_LOOSE_NUMBER = re.compile(r"^¥?(-?[\d,]*\.?\d+)(元)?(?:/(.+)|([^\d/.,].*))?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$|^(\S+?)[ T]0?0:00(?::00)?$")


def halfwidth(text: str) -> str:
    """Full-width digits, letters, signs and spaces as ASCII: ``１２３ａ`` -> ``123a``."""
    return text.translate(_HALF)


def split_unit(text: str) -> tuple[str, str]:
    """A number as county exports write it, and the unit written with it.

    ``1,234.50元`` -> (``1,234.50``, ""), ``131.42元/亩`` -> (``131.42``, ``亩``),
    ``2.7亩`` -> (``2.7``, ``亩``), ``3人`` -> (``3``, ``人``). Text that is not such a
    number comes back unchanged, for the parser to refuse in its own words.
    """
    compact = "".join(halfwidth(text).split())
    match = _LOOSE_NUMBER.match(compact)
    if not match:
        return compact, ""
    return match[1], match[3] or match[4] or ""


def loose(parse: Parser, text: str) -> tuple[str, str]:
    """County side: ``text`` cleaned for ``parse`` (full-width forms, spaces, units, 年),
    and the unit it carried (``2.7亩`` -> 亩) or ""."""
    if parse is hundredths:
        return split_unit(text)
    compact = "".join(halfwidth(text).split())
    kind = getattr(parse, "kind", None)
    if kind == "integer":
        compact = compact.removesuffix("年度").removesuffix("年")
    elif parse is date:
        match = _COMPACT_DATE.match(halfwidth(text).strip())
        if match:
            compact = f"{match[1]}-{match[2]}-{match[3]}" if match[1] else match[4]
    elif parse is account_tail:  # a card number may be written in groups of 4
        compact = halfwidth(text).strip()
    return compact, ""


def control_character(text: str) -> str | None:
    """The first control character in ``text`` (NUL, ESC …) as U+XXXX, or None.

    Tabs and line breaks (Alt+Enter in Excel) are allowed.
    """
    if text.isprintable():
        return None
    match = _CONTROL.search(text)
    return f"U+{ord(match[0]):04X}" if match else None
