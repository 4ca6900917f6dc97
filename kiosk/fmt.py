"""The one place money, quantities and dates become text (a leaf: anyone may import it)."""

import datetime as dt

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def money(fen: int) -> str:
    """Integer fen as yuan with thousands separators: ``123450`` -> ``"1,234.50"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def hundredths(value: int) -> str:
    """A quantity kept in hundredths, without needless zeros: 520 -> "5.2", 1200 -> "12"."""
    whole, frac = divmod(value, 100)
    return f"{whole}" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def hundredths_fixed(value: int) -> str:
    """A count of hundredths with exactly two decimals and no separators: 65000 -> "650.00"."""
    whole, frac = divmod(value, 100)
    return f"{whole}.{frac:02d}"


def money_in_words(fen: int) -> str:
    """Amount in 大写 as on Chinese financial documents: 123450 -> 壹仟贰佰叁拾肆元伍角整."""
    if fen < 0:
        return "负" + money_in_words(-fen)
    yuan, cents = divmod(fen, 100)
    jiao, fen_part = divmod(cents, 10)
    words = (_integer_words(yuan) + "元") if yuan else ""
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan and fen_part:
        words += "零"
    if fen_part:
        words += _DIGITS[fen_part] + "分"
    if not words:
        return "零元整"
    return words if fen_part else words + "整"


def _integer_words(n: int) -> str:
    groups = []
    while n:
        n, group = divmod(n, 10_000)
        groups.append(group)
    out = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or group < 1000):
            out += "零"
        out += _group_words(group) + _BIG_UNITS[index]
        need_zero = False
    return out


def _group_words(group: int) -> str:
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        digit = group // 10**pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[pos]
    return out


def chinese_date(day: dt.date) -> str:
    """``2026年11月28日``."""
    return f"{day.year}年{day.month}月{day.day}日"
