"""Plain data a notice sheet is printed from; printing never sees database rows."""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NoticeRow:
    """One line of the table, already masked and formatted by the caller where it is text."""

    name: str
    id_masked: str
    item_name: str
    quantity: str  # "5.2亩", "24人·月"
    standard: str  # "125.00元/亩"
    amount_fen: int
    remark: str = ""


@dataclass(frozen=True)
class NoticeSection:
    """A titled table: one per subsidy item, or one for all items."""

    title: str
    rows: list[NoticeRow]


@dataclass(frozen=True)
class Phone:
    label: str  # "县财政局"
    number: str  # "0635-7301001"


@dataclass(frozen=True)
class NoticeData:
    """Everything on a village's 公示单.

    Attributes:
        notice_id: identifies the notice's content (village, year, item); the QR code
            carries it with a digest of the content.
        print_no: identifies this print (audit log), printed in the footer.
    """

    notice_id: str
    title: str
    town: str
    village: str
    year: int
    sections: list[NoticeSection]
    basis: list[str]  # 《…》(文号) cited in the preamble
    period_start: dt.date | None  # None: 长期公示
    period_end: dt.date | None
    period_text: str  # "7个工作日" / "7天" / "长期"
    objection: str  # how to object during the period
    phones: list[Phone]
    issuers: tuple[str, str]  # (乡镇人民政府, 村民委员会) for the two seal areas
    issue_date: dt.date
    print_date: dt.date
    data_as_of: str
    feed_version: int
    verify_base_url: str
    print_no: str
    households: int = 0
    persons: int = 0
    items_count: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    subject: str = "惠民惠农财政补贴资金"  # what is published: all items, or the one item printed
    # Where to phone an objection: the town's office and, where known, the village committee.
    objection_phones: list[Phone] = field(default_factory=list)
    demo: bool = False  # built from demo data: every page is marked 演示数据
    # The county's 校验码 of the printed data (kiosk.formats.notice_digest); "" falls back to a
    # print-side digest that no verification page answers.
    digest: str = ""

    @property
    def rows(self) -> list[NoticeRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def total_fen(self) -> int:
        return sum(row.amount_fen for row in self.rows)


@dataclass(frozen=True)
class PageSetup:
    size: str = "A4"  # A4 / A3
    landscape: bool = False
    body_pt: float = 12.0
