"""The consultation rules both programs hold to: the county's workbook read with one named
refusal per problem (``file[sheet]:row:column``), the period, the numbering of articles, a
sheet for every draft; article labels; the comment form's limits; frozen published drafts."""

import datetime as dt

import openpyxl
import pytest

from kiosk.county.feed import demo_county
from kiosk.formats import consultation, consultation_book, forms
from kiosk.formats.validate import Problems

TODAY = dt.date(2026, 12, 6)


def _book(tmp_path, change=None):
    """The demo county's workbook, with ``change(book)`` applied, and its problems."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = demo_county.write_consultations(tmp_path, TODAY)
    if change is not None:
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
    problems = Problems()
    found = consultation_book.read_workbook(path, path.name, problems)
    return found, problems.lines


def _cell(sheet, header: str, row: int):
    headers = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=headers.index(header) + 1)


def test_the_demo_workbook_is_clean_and_signed_defaults_to_anonymous(tmp_path):
    found, problems = _book(tmp_path, lambda b: setattr(_cell(b["草案"], "须署名", 2), "value", None))
    assert problems == []
    assert {row["signed"] for row in found["drafts"]} == {"否"}
    road = [r for r in found["draft_articles"] if r["draft_code"] == "YJ2026-01"]
    assert [(r["article"], r["clause"]) for r in road][:5] == [(1, None), (2, None), (3, 1), (3, 2), (3, 3)]


def _article_row(row: int, article: str, clause: str | None):
    def change(book):
        sheet = book["YJ2026-01第1版"]
        sheet.cell(row=row, column=1).value, sheet.cell(row=row, column=2).value = article, clause

    return change


@pytest.mark.parametrize(("change", "expected"), [
    (lambda b: b["YJ2026-01第1版"].delete_rows(7), "条的编号不连续，缺少第四条"),
    (_article_row(3, "1", None), "与 consultations.xlsx[YJ2026-01第1版]:2 重复"),  # two 第一条
    (_article_row(5, "3", "5"), "第三条的款编号应从1起连续"),  # 第三条: 款 1, 5, 3
    (_article_row(3, "1", "1"), "第一条既有不分款的一行又有分款的行"),
])  # fmt: skip
def test_article_numbering_is_refused_by_sheet(tmp_path, change, expected):
    _, problems = _book(tmp_path, change)
    assert any(expected in line for line in problems), problems
    assert all(line.startswith("consultations.xlsx[YJ2026-01第1版]") for line in problems), problems


def test_a_short_period_needs_its_reason_and_names_the_cell(tmp_path):
    def short(book):
        _cell(book["草案"], "征求意见截止", 2).value = (TODAY - dt.timedelta(days=6 - 19)).isoformat()

    _, problems = _book(tmp_path, short)
    assert problems == [
        "consultations.xlsx[草案]:2:期限说明: 征求意见期只有 20 天，少于 30 天：须在“期限说明”中说明理由"
        "（《重大行政决策程序暂行条例》第十五条） / the period is 20 days, under 30: explain why in 期限说明"
    ]

    def explained(book):
        short(book)
        _cell(book["草案"], "期限说明", 2).value = "汛期前必须完成修订，经县政府批准缩短"

    assert _book(tmp_path / "b", explained)[1] == []


def _set(sheet: str, header: str, row: int, value):
    return lambda book: setattr(_cell(book[sheet], header, row), "value", value)


@pytest.mark.parametrize(("change", "expected"), [
    (_set("草案", "征求意见截止", 2, "2026-01-01"), "截止日期 2026-01-01 早于开始日期"),
    (lambda b: setattr(b["YJ2026-01第1版"], "title", "YJ2026-09第1版"), "没有条文表“YJ2026-01第1版”"),
    (lambda b: b.create_sheet("附件"), "不认识的工作表“附件”"),
    (_set("事项目录", "决策日期", 3, None), "决策阶段为“已决策”时须填写决策日期"),
    (_set("草案", "版本", 2, "x"), "consultations.xlsx[草案]:2:版本"),
    (lambda b: b.remove(b["事项目录"]), "缺少工作表“事项目录”"),
])  # fmt: skip
def test_each_wrong_cell_or_sheet_is_one_named_refusal(tmp_path, change, expected):
    _, problems = _book(tmp_path, change)
    assert any(expected in line for line in problems), problems


def test_labels_read_as_a_legal_text_counts():
    labels = [consultation.article_label(n) for n in (1, 10, 11, 20, 21, 100, 105, 110, 999)]
    assert labels == ["第一条", "第十条", "第十一条", "第二十条", "第二十一条", "第一百条", "第一百零五条",
                      "第一百一十条", "第九百九十九条"]  # fmt: skip
    assert consultation.article_label(3, 2) == "第三条第二款"
    assert consultation.article_label(consultation.WHOLE) == "草案整体"


def test_the_comment_form_holds_its_limits():
    base = {"draft": "YJ2026-01", "version": 1, "article": 3, "stance": "赞成"}
    clean = forms.validate("comment", {**base, "clause": "2", "text": " 好 "})
    assert clean == {**base, "clause": 2, "text": "好"}
    with pytest.raises(forms.FormError, match="太长了：10000 字，最多 500 字"):
        forms.validate("comment", {**base, "text": "路" * 10_000})
    with pytest.raises(forms.FormError, match="不能为空"):  # a suggestion needs its words
        forms.validate("comment", {**base, "stance": "有修改建议"})
    with pytest.raises(forms.FormError, match="请从"):
        forms.validate("comment", {**base, "stance": "无所谓"})
    with pytest.raises(forms.FormError, match="应为 0～999 的整数"):
        forms.validate("comment", {**base, "article": True})
    with pytest.raises(forms.FormError, match="草案编号格式不正确"):
        forms.validate("comment", {**base, "draft": "../YJ"})
    with pytest.raises(forms.FormError, match="手机号"):
        forms.validate("comment", {**base, "phone": "12345"})
    with pytest.raises(forms.FormError, match="不是本申请表的项目"):
        forms.validate("comment", {**base, "id_number": "110105194912310021"})


def test_a_published_version_is_frozen():
    published = {("YJ2026-01", 1): ((1, 0, "", "甲"),)}
    assert consultation.frozen_problems(published, published) == []
    changed = consultation.frozen_problems(published, {("YJ2026-01", 1): ((1, 0, "", "乙"),)})
    assert "请作为第2版发布" in changed[0][0]
    gone = consultation.frozen_problems(published, {("YJ2026-01", 2): ((1, 0, "", "乙"),)})
    assert "不能删除" in gone[0][0]
