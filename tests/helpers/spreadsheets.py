"""County spreadsheets as the tests and benchmarks write them: the clean demo CSV read
back, the same rows as a county office's messy workbook, and a one-元 correction."""

import csv
import datetime as dt
from pathlib import Path

FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def clean_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a clean demo payouts CSV, by header."""
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def yuan(text: str) -> int:
    """An amount in 元 as text, in 分."""
    return round(float(text) * 100)


def add_one_yuan(path: Path) -> None:
    """A county correction: one more 元 on the first row of a payouts CSV."""
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    amount = rows[0].index("发放金额(元)")
    rows[1][amount] = f"{float(rows[1][amount]) + 1:.2f}"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


# --- the messy workbook, as the 一卡通 system and a clerk's Excel leave it -----------------

# (header in the file, group over it or None, how a clean row's value is written)
def _amount(r):  # "1,234.50元", some with full-width digits
    text = f"{yuan(r['发放金额(元)']) / 100:,.2f}元"
    return text.translate(FULL) if r["_i"] % 7 == 0 else text


MESSY_COLUMNS = [
    ("户主", None, lambda r: f"\u3000{r['户主姓名']} "),
    ("证件号码", None, lambda r: r["身份证号"].lower()),
    ("所属村", None, lambda r: r["村"]),
    ("乡镇(街道)", None, lambda r: r["乡镇"]),
    ("村(居)代码", None, lambda r: r["村代码"].translate(FULL) if r["_i"] % 5 == 0 else r["村代码"]),
    ("补贴项目", "补贴信息", lambda r: r["补贴项目"]),
    ("数量", "补贴信息", lambda r: f"{r['计量依据']}{r['计量单位']}"),
    ("补贴标准", "补贴信息", lambda r: f"{r['补贴标准']}元/{r['计量单位']}"),
    ("补贴金额", "补贴信息", _amount),
    ("发放时间", None, lambda r: dt.date.fromisoformat(r["发放日期"]) if r["_i"] % 2
     else "{}年{}月{}日".format(*r["发放日期"].split("-"))),
    ("批次", None, lambda r: r["发放批次"]),
    ("一卡通账号", None, lambda r: r["账号尾号"]),
    ("备注", None, lambda r: r["备注"]),
]  # fmt: skip


def write_messy_xlsx(path: Path, rows: list[dict[str, str]], title: str,
                     total: int | None = None) -> None:
    """The clean rows as a county office's workbook: no 年度 and no 计量单位 column (the
    title names the year; the units are in the cells)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    width = len(MESSY_COLUMNS) + 1
    sheet.cell(1, 1, title)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, width, "单位：元")
    sheet.cell(3, 1, "序号")
    sheet.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    groups: dict[str, list[int]] = {}
    for col, (header, group, _) in enumerate(MESSY_COLUMNS, start=2):
        if group:
            groups.setdefault(group, []).append(col)
            sheet.cell(4, col, header)
        else:
            sheet.cell(3, col, header)
            sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for group, cols in groups.items():
        sheet.cell(3, cols[0], group)
        sheet.merge_cells(start_row=3, start_column=cols[0], end_row=3, end_column=cols[-1])
    line = 5
    village_col = 2 + [h for h, _, _ in MESSY_COLUMNS].index("所属村")
    runs: list[list[int]] = []  # lines of one village in a row, merged down as clerks do
    for i, row in enumerate(rows, start=1):
        if i % 40 == 0:
            line += 1  # a blank row
        cells = [i] + [write({**row, "_i": i}) for _, _, write in MESSY_COLUMNS]
        for col, value in enumerate(cells, start=1):
            sheet.cell(line, col, value)
        if runs and runs[-1][-1] == line - 1 and sheet.cell(runs[-1][0], village_col).value \
                == row["村"]:  # fmt: skip
            runs[-1].append(line)
        else:
            runs.append([line])
        line += 1
    for run in runs:
        if len(run) > 1:
            sheet.merge_cells(start_row=run[0], start_column=village_col, end_row=run[-1],
                              end_column=village_col)  # fmt: skip
    amount_col = 2 + [h for h, _, _ in MESSY_COLUMNS].index("补贴金额")
    stated = sum(yuan(r["发放金额(元)"]) for r in rows) if total is None else total
    sheet.cell(line, 1, "合  计")
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=3)
    sheet.cell(line, amount_col, f"{stated / 100:,.2f}")
    sheet.cell(line + 2, 2, "制表人：王某某")
    sheet.cell(line + 2, 6, "审核人：李某某")
    sheet.cell(line + 3, 2, "日期：2025年12月1日")
    book.save(path)
