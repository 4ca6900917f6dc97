"""County offices' real exports are read to exactly the rows of a clean file (#11).

Each messy file below holds the same payouts as one clean demo file, written the way the
惠民惠农 一卡通 system and a clerk's Excel write them: merged title and unit rows, a
two-row header under aliases in another order, blank rows, 合计 and 制表人 lines, amounts
as text ("1,234.50元"), units in the cells (2.7亩, 131.42元/亩), full-width digits, lowercase
x in ID numbers, Excel 97-2003 .xls and GB18030 CSV. The feed built from it must equal the
feed built from the clean file, partition for partition.
"""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

from kiosk.county.feed import publisher
from kiosk.errors import ImportRefused
from kiosk.formats import feed_format, spreadsheet
from kiosk.formats.datasets import PAYOUTS
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from tests.helpers.cli import run_kiosk
from tests.helpers.spreadsheets import clean_rows, write_messy_xlsx, yuan


def _payout_files(input_dir: Path) -> list[Path]:
    return sorted((input_dir / "payouts").glob("*.csv"))


def _partitions(feed: Path) -> dict[str, bytes]:
    """target -> bytes of every data file of a built feed (feed.json aside: it dates the
    build)."""
    found = {}
    for path in (feed / "targets").rglob("*.csv.gz"):
        target = f"{path.parent.relative_to(feed / 'targets')}/{path.name.split('.', 1)[1]}"
        found[target.removeprefix("./")] = path.read_bytes()
    return found


def _rows_and_sum(data: bytes) -> tuple[int, int]:
    rows = list(csv.DictReader(feed_format.decode(data).splitlines()))
    amount = next(c.header for c in PAYOUTS.columns if c.key == "amount_fen")
    return len(rows), sum(round(float(r[amount]) * 100) for r in rows)


@pytest.fixture
def build(county_keys, tmp_path):
    def run(input_dir: Path, name: str = "feed") -> Path:
        out = tmp_path / name
        publisher.build_feed(input_dir, county_keys, out)
        return out

    return run


@pytest.fixture(scope="module")
def clean_feed(demo_input_csv, county_keys, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean") / "feed"
    publisher.build_feed(demo_input_csv, county_keys, out)
    return _partitions(out)


def _same_as_clean(feed: Path, clean: dict[str, bytes], clean_file: Path) -> None:
    year, town = clean_file.stem.split("_")[:2]
    target = f"payouts/{year}/{town}.csv.gz"
    built = _partitions(feed)
    rows = clean_rows(clean_file)
    assert _rows_and_sum(built[target]) == (len(rows), sum(yuan(r["发放金额(元)"]) for r in rows))
    assert _rows_and_sum(built[target]) == _rows_and_sum(clean[target])
    assert built == clean  # every partition, byte for byte


def _replace_with_messy(input_dir: Path, total_off: int = 0) -> tuple[Path, Path]:
    """One town-year's clean CSV replaced by the messy workbook; (clean file, messy file)."""
    clean = _payout_files(input_dir)[3]
    year, _, town_name = clean.stem.split("_")
    rows = clean_rows(clean)
    keep = input_dir.parent / "clean" / clean.name
    keep.parent.mkdir()
    shutil.move(clean, keep)
    messy = input_dir / "payouts" / f"{town_name}惠民惠农补贴发放花名册.xlsx"
    total = sum(yuan(r["发放金额(元)"]) for r in rows) + total_off
    write_messy_xlsx(messy, rows, f"莘县{town_name}{year}年度惠民惠农财政补贴资金发放花名册", total)
    return keep, messy


def test_messy_workbook_reads_to_the_clean_rows(county_input, build, clean_feed):
    clean, _ = _replace_with_messy(county_input)
    _same_as_clean(build(county_input), clean_feed, clean)


def test_where_the_year_was_taken_from_is_said(county_input):
    clean, messy = _replace_with_messy(county_input)
    problems = Problems()
    rows = list(read_rows(PAYOUTS, messy, problems, DuplicateFinder(), "payouts/m.xlsx",
                          mask=True))  # fmt: skip
    assert not problems, problems.lines
    assert len(rows) == len(clean_rows(clean))
    year = clean.stem[:4]
    assert rows[0]["_where"] == "payouts/m.xlsx:5"  # the row number Excel shows
    assert {r["year"] for r in rows} == {int(year)}
    assert len(problems.notes) == 1
    assert problems.notes[0].startswith(f"payouts/m.xlsx: 没有“年度”列，年度 {year} 取自标题“莘县")
    assert " / no '年度' column: " in problems.notes[0]


def test_total_that_does_not_match_the_rows_names_both_numbers(county_input, build):
    clean, messy = _replace_with_messy(county_input, total_off=100)
    rows = clean_rows(clean)
    total = sum(yuan(r["发放金额(元)"]) for r in rows)
    with pytest.raises(ImportRefused) as caught:
        build(county_input)
    (line,) = caught.value.problems
    shown = f"{(total + 100) / 100:,.2f}", f"{total / 100:,.2f}"
    assert line.startswith(f"payouts/{messy.name}:"), line
    assert ":补贴金额: 合计 " in line and " / " in line
    assert all(number in line for number in shown), line


def test_legacy_xls_reads_to_the_clean_rows(county_input, build, clean_feed):
    """Excel 97-2003 (.xls), with a merged title, aliases and no 村代码 column: the code is
    found from each row's town and village name."""
    import xlwt

    clean = _payout_files(county_input)[5]
    rows = clean_rows(clean)
    headers = ["年度", "乡镇", "村名称", "姓名", "身份证号码", "补贴项目", "计量依据", "单位",
               "补贴标准(元)", "发放金额", "发放日期", "发放批次", "社保卡号", "备注"]  # fmt: skip
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write_merge(0, 0, 0, len(headers) - 1, f"{clean.stem[:4]}年补贴发放明细")
    for col, header in enumerate(headers):
        sheet.write(1, col, header)
    for line, r in enumerate(rows, start=2):
        values = [int(r["年度"]), r["乡镇"], r["村"], r["户主姓名"], r["身份证号"], r["补贴项目"],
                  float(r["计量依据"]), r["计量单位"], float(r["补贴标准"]),
                  float(r["发放金额(元)"]), r["发放日期"].replace("-", "/"), r["发放批次"],
                  r["账号尾号"], r["备注"]]  # fmt: skip
        for col, value in enumerate(values):
            sheet.write(line, col, value)
    clean_copy = county_input.parent / clean.name
    shutil.move(clean, clean_copy)
    book.save(str(county_input / "payouts" / f"{clean.stem}.xls"))
    _same_as_clean(build(county_input), clean_feed, clean_copy)


def test_gb18030_csv_with_title_and_total_reads_to_the_clean_rows(county_input, build,
                                                                    clean_feed):
    clean = _payout_files(county_input)[0]
    rows = clean_rows(clean)
    headers = list(rows[0])
    aliases = {"户主姓名": "姓名", "身份证号": "身份证号码", "发放金额(元)": "补贴金额",
               "村": "村(居)名称", "账号尾号": "银行账号"}  # fmt: skip
    order = headers[::-1]  # columns in another order
    total = sum(yuan(r["发放金额(元)"]) for r in rows)
    lines = [[f"{clean.stem[:4]}年度补贴发放公示"], ["单位：元"], [aliases.get(h, h) for h in order]]
    lines += [[r[h] for h in order] for r in rows]
    lines += [[""] * len(order), ["合计"] + [""] * (order.index("发放金额(元)") - 1)
              + [f"{total / 100:,.2f}元"], ["制表人：", "", "审核人："]]  # fmt: skip
    clean_copy = county_input.parent / clean.name
    shutil.move(clean, clean_copy)
    with (county_input / "payouts" / "公示.csv").open("w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(lines)
    _same_as_clean(build(county_input), clean_feed, clean_copy)


# --- refused by name ----------------------------------------------------------------------


def test_wps_and_stray_files_in_payouts_are_refused_by_name(county_input, build):
    (county_input / "payouts" / "朝城镇补贴.et").write_bytes(b"\xd0\xcf\x11\xe0 wps")
    (county_input / "payouts" / "说明.pdf").write_bytes(b"%PDF-1.4")
    (county_input / "payouts" / "~$朝城镇补贴.xlsx").write_bytes(b"\x0b lock")
    with pytest.raises(ImportRefused) as caught:
        build(county_input)
    assert not (county_input.parent / "feed").exists()
    assert sorted(caught.value.problems) == [
        "payouts/~$朝城镇补贴.xlsx: Excel 或 WPS 打开表格时留下的临时文件：请关闭 Excel/WPS 后再运行（或删除"
        "此文件） / a lock file Excel or WPS leaves while a workbook is open: close Excel/WPS"
        " and run again (or delete it)",
        "payouts/朝城镇补贴.et: WPS 表格文件，请在 WPS 中“另存为”Excel 工作簿（.xlsx）（只接受 CSV、XLSX、XLS"
        " 或 ODS 表格） / a WPS spreadsheet: save it as an Excel workbook (.xlsx) in WPS (CSV,"
        " XLSX, XLS or ODS spreadsheets only)",
        "payouts/说明.pdf: 不支持的文件类型（只接受 CSV、XLSX、XLS 或 ODS 表格） / unsupported file"
        " type (CSV, XLSX, XLS or ODS spreadsheets only)",
    ]


# --- limits -------------------------------------------------------------------------------


def _extra_csv(input_dir: Path, rows: list[list[str]]) -> Path:
    headers = list(clean_rows(_payout_files(input_dir)[0])[0])
    path = input_dir / "payouts" / "extra.csv"
    spreadsheet.write_csv(path, headers, rows)
    return path


def _refused(input_dir: Path, build) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        build(input_dir)
    assert not (input_dir.parent / "feed").exists()
    return caught.value.problems


def test_csv_cell_over_the_csv_limit_is_refused(county_input, build):
    row = list(clean_rows(_payout_files(county_input)[0])[1].values())
    row[-1] = "说" * 131_073
    _extra_csv(county_input, [row])
    (line,) = _refused(county_input, build)
    assert line.startswith("payouts/extra.csv:2: 单元格超过 131072 字"), line
    assert " / a cell is over 131072 characters" in line


def test_control_characters_in_names_are_refused(county_input, build):
    first = clean_rows(_payout_files(county_input)[0])[1]
    nul = {**first, "户主姓名": "张\x00明"}
    esc = {**first, "户主姓名": "李\x1b强", "身份证号": "371522198001011234"}
    _extra_csv(county_input, [list(nul.values()), list(esc.values())])
    assert _refused(county_input, build) == [
        "payouts/extra.csv:2:户主姓名: 含有控制字符 U+0000 / contains the control character U+0000",
        "payouts/extra.csv:3:户主姓名: 含有控制字符 U+001B / contains the control character U+001B",
    ]


def test_more_than_a_million_rows_is_refused(county_input, build):
    path = _extra_csv(county_input, [])
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" * 1_000_001)  # the header and 1,000,001 (blank) rows
    (line,) = _refused(county_input, build)
    assert line.startswith("payouts/extra.csv:1000002: 行数超过上限 1,000,000 行"), line


def test_workbook_over_the_row_limit_is_refused(county_input_xlsx, build, monkeypatch):
    """The limit is checked from the workbook's size before a row is read (the test lowers
    it: a real workbook over a million rows takes minutes to write)."""
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 5)
    path = sorted((county_input_xlsx / "payouts").glob("*.xlsx"))[0]
    problems = _refused(county_input_xlsx, build)
    assert f"payouts/{path.name}:7: 行数超过上限 5 行，请按乡镇或年度拆分文件 / more than 5 rows;" \
           " split the file by town or year" in problems  # fmt: skip


def test_workbook_of_100_mb_is_refused_unread(county_input, build):
    path = county_input / "payouts" / "全县汇总.xlsx"
    with path.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: costs no disk
    (line,) = _refused(county_input, build)
    assert line.startswith("payouts/全县汇总.xlsx: 文件大小 100 MB，达到上限 100 MB"), line
    assert " / the file is 100 MB" in line


def test_cells_as_clerks_write_them(tmp_path):
    """Each loose form reads to the value of its plain form."""
    headers = ["序号", "年度", "乡镇", "村", "村代码", "姓名", "身份证号", "补贴项目", "数量",
               "补贴标准", "发放金额", "发放日期", "账号"]  # fmt: skip
    loose = ["1", "２０２５年", "朝城镇", "东村", "371522102001", "　张明 ", "37152219800101123x",
             "耕地地力保护补贴", "5.2", "125.00元/亩", "６５０．００元", "2025-05-12 00:00:00",
             "6217 0012 3456 7890 123"]  # fmt: skip
    plain = ["2", "2025", "朝城镇", "东村", "371522102001", "李强", "371522********1234",
             "耕地地力保护补贴", "5.20亩", "125", "1,650.00", "2025年5月12日", "尾号0123"]  # fmt: skip
    path = tmp_path / "payouts.csv"
    spreadsheet.write_csv(path, headers, [loose, plain])
    problems = Problems()
    first, second = read_rows(PAYOUTS, path, problems, DuplicateFinder(), mask=True)
    assert not problems, problems.lines
    assert {k: first[k] for k in ("year", "name", "id_masked", "quantity_centi", "unit",
                                  "standard_fen", "amount_fen", "paid_on", "account_last4")} == {
        "year": 2025, "name": "张明", "id_masked": "371522********123X", "quantity_centi": 520,
        "unit": "亩", "standard_fen": 12500, "amount_fen": 65000, "paid_on": "2025-05-12",
        "account_last4": "0123",
    }  # fmt: skip
    assert (second["unit"], second["amount_fen"], second["paid_on"]) == ("亩", 165000, "2025-05-12")


def test_village_lists_named_only_by_their_title(county_input, build, clean_feed):
    """One town-year as one workbook per village, as a village posts its list: no 年度,
    乡镇, 村 or 村代码 column; the title names the town, the village and the year."""
    import openpyxl

    clean = _payout_files(county_input)[4]
    year, _, town_name = clean.stem.split("_")
    rows = clean_rows(clean)
    clean_copy = county_input.parent / clean.name
    shutil.move(clean, clean_copy)
    keep = ["户主姓名", "身份证号", "补贴项目", "计量依据", "计量单位", "补贴标准", "发放金额(元)",
            "发放日期", "发放批次", "账号尾号", "备注"]  # fmt: skip
    villages = sorted({r["村"] for r in rows})
    for n, village in enumerate(villages):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append([f"{town_name}{village}{year}年惠民惠农补贴发放公示"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(keep) + 1)
        sheet.append(["序号", *keep])
        for i, r in enumerate((r for r in rows if r["村"] == village), start=1):
            sheet.append([i, *(r[k] for k in keep)])
        book.save(county_input / "payouts" / f"公示{n}.xlsx")
    _same_as_clean(build(county_input), clean_feed, clean_copy)


def test_subtotals_are_checked_against_their_own_rows(tmp_path):
    headers = ["年度", "乡镇", "村", "村代码", "姓名", "身份证号", "补贴项目", "计量依据", "计量单位",
               "补贴标准", "发放金额", "发放日期"]  # fmt: skip

    def row(n: int, amount: str) -> list[str]:
        return ["2025", "朝城镇", "东村", "371522102001", f"张{n}", "371522********1234",
                "耕地地力保护补贴", "1", "亩", "100", amount, "2025-05-12"]  # fmt: skip

    def total(label: str, amount: str) -> list[str]:
        return [label, "", "", "", "", "", "", "", "", "", amount, ""]

    lines = [row(1, "100"), row(2, "200.50"), total("小  计", "300.50"),
             row(3, "1,000"), total("小计", "1,001.00"), total("合计", "1,300.50元")]  # fmt: skip
    path = tmp_path / "payouts.csv"
    spreadsheet.write_csv(path, headers, lines)
    problems = Problems()
    rows = list(read_rows(PAYOUTS, path, problems, DuplicateFinder(), "p.csv", mask=True))
    assert len(rows) == 3
    assert problems.lines == [
        "p.csv:6:发放金额: 小计 1,001.00 元与各行发放金额之和 1,000.00 元不符 / the 小计 (total)"
        " 1,001.00 does not match the sum of the rows, 1,000.00"
    ]


def test_id_number_excel_stored_as_a_number_says_so(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["年度", "乡镇", "村", "村代码", "姓名", "身份证号", "补贴项目", "计量依据",
                  "计量单位", "补贴标准", "发放金额", "发放日期"])  # fmt: skip
    sheet.append([2025, "朝城镇", "东村", "371522102001", "张明", 371522198001011234,
                  "耕地地力保护补贴", 1, "亩", 100, 100, dt.date(2025, 5, 12)])  # fmt: skip
    book.save(tmp_path / "p.xlsx")
    problems = Problems()
    assert not list(read_rows(PAYOUTS, tmp_path / "p.xlsx", problems, DuplicateFinder(), "p.xlsx",
                              mask=True))  # fmt: skip
    (line,) = problems.lines
    assert line.startswith("p.xlsx:2:身份证号: 身份证号“3.71522E+17”被 Excel 存成了数字"), line


def test_the_build_says_where_a_missing_year_was_taken_from(county_input, county_keys, tmp_path):
    """What the reader filled in reaches the clerk: `kiosk feed build` prints it."""
    _replace_with_messy(county_input)
    done = run_kiosk("feed", "build", "--input", county_input, "--keys", county_keys, "--out",
                     tmp_path / "feed", env={"XDG_DATA_HOME": str(tmp_path / "data")}, ok=True)  # fmt: skip
    notes = [line for line in done.stdout.splitlines() if line.startswith("  说明：")]
    assert len(notes) == 1 and "年度" in notes[0] and "取自标题" in notes[0], done.stdout


def test_our_xlsx_writer_is_read_alike_by_openpyxl_and_calamine(tmp_path):
    """The demo county's workbooks are written directly (fast); both readers agree on them."""
    import datetime as dt
    import warnings

    import openpyxl
    from python_calamine import CalamineWorkbook

    from kiosk.formats.spreadsheet import write_xlsx

    path = tmp_path / "demo.xlsx"
    row = [2025, "燕塔街道", "a<b&c\"'", 4.91, dt.date(2025, 5, 20), "", "  留空格 "]
    write_xlsx(path, ["年度", "乡镇", "名", "量", "日期", "空", "空格"], [row] * 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. openpyxl's "no default style"
        sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[31]] == [2025, "燕塔街道", "a<b&c\"'", 4.91,
                                            dt.datetime(2025, 5, 20), None, "  留空格 "]  # fmt: skip
    assert sheet.max_row == 31 and sheet["AA1"].value is None
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[1] == [2025.0, "燕塔街道", "a<b&c\"'", 4.91, dt.date(2025, 5, 20), "", "  留空格 "]
