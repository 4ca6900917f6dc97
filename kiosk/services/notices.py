"""Notice sheets: assemble a village's 公示单 from the store and print it (PDF), one village
or a whole town, recording every print in the audit log.

A print number (P<date>-<n>, in the footer) counts the day's audited prints, so only a real
print or a saved copy takes one: a preview (``preview_notice``) says 预览 in its footer and
records nothing. A kiosk print is two steps, ``prepare_notice`` (the final PDF with the next
number) and, once the printer or the USB stick has it, ``record_print`` (one audit row naming
where it went and how many pages).
"""

import csv
import datetime as dt
import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.formats import notice_digest
from kiosk.services import consult, divisions, notice_period, payouts, status
from kiosk.services.types import ItemInfo, PayoutRow, VillageInfo
from kiosk.store import writer
from kiosk.store.models import AuditLog
from printing.model import NoticeData, NoticeRow, NoticeSection, PageSetup, Phone

if TYPE_CHECKING:
    from printing.notice import RenderResult

OBJECTION = "请通过电话、书面等形式向村委会、{town}或县财政局、县农业农村局反映。"
HOTLINE = Phone("政务服务便民热线", "12345")  # the last phone on a notice, and on one's own card


@dataclass(frozen=True)
class NoticeOptions:
    period_days: int = 7
    period_unit: str = "自然日"  # 自然日 / 工作日 / 长期
    start: dt.date | None = None  # default: today
    per_item: bool = False
    setup: PageSetup = field(default_factory=PageSetup)
    verify_base_url: str = "https://gk.shenxian.example/verify"
    actor: str = "kiosk"


def _row(row: PayoutRow) -> NoticeRow:
    return NoticeRow(
        name=row.name, id_masked=row.id_masked, item_name=row.item_name,
        quantity=f"{fmt.hundredths(row.quantity_centi)}{row.unit}",
        standard=f"{fmt.money(row.standard_fen)}/{row.unit}", amount_fen=row.amount_fen,
        remark=row.remark,
    )  # fmt: skip


def _issuers(village: VillageInfo) -> tuple[str, str]:
    town = (village.town_name.removesuffix("街道") + "街道办事处"
            if village.town_name.endswith("街道") else f"{village.town_name}人民政府")  # fmt: skip
    committee = (f"{village.name}民委员会" if village.name.endswith("村")
                 else f"{village.name}居民委员会")  # fmt: skip
    return town, committee


def _basis(rows: list[PayoutRow], items: dict[str, ItemInfo]) -> list[str]:
    """The documents behind the items on the sheet, the item with most rows first; every one
    of them (an item may cite several, separated by "；"), each once."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.item_code] = counts.get(row.item_code, 0) + 1
    cited: list[str] = []
    for code in sorted(counts, key=lambda c: (-counts[c], c)):
        for doc in items[code].basis.split("；"):
            if doc.strip() and doc.strip() not in cited:
                cited.append(doc.strip())
    return cited


def objection_phones(village: VillageInfo) -> list[Phone]:
    """Phones for an objection: the town's service centre (else any town contact) and the
    village committee's where the county lists one (a town contact named after the village)."""
    town = [c for c in consult.list_contacts(town_code=village.town_code)
            if c.town_code == village.town_code]  # fmt: skip
    ranked = sorted((c for c in town if not c.name.startswith(village.name)),
                    key=lambda c: ("便民服务中心" not in c.name, c.kind != "窗口"))  # fmt: skip
    phones = [Phone(ranked[0].name, ranked[0].phone)] if ranked else []
    phones += [Phone(c.name, c.phone) for c in town if c.name.startswith(village.name)][:1]
    return phones


def assemble(village_code: str, year: int, item_code: str | None, print_no: str,
             options: NoticeOptions) -> NoticeData:
    """Everything the notice shows, as plain data.

    Raises:
        KnownError: unknown village, or no payouts that year (no blank sheet is printed).
    """
    result = payouts.village_payouts(village_code, year, item_code)
    village = result.village
    if not result.rows:
        raise KnownError(
            f"{village.town_name}{village.name}{year}年没有补贴发放记录，无需打印公示单",
            f"{village.name} ({village_code}) has no payouts in {year}; nothing to print",
        )
    # Only the items on the sheet: with item_code, result.items still lists every item the
    # village was paid that year, and their bases and count must not appear on this sheet.
    items = {i.code: i for i in result.items if i.code in {r.item_code for r in result.rows}}
    if options.per_item:
        sections = [
            NoticeSection(f"{n}、{items[code].name}",
                          [_row(r) for r in result.rows if r.item_code == code])
            for n, code in zip("一二三四五六七八九十" * 2, sorted(items), strict=False)
        ]  # fmt: skip
    else:
        sections = [NoticeSection("", [_row(r) for r in result.rows])]
    what = items[item_code].name if item_code else "惠民惠农财政补贴资金"
    start = options.start or dt.date.today()
    feed = status.feed_status()
    _check_period_start(start, feed.data_as_of)
    span = notice_period.period(start, options.period_days, options.period_unit)
    phones = [Phone(c.name.removesuffix("监督电话"), c.phone)
              for c in consult.list_contacts("监督电话", village.town_code)]  # fmt: skip
    phones.append(HOTLINE)
    return NoticeData(
        notice_id=f"{village_code}-{year}" + (f"-{item_code}" if item_code else ""),
        title=f"莘县{village.town_name}{village.name}{year}年度{what}发放结果公示",
        town=village.town_name, village=village.name, year=year, sections=sections,
        basis=_basis(result.rows, items), period_start=span.start,
        period_end=span.end, period_text=span.text,
        objection=OBJECTION.format(town=_issuers(village)[0]), phones=phones,
        issuers=_issuers(village), issue_date=start, print_date=dt.date.today(),
        data_as_of=feed.data_as_of or "未知", feed_version=feed.version,
        verify_base_url=options.verify_base_url, print_no=print_no,
        households=result.totals.households, persons=result.totals.persons,
        items_count=len(items), subject=what, objection_phones=objection_phones(village),
        demo=village.is_demo,
        # The county publishes the same digest of these rows on its verification site.
        digest=notice_digest.digest_of_records(village_code, year, item_code, result.rows),
    )  # fmt: skip


PREVIEW_NO = "预览"  # the footer's print number on a preview (no number is taken)


def _check_period_start(start: dt.date, data_as_of: str | None) -> None:
    """A notice period cannot begin before the data it publishes existed: a terminal whose
    clock reads 2001 would otherwise print a 2001 公示期 for 2025 payouts.

    Raises:
        KnownError: the start is before the data's date (usually a wrong terminal clock).
    """
    if data_as_of is None:
        return
    data_date = dt.datetime.fromisoformat(data_as_of).date()
    if start < data_date:
        raise KnownError(
            f"公示开始日期 {fmt.chinese_date(start)} 早于数据日期 {fmt.chinese_date(data_date)}，"
            "请校准终端日期时间后再打印",
            f"the notice period would start {start} before the data's date {data_date}; "
            "fix the terminal's clock",
        )


def next_print_no() -> str:
    today = dt.date.today()
    count = (AuditLog.select().where((AuditLog.kind == "print")
                                     & (AuditLog.at >= dt.datetime.combine(today, dt.time())))
             .count())  # fmt: skip
    return f"P{today:%Y%m%d}-{count + 1:04d}"


@dataclass(frozen=True)
class PreparedNotice:
    """A rendered notice that has not been handed out yet (nothing recorded)."""

    path: Path
    print_no: str
    notice_id: str
    title: str
    village: str  # the village's name, for file names
    result: "RenderResult"


def _render(village_code: str, year: int, out: Path, item_code: str | None,
            options: NoticeOptions, print_no: str) -> PreparedNotice:  # fmt: skip
    from printing.notice import render_notice  # reportlab: loaded when first printing

    data = assemble(village_code, year, item_code, print_no, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Rendered outside any transaction: a long print must not hold up a sync.
    result = render_notice(data, out, options.setup)
    return PreparedNotice(out, print_no, data.notice_id, data.title, data.village, result)


def preview_notice(village_code: str, year: int, out: Path, item_code: str | None = None,
                   options: NoticeOptions | None = None) -> PreparedNotice:  # fmt: skip
    """The notice for the screen: footer number 预览, no audit record, no number taken."""
    return _render(village_code, year, out, item_code, options or NoticeOptions(), PREVIEW_NO)


def prepare_notice(village_code: str, year: int, out: Path, item_code: str | None = None,
                   options: NoticeOptions | None = None) -> PreparedNotice:  # fmt: skip
    """The final notice with the next print number; call ``record_print`` once it is out."""
    return _render(village_code, year, out, item_code, options or NoticeOptions(), next_print_no())


def record_print(notice: PreparedNotice, destination: str, actor: str) -> None:
    """One audit "print" row: number, notice, pages and where it went (printer or file)."""
    writer.audit("print", actor,
                 f"{notice.print_no} {notice.notice_id} {notice.result.pages}页 → {destination}",
                 notice.result.digest)  # fmt: skip


def print_notice(village_code: str, year: int, out: Path, item_code: str | None = None,
                 options: NoticeOptions | None = None) -> "RenderResult":
    """Write one village's notice to ``out`` and record the print in the audit log."""
    options = options or NoticeOptions()
    notice = prepare_notice(village_code, year, out, item_code, options)
    record_print(notice, str(out), options.actor)
    return notice.result


def _numbered(folder: Path, name: str, attempt: int) -> Path:
    if attempt == 1:
        return folder / name
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    return folder / f"{stem}({attempt}){dot}{suffix}"


def copy_as_new(source: Path, folder: Path, name: str) -> Path:
    """Copy ``source`` into ``folder`` as a NEW file: ``name``, else ``name(2)``, ``(3)``…

    An existing file is never opened for writing (exclusive create), and the copy is
    flushed to the device before returning (a USB stick may be pulled right after).

    Raises:
        KnownError: the folder is read-only, full or gone (the half-written file is removed).
    """
    for attempt in range(1, 1000):
        target = _numbered(folder, name, attempt)
        try:
            out = target.open("xb")
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(folder, exc) from exc
        try:
            with out, source.open("rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            target.unlink(missing_ok=True)
            raise _write_error(folder, exc) from exc
        return target
    raise KnownError(f"{folder} 中同名文件过多，请整理U盘后重试", f"too many copies of {name} in {folder}")


def new_folder(parent: Path, name: str) -> Path:
    """Create a NEW folder ``parent/name`` (else ``name(2)``, ``(3)``…) and return it.

    Raises:
        KnownError: the parent is read-only, full or gone.
    """
    for attempt in range(1, 1000):
        target = _numbered(parent, name, attempt)
        try:
            target.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(parent, exc) from exc
        return target
    raise KnownError(f"{parent} 中同名文件夹过多，请整理U盘后重试", f"too many folders named {name}")


def _write_error(folder: Path, exc: OSError) -> KnownError:
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        zh = "U盘是只读的（或写保护开关已打开），无法保存，请换一个U盘后重试"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        zh = "U盘空间已满，无法保存，请换一个U盘后重试"
    else:
        zh = "无法写入U盘（可能已被拔出），请检查U盘后重试"
    return KnownError(zh, f"cannot write to {folder}: {exc}")


def save_notice(notice: PreparedNotice, folder: Path, actor: str) -> Path:
    """Copy a prepared notice to a new file in ``folder`` (a USB stick) and record it.

    Returns:
        the file written, e.g. ``公示单_大唐口村_2025.pdf`` or ``…(2).pdf``.
    """
    target = copy_as_new(notice.path, folder, notice_file_name(notice))
    record_print(notice, str(target), actor)
    return target


def notice_file_name(notice: PreparedNotice) -> str:
    """A name a villager recognises on the stick: 公示单_<village>_<notice id>.pdf."""
    safe = "".join(c for c in notice.village if c not in '\\/:*?"<>|')
    return f"公示单_{safe}_{notice.notice_id}.pdf"


@dataclass(frozen=True)
class TownshipResult:
    printed: list[tuple[VillageInfo, Path, "RenderResult"]]
    skipped: list[tuple[VillageInfo, str]]
    index: Path


def print_township(town_code: str, year: int, out_dir: Path,
                   options: NoticeOptions | None = None,
                   progress: Callable[[int, int, str], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> TownshipResult:
    """One PDF per village of the town, plus ``index.csv`` listing what was printed.

    Villages without payouts that year are listed as skipped, not printed blank.
    """
    villages = divisions.list_villages(town_code)
    if not villages:
        raise KnownError(f"没有找到乡镇代码 {town_code}", f"unknown town code {town_code}")
    out_dir.mkdir(parents=True, exist_ok=True)
    printed, skipped = [], []
    for done, village in enumerate(villages, start=1):
        if cancelled():
            break
        path = out_dir / f"{village.code}_{village.name}_{year}.pdf"
        try:
            printed.append((village, path, print_notice(village.code, year, path, None, options)))
        except KnownError as exc:
            skipped.append((village, exc.zh))
        if progress:
            progress(done, len(villages), village.name)
    index = out_dir / "index.csv"
    with index.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["村代码", "村", "文件", "页数", "校验码", "核验地址", "说明"])
        for village, path, result in printed:
            out.writerow([village.code, village.name, path.name, result.pages, result.digest,
                          result.verify_url, ""])  # fmt: skip
        for village, reason in skipped:
            out.writerow([village.code, village.name, "", 0, "", "", reason])
    return TownshipResult(printed, skipped, index)
