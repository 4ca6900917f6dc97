"""The 意见征集 pages of the county's static site: ``kiosk feed build`` writes one plain page per
draft version (the address the printed 征求意见公告's QR code carries) and a list of them, from
the county's own consultations workbook; every value is escaped, the 采纳情况 and the decision
appear once published, and an unchanged page is not rewritten."""

import csv
import html.parser
import os
from pathlib import Path

import openpyxl
import pytest

from kiosk.county.feed import publisher, template
from kiosk.errors import KnownError
from kiosk.formats import consultation, consultation_book
from kiosk.formats import datasets as ds

SCRIPT = '<script>alert("x")</script>'
BASE = "https://gk.shenxian.example/verify"


def _sheet_rows(book: openpyxl.Workbook, name: str, dataset: ds.Dataset, rows: list[dict]) -> None:
    sheet = book[name] if name in book.sheetnames else book.create_sheet(name, len(book.sheetnames) - 1)
    if sheet.max_row == 0 or sheet.cell(1, 1).value is None:
        sheet.append([c.header for c in dataset.columns])
    for row in rows:
        sheet.append(["" if row.get(c.key) is None else str(row[c.key]) for c in dataset.columns])


@pytest.fixture
def county(tmp_path) -> Path:
    """A county input folder from the templates, its consultations workbook holding two
    decisions (one decided) and three draft versions; one article carries a script."""
    src = tmp_path / "input"
    template.write_templates(src)
    path = src / "consultations.xlsx"
    book = openpyxl.load_workbook(path)
    _sheet_rows(book, consultation.CATALOGUE_SHEET, ds.DECISIONS, [
        {"code": "JC2026-02", "year": 2026, "title": "莘县村级公益事业“一事一议”财政奖补办法 & <b>修订</b>",
         "department": "县财政局", "stage": "已决策", "planned": "2026年第二季度", "decided_on": "2026-05-10",
         "outcome": "县政府常务会议审议通过，自2026年7月1日起施行。\n奖补比例由30%提高到40%。"},
    ])  # fmt: skip
    example = [c.value for c in book[consultation.DRAFTS_SHEET][2]]  # YJ2026-01 第1版
    second = {**dict(zip([c.key for c in ds.DRAFTS.columns], example, strict=True)),
              "opens_on": "2026-12-05", "closes_on": "2027-01-05"}
    _sheet_rows(book, consultation.DRAFTS_SHEET, ds.DRAFTS, [
        {**second, "version": 2, "title": "莘县农村公路养护管理办法（征求意见稿第二版）"},
        {**second, "code": "YJ2026-02", "version": 1, "decision_code": "JC2026-02",
         "title": "“一事一议”奖补办法 <修订稿>", "opens_on": "2026-03-01", "closes_on": "2026-03-20",
         "short_reason": "赶在春季施工前出台", "signed": "是", "address": "", "meetings": ""},
    ])  # fmt: skip
    _sheet_rows(book, consultation.sheet_name("YJ2026-01", 1), consultation_book.ARTICLE_SHEET, [
        {"article": 2, "text": f"村道的日常保洁由村民委员会组织。{SCRIPT}"},
        {"article": 3, "clause": 1, "heading": "第二章 养护责任", "text": "县道由县交通运输局养护。"},
        {"article": 3, "clause": 2, "text": "乡道由乡镇人民政府养护。\n村道由村民委员会养护。"},
    ])  # fmt: skip
    for code, version in (("YJ2026-01", 2), ("YJ2026-02", 1)):
        _sheet_rows(book, consultation.sheet_name(code, version), consultation_book.ARTICLE_SHEET, [
            {"article": 1, "text": f"{code}第{version}版第一条条文。"},
            {"article": 2, "text": f"{code}第{version}版第二条条文。"},
        ])  # fmt: skip
    book.save(path)
    return src


def _adopt(src: Path, rows: list[dict]) -> None:
    with (src / "adoptions.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([c.header for c in ds.ADOPTIONS.columns])
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in ds.ADOPTIONS.columns])


ADOPTIONS = [
    {"draft_code": "YJ2026-01", "version": 1, "article": 2, "received": 5, "agree": 1, "disagree": 1,
     "suggest": 3, "outcome": "部分采纳", "reason": f"保洁由村委会组织，费用不向村民摊派。{SCRIPT}",
     "published_on": "2026-12-20"},
    {"draft_code": "YJ2026-01", "version": 1, "article": 3, "clause": 2, "received": 2, "agree": 0,
     "disagree": 2, "suggest": 0, "outcome": "未采纳", "reason": "村道养护责任须明确到村。",
     "published_on": "2026-12-20"},
    {"draft_code": "YJ2026-01", "version": 1, "article": 0, "received": 4, "agree": 4, "disagree": 0,
     "suggest": 0, "outcome": "采纳", "reason": "", "published_on": "2026-12-20"},
    {"draft_code": "YJ2026-02", "version": 1, "article": 1, "received": 9, "agree": 6, "disagree": 1,
     "suggest": 2, "outcome": "采纳", "reason": "奖补比例提高到40%。", "published_on": "2026-04-01"},
]  # fmt: skip


class _Text(html.parser.HTMLParser):
    """What a reader sees: the text of a page, and its tags."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.links = [], [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        if self.lasttag not in ("style", "title"):
            self.text.append(data)

    def words(self) -> str:
        return "".join("".join(self.text).split())


def _page(feed: Path, code: str, version: int) -> Path:
    return feed / "verify" / consultation.consultation_url("", code, version).lstrip("/")


def test_every_draft_version_gets_a_plain_page_and_the_list_names_them(county, county_keys, tmp_path):
    feed = tmp_path / "feed"
    built = publisher.build_feed(county, county_keys, feed)
    assert (built.verify.consultations, built.verify.consultations_written) == (3, 4)  # 3 pages + the list
    for code, version in (("YJ2026-01", 1), ("YJ2026-01", 2), ("YJ2026-02", 1)):
        url = consultation.consultation_url(BASE + "/", code, version)
        assert url == f"{BASE}/consultations/{code}-v{version}.html"
        page = _page(feed, code, version).read_text(encoding="utf-8")
        parsed = _Text(page)
        assert "script" not in parsed.tags and "<script" not in page.lower()  # no script at all
        assert 'name="viewport"' in page and parsed.words()

    page = _page(feed, "YJ2026-01", 1).read_text(encoding="utf-8")
    seen = _Text(page).words()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the article's script, as text
    for words in ("莘县农村公路养护管理办法（征求意见稿）", "草案编号YJ2026-01，第1版",
                  "起草单位：县交通运输局", "所属决策事项", "莘县农村公路养护管理办法（事项编号JC2026-01）",
                  "决策阶段：征求意见中", "起草背景", "农村公路建成后养护责任不清", "主要内容", "涉及对象",
                  "征求意见时间2026年11月1日至2026年11月30日（共30天）", "怎样发表意见",
                  "点“意见征集”",
                  "0635-7321234", "莘县交通运输局法规科", "座谈会", "无须署名", "草案条文",
                  "第一条为加强农村公路养护管理", f"第二条村道的日常保洁由村民委员会组织。{SCRIPT}",
                  "第二章养护责任", "第三条第一款县道由县交通运输局养护。",
                  "第三条第二款乡道由乡镇人民政府养护。村道由村民委员会养护。",
                  "本草案已有第2版"):  # fmt: skip
        assert "".join(words.split()) in seen, words
    assert "意见采纳情况" not in seen and "决策结果" not in seen  # nothing published yet
    assert 'id="t3-2"' in page and 'href="YJ2026-01-v2.html"' in page

    other = _Text(_page(feed, "YJ2026-02", 1).read_text(encoding="utf-8")).words()
    assert "“一事一议”奖补办法<修订稿>" in other and "须署真实姓名" in other
    assert "（共20天）" in other and "期限说明：赶在春季施工前出台" in other
    assert "莘县村级公益事业“一事一议”财政奖补办法&<b>修订</b>" in other  # the decision's title, as text
    assert "决策结果" in other and "决策日期：2026年5月10日" in other and "奖补比例由30%提高到40%。" in other
    assert "本草案已有" not in other

    listing = (feed / "verify" / "consultations" / "index.html").read_text(encoding="utf-8")
    parsed = _Text(listing)
    assert "script" not in parsed.tags
    # Without a published 采纳情况, the one closing last first (v2 of YJ2026-01 opens in December).
    assert parsed.links == ["YJ2026-01-v2.html", "YJ2026-01-v1.html", "YJ2026-02-v1.html"]
    assert "已有第2版" in parsed.words() and "“一事一议”奖补办法 &lt;修订稿&gt;" in listing


def test_published_adoptions_are_listed_per_article(county, county_keys, tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(county, county_keys, feed)
    first = _page(feed, "YJ2026-01", 2).stat()
    _adopt(county, ADOPTIONS)
    built = publisher.build_feed(county, county_keys, feed)
    assert built.verify.consultations_written == 3  # the two drafts with results, and the list
    assert _page(feed, "YJ2026-01", 2).stat().st_ino == first.st_ino  # untouched

    page = _page(feed, "YJ2026-01", 1).read_text(encoding="utf-8")
    seen = _Text(page).words()
    table = seen[seen.index("意见采纳情况"):]
    assert "公布日期：2026年12月20日。共收到意见11条。" in table
    assert "条款收到意见赞成/不赞成/建议采纳情况理由" in table
    rows = ["第二条51/1/3部分采纳保洁由村委会组织，费用不向村民摊派。" + SCRIPT,
            "第三条第二款20/2/0未采纳村道养护责任须明确到村。", "草案整体44/0/0采纳—"]
    positions = [table.index(row) for row in rows]
    assert positions == sorted(positions)  # in article order, the draft as a whole last
    assert "&lt;script&gt;" in page.split("意见采纳情况")[-1] and "<script" not in page
    assert 'href="#t2"' in page and 'href="#t3-2"' in page
    assert "决策结果" not in seen  # JC2026-01 is not decided yet

    other = _Text(_page(feed, "YJ2026-02", 1).read_text(encoding="utf-8")).words()
    assert "第一条96/1/2采纳奖补比例提高到40%。" in other
    assert other.index("意见采纳情况") < other.index("决策结果")

    listing = _Text((feed / "verify" / "consultations" / "index.html").read_text(encoding="utf-8"))
    assert listing.links == ["YJ2026-01-v2.html", "YJ2026-01-v1.html", "YJ2026-02-v1.html"]
    text = listing.words()
    done = text[text.index("已公布意见采纳情况"):]
    assert "莘县农村公路养护管理办法（征求意见稿）（第1版）" in done and "2026年12月20日公布采纳情况" in done
    assert "征求意见稿第二版" not in done


def test_an_unchanged_build_rewrites_no_page(county, county_keys, tmp_path):
    feed = tmp_path / "feed"
    _adopt(county, ADOPTIONS)
    publisher.build_feed(county, county_keys, feed)
    folder = feed / "verify" / "consultations"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert len(before) == 4
    again = publisher.build_feed(county, county_keys, feed)
    assert (again.verify.consultations, again.verify.consultations_written) == (3, 0)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert after == before

    # A fresh feed from the same input holds the same bytes (no build clock on the pages).
    other = tmp_path / "other"
    publisher.build_feed(county, county_keys, other)
    assert {p.name: p.read_bytes() for p in (other / "verify" / "consultations").iterdir()} == {
        name: data for name, (_, _, data) in before.items()}


def test_a_county_without_consultations_gets_no_folder(county, county_keys, tmp_path):
    (county / "consultations.xlsx").unlink()
    feed = tmp_path / "feed"
    built = publisher.build_feed(county, county_keys, feed)
    assert (built.verify.consultations, built.verify.consultations_written) == (0, 0)
    assert not (feed / "verify" / "consultations").exists()
    assert built.verify.pages >= 1  # the village-year pages as before


def test_a_planted_link_for_the_folder_stops_the_build_before_anything_is_signed(county, county_keys,
                                                                                  tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(county, county_keys, feed)
    folder = feed / "verify" / "consultations"
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    os.symlink(elsewhere, folder)
    versions = sorted(p.name for p in (feed / "metadata").iterdir())
    with pytest.raises(KnownError, match="不是本程序写的文件夹"):
        publisher.build_feed(county, county_keys, feed)
    assert sorted(p.name for p in (feed / "metadata").iterdir()) == versions


def test_a_planted_page_is_replaced_not_read_or_followed(county, county_keys, tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(county, county_keys, feed)
    page, listing = _page(feed, "YJ2026-01", 1), feed / "verify" / "consultations" / "index.html"
    expected = page.read_bytes(), listing.read_bytes()
    secret = tmp_path / "secret.html"
    secret.write_text("county secret", encoding="utf-8")
    page.unlink()
    os.mkfifo(page)  # reading it would hang the build
    listing.unlink()
    listing.symlink_to(secret)
    built = publisher.build_feed(county, county_keys, feed)
    assert built.verify.consultations_written == 2
    assert not page.is_symlink() and not listing.is_symlink()
    assert (page.read_bytes(), listing.read_bytes()) == expected
    assert secret.read_text(encoding="utf-8") == "county secret"
