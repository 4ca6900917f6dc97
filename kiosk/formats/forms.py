"""Validation of the request forms before they are sealed, one clear message per field.

Disclosure request (依申请公开): name, id_number, phone, wanted, delivery; purpose optional;
address required for 邮寄, email for 电子邮件; refers_to optional (what the villager was
looking at on the kiosk). Callback request (回电): phone and topic; text and
preferred_time optional. ``text`` may be empty on purpose: the topic (chosen on a button)
plus the phone number is enough for staff to call back, and making an elderly villager
type on a touch keypad before a call would turn many away.

Comment on a draft (意见征集, kiosk.formats.consultation): draft, version, article (0: the
draft as a whole) and clause, stance; text (required for 有修改建议), name and phone optional
here (whether a draft needs them signed is the consultation's rule, not the form's).

The kiosk's request page asks the fields one step at a time in the order ``steps`` gives,
names them with ``LABELS``, lets the villager leave the ``OPTIONAL`` ones empty, and says
what is plainly wrong with a step's answer with ``problem``, by the shapes ``validate``
holds the form to.
"""

import re
import unicodedata
from typing import Any

from kiosk.errors import KnownError

MAX_TEXT = 2_000  # free text: what the villager wants, purpose, callback text
MAX_SHORT = 100  # names, topics, times, email
MAX_ADDRESS = 200
MAX_COMMENT = 500  # a comment on one article: a few hundred characters
MAX_NAME = 20
STANCES = ("赞成", "不赞成", "有修改建议")
SUGGESTION = STANCES[2]
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}")
DELIVERIES = ("现场领取", "邮寄", "电子邮件", "电话告知")
REFERS_TO_KEYS = ("catalogue_entry", "document", "village", "year")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE_RE = re.compile(r"1\d{10}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The fields a villager is asked for, in the order asked: one contact (address or email)
# only when the way of delivery needs it (``needed_contact``).
_ASKED = {
    "disclosure": ("name", "id_number", "phone", "wanted", "delivery", "address", "email", "purpose"),
    "callback": ("topic", "phone", "preferred_time", "text"),
    "comment": ("draft", "version", "article", "clause", "stance", "text", "name", "phone"),
}
_CONTACTS = {"邮寄": "address", "电子邮件": "email"}  # delivery -> the contact it needs
CONTACT_FIELDS = tuple(_CONTACTS.values())  # asked only when the delivery needs them
OPTIONAL = ("purpose", "text", "preferred_time")  # may be left empty, whatever the delivery

_LABELS = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "ID number"),
    "phone": ("手机号", "phone"),
    "wanted": ("所需信息", "information wanted"),
    "delivery": ("获取方式", "delivery"),
    "purpose": ("用途", "purpose"),
    "address": ("邮寄地址", "postal address"),
    "email": ("电子邮箱", "email"),
    "refers_to": ("相关条目", "refers_to"),
    "topic": ("事项", "topic"),
    "text": ("说明", "text"),
    "preferred_time": ("方便接听时间", "preferred time"),
    "draft": ("草案", "draft"),
    "version": ("版本", "version"),
    "article": ("条款", "article"),
    "clause": ("款", "clause"),
    "stance": ("态度", "stance"),
}


LABELS = {field: zh for field, (zh, _en) in _LABELS.items()}  # each field's Chinese name


class FormError(KnownError):
    """One field of a request form is wrong. ``field`` names it (for the page to highlight)."""

    def __init__(self, field: str, zh: str, en: str):
        label_zh, label_en = _LABELS.get(field, (field, field))
        super().__init__(f"{label_zh}：{zh}", f"{label_en}: {en}")
        self.field = field


def validate(kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The form, trimmed and checked, ready to seal.

    Raises:
        FormError: the first wrong field (unknown kind or unknown fields too).
    """
    if kind == "disclosure":
        return validate_disclosure(form)
    if kind == "callback":
        return validate_callback(form)
    if kind == "comment":
        return validate_comment(form)
    raise FormError("kind", f"未知的申请类型 {kind!r}", f"unknown request kind {kind!r}")


def steps(kind: str, delivery: str = "") -> list[str]:
    """The fields of a ``kind`` form in the order a villager is asked them; for a disclosure
    request, the contact ``delivery`` needs (address for 邮寄, email for 电子邮件) is among them.

    Raises:
        FormError: an unknown kind.
    """
    if kind not in _ASKED:
        raise FormError("kind", f"未知的申请类型 {kind!r}", f"unknown request kind {kind!r}")
    contact = needed_contact(delivery)
    return [field for field in _ASKED[kind] if field not in CONTACT_FIELDS or field == contact]


def needed_contact(delivery: str) -> str | None:
    """The field a way of delivery needs ("address" for 邮寄, "email" for 电子邮件), or None."""
    return _CONTACTS.get(delivery)


def problem(field: str, value: str) -> str | None:
    """What is plainly wrong with one answer, in one sentence a villager reads on its step;
    None when nothing is. The shapes are the ones ``validate`` holds the form to: an ID
    number of 18 characters (the last may be X), a phone number of 11 digits starting with
    1, an email address's shape. Empty counts as wrong for those three; other fields have
    no shape to check here. The ID's check character is ``validate``'s alone."""
    if field == "id_number" and not _id_shaped(value.upper()):
        if len(value) == 18:  # an X before the last place
            return "身份证号应为18位（最后一位可为X）"
        return f"身份证号应为18位（最后一位可为X），现在是{len(value)}位"
    if field == "phone" and _phone_digits(value) is None:
        return f"手机号应为以1开头的11位数字，现在是{len(value)}位"
    if field == "email" and not _EMAIL_RE.fullmatch(value.strip()):
        return "电子邮箱格式不正确，应像 zhangsan@qq.com 这样"
    return None


def validate_disclosure(form: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(form, (*_ASKED["disclosure"], "refers_to"))
    out: dict[str, Any] = {
        "name": _text(form, "name", MAX_SHORT, required=True),
        "id_number": check_id_number(_text(form, "id_number", 18, required=True).upper()),
        "phone": check_phone(_text(form, "phone", MAX_SHORT, required=True)),
        "wanted": _text(form, "wanted", MAX_TEXT, required=True),
        "delivery": _text(form, "delivery", MAX_SHORT, required=True),
    }
    if out["delivery"] not in DELIVERIES:
        raise FormError("delivery", f"请从 {'、'.join(DELIVERIES)} 中选择", f"must be one of {DELIVERIES}")
    for field, limit in (("purpose", MAX_TEXT), ("address", MAX_ADDRESS), ("email", MAX_SHORT)):
        value = _text(form, field, limit, required=field == needed_contact(out["delivery"]))
        if value:
            out[field] = value
    if "email" in out and not _EMAIL_RE.fullmatch(out["email"]):
        raise FormError("email", "格式不正确", "not an email address")
    if form.get("refers_to") is not None:
        out["refers_to"] = _refers_to(form["refers_to"])
    return out


def validate_callback(form: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(form, _ASKED["callback"])
    out = {
        "phone": check_phone(_text(form, "phone", MAX_SHORT, required=True)),
        "topic": _text(form, "topic", MAX_SHORT, required=True),
        "text": _text(form, "text", MAX_TEXT, required=False),
    }
    preferred = _text(form, "preferred_time", MAX_SHORT, required=False)
    if preferred:
        out["preferred_time"] = preferred
    return out


def validate_comment(form: dict[str, Any]) -> dict[str, Any]:
    """A comment on one article of one draft version (see the module docstring)."""
    _refuse_unknown(form, _ASKED["comment"])
    draft = _text(form, "draft", MAX_SHORT, required=True)
    if not _CODE_RE.fullmatch(draft):
        raise FormError("draft", "草案编号格式不正确", "not a draft code")
    out: dict[str, Any] = {
        "draft": draft,
        "version": _number(form, "version", 1, 99),
        "article": _number(form, "article", 0, 999),
        "stance": _text(form, "stance", MAX_SHORT, required=True),
    }
    if form.get("clause") not in (None, ""):
        out["clause"] = _number(form, "clause", 1, 99)
    if out["stance"] not in STANCES:
        raise FormError("stance", f"请从 {'、'.join(STANCES)} 中选择", f"must be one of {STANCES}")
    text = _text(form, "text", MAX_COMMENT, required=out["stance"] == SUGGESTION)
    if text:
        out["text"] = text
    name = _text(form, "name", MAX_NAME, required=False)
    if name:
        out["name"] = name
    phone = _text(form, "phone", MAX_SHORT, required=False)
    if phone:
        out["phone"] = check_phone(phone)
    return out


def _number(form: dict[str, Any], field: str, low: int, high: int) -> int:
    """A whole number in low..high, given as a number or as digits."""
    value = form.get(field)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FormError(field, f"应为 {low}～{high} 的整数", f"must be a whole number {low}..{high}")
    return value


def _refuse_unknown(form: dict[str, Any], allowed: tuple[str, ...]) -> None:
    if not isinstance(form, dict):
        raise FormError("form", "申请表格式错误", "the form is not a mapping")
    for key in form:
        if key not in allowed:
            raise FormError(str(key), "不是本申请表的项目", "not a field of this form")


def visible_text(value: str) -> str:
    """``value`` without what a reader cannot see but a sheet would still carry: format
    characters (Unicode Cf: zero-width spaces and joiners, byte-order marks, soft hyphens,
    and the direction overrides that make ``txt.exe`` read ``exe.txt``), with line ends as
    ``\n`` and in NFC form. Control characters are left for ``_text`` to refuse by name."""
    value = value.replace("\r\n", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if not value.isprintable():  # the common case, all printable, costs one C call
        value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", value)


def _control(value: str) -> str | None:
    """The first character no field may hold (controls but tab and line feed, lone
    surrogates), as U+XXXX, or None."""
    for char in value:
        if (char < " " and char not in "\n\t") or "\x7f" <= char <= "\x9f" or "\ud800" <= char <= "\udfff":
            return f"U+{ord(char):04X}"
    return None


def _text(form: dict[str, Any], field: str, limit: int, *, required: bool) -> str:
    value = form.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FormError(field, "应为文字", "must be text")
    if len(value) > 4 * limit:  # before any work on it: a huge value is refused as it comes
        raise FormError(field, f"太长了：{len(value)} 字，最多 {limit} 字，请精简后再提交",
                        f"too long: {len(value)} characters, at most {limit}")
    value = visible_text(value).strip()
    if required and not value:
        raise FormError(field, "不能为空", "is required")
    if len(value) > limit:
        raise FormError(
            field,
            f"太长了：{len(value)} 字，最多 {limit} 字，请精简后再提交",
            f"too long: {len(value)} characters, at most {limit}",
        )
    if (code := _control(value)) is not None:
        raise FormError(field, f"含有无法显示的控制字符 {code}", f"contains the control character {code}")
    return value


def check_phone(phone: str) -> str:
    """An 11-digit mainland mobile number starting with 1 (spaces and dashes allowed)."""
    digits = _phone_digits(phone)
    if digits is None:
        raise FormError("phone", "应为以1开头的11位手机号码", "must be 11 digits starting with 1")
    return digits


def _phone_digits(phone: str) -> str | None:
    """The number without spaces and dashes, if it is 11 digits starting with 1; else None."""
    digits = re.sub(r"[\s-]", "", phone)
    return digits if _PHONE_RE.fullmatch(digits) else None


def check_id_number(id_number: str) -> str:
    """An 18-character resident ID number with a valid GB 11643 check character."""
    if not _id_shaped(id_number):
        raise FormError("id_number", "应为18位（最后一位可为X）", "must be 18 characters (last may be X)")
    total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != id_number[17]:
        raise FormError("id_number", "校验位不正确，请核对号码", "the check digit does not match")
    return id_number


def _id_shaped(id_number: str) -> bool:
    """18 characters: 17 digits, then a digit or X (the check character is not judged)."""
    return len(id_number) == 18 and id_number[:17].isdigit() and id_number[17] in "0123456789X"


def _refers_to(value: Any) -> dict[str, str]:
    """What the villager was looking at: a few short codes, each as text (a year or a code
    may come as a number). Held to the same text rules as every field."""
    if not isinstance(value, dict) or not value:
        raise FormError("refers_to", "格式错误", "must be a non-empty mapping")
    out = {}
    for key, item in value.items():
        if key not in REFERS_TO_KEYS:
            raise FormError("refers_to", f"未知项目 {str(key)[:20]}", f"unknown key {str(key)[:20]!r}")
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 10**13:
            item = str(item)
        if not isinstance(item, str):
            raise FormError("refers_to", f"{key} 的值不正确", f"bad value for {key!r}")
        try:
            out[key] = _text({key: item}, key, MAX_SHORT, required=True)
        except FormError as exc:
            raise FormError("refers_to", f"{key} 的值不正确（{exc.zh}）",
                            f"bad value for {key!r}: {exc.en}") from exc
    return out


def masked_name(name: str) -> str:
    """The name as the receipt prints it: 张三 → 张*, 张小三 → 张*三, 欧阳小三 → 欧**三."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def phone_last4(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-4:]
