"""Every kind of bad county input is refused at `kiosk feed build` with file:row:column,
and nothing is written. Full ID and card numbers in their own columns are masked."""

import csv
from pathlib import Path

import pytest

from kiosk.county.feed import publisher
from kiosk.errors import ImportRefused, KnownError
from kiosk.formats import feed_format
from kiosk.formats.datasets import PAYOUTS
from kiosk.formats.spreadsheet import write_csv

HEADERS = [c.header for c in PAYOUTS.columns]


def _village(input_dir: Path) -> dict[str, str]:
    towns = {r["乡镇代码"]: r["乡镇名称"] for r in _read(input_dir / "towns.csv")}
    village = _read(input_dir / "villages.csv")[0]
    return {"code": village["村代码"], "name": village["村名称"],
            "town": towns[village["乡镇代码"]]}  # fmt: skip


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def good_row(input_dir: Path, **changes: str) -> dict[str, str]:
    v = _village(input_dir)
    row = {
        "年度": "2025", "乡镇": v["town"], "村": v["name"], "村代码": v["code"],
        "户主姓名": "张明", "身份证号": "371522********1234", "补贴项目": "耕地地力保护补贴",
        "计量依据": "5.20", "计量单位": "亩", "补贴标准": "125.00", "发放金额(元)": "650.00",
        "发放日期": "2025-05-12", "发放批次": "2025年度", "账号尾号": "尾号5678", "备注": "",
    }  # fmt: skip
    row.update(changes)
    return row


def add_payouts(input_dir: Path, rows: list[dict[str, str]], headers=HEADERS) -> Path:
    path = input_dir / "payouts" / "extra.csv"
    write_csv(path, headers, [[r.get(h, "") for h in headers] for r in rows])
    return path


@pytest.fixture
def build(county_keys, tmp_path):
    """Build the feed from a folder into a fresh output folder; returns that folder."""

    def run(input_dir: Path) -> Path:
        out = tmp_path / "feed"
        publisher.build_feed(input_dir, county_keys, out)
        return out

    return run


def refused(input_dir: Path, build) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        build(input_dir)
    assert not (input_dir.parent / "feed").exists(), "a refused build wrote files"
    return caught.value


CELL_CASES = [
    ("unknown village", {"村代码": "371522102999"}, "村代码", "未知的村代码"),
    ("negative amount", {"发放金额(元)": "-650.00"}, "发放金额(元)", "负数"),
    ("non-numeric amount", {"发放金额(元)": "六百五"}, "发放金额(元)", "不是数字"),
    ("three decimals", {"发放金额(元)": "650.005"}, "发放金额(元)", "超过 2 位小数"),
    ("bad date", {"发放日期": "2025-13-40"}, "发放日期", "无法识别"),
    ("date words", {"发放日期": "去年五月"}, "发放日期", "无法识别"),
    ("id not masked form", {"身份证号": "1234"}, "身份证号", "脱敏格式"),
    ("card in remark", {"备注": "卡号 6217 0012 3456 7890"}, "备注", "银行卡"),
    ("id in remark", {"备注": "身份证371522198001011234"}, "备注", "完整身份证号"),
    ("phone in remark", {"备注": "联系电话13812345678"}, "备注", "电话号码"),
    ("empty name", {"户主姓名": ""}, "户主姓名", "必填项为空"),
    ("long name", {"户主姓名": "张" * 50}, "户主姓名", "内容过长"),
    ("long remark", {"备注": "说明" * 150}, "备注", "内容过长"),
    ("unknown item", {"补贴项目": "不存在的补贴"}, "补贴项目", "不在补贴项目清单"),
    ("town mismatch", {"乡镇": "不存在镇"}, "乡镇", "不符"),
    ("village mismatch", {"村": "不存在村"}, "村", "不符"),
    ("year out of range", {"年度": "1899"}, "年度", "不在"),
]


@pytest.mark.parametrize(("changes", "column", "reason"),
                         [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES])  # fmt: skip
def test_bad_cell_is_refused_with_location(county_input, build, changes, column, reason):
    other = good_row(county_input, 户主姓名="李强")
    add_payouts(county_input, [good_row(county_input), {**other, **changes}])
    error = refused(county_input, build)
    assert error.total == 1, error.problems
    line = error.problems[0]
    assert line.startswith(f"payouts/extra.csv:3:{column}: "), line
    assert reason in line
    assert " / " in line  # Chinese and English


def test_good_extra_row_is_accepted(county_input, build):
    """The base row the cases above break is itself valid, so each case tests one defect."""
    add_payouts(county_input, [good_row(county_input)])
    assert (build(county_input) / "metadata" / "timestamp.json").exists()


def _partition_text(feed: Path, target: str) -> str:
    folder, _, name = target.rpartition("/")
    (path,) = (feed / "targets" / folder).glob(f"*.{name}")
    return feed_format.decode(path.read_bytes())


def test_full_id_and_card_numbers_are_masked_on_the_county_side(county_input, build):
    row = good_row(county_input, 身份证号="37152219800101123x", 账号尾号="6217 0012 3456 7890 123")
    add_payouts(county_input, [row])
    feed = build(county_input)
    text = _partition_text(feed, f"payouts/2025/{row['村代码'][:9]}.csv.gz")
    assert "371522********123X" in text and "19800101" not in text
    assert "6217" not in text and ",0123," in text  # only the last 4 digits travel


def test_duplicate_row_names_the_first(county_input, build):
    row = good_row(county_input)
    add_payouts(county_input, [good_row(county_input, 户主姓名="李强"), row, row])
    error = refused(county_input, build)
    assert error.problems == [
        "payouts/extra.csv:4: 与 payouts/extra.csv:3 重复 / duplicate of payouts/extra.csv:3"
    ]


def test_missing_column_is_refused(county_input, build):
    headers = [h for h in HEADERS if h != "发放日期"]
    add_payouts(county_input, [good_row(county_input)], headers=headers)
    error = refused(county_input, build)
    assert error.problems[0].startswith("payouts/extra.csv:1:发放日期: 缺少必需的列")


def test_every_problem_is_reported_not_just_the_first(county_input, build):
    rows = [good_row(county_input, 户主姓名=f"王{i}") for i in range(3)]
    rows[0]["发放金额(元)"] = "x"
    rows[1]["身份证号"] = "1234"
    rows[2]["发放日期"] = "?"
    add_payouts(county_input, rows)
    error = refused(county_input, build)
    assert error.total == 3
    assert [p.split(": ")[0] for p in error.problems] == [
        "payouts/extra.csv:2:发放金额(元)", "payouts/extra.csv:3:身份证号",
        "payouts/extra.csv:4:发放日期",
    ]  # fmt: skip


def test_bad_row_in_xlsx_names_the_sheet_row(county_input_xlsx, build):
    import openpyxl

    county_input = county_input_xlsx
    path = sorted((county_input / "payouts").glob("*.xlsx"))[0]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    amount_col = [c.value for c in sheet[1]].index("发放金额(元)") + 1
    sheet.cell(row=5, column=amount_col, value=-3.5)
    book.save(path)
    error = refused(county_input, build)
    assert error.problems == [
        f"payouts/{path.name}:5:发放金额(元): 数值“-3.5”为负数 / value '-3.5' is negative"
    ]


def test_corrupt_xlsx_is_refused(county_input_xlsx, build):
    county_input = county_input_xlsx
    path = sorted((county_input / "payouts").glob("*.xlsx"))[0]
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(KnownError, match=path.name):
        build(county_input)
    assert not (county_input.parent / "feed").exists()


def test_unknown_town_in_village_list(county_input, build):
    with (county_input / "villages.csv").open("a", encoding="utf-8") as f:
        f.write("371522999,371522999201,新村,演示数据\n")
    error = refused(county_input, build)
    assert any(p.startswith("villages.csv:") and "未知的乡镇代码 371522999" in p
               for p in error.problems)  # fmt: skip


def test_bad_catalogue_channel(county_input, build):
    rows = _read(county_input / "catalogue_entries.csv")
    rows[0]["公开渠道"] = "政府网站、飞鸽传书"
    headers = list(rows[0])
    write_csv(county_input / "catalogue_entries.csv", headers, [list(r.values()) for r in rows])
    error = refused(county_input, build)
    assert error.problems[0].startswith("catalogue_entries.csv:2:公开渠道: “飞鸽传书”")


def test_missing_dataset_file(county_input, build):
    (county_input / "qa.csv").unlink()
    error = refused(county_input, build)
    assert "qa" in error.problems[0] and "缺少" in error.problems[0]


def test_gb18030_csv_is_read(county_input, build):
    """Older county systems export CSV in GB18030; it must read the same as UTF-8."""
    path = add_payouts(county_input, [good_row(county_input)])
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("gb18030"))
    feed = build(county_input)
    assert "张明" in _partition_text(feed, f"payouts/2025/{good_row(county_input)['村代码'][:9]}.csv.gz")
