"""The 政策找人 申办清单 as a villager takes it home, read back from the PDF with poppler: one
page for an ordinary result with every policy's materials, place and phone; the fonts embedded;
a long list flowing on, nothing cut; rare characters drawn from the fallback font."""

import datetime as dt
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from printing.fonts import fonts
from printing.screening import (
    AUTOMATIC_TEXT,
    NONE_FOUND,
    NOTE,
    TITLE,
    ChecklistData,
    ChecklistError,
    ChecklistItem,
    render_checklist,
)

LIKELY = (
    ChecklistItem(
        name="高龄津贴",
        benefit="80至89周岁每人每月100元，90至99周岁每人每月200元，100周岁及以上每人每月500元",
        automatic=True, department="县民政局", place="户籍所在地乡镇（街道）便民服务中心",
        materials="本人身份证、户口簿；首次领取需提供本人社会保障卡或银行卡复印件", phone="0635-7322611",
        time_limit="", reference="《山东省老年人权益保障条例》第三十二条",
    ),
    ChecklistItem(
        name="城乡居民最低生活保障",
        benefit="按家庭月人均收入与低保标准的差额发放，2026年农村低保标准每人每年7680元",
        automatic=False, department="县民政局", place="户籍所在地乡镇（街道）便民服务中心社会救助窗口",
        materials="申请书；家庭成员身份证、户口簿；家庭收入和财产状况说明；授权核对家庭经济状况的书面声明；"
                  "残疾证、病历等（如有）",
        phone="0635-7322611", time_limit="30个工作日内", reference="《社会救助暂行办法》第九条至第十二条",
    ),
    ChecklistItem(
        name="困难残疾人生活补贴", benefit="每人每月142元", automatic=False, department="县残疾人联合会",
        place="户籍所在地乡镇（街道）便民服务中心",
        materials="申请书、第二代残疾人证、身份证、户口簿、低保证或特困供养证、本人银行卡（社保卡）复印件",
        phone="0635-7323355", time_limit="20个工作日",
        reference="《山东省困难残疾人生活补贴和重度残疾人护理补贴实施办法》",
    ),
    ChecklistItem(
        name="重度残疾人护理补贴", benefit="一级残疾人每人每月142元，二级残疾人每人每月95元", automatic=False,
        department="县残疾人联合会", place="户籍所在地乡镇（街道）便民服务中心",
        materials="申请书、第二代残疾人证（残疾等级一级或二级）、身份证、户口簿、本人银行卡（社保卡）复印件，"
                  "委托他人代办的另带代办人身份证",
        phone="0635-7323355", time_limit="20个工作日",
        reference="《山东省困难残疾人生活补贴和重度残疾人护理补贴实施办法》",
    ),
    ChecklistItem(
        name="城乡居民基本养老保险代缴",
        benefit="重度残疾人、低保对象、特困人员由县财政按每人每年100元代缴最低档次保费",
        automatic=True, department="县人力资源和社会保障局", place="户籍所在地乡镇（街道）便民服务中心",
        materials="", phone="0635-7121234", time_limit="", reference="《山东省城乡居民基本养老保险实施办法》",
    ),
    ChecklistItem(
        name="耕地地力保护补贴", benefit="按二轮承包面积每亩125元，打入社会保障卡", automatic=True,
        department="县农业农村局", place="村委会",
        materials="土地承包经营权证或承包合同复印件、身份证、户口簿、社会保障卡（变更承包面积或账户时提供）",
        phone="0635-7328170", time_limit="",
        reference="《财政部 农业农村部关于进一步加强耕地地力保护补贴管理的通知》",
    ),
)  # fmt: skip
TO_ASK = (
    ("医疗救助", "县医疗保障局", "0635-7218855"),
    ("特困人员救助供养", "县民政局", "0635-7322611"),
    ("临时救助", "县民政局", "0635-7322611"),
    ("农村危房改造补助", "县住房和城乡建设局", "0635-7326688"),
)
ORDINARY = ChecklistData(
    printed_on=dt.date(2026, 12, 6), place="莘县燕店镇便民服务中心自助终端", likely=LIKELY, to_ask=TO_ASK,
    rules_as_of="规则更新于2026年12月1日",
)  # fmt: skip


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def write(data: ChecklistData, path: Path) -> Path:
    pdf = render_checklist(data)
    assert pdf.startswith(b"%PDF-")
    path.write_bytes(pdf)
    return path


def flat(text: str) -> str:
    return "".join(text.split())


def text_of(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", "-layout", *pages, str(pdf), "-")


def body(pdf: Path) -> str:
    """Every page's text without its footer and running title, flattened: a row that runs
    over a page break reads on."""
    found = []
    for page in text_of(pdf).split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines and "页共" in flat(lines[-1]):
            lines.pop()
        if lines and flat(lines[0]) == flat(f"{TITLE}（续）"):
            lines.pop(0)
        found.append(flat("".join(lines)))
    return "".join(found)


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)))[1])


def assert_fonts_embedded(pdf: Path) -> list[str]:
    listed = run("pdffonts", str(pdf)).splitlines()[2:]
    assert listed and all(" yes " in row for row in listed), listed  # every font embedded (as glyphs)
    assert any("WenQuanYi" in row for row in listed) and not any("Helvetica" in row for row in listed)
    return listed


def words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, xMax, text) of every word, from ``pdftotext -bbox``."""
    xml = run("pdftotext", "-bbox", str(pdf), "-").replace("<!DOCTYPE", "<!--").replace(
        'DTD/xhtml1-transitional.dtd">', "-->")  # fmt: skip
    ns = "{http://www.w3.org/1999/xhtml}"
    return [(number, float(w.get("xMin")), float(w.get("xMax")), w.text)
            for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{ns}page"), 1)
            for w in page.iter(f"{ns}word")]  # fmt: skip


def body_size(pdf: Path) -> float:
    """The body's type size: the width of a character of the 免申即享 line (all full-width)."""
    ((_, x0, x1, text),) = {w for w in words(pdf) if w[3].endswith(AUTOMATIC_TEXT)}
    return (x1 - x0) / len(text)


def test_an_ordinary_result_is_one_page_with_every_policy_place_material_and_phone(tmp_path):
    pdf = write(ORDINARY, tmp_path / "checklist.pdf")
    assert page_count(pdf) == 1
    assert_fonts_embedded(pdf)
    text = flat(text_of(pdf))
    assert text.startswith(flat(TITLE)) and "第1页共1页" in text  # whitespace dropped: 第 1 页 共 1 页
    for expected in ("2026年12月6日打印", "莘县燕店镇便民服务中心自助终端", "规则更新于2026年12月1日", NOTE,
                     "可能符合的政策（共6项）", "还需核实（可电话咨询）"):  # fmt: skip
        assert flat(expected) in text, expected
    for number, item in enumerate(LIKELY, start=1):
        assert f"{number}．{item.name}" in text, item.name
        for value in (item.benefit, item.materials, item.phone, item.department, item.reference):
            assert flat(value) in text, (item.name, value)
        if item.automatic:
            assert "免申即享" in text
        else:
            assert f"办理地点：{flat(item.place)}" in text and f"办理时限：{item.time_limit}" in text
    assert text.count(AUTOMATIC_TEXT) == sum(item.automatic for item in LIKELY)
    assert "所需材料：" + flat(LIKELY[1].materials) in text  # wrapped by character, read back whole
    for name, department, phone in TO_ASK:
        assert name in text and department in text and phone in text
    assert text.index("还需核实") > text.index(LIKELY[-1].name)
    assert body_size(pdf) >= 11 * 0.99  # bulletin-board readable even when squeezed onto one page


def test_a_short_result_is_printed_in_12_pt(tmp_path):
    pdf = write(replace(ORDINARY, likely=LIKELY[:2], to_ask=TO_ASK[:1]), tmp_path / "short.pdf")
    assert page_count(pdf) == 1
    assert body_size(pdf) == pytest.approx(12, abs=0.05)


def test_lines_never_begin_with_closing_punctuation_nor_split_a_number_from_its_unit(tmp_path):
    pdf = write(ORDINARY, tmp_path / "checklist.pdf")
    lines = [line.strip() for line in text_of(pdf).splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in "，。、；：？！）》」”"]
    assert not [line for line in lines if re.search(r"\d$", line) and not re.search(r"\d{4,}$", line)]


def test_a_long_result_flows_onto_more_pages_and_nothing_is_cut(tmp_path):
    long = replace(ORDINARY, likely=LIKELY * 2)
    pdf = write(long, tmp_path / "long.pdf")
    assert page_count(pdf) == 2
    assert_fonts_embedded(pdf)
    assert flat(text_of(pdf, 1)).endswith("第1页共2页") and flat(text_of(pdf, 2)).endswith("第2页共2页")
    assert flat(text_of(pdf, 2)).startswith(flat(f"{TITLE}（续）"))
    text = body(pdf)
    for number, item in enumerate(long.likely, start=1):
        assert f"{number}．{item.name}" in text
        assert flat(item.materials) in text and item.phone in text
    for name, _, phone in TO_ASK:
        assert name in text and phone in text

    # A policy taller than a page continues on the next: its materials read back whole.
    huge = replace(LIKELY[1], materials="家庭成员身份证、户口簿、收入证明；" * 160)
    pdf = write(replace(ORDINARY, likely=(LIKELY[0], huge)), tmp_path / "huge.pdf")
    pages = page_count(pdf)
    assert pages >= 2 and flat(text_of(pdf, pages)).endswith(f"第{pages}页共{pages}页")
    assert flat(huge.materials) in body(pdf)


def test_no_likely_policy_says_so_and_still_lists_what_to_ask(tmp_path):
    pdf = write(replace(ORDINARY, likely=()), tmp_path / "none.pdf")
    assert page_count(pdf) == 1
    text = flat(text_of(pdf))
    assert NONE_FOUND in text and "可能符合的政策（" not in text
    assert "还需核实（可电话咨询）" in text
    for row in TO_ASK:
        assert all(value in text for value in row)

    pdf = write(replace(ORDINARY, likely=(), to_ask=(), place="", rules_as_of=""), tmp_path / "nothing.pdf")
    text = flat(text_of(pdf))
    assert NONE_FOUND in text and "还需核实" not in text and "2026年12月6日打印" in text


def test_a_long_name_puts_the_phone_on_its_own_line(tmp_path):
    item = replace(LIKELY[2], name="困难残疾人生活补贴和重度残疾人护理补贴（两项补贴合并申请）",
                   department="莘县残疾人联合会康复和教育就业科")  # fmt: skip
    pdf = write(replace(ORDINARY, likely=(item,)), tmp_path / "name.pdf")
    text = flat(text_of(pdf))
    assert flat(item.name) in text
    assert f"咨询电话：{item.phone}（{item.department}）" in text


def test_rare_characters_use_the_fallback_font_and_missing_ones_stop_the_print(tmp_path):
    rare, beyond = "䶮", "\U00020000"  # CJK Ext-A and Ext-B: not in the bundled font
    if fonts().font_for(rare) in (None, fonts().main) or fonts().font_for(beyond) in (None, fonts().main):
        pytest.skip("no fallback font with CJK Ext-A/B on this machine")
    item = replace(LIKELY[1], place=f"燕店镇{rare}庄村便民服务站", department=f"县民政局{beyond}科")
    pdf = write(replace(ORDINARY, likely=(item, *LIKELY[2:])), tmp_path / "rare.pdf")
    listed = assert_fonts_embedded(pdf)
    assert any(re.search(r"[A-Z]{6}\+HanaMin[AB]\s+TrueType\s+\S+\s+yes\s+yes", row) for row in listed)
    text = flat(text_of(pdf))
    assert f"燕店镇{rare}庄村便民服务站" in text  # drawn in the fallback font, extracted as itself
    # reportlab writes no ToUnicode entry beyond U+FFFF (tests/printing/test_printing.py): the
    # character is drawn but not extracted; the rest of the name is text.
    assert "县民政局科" in text

    with pytest.raises(ChecklistError, match="字体中不存在"):
        render_checklist(replace(ORDINARY, to_ask=(("无法显示的字\U0010fffd", "县民政局", "12345"),)))


def test_the_page_renders_to_an_image(tmp_path):
    pdf = write(ORDINARY, tmp_path / "checklist.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True)  # fmt: skip
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
