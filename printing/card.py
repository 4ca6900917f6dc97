"""本人补贴明细: the card a villager's lookup shows on the screen and prints
(printing.card_pdf), as plain data: every figure formatted and the ID masked by the caller.

No reportlab here: the kiosk builds a card on its UI thread, and reportlab takes ~130 ms to
import.
"""

from dataclasses import dataclass

NOTE = "本明细仅供本人核对，以村公示栏公示结果为准。"
ASK = "如有疑问，请咨询："


@dataclass(frozen=True)
class CardPayment:
    """One payment of an item: how it was reckoned and when it was paid."""

    basis: str  # 10.62亩 × 130.00元/亩
    amount: str  # 1,380.60 (said only where an item was paid more than once)
    paid_on: str  # 2025年5月14日发放
    note: str = ""  # 备注 or 批次, "" for none

    def line(self, several: bool) -> str:
        """“10.62亩 × 130.00元/亩　2025年5月14日发放”; where an item was paid several times, each
        payment's date and amount first: “2025年1月10日发放　465.00元　1人·月 × 465.00元/人·月”."""
        parts = [self.paid_on, f"{self.amount}元", self.basis] if several else [self.basis, self.paid_on]
        return "　".join(part for part in [*parts, self.note] if part)


@dataclass(frozen=True)
class CardItem:
    name: str
    amount: str  # the item's sum that year, 1,380.60
    payments: tuple[CardPayment, ...]

    def lines(self) -> list[str]:
        several = len(self.payments) > 1
        return [payment.line(several) for payment in self.payments]


@dataclass(frozen=True)
class CardYear:
    year: int
    total: str  # 1,518.66
    items: tuple[CardItem, ...]

    @property
    def heading(self) -> str:
        return f"{self.year}年共领取补贴"


@dataclass(frozen=True)
class PayoutCard:
    name: str
    id_masked: str  # as on the notice: 3715**********1234
    place: str  # 燕塔街道 · 大唐口村
    years: tuple[CardYear, ...]  # newest first
    ask: tuple[tuple[str, str], ...]  # (whom, phone) to ring about a figure
    data_as_of: str  # 2026年12月6日, "" when unknown
    demo: bool = False

    @property
    def who(self) -> str:
        return f"{self.name}　身份证号 {self.id_masked}"

    @property
    def asked(self) -> str:
        return "；".join(f"{whom} {phone}" for whom, phone in self.ask)

    @property
    def asked_line(self) -> str:
        """如有疑问，请咨询：…, or "" when there is nobody to name."""
        return ASK + self.asked if self.ask else ""
