"""Notice printing benchmark.

  1,000-row notice   printing.render_notice() vs reportlab's raw canvas drawing the same
                     strings (same font, same pages, no layout logic) in the same run;
                     goal <= 2x
  town batch         kiosk.services.notices.print_township() for the largest town of a demo
                     county database (built here through the real path if --db is not given)

Run:  python tests/benchmarks/bench_print.py [--db PATH] [--repeat 5]
"""

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk import fmt
from printing.fonts import fonts
from printing.model import NoticeData, NoticeRow, NoticeSection, Phone
from printing.notice import render_notice


def sample(count: int) -> NoticeData:
    rows = [NoticeRow(f"张{'明华建国'[i % 4]}{'强伟'[i % 2]}", f"371522********{i:04d}",
                      "耕地地力保护补贴", f"{fmt.hundredths(200 + i)}亩", "125.00/亩", 25_000 + i)
            for i in range(count)]  # fmt: skip
    return NoticeData(
        notice_id="bench", title="莘县朝城镇北赵楼村2025年度惠民惠农财政补贴资金发放结果公示",
        town="朝城镇", village="北赵楼村", year=2025, sections=[NoticeSection("", rows)],
        basis=["《关于进一步加强惠民惠农财政补贴资金“一卡通”管理的指导意见》(财办〔2020〕37号)"],
        period_start=dt.date(2025, 12, 20), period_end=dt.date(2025, 12, 26), period_text="7天",
        objection="请向镇政府反映。", phones=[Phone("政务服务便民热线", "12345")],
        issuers=("朝城镇人民政府", "北赵楼村民委员会"), issue_date=dt.date(2025, 12, 20),
        print_date=dt.date(2026, 11, 28), data_as_of="2026-11-28", feed_version=1,
        verify_base_url="https://gk.shenxian.example/verify", print_no="P1",
    )  # fmt: skip


def raw_canvas(data: NoticeData, out: Path, rows_per_page: int) -> None:
    """The baseline: the same strings drawn at fixed positions, one page per chunk."""
    font = fonts().main
    canvas = Canvas(str(out), pagesize=A4, initialFontName=font)
    rows = data.rows
    for start in range(0, len(rows), rows_per_page):
        canvas.setFont(font, 12)
        y = 800
        for number, row in enumerate(rows[start:start + rows_per_page], start=start + 1):
            x = 40
            for text in (str(number), row.name, row.id_masked, row.item_name, row.quantity,
                         row.standard, fmt.money(row.amount_fen), row.remark):  # fmt: skip
                canvas.drawString(x, y, text)
                x += 65
            y -= 21
        canvas.showPage()
    canvas.save()


def median_time(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-print-"))
    data = sample(1000)
    result = render_notice(data, work / "warm.pdf")  # fonts registered, caches warm
    ours = median_time(lambda: render_notice(data, work / "notice.pdf"), args.repeat)
    per_page = -(-1000 // (result.pages - 1))
    raw = median_time(lambda: raw_canvas(data, work / "raw.pdf", per_page), args.repeat)
    print(f"1,000-row notice: {ours * 1000:.0f} ms ({result.pages} pages) vs raw canvas "
          f"{raw * 1000:.0f} ms -> {ours / raw:.2f}x (goal <= 2x)")

    from kiosk.services import divisions, notices
    from kiosk.store.db import open_database

    db = args.db
    if db is None:
        import subprocess
        import sys

        db = work / "kiosk.sqlite3"
        subprocess.run([sys.executable, "-m", "kiosk", "demo", "--households", "20000",
                        "--format", "csv", "--db", str(db)], check=True, capture_output=True)  # fmt: skip
    open_database(db)
    town = max(divisions.list_towns(), key=lambda t: t.village_count)
    started = time.perf_counter()
    batch = notices.print_township(town.code, 2025, work / "town")
    seconds = time.perf_counter() - started
    pages = sum(r.pages for _, _, r in batch.printed)
    print(f"town batch ({town.name}, {town.village_count} villages): {len(batch.printed)} PDFs, "
          f"{pages} pages in {seconds:.1f} s ({seconds / max(len(batch.printed), 1) * 1000:.0f} "
          f"ms per village)")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
