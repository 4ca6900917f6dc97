"""The printed 公示单 as a village clerk pinning it up reads it, read back from the PDF with
poppler: the policy basis of what is on the sheet, columns that hold their values, phones
for objections, demo sheets marked as such, and a one-item sheet holding only that item."""

import datetime as dt
import itertools
import re
import sqlite3
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from kiosk import fmt
from kiosk.services import consult, notices, payouts
from kiosk.store.models import Contact, Village
from printing.fonts import fonts
from printing.model import NoticeData, NoticeRow, NoticeSection, Phone
from printing.notice import FRAME_PADDING, MARGIN, column_widths, render_notice

CHAOCHENG = "371522102"  # the one town whose service centre phone the county data lists


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def flat(path: Path) -> str:
    """The text in drawing order with the line breaks removed (the preamble wraps anywhere)."""
    return pdftext(path, "-raw").replace("\n", "")


def pages_of(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout)[1])


def words(path: Path, page: int | None = None) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every word, from ``pdftotext -bbox``."""
    args = ["-bbox"] + (["-f", str(page), "-l", str(page)] if page else [])
    root = ElementTree.fromstring(pdftext(path, *args).replace("<!DOCTYPE", "<!--").replace(
        "DTD/xhtml1-transitional.dtd\">", "-->"))  # fmt: skip
    found = []
    for number, page_el in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=page or 1):
        for w in page_el.iter("{http://www.w3.org/1999/xhtml}word"):
            found.append((number, *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), w.text))
    return found


def busiest(db: Path, year: int, town: str | None = None) -> str:
    conn = sqlite3.connect(db)
    where = "AND v.town_id = ?" if town else ""
    code = conn.execute(
        f"SELECT p.village_id FROM payout p JOIN village v ON v.code = p.village_id WHERE p.year = ? "
        f"{where} GROUP BY p.village_id ORDER BY count(DISTINCT p.item_id) DESC, count(*) DESC LIMIT 1",
        (year, town) if town else (year,)).fetchone()[0]  # fmt: skip
    conn.close()
    return code


def docs(basis: str) -> list[str]:
    return [d.strip() for d in basis.split("；") if d.strip()]


# --- 1. policy basis ---------------------------------------------------------------------


def test_basis_cites_every_item_on_the_sheet_most_rows_first(terminal, tmp_path):
    village = busiest(terminal, 2024)
    out = tmp_path / "sheet.pdf"
    notices.preview_notice(village, 2024, out)
    result = payouts.village_payouts(village, 2024)
    counts = Counter(row.item_code for row in result.rows)
    items = {i.code: i for i in payouts.list_items()}
    assert len(counts) >= 5  # a sheet with many items, where three bases used to be all
    text = flat(out)
    preamble = text[:text.index("等文件精神")]
    order = sorted(counts, key=lambda code: (-counts[code], code))
    positions = []
    for code in order:
        for doc in docs(items[code].basis):
            assert doc in preamble, (items[code].name, doc)
        positions.append(preamble.index(docs(items[code].basis)[0]))
    assert positions == sorted(positions), [items[c].name for c in order]
    cited = {doc for code in counts for doc in docs(items[code].basis)}
    for code in set(items) - set(counts):  # nothing cited for an item not on the sheet
        for doc in set(docs(items[code].basis)) - cited:
            assert doc not in preamble, items[code].name


# --- 2. column sizing --------------------------------------------------------------------


def vertical_rules(pdf: Path, page: int, top: float, bottom: float, tmp_path: Path) -> list[float]:
    """x (points) of the vertical rules crossing the band top..bottom (points from the top),
    found in the rendered page: pixel columns that are dark over the whole band."""
    scale = 2  # 144 dpi
    subprocess.run(["pdftoppm", "-gray", "-r", str(72 * scale), "-f", str(page), "-l", str(page),
                    str(pdf), str(tmp_path / "rules")], check=True)  # fmt: skip
    (pgm,) = tmp_path.glob("rules*.pgm")
    raw = pgm.read_bytes()
    _, width, height, _, pixels = raw.split(maxsplit=4)
    width, height = int(width), int(height)
    band = range(int(top * scale) + 1, int(bottom * scale))
    dark = [all(pixels[y * width + x] < 160 for y in band) for x in range(width)]
    rules, x = [], 0
    while x < width:
        if dark[x]:
            start = x
            while x < width and dark[x]:
                x += 1
            rules.append((start + x - 1) / 2 / scale)
        x += 1
    pgm.unlink()
    return rules


def big_money_sheet(tmp_path: Path) -> tuple[Path, NoticeData]:
    """A synthetic sheet whose total has eight digits before the point."""
    rows = [NoticeRow(f"王{'一二三四五'[i % 5]}", f"371522********{i:04d}", "农机购置补贴", "3台",
                      "3,500,000.00/台", 10_500_000_00, "") for i in range(4)]  # fmt: skip
    data = NoticeData(
        notice_id="371522102201-2025", title="莘县朝城镇北赵楼村2025年度农机购置补贴发放结果公示",
        town="朝城镇", village="北赵楼村", year=2025, sections=[NoticeSection("", rows)],
        basis=["《中华人民共和国农业机械化促进法》"], period_start=dt.date(2025, 12, 20),
        period_end=dt.date(2025, 12, 26), period_text="7天", objection="请向镇政府反映。",
        phones=[Phone("政务服务便民热线", "12345")], issuers=("朝城镇人民政府", "北赵楼村民委员会"),
        issue_date=dt.date(2025, 12, 20), print_date=dt.date(2025, 12, 20), data_as_of="2025-12-19",
        feed_version=1, verify_base_url="https://gk.shenxian.example/verify", print_no="P1",
        households=4, items_count=1,
    )  # fmt: skip
    out = tmp_path / "big.pdf"
    render_notice(data, out)
    return out, data


@pytest.mark.parametrize("source", ["store", "big_money"])
def test_total_amount_lies_in_its_cell_and_standards_are_never_split(source, terminal, tmp_path):
    if source == "store":
        village = busiest(terminal, 2024)
        out = tmp_path / "sheet.pdf"
        notices.preview_notice(village, 2024, out)
        data = notices.assemble(village, 2024, None, notices.PREVIEW_NO, notices.NoticeOptions())
        rows, total = data.rows, data.total_fen
    else:
        out, data = big_money_sheet(tmp_path)
        rows, total = data.rows, data.total_fen
    found = words(out)
    amount = fmt.money(total)
    (label,) = [w for w in found if w[5] == "合计"]  # the table's own 合计 row
    (cell,) = [w for w in found if w[5] == amount and w[0] == label[0] and abs(w[2] - label[2]) < 1]
    (header,) = [w for w in found if w[5] == "金额(元)" and w[0] == label[0]]
    rules = vertical_rules(out, label[0], label[2], label[4], tmp_path)
    page_width = float(re.search(r"Page size:\s+([\d.]+)", subprocess.run(
        ["pdfinfo", str(out)], capture_output=True, text=True).stdout)[1])  # fmt: skip
    # The rules of the 合计 row: the table's left edge, then 金额(元)'s two edges, then 备注's.
    assert len(rules) == 4, rules
    left, right = next((a, b) for a, b in itertools.pairwise(rules) if a <= cell[1] < b)
    assert left <= cell[1] and cell[3] <= right, (cell, rules)
    assert left < (header[1] + header[3]) / 2 < right  # the amount is in the 金额(元) column
    assert rules[0] >= MARGIN - 1 and rules[-1] <= page_width - MARGIN + 1  # inside the margins
    # Every standard is one word on one line, as often as rows carry it.
    printed = Counter(w[5] for w in found)
    for standard, count in Counter(r.standard for r in rows).items():
        assert printed[standard] == count, standard


def test_an_empty_remark_column_stays_narrow(terminal):
    """The measured widths fill the table; 备注 with nothing in it keeps little more than its
    header, while a long item name gets the room it needs."""
    village = busiest(terminal, 2024)
    data = notices.assemble(village, 2024, None, notices.PREVIEW_NO, notices.NoticeOptions())
    plain = replace(data, sections=[NoticeSection("", [replace(r, remark="") for r in data.rows])])
    width = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
    widths = column_widths(plain, width, fonts().main, 12)
    assert abs(sum(widths) - width) < 0.01
    assert widths[7] < 2 * 12 + 4 + 8  # "备注" and its padding, plus a share of any spare room
    longest = max((r.item_name for r in plain.rows), key=len)
    assert widths[3] >= min(stringWidth(longest, fonts().main, 12) + 4, width - sum(widths[:3])
                            - sum(widths[4:7]) - 28) - 0.01  # fmt: skip


# --- 3. phones for objections ------------------------------------------------------------


def test_town_and_village_phones_for_objections_are_printed(terminal, tmp_path):
    village = busiest(terminal, 2025, CHAOCHENG)
    name = Village.get_by_id(village).name
    town = [c for c in consult.list_contacts(town_code=CHAOCHENG) if c.town_code == CHAOCHENG]
    centre = next(c for c in town if "便民服务中心" in c.name)
    out = tmp_path / "town.pdf"
    notices.preview_notice(village, 2025, out)
    text = flat(out)
    assert "朝城镇人民政府" in text[:text.index("异议受理电话")]
    assert f"异议受理电话：{centre.name} {centre.phone}" in text
    # Where the county lists the village committee's phone, it is printed too.
    Contact.create(kind="窗口", name=f"{name}委会", department=f"{name}委会", phone="0635-7999001",
                   town=CHAOCHENG)  # fmt: skip
    notices.preview_notice(village, 2025, out)
    assert f"{centre.name} {centre.phone}、{name}委会 0635-7999001" in flat(out)


# --- 4. demo data marked -----------------------------------------------------------------


def watermark_pixels(pdf: Path, page: int, tmp_path: Path) -> int:
    """Pixels of the watermark's grey (0.82) on a page rendered without anti-aliasing."""
    subprocess.run(["pdftoppm", "-gray", "-r", "36", "-aa", "no", "-aaVector", "no", "-f", str(page),
                    "-l", str(page), str(pdf), str(tmp_path / "mark")], check=True)  # fmt: skip
    (pgm,) = tmp_path.glob("mark*.pgm")
    pixels = pgm.read_bytes().split(maxsplit=4)[4]
    pgm.unlink()
    return sum(1 for p in pixels if abs(p - 209) <= 3)


def test_demo_sheet_is_marked_on_every_page_and_a_real_one_is_not(terminal, tmp_path):
    village = busiest(terminal, 2024)
    assert Village.get_by_id(village).is_demo
    demo = tmp_path / "demo.pdf"
    notices.preview_notice(village, 2024, demo)
    pages = pages_of(demo)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdftext(demo, "-f", str(page), "-l", str(page))
        assert "演示数据：" in text, page  # the footer
        assert watermark_pixels(demo, page, tmp_path) > 500, page  # the diagonal mark

    Village.update(is_demo=False).where(Village.code == village).execute()
    real = tmp_path / "real.pdf"
    notices.preview_notice(village, 2024, real)
    for page in range(1, pages_of(real) + 1):
        assert "演示" not in pdftext(real, "-f", str(page), "-l", str(page)), page
        assert watermark_pixels(real, page, tmp_path) < 50, page


# --- 5. the selected item only -----------------------------------------------------------


@pytest.mark.parametrize("how", ["preview", "prepare"])
def test_a_sheet_for_one_item_holds_only_that_item(how, terminal, tmp_path):
    village = busiest(terminal, 2024)
    everything = payouts.village_payouts(village, 2024)
    counts = Counter(row.item_code for row in everything.rows)
    items = {i.code: i for i in everything.items}
    code = min(counts, key=lambda c: (counts[c], c))  # a small item among many
    others = [items[c] for c in counts if c != code]
    out = tmp_path / "one.pdf"
    render = notices.preview_notice if how == "preview" else notices.prepare_notice
    prepared = render(village, 2024, out, code, notices.NoticeOptions(per_item=True))
    text = flat(out)
    item = items[code]
    assert prepared.title.endswith(f"{item.name}发放结果公示") and prepared.title in text
    assert re.search(f"现将本村2024年度{item.name}实际发放结果予以公示。本村共发放补贴\\s*1\\s*项", text)
    for doc in docs(item.basis):
        assert doc in text
    rest = text  # without the item's own basis, which may name other items (残疾人 补贴)
    for doc in docs(item.basis):
        rest = rest.replace(doc, "")
    for other in others:
        assert other.name not in rest, other.name
        for doc in docs(other.basis):
            if doc not in item.basis:
                assert doc not in text, (other.name, doc)
    ids = re.findall(r"371522\*{8}[\dX]{4}", text)
    assert len(ids) == counts[code]
    assert f"合计：{counts[code]} 条" in text
