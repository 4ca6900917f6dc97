"""Feed-build throughput for the same payout rows in each file shape a county sends.

Builds the feed (read, validate, mask, partition, sign) from the same demo county with its
payout files as CSV, XLSX, XLS (Excel 97-2003) and messy XLSX (merged title and unit rows,
a two-row header under aliases, text amounts, units in the cells, 合计 and 制表人 lines:
tests/helpers/spreadsheets.py), and prints rows/s and the ratio to CSV.

Goals: XLSX within 2x of CSV; messy XLSX within 1.5x of clean XLSX.

Run:  python tests/benchmarks/bench_build.py [--households 10000] [--work DIR] [--repeat 2]
"""

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for tests.*

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from kiosk.county.feed import demo_county, keys, publisher
from tests.helpers.spreadsheets import clean_rows, write_messy_xlsx

SEED = 1


def _reshape(csv_input: Path, out: Path, write) -> None:
    """A copy of ``csv_input`` with each payout CSV rewritten by ``write(csv path, folder)``."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(csv_input, out, ignore=shutil.ignore_patterns("payouts"))
    (out / "payouts").mkdir()
    for path in sorted((csv_input / "payouts").glob("*.csv")):
        write(path, out / "payouts")


def _as_xls(path: Path, folder: Path) -> None:
    import xlwt

    with path.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    numeric = {i for i, h in enumerate(lines[0])
               if h in ("年度", "计量依据", "补贴标准", "发放金额(元)")}  # fmt: skip
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            sheet.write(r, c, float(value) if r and c in numeric else value)
    book.save(str(folder / f"{path.stem}.xls"))


def _as_messy(path: Path, folder: Path) -> None:
    year, _, town = path.stem.split("_")
    write_messy_xlsx(folder / f"{town}补贴发放花名册（{year}）.xlsx", clean_rows(path),
                     f"莘县{town}{year}年度惠民惠农财政补贴资金发放花名册")  # fmt: skip


def _build(input_dir: Path, keydir: Path, work: Path, repeat: int) -> tuple[int, float]:
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        out = work / "feed"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        rows = publisher.build_feed(input_dir, keydir, out).rows
        best = min(best, time.perf_counter() - started)
    return rows, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-build-"))
    inputs = {"csv": work / "csv", "xlsx": work / "xlsx", "xls": work / "xls",
              "messy xlsx": work / "messy"}  # fmt: skip
    started = time.perf_counter()
    if not (inputs["csv"] / "towns.csv").exists():
        summary = demo_county.generate(inputs["csv"], args.households, seed=SEED, fmt="csv")
        demo_county.generate(inputs["xlsx"], args.households, seed=SEED, fmt="xlsx")
        _reshape(inputs["csv"], inputs["xls"], _as_xls)
        _reshape(inputs["csv"], inputs["messy xlsx"], _as_messy)
        print(f"demo county: {summary.households} households, {summary.payout_rows} payout rows in"
              f" {summary.files} files per shape (written in {time.perf_counter() - started:.0f} s)")
    keydir = work / "keys"
    if not keydir.exists():
        keys.init_keys(keydir)

    results = {shape: _build(path, keydir, work, args.repeat) for shape, path in inputs.items()}
    base_rows, base_s = results["csv"]
    print(f"{'shape':<12}{'rows':>9}{'seconds':>9}{'rows/s':>10}{'time vs CSV':>13}")
    for shape, (rows, seconds) in results.items():
        assert rows == base_rows, f"{shape}: {rows} rows, CSV {base_rows}"
        print(f"{shape:<12}{rows:>9}{seconds:>9.2f}{rows / seconds:>10.0f}"
              f"{seconds / base_s:>12.2f}x")
    xlsx_s, messy_s = results["xlsx"][1], results["messy xlsx"][1]
    print(f"goals: xlsx {xlsx_s / base_s:.2f}x CSV (<= 2x);"
          f" messy {messy_s / xlsx_s:.2f}x clean xlsx (<= 1.5x)")


if __name__ == "__main__":
    main()
