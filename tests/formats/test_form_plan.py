"""The form's plan the kiosk's request page draws from: the steps, the labels, the optional
fields and the per-answer check agree with what ``validate`` accepts and refuses."""

import pytest

from kiosk.formats import forms
from tests.helpers.envelopes import CALLBACK, DISCLOSURE

FILLED = {**DISCLOSURE, "email": "zhangsan@qq.com"}


def test_the_steps_by_kind_and_delivery():
    assert forms.steps("callback") == ["topic", "phone", "preferred_time", "text"]
    common = ["name", "id_number", "phone", "wanted", "delivery"]
    assert forms.steps("disclosure") == [*common, "purpose"]
    assert forms.steps("disclosure", "现场领取") == [*common, "purpose"]
    assert forms.steps("disclosure", "邮寄") == [*common, "address", "purpose"]
    assert forms.steps("disclosure", "电子邮件") == [*common, "email", "purpose"]
    with pytest.raises(forms.FormError):
        forms.steps("complaint")


@pytest.mark.parametrize("delivery", forms.DELIVERIES)
def test_what_the_steps_ask_is_what_validate_takes(delivery):
    asked = forms.steps("disclosure", delivery)
    form = {field: FILLED[field] for field in asked} | {"delivery": delivery}
    assert set(forms.validate("disclosure", form)) == set(asked)
    for field in asked:
        rest = {k: v for k, v in form.items() if k != field}
        if field in forms.OPTIONAL:
            forms.validate("disclosure", rest)
        else:
            with pytest.raises(forms.FormError) as info:
                forms.validate("disclosure", rest)
            assert info.value.field == field


def test_a_callback_needs_only_what_is_not_optional():
    asked = forms.steps("callback")
    needed = {field: CALLBACK[field] for field in asked if field not in forms.OPTIONAL}
    assert set(needed) == {"topic", "phone"}
    assert forms.validate("callback", needed)["phone"] == CALLBACK["phone"]


def test_labels_are_the_ones_validate_names():
    for field in ("name", "phone", "wanted"):
        with pytest.raises(forms.FormError) as info:
            forms.validate("disclosure", {**DISCLOSURE, field: ""})
        assert info.value.zh.startswith(f"{forms.LABELS[field]}：")


@pytest.mark.parametrize(("field", "value"), [
    ("id_number", DISCLOSURE["id_number"]), ("id_number", ""), ("id_number", "1234"),
    ("id_number", "11010X199001011234"), ("phone", "13912345678"), ("phone", "1391234567"),
    ("phone", "23912345678"), ("phone", ""), ("email", "zhangsan@qq.com"), ("email", "x@y"),
    ("email", "@qq.com"), ("email", ""),
])  # fmt: skip
def test_a_step_is_refused_when_validate_would_refuse_its_shape(field, value):
    form = {**FILLED, "delivery": "电子邮件", field: value}
    try:
        forms.validate("disclosure", form)
        refused = False
    except forms.FormError as exc:
        refused = exc.field == field
    assert (forms.problem(field, value) is not None) == refused


def test_the_words_on_a_step():
    assert forms.problem("id_number", "1234") == "身份证号应为18位（最后一位可为X），现在是4位"
    assert forms.problem("phone", "139") == "手机号应为以1开头的11位数字，现在是3位"
    assert forms.problem("email", "x@y") == "电子邮箱格式不正确，应像 zhangsan@qq.com 这样"
    assert forms.problem("name", "") is None and forms.problem("wanted", "x") is None
    wrong_check = DISCLOSURE["id_number"][:17] + ("0" if DISCLOSURE["id_number"][17] != "0" else "1")
    assert forms.problem("id_number", wrong_check) is None  # validate's alone, at 提交
