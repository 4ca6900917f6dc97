"""A deterministic demo county: the real 莘县 towns with generated villages and villagers.

Everything generated is plainly demo data (villages carry 演示数据 in their remark; names
and numbers are random). It writes the spreadsheets a county would export, so that the
demo exercises the real import path. The same seed always gives the same files; each
village and each (town, year) is seeded on its own, so changing the size of one part does
not reshuffle the rest.
"""

import csv
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.formats.datasets import DECISIONS, DEMO_MARK, DRAFTS, PAYOUTS, VILLAGES
from kiosk.formats.spreadsheet import write_csv, write_xlsx
from kiosk.paths import resource

YEARS = (2023, 2024, 2025)
HOUSEHOLDS_PER_VILLAGE = 220
MIN_VILLAGES_PER_TOWN = 6
REFERENCE_FILES = (
    "towns.csv", "subsidy_items.csv", "catalogue_domains.csv", "catalogue_entries.csv",
    "qa.csv", "documents.csv", "guides.csv", "contacts.csv", "work_calendar.csv",
)  # fmt: skip

# Relative number of villages per town: 朝城 (97) and 古城 (67) are known; 街道 have fewer.
_TOWN_WEIGHT = {"371522102": 97, "371522104": 67}
_STREET_WEIGHT, _TOWN_DEFAULT_WEIGHT = 20, 45

_SURNAMES = (
    "王王王张张张李李李刘刘赵赵孙孙杨杨陈马徐郭宋高朱董田曹贾崔吕任冯韩魏袁郑于"
    "许薛侯周吴胡程范邢石黄梁谢唐曾单翟解"
)
_GIVEN = (
    "国建明华秀兰英玉文春海军红丽伟强磊芳敏静桂荣凤霞志勇俊杰平刚林峰成广庆福"
    "德振兴宝山金银秋云淑珍凤琴爱梅新民利学胜永长立洪涛佳欣宇浩然子涵梓"
)
_VILLAGE_STEMS = ("庄", "楼", "屯", "集", "寨", "店", "营", "堂", "园", "口", "坊", "堤")
_VILLAGE_PREFIXES = ("", "", "", "前", "后", "东", "西", "南", "北", "大", "小", "新")


@dataclass(frozen=True)
class ItemRule:
    """How often an item occurs per household and how its quantity is drawn."""

    name: str
    unit: str
    per_household: float  # expected rows per household per year
    standard_fen: int
    month: int  # month paid (12: year-end summary of monthly payments)


_RULES = (
    ItemRule("耕地地力保护补贴", "亩", 0.92, 12_500, 5),
    ItemRule("实际种粮农民一次性补贴", "亩", 0.85, 1_250, 7),
    ItemRule("农机购置补贴", "台", 0.01, 350_000, 9),
    ItemRule("能繁母猪补贴", "头", 0.02, 10_000, 10),
    ItemRule("城乡低保", "人·月", 0.03, 42_000, 12),
    ItemRule("临时救助", "次", 0.012, 100_000, 11),
    ItemRule("特困人员救助供养金", "人·月", 0.015, 70_000, 12),
    ItemRule("困难残疾人生活补贴", "人·月", 0.06, 13_000, 12),
    ItemRule("重度残疾人护理补贴", "人·月", 0.05, 15_000, 12),
    ItemRule("高龄津贴", "人·月", 0.2, 10_000, 12),
    ItemRule("农村部分计划生育家庭奖励扶助金", "人·年", 0.15, 96_000, 6),
    ItemRule("计划生育家庭特别扶助金", "人·月", 0.004, 59_000, 12),
    ItemRule("重点优抚对象抚恤补助", "人·月", 0.02, 120_000, 12),
    ItemRule("孤儿基本生活费", "人·月", 0.002, 130_000, 12),
)


@dataclass
class DemoSummary:
    villages: int
    households: int
    payout_rows: int
    files: int


@dataclass
class _Village:
    town_code: str
    town_name: str
    code: str
    name: str
    households: int


def generate(out: Path, households: int = 5_000, seed: int = 1, fmt: str = "xlsx",
             today: dt.date | None = None) -> DemoSummary:
    """Write the demo county's spreadsheets into ``out`` (created; must be empty or new).

    Args:
        households: rural households in the county (~250,000 is county scale).
        seed: the same seed gives byte-identical CSV files.
        fmt: ``xlsx`` or ``csv`` for the payout files (reference tables are CSV).
        today: the consultations' periods are set around it (one open, one closed).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE_FILES:
        shutil.copyfile(resource("county", name), out / name)
    write_consultations(out, today or dt.date.today())
    towns = _read_towns()
    villages = _villages(towns, households, seed)
    write_csv(
        out / "villages.csv",
        [c.header for c in VILLAGES.columns],
        [[v.town_code, v.code, v.name, DEMO_MARK] for v in villages],
    )
    rows = 0
    files = 0
    writer = write_xlsx if fmt == "xlsx" else write_csv
    for town_code, town_name in towns:
        in_town = [v for v in villages if v.town_code == town_code]
        for year in YEARS:
            table = [r for v in in_town for r in _payout_rows(v, year, seed)]
            if table:
                path = out / "payouts" / f"{year}_{town_code}_{town_name}.{fmt}"
                writer(path, [c.header for c in PAYOUTS.columns], table)
                rows += len(table)
                files += 1
    return DemoSummary(len(villages), sum(v.households for v in villages), rows, files)


# 意见征集: one consultation open now, one closed and decided (its comments and 采纳情况 are
# made through the real way back by kiosk demo), one decision not yet drafted. Dates are
# relative to ``today``: a demo built on any day has one consultation open.
_ROAD_ARTICLES = (
    (1, None, "第一章 总则", "为加强农村公路养护管理，保障农村公路完好、安全、畅通，根据《公路法》"
     "和省有关规定，结合本县实际，制定本办法。"),
    (2, None, "", "本办法所称农村公路，是指纳入农村公路规划的县道、乡道和村道。"),
    (3, 1, "第二章 养护责任", "县交通运输局负责全县农村公路养护的监督管理。"),
    (3, 2, "", "乡镇人民政府负责本辖区乡道、村道的养护管理，可以设立乡镇公路管理站。"),
    (3, 3, "", "村民委员会负责村道的日常保洁和巡查，发现路面破损、路肩塌陷等情况，应当及时报告"
     "乡镇人民政府。"),
    (4, None, "", "村道日常保洁可以采取设立公益性岗位、村民认领路段等方式，优先安排本村脱贫户和"
     "低收入人口。"),
    (5, None, "第三章 资金保障", "县财政每年按县道每公里不低于1万元、乡道每公里不低于5000元、"
     "村道每公里不低于3000元的标准安排养护资金。"),
    (6, None, "", "禁止在农村公路上打场晒粮、堆放杂物、挖沟引水。违反的，由乡镇人民政府责令改正。"),
    (7, None, "第四章 附则", "本办法自2027年1月1日起施行，有效期五年。"),
)
_SCHOOL_ARTICLES = (
    (1, None, "", "按照“小学就近入学、初中适当集中”的原则，2027年前完成全县义务教育学校布局调整。"),
    (2, None, "", "学生人数少于50人且与邻村学校距离不超过2公里的村小学，并入邻近中心小学。"),
    (3, None, "", "并校后上学距离超过3公里的学生，由县教育和体育局统一安排校车接送，费用由县财政承担。"),
    (4, None, "", "撤并后的校舍优先改建为幼儿园、村综合文化服务中心或老年人日间照料中心。"),
)
_DECISIONS_HEADERS = [c.header for c in DECISIONS.columns]


def write_consultations(out: Path, today: dt.date) -> Path:
    """``consultations.xlsx`` of the demo county, the way a clerk fills the template."""
    import openpyxl

    year = today.year
    decided_on = today - dt.timedelta(days=15)
    decisions = [
        [f"JC{year}-01", year, "莘县农村公路养护管理办法", "县交通运输局", "征求意见中",
         f"{year + 1}年第一季度", "", ""],
        [f"JC{year}-02", year, "莘县义务教育学校布局调整方案", "县教育和体育局", "已决策", "",
         decided_on.isoformat(), "经县政府常务会议研究，同意实施布局调整方案；采纳群众意见，将并校后"
         "校车接送范围由3公里调整为2公里，撤并校舍优先用作幼儿园。"],
        [f"JC{year}-03", year, "莘县城乡供水一体化提升方案", "县水利局", "拟决策",
         f"{year + 1}年第二季度", "", ""],
    ]  # fmt: skip
    drafts = [
        [f"YJ{year}-01", 1, f"JC{year}-01", "莘县农村公路养护管理办法（征求意见稿）",
         "全县农村公路已通到每个村，但建成后养护责任不清，部分路段破损多年无人修。",
         "明确县、乡镇、村三级养护责任和养护资金标准，村道由村委会组织日常保洁，禁止在公路上打场晒粮。",
         "全县各村村民、村民委员会、乡镇人民政府", (today - dt.timedelta(days=6)).isoformat(),
         (today + dt.timedelta(days=29)).isoformat(), "", "县交通运输局", "0635-7321234",
         "莘县交通运输局法规科（莘县莘亭街道，邮编252400）",
         f"{today + dt.timedelta(days=14):%Y年%m月%d日}上午9点 县交通运输局三楼会议室，"
         "各村可派代表参加", "否"],
        [f"YJ{year}-02", 1, f"JC{year}-02", "莘县义务教育学校布局调整方案（征求意见稿）",
         "部分村小学学生不足50人，师资和设施难以保障教学质量。",
         "小规模村小学并入邻近中心小学，远距离学生由校车接送，撤并校舍改作幼儿园或文化活动场所。",
         "有义务教育阶段子女的家庭、相关村", (today - dt.timedelta(days=80)).isoformat(),
         (today - dt.timedelta(days=46)).isoformat(), "", "县教育和体育局", "0635-7325678", "", "", "否"],
    ]  # fmt: skip
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, headers, rows in (("事项目录", _DECISIONS_HEADERS, decisions),
                                ("草案", [c.header for c in DRAFTS.columns], drafts)):  # fmt: skip
        sheet = book.create_sheet(name)
        sheet.append(headers)
        for row in rows:
            sheet.append([str(v) for v in row])
    for code, articles in ((f"YJ{year}-01", _ROAD_ARTICLES), (f"YJ{year}-02", _SCHOOL_ARTICLES)):
        sheet = book.create_sheet(f"{code}第1版")
        sheet.append(["条", "款", "章节", "条文"])
        for article, clause, heading, text in articles:
            sheet.append([str(article), "" if clause is None else str(clause), heading, text])
    book.properties.creator = "演示县"
    path = out / "consultations.xlsx"
    book.save(path)
    _fix_times(path, dt.datetime.combine(today, dt.time()))
    return path


def _fix_times(path: Path, when: dt.datetime) -> None:
    """The workbook as the same bytes on every run of the same day: openpyxl stamps the save
    time into docProps/core.xml and every zip entry."""
    import re
    import zipfile

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(zipfile.ZipInfo(info.filename, when.timetuple()[:6]), data,
                            zipfile.ZIP_DEFLATED)


def _read_towns() -> list[tuple[str, str]]:
    with resource("county", "towns.csv").open(encoding="utf-8") as f:
        return [(r["乡镇代码"], r["乡镇名称"]) for r in csv.DictReader(f)]


def _villages(towns: list[tuple[str, str]], households: int, seed: int) -> list[_Village]:
    # Even a small demo gives every town a handful of villages to choose from.
    count = max(len(towns) * MIN_VILLAGES_PER_TOWN, round(households / HOUSEHOLDS_PER_VILLAGE))
    weights = [
        _TOWN_WEIGHT.get(code, _STREET_WEIGHT if name.endswith("街道") else _TOWN_DEFAULT_WEIGHT)
        for code, name in towns
    ]
    total = sum(weights)
    per_town = [max(MIN_VILLAGES_PER_TOWN // 2, round(count * w / total)) for w in weights]
    villages = []
    for (code, name), n in zip(towns, per_town, strict=True):
        rng = random.Random(f"{seed}:villages:{code}")
        names: set[str] = set()
        while len(names) < n:
            names.add(_village_name(rng))
        for i, village_name in enumerate(sorted(names)):
            size = max(20, int(rng.gauss(households / count, households / count / 3)))
            villages.append(_Village(code, name, f"{code}{200 + i:03d}", village_name, size))
    return villages


def _village_name(rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES)
    form = rng.random()
    if form < 0.4:
        return f"{rng.choice(_VILLAGE_PREFIXES)}{surname}{rng.choice(_VILLAGE_STEMS)}村"
    if form < 0.7:
        return f"{surname}家{rng.choice(_VILLAGE_STEMS)}村"
    given, stem = rng.choice(_GIVEN), rng.choice(_VILLAGE_STEMS)
    return f"{rng.choice(_VILLAGE_PREFIXES)}{surname}{given}{stem}村"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _person(rng: random.Random, surname: str) -> tuple[str, str, str]:
    """A generated name, 18-character ID number and card number, as the county exports them.

    The check character is deliberately wrong (GB 11643), so a generated number can never
    be a real person's; the feed builder masks it to first 6 + last 4 like any other.
    """
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
    body = f"371522{born:%Y%m%d}{rng.randrange(1000):03d}"
    valid = _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    check = rng.choice([c for c in "0123456789X" if c != valid])
    return surname + given, body + check, _card(rng)


def _card(rng: random.Random) -> str:
    """A 19-digit 社保卡/一卡通 number that fails the Luhn check, so it is nobody's card."""
    body = "6217" + "".join(str(rng.randrange(10)) for _ in range(14))
    total = sum(
        d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2)
        for i, d in enumerate(int(c) for c in reversed(body))
    )
    valid = (10 - total % 10) % 10
    return body + str((valid + 1 + rng.randrange(9)) % 10)


def _payout_rows(village: _Village, year: int, seed: int) -> list[list[object]]:
    # Households are the same every year (seeded by village); what they receive varies.
    people = random.Random(f"{seed}:people:{village.code}")
    homes = []
    for _ in range(village.households):
        surname = people.choice(_SURNAMES)
        head = _person(people, surname)
        members = [_person(people, surname) for _ in range(people.randint(1, 4))]
        area = round(people.uniform(1.5, 14.0), 2)
        homes.append((head, members, area, people.random()))
    rng = random.Random(f"{seed}:payouts:{village.code}:{year}")
    growth = 1 + 0.02 * (year - YEARS[0])
    rows = []
    for head, members, area, luck in homes:
        for rule in _RULES:
            if rng.random() >= rule.per_household:
                continue
            name, id_number, card = head if rule.unit in ("亩", "台", "头", "次") else rng.choice(
                [head, *members]
            )
            quantity, standard = _quantity_and_standard(rule, area, luck, rng, growth)
            amount = (quantity * standard + 50) // 100  # hundredths x fen -> fen, half up
            paid_on = dt.date(year, rule.month, rng.randint(5, 25))
            remark = "补发上年2个月" if rule.unit == "人·月" and rng.random() < 0.01 else ""
            rows.append([
                year, village.town_name, village.name, village.code, name, id_number, rule.name,
                quantity / 100, rule.unit, standard / 100, amount / 100, paid_on,
                f"{year}年度", card, remark,
            ])  # fmt: skip
    return rows


def _quantity_and_standard(rule: ItemRule, area: float, luck: float, rng: random.Random,
                           growth: float) -> tuple[int, int]:
    """(quantity in hundredths, standard in fen) for one row."""
    standard = round(rule.standard_fen * growth)
    if rule.unit == "亩":
        return round(area * 100), standard
    if rule.unit == "台":
        return 100, rng.choice((1_500, 4_800, 12_000, 35_000)) * 100
    if rule.unit == "头":
        return rng.randint(2, 20) * 100, rule.standard_fen
    if rule.unit == "次":
        return 100, rng.choice((500, 800, 1_000, 2_000, 3_000)) * 100
    if rule.unit == "人·年":
        return 100, rule.standard_fen
    months = 12 if luck > 0.1 else rng.randint(3, 11)
    return months * 100, standard
