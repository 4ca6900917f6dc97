"""本人补贴明细 as the villager takes it home, read back from the PDF with poppler: the name and
masked ID, each year's total and items with how they were reckoned, whom to ask; the fonts
embedded; a long record flowing onto more pages with nothing cut; rare characters from the
fallback font, and a character no font has refused before anything is drawn."""

import datetime as dt
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from printing.card import CardItem, CardPayment, CardYear, PayoutCard
from printing.card_pdf import TITLE, CardError, render_card
from printing.fonts import fonts

FARM = CardItem("耕地地力保护补贴", "1,380.60",
                (CardPayment("10.62亩 × 130.00元/亩", "1,380.60", "2025年5月14日发放"),))  # fmt: skip
GRAIN = CardItem("实际种粮农民一次性补贴", "138.06",
                 (CardPayment("10.62亩 × 13.00元/亩", "138.06", "2025年7月5日发放", "补发"),))  # fmt: skip
CARD = PayoutCard(
    name="陈银梓", id_masked="371522********1102", place="燕塔街道 · 大唐口村",
    years=(CardYear(2025, "1,518.66", (FARM, GRAIN)),
           CardYear(2024, "1,489.46", (replace(FARM, amount="1,354.05"), replace(GRAIN, amount="135.41")))),
    ask=(("燕塔街道便民服务中心", "0635-7100303"), ("政务服务便民热线", "12345")), data_as_of="2026年12月6日",
)  # fmt: skip
PRINTED = dt.date(2026, 12, 6)


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def text_of(pdf: Path) -> str:
    """The text in reading order, without spaces (-layout: a long page's lines stay in order)."""
    return re.sub(r"\s", "", run("pdftotext", "-layout", str(pdf), "-"))


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)))[1])


def test_the_card_prints_the_name_each_year_and_how_each_amount_was_reckoned(tmp_path):
    pdf = render_card(CARD, tmp_path / "card.pdf", PRINTED)
    text = text_of(pdf)
    assert page_count(pdf) == 1
    for said in (TITLE, "燕塔街道·大唐口村", "陈银梓", "371522********1102", "2025年共领取补贴", "1,518.66元",
                 "2024年共领取补贴", "1,489.46元", "耕地地力保护补贴", "1,380.60元", "10.62亩×130.00元/亩",
                 "2025年5月14日发放", "补发", "燕塔街道便民服务中心0635-7100303", "政务服务便民热线12345",
                 "数据更新于2026年12月6日", "2026年12月6日打印"):  # fmt: skip
        assert said in text, said
    assert text.index("2025年共领取补贴") < text.index("2024年共领取补贴")  # newest first
    # An item paid once: its amount is said once, beside its name, not again on its line.
    assert text.count("1,380.60") == 1
    listed = run("pdffonts", str(pdf)).splitlines()[2:]
    assert listed and all(" yes " in row for row in listed) and any("WenQuanYi" in row for row in listed)


def test_an_item_paid_monthly_lists_every_payment_and_a_long_record_flows_on_uncut(tmp_path):
    months = tuple(CardPayment("1人·月 × 465.00元/人·月", "465.00", f"2025年{m}月10日发放")
                   for m in range(1, 13))  # fmt: skip
    pension = CardItem("城乡居民基本养老保险", "5,580.00", months)
    years = tuple(CardYear(year, "9,999.00", (FARM, pension, GRAIN)) for year in range(2025, 2019, -1))
    pdf = render_card(replace(CARD, years=years), tmp_path / "long.pdf", PRINTED)
    text = text_of(pdf)
    assert page_count(pdf) > 1
    assert text.count("2025年1月10日发放465.00元1人·月×465.00元/人·月") == 6  # every year's January
    for year in range(2020, 2026):
        assert f"{year}年共领取补贴" in text
    assert f"{TITLE}（续）" in text and "第2页" in text
    # A page that begins among an item's payments names the item again.
    assert "城乡居民基本养老保险（续）" in text
    assert "以村公示栏公示结果为准" in text


def test_a_demo_card_says_so_on_every_page(tmp_path):
    pdf = render_card(replace(CARD, demo=True), tmp_path / "demo.pdf", PRINTED)
    assert "演示数据：姓名、号码均为虚构" in text_of(pdf)


def test_rare_characters_use_the_fallback_font_and_missing_ones_stop_the_print(tmp_path):
    rare = "䶮"  # CJK Ext-A: not in the bundled font
    if fonts().font_for(rare) in (None, fonts().main):
        pytest.skip("no fallback font with CJK Ext-A on this machine")
    pdf = render_card(replace(CARD, name=f"王{rare}"), tmp_path / "rare.pdf", PRINTED)
    assert f"王{rare}" in text_of(pdf)
    assert any("HanaMin" in row for row in run("pdffonts", str(pdf)).splitlines())
    out = tmp_path / "never.pdf"
    with pytest.raises(CardError, match="字体中不存在"):
        render_card(replace(CARD, name="王\U0010fffd"), out, PRINTED)
    assert not out.exists()  # refused before the file was begun


def test_the_card_renders_to_an_image(tmp_path):
    pdf = render_card(CARD, tmp_path / "card.pdf", PRINTED)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True)  # fmt: skip
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
