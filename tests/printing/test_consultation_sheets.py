"""The 意见征集 sheets as a village reads them off the board, read back from the PDF with
poppler: the 征求意见公告 on one page with its period, the ways to comment and a QR code to the
draft; the articles after it; the 意见采纳情况 table across pages with its header on each, and
every reason printed whole."""

import re
import subprocess
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from kiosk.formats.consultation import article_label, consultation_url
from printing.consultation import (
    ARTICLES_MAX_CHARS,
    ArticleResult,
    ConsultationSheet,
    ConsultationSheetError,
    render_notice,
    render_results,
)
from printing.fonts import fonts

A4_HEIGHT, MM = 841.89, 72 / 25.4
URL = consultation_url("https://gk.shenxian.example/verify", "YJ2026-01", 1)
ARTICLES = (
    (1, None, "为加强农村公路养护管理，保障农村公路完好畅通，根据《中华人民共和国公路法》《山东省农村公路"
              "条例》等规定，结合本县实际，制定本办法。"),
    (2, None, "本办法所称农村公路，是指纳入农村公路规划的县道、乡道和村道，包括公路桥梁、隧道和渡口。"),
    (3, 1, "县交通运输局主管全县农村公路养护工作，负责县道的养护，指导乡镇做好乡道、村道的养护。"),
    (3, 2, "乡镇人民政府负责本行政区域内乡道的养护，组织村民委员会做好村道的日常保洁和巡查。"),
    (3, 3, "村民委员会可以通过“一事一议”等方式，组织村民参与村道养护，村民自愿出工的，不得强制摊派。"),
    (4, None, "农村公路养护资金由县财政预算安排，省、市补助资金专款专用；任何单位和个人不得截留、挤占、"
              "挪用。每年养护资金的使用情况，在村务公开栏和县政府网站公开。"),
    (5, None, "县道、乡道每年至少开展一次路况检测评定；村道由乡镇每半年组织一次巡查，发现坑槽、沉陷、"
              "边沟堵塞的，及时安排修复。"),
    (6, None, "在农村公路上设置的标志、标线、护栏和减速带，由养护单位负责维护，损坏的应当在十五日内修复。"),
    (7, None, "禁止在农村公路及公路用地范围内打场晒粮、堆放物品、挖沟引水和设置障碍。"),
    (8, None, "因自然灾害导致农村公路中断的，乡镇人民政府应当及时组织抢修，并设置绕行标志。"),
    (9, None, "县交通运输局每年对乡镇农村公路养护工作进行考核，考核结果向社会公布，并与下一年度养护资金"
              "分配挂钩。"),
    (10, None, "本办法自2027年1月1日起施行，有效期五年。"),
)  # fmt: skip


def sample_sheet(**changes) -> ConsultationSheet:
    """A draft of ordinary length, as the terminal would pass it (labels and dates formatted)."""
    sheet = ConsultationSheet(
        title="莘县农村公路养护管理办法（征求意见稿）", code="YJ2026-01", version=1,
        decision_title="制定《莘县农村公路养护管理办法》", department="县交通运输局",
        background="农村公路建成后养护责任不清，部分路段破损多年无人修；养护资金来源单一，村里出钱出工"
                   "缺少规矩。为了让群众出行更方便，县里决定制定本办法。",
        summary="明确县、乡镇、村三级养护责任和资金来源：县道由县交通运输局养护，乡道由乡镇养护，村道由村"
                "委会组织日常保洁；养护资金纳入县财政预算，每年公开使用情况；建立考核制度。",
        affects="全县各村村民、村民委员会、乡镇人民政府、县交通运输局",
        opens_on="2026-11-01", closes_on="2026-11-30", period_days=30, short_reason="",
        phone="0635-7321234", address="莘县交通运输局法规科（莘县燕塔街道莘亭路88号，邮编252400）",
        meetings="2026年11月20日上午9点，县交通运输局三楼会议室，欢迎村民代表参加", signed=False,
        qr_url=URL, articles=tuple((article_label(a, c), text) for a, c, text in ARTICLES),
    )  # fmt: skip
    return replace(sheet, **changes)


REASON = ("该意见提出增加村级养护员补贴，经测算，按公路里程核定补贴标准所需资金约占县级养护资金的三成，"
          "县财政难以全部承担。本办法第四条已明确省、市补助资金专款专用，下一步将在实施细则中研究村级"
          "养护员补贴的具体办法，并结合年度考核结果逐步提高标准。")  # fmt: skip


def many_results(count: int = 60) -> tuple[ArticleResult, ...]:
    """``count`` articles' results: short reasons, none, and a few very long ones."""
    outcomes = ("采纳", "部分采纳", "未采纳")
    found = []
    for n in range(1, count):
        reason = (f"第{n}号：" + REASON * (4 if n % 17 == 0 else 1)) if n % 4 else ""
        agree, disagree = n % 3, n % 2
        found.append(ArticleResult(article_label(n), n % 9 + 1, agree, disagree, n % 9 + 1 - agree - disagree,
                                   outcomes[n % 3], reason))  # fmt: skip
    whole = "已在第三条中增加村民自愿出工的规定。"
    found.append(ArticleResult(article_label(0), 12, 7, 2, 3, "部分采纳", whole))
    return tuple(found)


def results_sheet(**changes) -> ConsultationSheet:
    outcome = "经县政府第12次常务会议审议通过，自2027年1月1日起施行。"
    return sample_sheet(results=many_results(), results_published_on="2026-12-20", decided_on="2026-12-15",
                        decision_outcome=outcome, **changes)  # fmt: skip


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def layout(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", "-layout", *pages, str(pdf), "-")


def flat(text: str) -> str:
    return "".join(text.split())


def body(pdf: Path) -> str:
    """The text of every page without its footer and running title, flattened: a paragraph
    that runs over a page break reads on."""
    pages = []
    for page in layout(pdf).split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines and "页共" in flat(lines[-1]):
            lines.pop()
        if lines and lines[0].strip().endswith("（续）"):
            lines.pop(0)
        pages.append(flat("".join(lines)))
    return "".join(pages)


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)))[1])


def assert_fonts_embedded(pdf: Path) -> None:
    listed = run("pdffonts", str(pdf)).splitlines()[2:]
    assert listed and all(" yes " in row for row in listed), listed  # every font embedded (as glyphs)
    assert any("WenQuanYi" in row for row in listed)


def words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, xMin, yMin, xMax, text) of every word, from ``pdftotext -bbox`` (in its block order)."""
    xml = run("pdftotext", "-bbox", str(pdf), "-").replace("<!DOCTYPE", "<!--").replace(
        'DTD/xhtml1-transitional.dtd">', "-->")  # fmt: skip
    found = []
    ns = "{http://www.w3.org/1999/xhtml}"
    for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{ns}page"), 1):
        for w in page.iter(f"{ns}word"):
            found.append((number, float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), w.text))
    return found


def qr_of(pdf: Path, page: int, scratch: Path) -> str:
    run("pdftoppm", "-png", "-r", "200", "-f", str(page), "-l", str(page), str(pdf), str(scratch / "qr"))
    (png,) = scratch.glob("qr*.png")
    decoded = run("zbarimg", "-q", "--raw", str(png)).strip()
    png.unlink()
    return decoded


def test_the_notice_is_one_page_that_says_when_and_how_to_comment(tmp_path):
    sheet = sample_sheet()
    result = render_notice(sheet, tmp_path / "notice.pdf")
    pdf = tmp_path / "notice.pdf"
    assert result.notice_pages == 1 and result.articles_printed and result.pages == page_count(pdf) >= 2
    assert_fonts_embedded(pdf)
    first = layout(pdf, 1)
    assert first.lstrip().startswith("征求意见公告")
    text = flat(first)
    for expected in ("《莘县农村公路养护管理办法（征求意见稿）》", "草案编号YJ2026-01第1版",
                     "征求意见时间：2026年11月1日至2026年11月30日（共30天）", "一、起草背景",
                     sheet.background, "二、主要内容", sheet.summary, "三、涉及对象", sheet.affects,
                     "四、怎样发表意见", "便民服务中心的查询机上，点“意见征集”", "逐条发表意见",
                     "0635-7321234", flat(sheet.address), flat(sheet.meetings), "发表意见无须署名",
                     "扫描二维码可阅读草案全文", "扫同一个二维码可查看意见采纳情况",
                     "县交通运输局", "2026年11月1日"):  # fmt: skip
        assert expected in text, expected
    assert "第一条" not in text  # the articles follow the notice, on their own pages
    assert "少于30天" not in text  # a full period needs no reason
    assert qr_of(pdf, 1, tmp_path) == URL

    text = body(pdf)
    rest = text[text.index("《莘县农村公路养护管理办法（征求意见稿）》全文"):]
    for label, article in sheet.articles:
        assert flat(f"{label}　{article}") in rest, label
    assert rest.index("第三条第一款") < rest.index("第三条第二款") < rest.index("第十条")
    for page in range(3, result.pages + 1):  # pages after the articles' first carry the title
        assert layout(pdf, page).lstrip().startswith("《莘县农村公路养护管理办法（征求意见稿）》全文（续）")


def test_no_line_begins_with_closing_punctuation(tmp_path):
    """Chinese line breaking: a line never starts with "，" or "。" (reportlab's own CJK wrap
    would), and a date or phone number is not split."""
    long = "为了让群众出行更方便，" * 30 + "电话0635-7321234，地址莘县燕塔街道，日期2026年11月30日。"
    pdf = tmp_path / "notice.pdf"
    render_notice(sample_sheet(background=long, summary=long), pdf)
    lines = [line.strip() for line in layout(pdf).splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in "，。、；：？！）》」”"]
    assert not [line for line in lines if line[-1] in "（《「“"]
    text = layout(pdf)
    assert "0635-7321234" in text and "2026年11月30日" in text


def test_a_short_period_says_why_and_a_signed_draft_asks_for_names(tmp_path):
    pdf = tmp_path / "short.pdf"
    reason = "春耕前须确定养护责任，时间紧迫"
    render_notice(sample_sheet(closes_on="2026-11-15", period_days=15, short_reason=reason, signed=True), pdf)
    text = flat(layout(pdf, 1))
    assert "2026年11月1日至2026年11月15日（共15天）" in text
    assert f"征求意见期少于30天的原因：{reason}" in text
    assert "须署真实姓名" in text and "无须署名" not in text


def test_a_long_explanation_shrinks_the_type_before_it_leaves_the_page(tmp_path):
    normal, longer = tmp_path / "normal.pdf", tmp_path / "longer.pdf"
    render_notice(sample_sheet(), normal, articles=False)
    sheet = sample_sheet(background=sample_sheet().background * 4, summary=sample_sheet().summary * 3)
    assert render_notice(sheet, longer, articles=False).pages == 1
    text = flat(layout(longer))
    assert flat(sheet.background) in text and flat(sheet.summary) in text

    sizes = []
    for pdf in (normal, longer):  # the body's type size: the width of a character of 涉及对象
        ((_, x0, _, x1, text),) = [w for w in words(pdf) if w[4].startswith("全县各村村民")]
        sizes.append((x1 - x0) / len(text))
    assert sizes[0] > sizes[1] >= 10.5 * 0.99

    # Too long even in small type: nothing is cut, the notice flows on.
    huge = sample_sheet(background="农村公路建成后养护责任不清。" * 140, summary="明确三级养护责任。" * 200)
    result = render_notice(huge, tmp_path / "huge.pdf", articles=False)
    assert result.pages == result.notice_pages > 1
    text = body(tmp_path / "huge.pdf")
    assert flat(huge.background) in text and flat(huge.summary) in text
    assert "征求意见公告（续）" in flat(layout(tmp_path / "huge.pdf", 2))


def test_articles_too_long_for_paper_are_left_to_the_screen(tmp_path):
    long = tuple((article_label(n), "农村公路养护责任。" * 40) for n in range(1, 40))
    assert sum(len(t) for _, t in long) > ARTICLES_MAX_CHARS
    pdf = tmp_path / "notice.pdf"
    result = render_notice(sample_sheet(articles=long), pdf)
    assert (result.pages, result.articles_printed) == (1, False)
    assert "草案全文可在查询机“意见征集”中阅读" in flat(layout(pdf))


def test_results_run_over_pages_with_the_header_on_each_and_every_reason_whole(tmp_path):
    sheet = results_sheet()
    pdf = tmp_path / "results.pdf"
    pages = render_results(sheet, pdf)
    assert pages == page_count(pdf) >= 3
    assert_fonts_embedded(pdf)
    for page in range(1, pages + 1):
        text = flat(layout(pdf, page))
        for header in ("条款", "收到", "赞成/不赞成", "采纳情况", "理由"):
            assert header in text, (page, header)
        if page > 1:
            running = "《莘县农村公路养护管理办法（征求意见稿）》意见采纳情况（续）"
            assert layout(pdf, page).lstrip().startswith(running)
    text = flat(layout(pdf))
    total = sum(r.received for r in sheet.results)
    assert f"共收到意见{total}条" in text
    for result in sheet.results:
        assert result.label in text
    assert "2026年12月15日作出决策。经县政府第12次常务会议审议通过" in text
    assert "公布日期：2026年12月20日" in text
    assert qr_of(pdf, pages, tmp_path) == URL

    # The 理由 column read top to bottom, page after page, holds every reason in full and in
    # order: wrapped, continued on the next page when long, never cut.
    found = words(pdf)
    edge = max(x1 for _, _, _, x1, text in found if text in {"采纳", "部分采纳", "未采纳", "采纳情况"})
    top = {page: y for page, _, y, _, text in found if text == "理由"}  # the header on each page
    bottom = next(y for _, _, y, _, text in found if text == "合计")
    column = [text for page, x0, y, _, text in sorted(found, key=lambda w: (w[0], w[2], w[1]))
              if x0 > edge and page in top and y > top[page] + 1 and (page < max(top) or y < bottom)
              and y < A4_HEIGHT - 20 * MM]  # fmt: skip
    assert len(top) == pages - (pages > max(top))
    assert "".join(column) == "".join(flat(r.reason) for r in sheet.results)
    assert any(r.reason.count(REASON) == 4 for r in sheet.results)


def test_a_draft_with_no_comments_says_so(tmp_path):
    pdf = tmp_path / "none.pdf"
    assert render_results(sample_sheet(results_published_on="2026-12-20"), pdf) == 1
    text = flat(layout(pdf))
    assert "征求意见期间未收到意见" in text and "理由" not in text and "决策结果" not in text


def test_rare_characters_use_the_fallback_font_and_missing_ones_stop_the_print(tmp_path):
    rare = "\U00020000"  # CJK Ext-B, not in the bundled font
    if fonts().font_for(rare) in (None, fonts().main):
        pytest.skip("no fallback font with CJK Ext-B on this machine")
    pdf = tmp_path / "rare.pdf"
    render_results(results_sheet(department=f"县交通运输局{rare}科"), pdf)
    assert_fonts_embedded(pdf)
    assert re.search(r"[A-Z]{6}\+HanaMin[AB]\s+TrueType\s+\S+\s+yes\s+yes", run("pdffonts", str(pdf)))
    # reportlab writes no ToUnicode entry beyond U+FFFF (tests/printing/test_printing.py): the
    # character is drawn but not extracted; the rest of the name is text.
    assert "县交通运输局科" in flat(layout(pdf))

    with pytest.raises(ConsultationSheetError, match="字体中不存在"):
        render_notice(sample_sheet(summary="无法显示的字：\U0010fffd"), tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()
