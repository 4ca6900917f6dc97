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

from kiosk.county.feed.template import write_screening_notes
from kiosk.formats import datasets, screening, screening_book
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
    write_screening(out, today or dt.date.today())
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


# 政策找人: twelve policies a 莘县 villager may be missing, with standards that read true but are
# demo data (备注 演示数据). Two standards change on a known day, so the scenarios exercise a
# dated value: 高龄津贴 from 90 to 80 years on 2026-01-01, the 低保 standard from 600 to 640元
# a month on 2026-07-01 (特困 reads the same standard).
_SOCIAL = "户籍所在乡镇(街道)便民服务中心社会救助窗口，行动不便的可委托村委会代为申请"
_MINZHENG_PHONE = "0635-7323101"
_LIBAO_600 = "莘民发〔2025〕6号（示例）第六条"
_LIBAO_640 = "莘民发〔2026〕5号（示例）第一条"

# (code, name, category, department, benefit, mode, place, materials, phone, time limit,
#  reference, document index, Q&A code, valid from)
_POLICIES = (
    ("ZC01", "高龄津贴", "养老服务", "县民政局",
     "80至89岁每人每月100元；90至99岁每人每月200元；100岁及以上每人每月500元"
     "（2025年底前为年满90周岁，2026年1月1日起扩大到年满80周岁）", screening.AUTOMATIC,
     "不用申请：县民政局按户籍信息每季度核定名单，通过“一卡通”发放；到龄未收到的，"
     "到户籍所在乡镇(街道)便民服务中心民政窗口核对",
     "不用提交材料；信息有误的带身份证、户口簿核对", "0635-7323102", "按季度发放，年满规定年龄的次月起计发",
     "《山东省老年人权益保障条例》；莘县高龄津贴发放管理办法（示例）（莘民发〔2025〕11号）",
     "1137152200420XXXXX/2025-00011", "Q015", "2020-01-01"),
    ("ZC02", "城乡居民基础养老金", "养老保险", "县人力资源和社会保障局",
     "参保满15年的，年满60周岁起按月领取养老金（基础养老金加个人账户养老金）", "依申请",
     "户籍所在乡镇(街道)便民服务中心人社窗口，或找村里的协办员代办", "身份证、社会保障卡、户口簿",
     "0635-7322110", "手续齐全的，次月起按月发放",
     "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
     "1137152200450XXXXX/2025-00003", "Q014", "2020-01-01"),
    ("ZC03", "最低生活保障", "社会救助", "县民政局",
     "按家庭月人均收入与低保标准的差额按月补足；标准2026年6月底前为每人每月600元，"
     "7月1日起为每人每月640元", "依申请", _SOCIAL,
     "身份证、户口簿、家庭经济状况核对授权书、家庭成员收入情况说明；残疾人带残疾证，重病患者带诊断证明",
     _MINZHENG_PHONE, "受理之日起30个工作日内审核确认，特殊情况可延长至45个工作日",
     "《最低生活保障审核确认办法》（民发〔2021〕57号）；莘县最低生活保障审核确认实施细则（示例）（莘民发〔2025〕6号）",
     "1137152200420XXXXX/2025-00006", "Q007", "2020-01-01"),
    ("ZC04", "特困人员救助供养", "社会救助", "县民政局",
     "基本生活标准不低于当地低保标准的1.3倍，按月发放；生活不能自理的另发护理补贴；"
     "可自愿选择在家分散供养或到敬老院集中供养", "依申请", _SOCIAL,
     "身份证、户口簿、申请书；残疾人带残疾证；赡养人无履行能力的带相关证明",
     _MINZHENG_PHONE, "受理之日起20个工作日内审核确认",
     "《国务院关于进一步健全特困人员救助供养制度的意见》（国发〔2016〕14号）",
     "GJ/2016-00014", "Q010", "2020-01-01"),
    ("ZC05", "困难残疾人生活补贴", "残疾人福利", "县民政局、县残联",
     "低保家庭中的残疾人每人每月90元", "依申请", "户籍所在乡镇(街道)便民服务中心残联窗口",
     "第二代残疾人证、身份证、户口簿", "0635-7324202", "受理后15个工作日内审核，审定的次月起按月发放",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
     "GJ/2015-00052", "Q047", "2020-01-01"),
    ("ZC06", "重度残疾人护理补贴", "残疾人福利", "县民政局、县残联",
     "残疾等级为一级、二级且需要长期照护的重度残疾人每人每月100元", "依申请",
     "户籍所在乡镇(街道)便民服务中心残联窗口", "第二代残疾人证、身份证、户口簿",
     "0635-7324202", "受理后15个工作日内审核，审定的次月起按月发放",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
     "GJ/2015-00052", "Q047", "2020-01-01"),
    ("ZC07", "耕地地力保护补贴", "种粮补贴", "县农业农村局",
     "按确权承包地面积补贴，每亩约125元，通过“一卡通”发放到户", "依申请",
     "村委会统一登记申报，乡镇(街道)审核公示，本人不用跑乡镇",
     "身份证、土地承包经营权证或确权面积清单、社会保障卡（一卡通）", "0635-7325301",
     "每年3至4月登记申报，5月前后发放",
     "《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》（财农〔2016〕26号）",
     "GJ/2016-00026", "Q001", "2020-01-01"),
    ("ZC08", "农村部分计划生育家庭奖励扶助", "计划生育", "县卫生健康局",
     "年满60周岁的夫妻每人每年960元，直至亡故", "依申请",
     "户籍所在乡镇(街道)便民服务中心卫生健康窗口，每年3至4月由村委会统一申报",
     "身份证、户口簿、结婚证、独生子女父母光荣证或子女情况证明", "0635-7326402",
     "审核公示后当年发放",
     "《国务院办公厅转发人口计生委 财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》"
     "（国办发〔2004〕21号）",
     "1137152200460XXXXX/2025-00002", "Q025", "2020-01-01"),
    ("ZC09", "临时救助", "社会救助", "县民政局",
     "根据困难程度一次性发放，一般不超过当地月低保标准的6倍；情况紧急的先行救助", "依申请", _SOCIAL,
     "身份证、户口簿、困难情况说明；因病的带医疗费用票据，因灾、因事故的带相关证明",
     _MINZHENG_PHONE, "一般10个工作日内审批；情况紧急的24小时内先行救助",
     "《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
     "1137152200420XXXXX/2025-00012", "Q009", "2020-01-01"),
    ("ZC10", "医疗救助", "医疗保障", "县医疗保障局",
     "低保对象、特困人员经基本医保、大病保险报销后的政策范围内个人自付费用，低保对象按不低于70%、"
     "特困人员按100%救助", "依申请",
     "县内定点医疗机构出院时“一站式”结算；未直接结算的到户籍所在乡镇(街道)便民服务中心医保窗口申请",
     "身份证、社会保障卡、住院费用票据和结算单、诊断证明", "0635-7327503",
     "定点医疗机构出院时即时结算；手工申请的20个工作日内审核",
     "《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
     "1137152200440XXXXX/2025-00004", "Q018", "2020-01-01"),
    ("ZC11", "重点优抚对象抚恤补助", "优抚安置", "县退役军人事务局",
     "残疾军人、烈士遗属、在乡复员军人、带病回乡退伍军人等重点优抚对象，按国家标准按月或按年发放",
     "依申请", "户籍所在乡镇(街道)退役军人服务站", "身份证、户口簿、退役证或残疾军人证、烈士证明书等身份证明",
     "0635-7328604", "认定后次月起发放",
     "《军人抚恤优待条例》（国务院 中央军事委员会令第788号）",
     "1137152200470XXXXX/2025-00001", "Q050", "2020-01-01"),
    ("ZC12", "家庭经济困难学生资助", "教育资助", "县教育和体育局",
     "学前和义务教育阶段发放生活补助；高中阶段国家助学金每生每年平均2000元并免学费；"
     "大学可申请生源地信用助学贷款", "依申请",
     "孩子就读的学校（学生资助部门）；生源地信用助学贷款到县学生资助管理中心",
     "学生户口簿或身份证、学籍证明；低保证、特困证明或家庭经济困难情况说明", "0635-7329705",
     "每学期开学后1个月内由学校认定，按学期发放",
     "《学生资助资金管理办法》（财教〔2021〕310号）；莘县家庭经济困难学生资助工作实施办法（示例）（莘教体发〔2025〕5号）",
     "1137152200480XXXXX/2025-00005", "Q027", "2021-01-01"),
)  # fmt: skip

_HOME = ("户籍", "属于", "是", "户口在本县")
# (policy, group, question, comparison, value, 条件说明, valid from, valid until, 依据)
_CONDITIONS = (
    ("ZC01", 1, *_HOME, "", "", "《山东省老年人权益保障条例》第三十五条"),
    ("ZC01", 2, "年龄", "至少", "90", "年满90周岁", "", "2025-12-31", "莘民发〔2019〕15号（示例）第三条"),
    ("ZC01", 2, "年龄", "至少", "80", "年满80周岁", "2026-01-01", "", "莘民发〔2025〕11号（示例）第三条"),
    ("ZC02", 1, *_HOME, "", "", "国发〔2014〕8号 第三条"),
    ("ZC02", 2, "年龄", "至少", "60", "年满60周岁", "", "", "国发〔2014〕8号 第六条"),
    ("ZC03", 1, *_HOME, "", "", "民发〔2021〕57号 第五条"),
    ("ZC03", 2, "人均月收入", "低于", "600", "家庭月人均收入低于当地低保标准（每人每月600元）", "",
     "2026-06-30", _LIBAO_600),
    ("ZC03", 2, "人均月收入", "低于", "640", "家庭月人均收入低于当地低保标准（每人每月640元）",
     "2026-07-01", "", _LIBAO_640),
    ("ZC04", 1, *_HOME, "", "", "国发〔2016〕14号 第二条"),
    ("ZC04", 2, "无劳动能力", "属于", "是", "无劳动能力、无生活来源、无法定赡养抚养扶养义务人", "", "",
     "国发〔2016〕14号 第二条第（一）项"),
    ("ZC04", 3, "年龄", "至少", "60", "年满60周岁的老年人", "", "", "国发〔2016〕14号 第二条第（一）项"),
    ("ZC04", 3, "年龄", "低于", "16", "未满16周岁的未成年人", "", "", "国发〔2016〕14号 第二条第（一）项"),
    ("ZC04", 3, "残疾证", "属于", "一级、二级", "一级、二级重度残疾人", "", "",
     "国发〔2016〕14号 第二条第（一）项"),
    ("ZC04", 4, "人均月收入", "低于", "600", "收入低于当地低保标准（每人每月600元）", "", "2026-06-30",
     _LIBAO_600),
    ("ZC04", 4, "人均月收入", "低于", "640", "收入低于当地低保标准（每人每月640元）", "2026-07-01", "",
     _LIBAO_640),
    ("ZC05", 1, *_HOME, "", "", "国发〔2015〕52号 第二条"),
    ("ZC05", 2, "残疾证", "属于", "一级、二级、三级、四级", "持有第二代残疾人证", "", "",
     "国发〔2015〕52号 第二条第（一）项"),
    ("ZC05", 3, "低保特困", "属于", "低保户", "低保家庭中的残疾人", "", "",
     "国发〔2015〕52号 第二条第（一）项"),
    ("ZC06", 1, *_HOME, "", "", "国发〔2015〕52号 第二条"),
    ("ZC06", 2, "残疾证", "属于", "一级、二级", "残疾等级为一级、二级的重度残疾人", "", "",
     "国发〔2015〕52号 第二条第（二）项"),
    ("ZC07", 1, "种地", "属于", "10亩以下、10至49亩、50亩及以上", "有承包地（改变用途和长年抛荒的除外）",
     "", "", "财农〔2016〕26号 第二条"),
    ("ZC08", 1, *_HOME, "", "", "国办发〔2004〕21号 第三条"),
    ("ZC08", 2, "年龄", "至少", "60", "年满60周岁", "", "", "国办发〔2004〕21号 第三条"),
    ("ZC08", 3, "计生家庭", "属于", "是", "只有一个子女或两个女孩（或子女死亡现无子女）", "", "",
     "国办发〔2004〕21号 第三条"),
    ("ZC09", 1, *_HOME, "", "", "国发〔2014〕47号 第三条"),
    ("ZC09", 2, "突发困难", "属于", "是", "遭遇火灾、交通事故等突发事件，生活暂时出现严重困难", "", "",
     "国发〔2014〕47号 第二条第（一）项"),
    ("ZC09", 2, "重病", "属于", "是", "因重大疾病医疗费用支出过大，生活出现严重困难", "", "",
     "国发〔2014〕47号 第二条第（一）项"),
    ("ZC10", 1, *_HOME, "", "", "国办发〔2021〕42号 第二条"),
    ("ZC10", 2, "重病", "属于", "是", "因病产生较大医疗费用", "", "", "国办发〔2021〕42号 第二条"),
    ("ZC10", 3, "低保特困", "属于", "低保户、特困人员", "低保对象或特困人员", "", "",
     "国办发〔2021〕42号 第二条第（四）项"),
    ("ZC11", 1, "退役军人", "属于", "是", "退役军人、烈士遗属或伤残军人等优抚对象", "", "",
     "《军人抚恤优待条例》第二条"),
    ("ZC12", 1, *_HOME, "", "", "莘教体发〔2025〕5号（示例）第二条"),
    ("ZC12", 2, "在读学生", "属于", "幼儿园或义务教育、高中或中职、大学", "家里有在读的学生", "", "",
     "财教〔2021〕310号 第二条"),
    ("ZC12", 3, "低保特困", "属于", "低保户、特困人员", "低保家庭学生或特困供养学生", "", "",
     "莘教体发〔2025〕5号（示例）第四条"),
    ("ZC12", 3, "人均月收入", "低于", "800", "家庭月人均收入低于800元", "", "",
     "莘教体发〔2025〕5号（示例）第四条"),
)  # fmt: skip

# A household that qualifies for nothing: each scenario changes what makes it its own.
_PLAIN = {
    "户籍": "是", "年龄": "16至59岁", "家庭人口": "3人", "人均月收入": "1200至1999元", "低保特困": "都不是",
    "无劳动能力": "否", "残疾证": "没有", "种地": "没有承包地", "计生家庭": "否", "重病": "否",
    "突发困难": "否", "退役军人": "否", "在读学生": "没有",
}  # fmt: skip
_UNKNOWN_ALL = {q.code: screening.UNKNOWN for q in screening.QUESTIONS}
_ALL = tuple(f"ZC{n:02d}" for n in range(1, 13))


def _case(code: str, title: str, day: str, answers: dict[str, str], likely: str = "",
          undecided: str = "") -> list[str]:
    """A 场景 row: the policies not listed as likely or undecided are expected unlikely."""
    listed = {*likely.split(), *undecided.split()}
    unlikely = " ".join(c for c in _ALL if c not in listed)
    return [code, title, day, *(answers.get(q.code, "") for q in screening.QUESTIONS),
            *("、".join(codes.split()) for codes in (likely, unlikely, undecided))]


_CASES = (
    _case("CJ01", "90岁独居老人，低保户，无劳动能力", "2026-03-01",
          {**_PLAIN, "年龄": "90至99岁", "家庭人口": "1人", "人均月收入": "400至599元", "低保特困": "低保户",
           "无劳动能力": "是", "种地": "10亩以下"}, "ZC01 ZC02 ZC03 ZC04 ZC07"),
    _case("CJ02", "85岁老人，高龄津贴调整前一天（当时年满90周岁才有）", "2025-12-31",
          {**_PLAIN, "年龄": "80至89岁"}, "ZC02"),
    _case("CJ03", "85岁老人，高龄津贴调整当天（年满80周岁即有）", "2026-01-01",
          {**_PLAIN, "年龄": "80至89岁"}, "ZC01 ZC02"),
    _case("CJ04", "月人均600至799元，低保标准调整前一天（标准600元）", "2026-06-30",
          {**_PLAIN, "人均月收入": "600至799元", "种地": "10至49亩", "在读学生": "高中或中职"}, "ZC07 ZC12"),
    _case("CJ05", "月人均600至799元，低保标准调整当天（标准640元，收入跨过标准）", "2026-07-01",
          {**_PLAIN, "人均月收入": "600至799元", "种地": "10至49亩", "在读学生": "高中或中职"}, "ZC07 ZC12",
          "ZC03"),
    _case("CJ06", "每个问题都回答不清楚", "2026-03-01", _UNKNOWN_ALL, "", " ".join(_ALL)),
    _case("CJ07", "户口不在本县，其他还没问", "2026-03-01", {"户籍": "否"}, "", "ZC07 ZC11"),
    _case("CJ08", "一级残疾的低保户，家里有人得重病", "2026-03-01",
          {**_PLAIN, "人均月收入": "400至599元", "低保特困": "低保户", "无劳动能力": "是", "残疾证": "一级",
           "种地": "10亩以下", "重病": "是"}, "ZC03 ZC04 ZC05 ZC06 ZC07 ZC09 ZC10"),
    _case("CJ09", "三级残疾、独生子女家庭的60多岁老人", "2026-03-01",
          {**_PLAIN, "年龄": "60至69岁", "人均月收入": "800至1199元", "残疾证": "三级", "种地": "10亩以下",
           "计生家庭": "是"}, "ZC02 ZC07 ZC08"),
    _case("CJ10", "70多岁的退役军人，收入说不清", "2026-03-01",
          {**_PLAIN, "年龄": "70至79岁", "人均月收入": "不清楚", "种地": "10至49亩", "退役军人": "是"},
          "ZC02 ZC07 ZC11", "ZC03"),
    _case("CJ11", "家里着火，收入和看病花销说不清", "2026-03-01",
          {**_PLAIN, "人均月收入": "不清楚", "种地": "10亩以下", "重病": "不清楚", "突发困难": "是",
           "在读学生": "幼儿园或义务教育"}, "ZC07 ZC09", "ZC03 ZC12"),
    _case("CJ12", "特困供养的二级残疾孤寡老人，看病花钱多", "2026-03-01",
          {**_PLAIN, "年龄": "70至79岁", "家庭人口": "1人", "人均月收入": "不到400元", "低保特困": "特困人员",
           "无劳动能力": "是", "残疾证": "二级", "重病": "是"}, "ZC02 ZC03 ZC04 ZC06 ZC09 ZC10"),
    _case("CJ13", "孩子上大学，家庭月人均收入刚过800元", "2026-03-01",
          {**_PLAIN, "人均月收入": "800至1199元", "种地": "10至49亩", "在读学生": "大学"}, "ZC07"),
    _case("CJ14", "低保户家的高中生，收入说不清", "2026-03-01",
          {**_PLAIN, "人均月收入": "不清楚", "低保特困": "低保户", "种地": "10亩以下",
           "在读学生": "高中或中职"},
          "ZC07 ZC12", "ZC03"),
    _case("CJ15", "种粮大户，只问了种地", "2026-03-01", {"种地": "50亩及以上"}, "ZC07",
          " ".join(c for c in _ALL if c != "ZC07")),
    _case("CJ16", "没有承包地，不是退役军人，其他没问", "2026-03-01",
          {"种地": "没有承包地", "退役军人": "否"}, "",
          " ".join(c for c in _ALL if c not in ("ZC07", "ZC11"))),
    _case("CJ17", "独生子女家庭，年龄说不清", "2026-03-01",
          {**_PLAIN, "年龄": "不清楚", "种地": "10亩以下", "计生家庭": "是"}, "ZC07", "ZC01 ZC02 ZC08"),
    _case("CJ18", "不满16岁、无人抚养的孩子", "2026-03-01",
          {**_PLAIN, "年龄": "不满16岁", "人均月收入": "不到400元", "无劳动能力": "是",
           "在读学生": "幼儿园或义务教育"}, "ZC03 ZC04 ZC12"),
    _case("CJ19", "二级残疾，是不是低保户说不清", "2026-03-01",
          {**_PLAIN, "人均月收入": "不清楚", "低保特困": "不清楚", "无劳动能力": "是", "残疾证": "二级",
           "种地": "10亩以下"}, "ZC06 ZC07", "ZC03 ZC04 ZC05"),
    _case("CJ20", "60多岁无劳动能力，月人均600至799元跨过新低保标准", "2026-09-01",
          {**_PLAIN, "年龄": "60至69岁", "人均月收入": "600至799元", "无劳动能力": "是", "种地": "10亩以下",
           "计生家庭": "不清楚"}, "ZC02 ZC07", "ZC03 ZC04 ZC08"),
    _case("CJ21", "户口不在本县的退役军人", "2026-03-01", {**_PLAIN, "户籍": "否", "退役军人": "是"}, "ZC11"),
    _case("CJ22", "低保户，有没有重病说不清", "2026-03-01",
          {**_PLAIN, "人均月收入": "400至599元", "低保特困": "低保户", "种地": "10亩以下", "重病": "不清楚"},
          "ZC03 ZC07", "ZC09 ZC10"),
    _case("CJ23", "80多岁的低保户，记不清残疾等级", "2026-03-01",
          {**_PLAIN, "年龄": "80至89岁", "人均月收入": "400至599元", "低保特困": "低保户",
           "残疾证": "不清楚"},
          "ZC01 ZC02 ZC03", "ZC05 ZC06"),
    _case("CJ24", "90多岁的老兵，高龄津贴调整前", "2025-12-31",
          {**_PLAIN, "年龄": "90至99岁", "人均月收入": "800至1199元", "计生家庭": "是", "退役军人": "是"},
          "ZC01 ZC02 ZC08 ZC11"),
    _case("CJ25", "刚开始，一个问题也没回答", "2026-03-01", {}, "", " ".join(_ALL)),
    _case("CJ26", "月人均400至599元，低保标准调整当天", "2026-07-01",
          {**_PLAIN, "人均月收入": "400至599元"}, "ZC03"),
)  # fmt: skip


def write_screening(out: Path, today: dt.date) -> Path:
    """``screening.xlsx`` of the demo county (政策找人): twelve policies, their conditions,
    scenario tests that bear them out, and the 说明 sheet of the template."""
    import openpyxl

    policies = [[*row, "", DEMO_MARK] for row in _POLICIES]  # 失效日期 empty, 备注
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, dataset, rows in ((screening_book.POLICIES_SHEET, datasets.SCREENING_POLICIES, policies),
                                (screening_book.CONDITIONS_SHEET, datasets.SCREENING_CONDITIONS, _CONDITIONS),
                                (screening_book.CASES_SHEET, screening_book.CASE_SHEET, _CASES)):  # fmt: skip
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in dataset.columns])
        for row in rows:
            sheet.append([str(v) for v in row])
        sheet.freeze_panes = "A2"
    write_screening_notes(book)
    book.properties.creator = "演示县"
    path = out / f"{screening_book.WORKBOOK}.xlsx"
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
