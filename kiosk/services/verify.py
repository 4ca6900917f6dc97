"""核验公示单 on the terminal: what a scanned QR (its URL), a typed print number or a typed
校验码 says about a notice sheet, checked against the terminal's current data with the one
digest definition (kiosk.formats.notice_digest)."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from kiosk.errors import KnownError
from kiosk.formats import notice_digest
from kiosk.services import divisions, payouts
from kiosk.services.types import PayoutRow, VillageInfo
from kiosk.store.models import AuditLog

_NOTICE = re.compile(r"(?P<village>\d{12})-(?P<year>\d{4})(?:-(?P<item>[A-Za-z0-9]+))?")
_PRINT_NO = re.compile(r"^P\d{8}-\d{4}$")  # notices.next_print_no
_DIGEST = re.compile(rf"^[0-9a-f]{{{notice_digest.LENGTH}}}$")


@dataclass(frozen=True)
class Sheet:
    """Which notice a sheet claims to be: village, year, item (None: all) and its 校验码."""

    village_code: str
    year: int
    item_code: str | None
    digest: str


@dataclass(frozen=True)
class Verdict:
    sheet: Sheet
    village: VillageInfo
    current: bool
    current_digest: str
    rows: list[PayoutRow]  # the current data (the sheet's own rows when ``current``)
    amount_fen: int
    printed_on: str | None  # when this terminal printed a sheet with that 校验码, if it did

    @property
    def status(self) -> str:
        """现行, 已更新 (an older print of this notice) or 未找到 (no such sheet is known here)."""
        if self.current:
            return "现行"
        return "已更新" if self.printed_on else "未找到"

    @property
    def words(self) -> str:
        """The verdict in a sentence for the villager."""
        if self.current:
            return "此公示单与本终端现行数据一致"
        if self.printed_on:
            return f"此公示单（{self.printed_on} 打印）的数据已更新，请以现行数据为准，可点“重新打印”"
        return "未找到：此校验码与现行数据不符，也不是本终端打印的公示单，请向镇(街道)核实"

    @property
    def what(self) -> str:
        item = next((r.item_name for r in self.rows if r.item_code == self.sheet.item_code), "")
        return f"{self.village.town_name}{self.village.name}{self.sheet.year}年度{item or '补贴'}发放结果"


def read(text: str, town_code: str | None = None) -> Sheet:
    """The sheet a scanned URL, a print number (P20261129-0001) or a 校验码 names.

    Raises:
        KnownError: the text is none of these, or names nothing this terminal knows.
    """
    text = text.strip()
    if "://" in text or "?d=" in text:
        return _from_url(text)
    if _PRINT_NO.match(text.upper()):
        return _from_print_log(text.upper())
    if _DIGEST.match(text.lower()):
        return _from_digest(text.lower(), town_code)
    raise KnownError("请扫描公示单上的二维码，或输入打印编号（如 P20261129-0001）或 16 位校验码",
                     f"not a notice URL, print number or digest: {text[:80]}")  # fmt: skip


def check(sheet: Sheet) -> Verdict:
    """Compare the sheet's 校验码 with the terminal's current data for that notice."""
    village = divisions.get_village(sheet.village_code)
    if village is None:
        raise KnownError(f"本终端没有村代码 {sheet.village_code} 的数据，请向镇(街道)核实",
                         f"unknown village {sheet.village_code}")  # fmt: skip
    result = payouts.village_payouts(sheet.village_code, sheet.year, sheet.item_code)
    current = notice_digest.digest_of_records(sheet.village_code, sheet.year, sheet.item_code, result.rows)
    printed = _printed(sheet.digest).order_by(AuditLog.at).first()
    return Verdict(sheet, village, current == sheet.digest, current, result.rows,
                   sum(r.amount_fen for r in result.rows),
                   f"{printed.at:%Y-%m-%d}" if printed else None)  # fmt: skip


def _printed(digest: str):
    """This terminal's print records of sheets with ``digest``."""
    return AuditLog.select(AuditLog.at, AuditLog.summary).where(
        (AuditLog.kind == "print") & (AuditLog.digest == digest))  # fmt: skip


def _from_url(text: str) -> Sheet:
    parts = urlsplit(text)
    found = _NOTICE.search(parts.path)
    digest = (parse_qs(parts.query).get("d") or [""])[0].lower()
    if found is None or not _DIGEST.match(digest):
        raise KnownError("这个二维码不是本县公示单的核验码", f"not a notice verification URL: {text[:80]}")
    item = found["item"] or (parse_qs(parts.query).get("i") or [None])[0]
    return Sheet(found["village"], int(found["year"]), item, digest)


def _from_print_log(print_no: str) -> Sheet:
    entry = (AuditLog.select(AuditLog.summary, AuditLog.digest)
             .where((AuditLog.kind == "print") & AuditLog.summary.startswith(f"{print_no} "))
             .order_by(AuditLog.at.desc()).first())  # fmt: skip
    if entry is None:
        raise KnownError(f"本终端没有打印编号 {print_no} 的记录，请向打印它的镇(街道)或村委会核实",
                         f"no print {print_no} on this terminal")  # fmt: skip
    found = _NOTICE.search(entry.summary)
    return Sheet(found["village"], int(found["year"]), found["item"], entry.digest)


def _from_digest(digest: str, town_code: str | None) -> Sheet:
    """A typed 校验码: a sheet this terminal printed, else any current notice of the town.

    Every notice of one town is ~150 village-years, well under a second; the whole county
    would be seconds on the UI thread, so without a town the villager is asked for one.
    """
    entry = _printed(digest).order_by(AuditLog.at.desc()).first()
    if entry is not None:
        found = _NOTICE.search(entry.summary)
        return Sheet(found["village"], int(found["year"]), found["item"], digest)
    if not town_code:
        raise KnownError("请先在首页选择乡镇(街道)，再输入校验码；或直接扫描公示单上的二维码",
                         "a typed digest is looked up within a town; none is chosen")  # fmt: skip
    for village in divisions.list_villages(town_code):
        for year in payouts.years_for_village(village.code):
            result = payouts.village_payouts(village.code, year)
            for item in [None, *(i.code for i in result.items)]:
                rows = result.rows if item is None else [r for r in result.rows if r.item_code == item]
                if notice_digest.digest_of_records(village.code, year, item, rows) == digest:
                    return Sheet(village.code, year, item, digest)
    raise KnownError(f"未找到校验码 {digest} 的公示单：它不是本终端现行数据的公示单，请向镇(街道)核实",
                     f"digest {digest} matches no current notice")  # fmt: skip
