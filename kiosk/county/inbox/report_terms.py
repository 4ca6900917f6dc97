"""The terms of the 政府信息公开工作年度报告's tables 三 and 四, as the national format prints
them (国办公开办函〔2021〕30号, 附件《中华人民共和国政府信息公开工作年度报告格式》).

The clerk's workbook offers exactly these values in its drop-downs, the cases database
stores them, and the report prints them: one place, so a drop-down, a stored value and a
row of the table cannot drift apart. County side only: a terminal never counts cases.
"""

from dataclasses import dataclass

# 申请人情况: the six columns a request is counted in (then 总计, their sum).
NATURAL_PERSON = "自然人"
ORGANISATIONS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
APPLICANT_TYPES = (NATURAL_PERSON, *ORGANISATIONS)
ORGANISATION_BAND = "法人或其他组织"
APPLICANT_BAND = "申请人情况"
TOTAL = "总计"


@dataclass(frozen=True)
class Outcome:
    """One of the 21 rows of 三、本年度办理结果 a closed request is counted in.

    ``choice`` is what the clerk picks in the workbook and the database stores (short and
    unique, group first); ``heading`` and ``label`` are the row as the national table prints
    it (``label`` is "" for a group that is its own row: 予以公开, 部分公开).
    """

    choice: str
    heading: str
    label: str = ""

    @property
    def printed(self) -> str:
        """The row as a person names it: （三）不予公开 1.属于国家秘密."""
        return f"{self.heading} {self.label}" if self.label else self.heading


def _group(heading: str, short: str, *labels: str | tuple[str, str]) -> tuple[Outcome, ...]:
    """A group's numbered rows. The drop-down names each ``short·label``; a label given as
    (printed, shorter) is named by the shorter, so the drop-down stays readable."""
    rows = []
    for number, label in enumerate(labels, start=1):
        printed, picked = label if isinstance(label, tuple) else (label, label)
        rows.append(Outcome(f"{short}·{picked}", heading, f"{number}.{printed}"))
    return tuple(rows)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("予以公开", "（一）予以公开"),
    Outcome("部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    *_group("（三）不予公开", "不予公开", "属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”",
            "保护第三方合法权益", "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷",
            "属于行政查询事项"),
    *_group("（四）无法提供", "无法提供", "本机关不掌握相关政府信息", "没有现成信息需要另行制作",
            "补正后申请内容仍不明确"),
    *_group("（五）不予处理", "不予处理", "信访举报投诉类申请", "重复申请", "要求提供公开出版物",
            "无正当理由大量反复申请",
            ("要求行政机关确认或重新出具已获取信息", "要求确认或重新出具已获取信息")),
    *_group("（六）其他处理", "其他处理",
            ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "逾期不补正"),
            ("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "逾期未缴纳费用"),
            "其他"),
)  # fmt: skip
OUTCOME_CHOICES = tuple(o.choice for o in OUTCOMES)
BY_CHOICE = {o.choice: o for o in OUTCOMES}
RESULTS_TOTAL = "（七）总计"

# The four rows around the outcomes, as printed.
NEW_LABEL = "一、本年新收政府信息公开申请数量"
CARRIED_LABEL = "二、上年结转政府信息公开申请数量"
RESULTS_LABEL = "三、本年度办理结果"
CARRY_OUT_LABEL = "四、结转下年度继续办理"
CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Table 四: a request's 行政复议 and 行政诉讼, each counted by its result.
REVIEW = "行政复议"
SUIT_DIRECT, SUIT_AFTER_REVIEW = "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"
REVIEW_KINDS = (REVIEW, SUIT_DIRECT, SUIT_AFTER_REVIEW)
# (band, sub-heading) each kind is printed under.
REVIEW_HEADINGS = {REVIEW: (REVIEW, ""), SUIT_DIRECT: ("行政诉讼", "未经复议直接起诉"),
                   SUIT_AFTER_REVIEW: ("行政诉讼", "复议后起诉")}  # fmt: skip
UPHELD, CORRECTED, OTHER_RESULT, PENDING = "结果维持", "结果纠正", "其他结果", "尚未审结"
REVIEW_RESULTS = (UPHELD, CORRECTED, OTHER_RESULT, PENDING)

TABLE_THREE = "三、收到和处理政府信息公开申请情况"
TABLE_FOUR = "四、政府信息公开行政复议、行政诉讼情况"
