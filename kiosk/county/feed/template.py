"""County side: blank spreadsheets in the shape ``kiosk feed build`` expects.

For offices that prepare data by hand: one XLSX per dataset of kiosk.formats.datasets, whose
first sheet has the canonical headers and one example row, and a second sheet 说明 that
explains every column (required or not, format, length limit, accepted other names,
example). Payout files go in a ``payouts/`` folder (one file per town and year is usual).
The example rows refer to each other (town, village, item, domain), so a folder written by
``write_templates`` builds a valid feed as it is.
"""

from pathlib import Path

from kiosk.formats import cells, consultation, consultation_book, screening, screening_book
from kiosk.formats import datasets as ds

NOTES_SHEET = "说明"

# One example row per dataset (column key -> cell text); columns not named are left empty.
EXAMPLES: dict[str, dict[str, str]] = {
    "towns": {"code": "371522102", "name": "朝城镇", "kind": "镇"},
    "villages": {"town_code": "371522102", "code": "371522102201", "name": "东街村"},
    "subsidy_items": {
        "code": "A01", "name": "耕地地力保护补贴", "category": "种粮补贴", "paid_per": "户",
        "unit": "亩", "frequency": "每年一次", "department": "县农业农村局",
        "basis": "《财政部 农业农村部关于实施农业支持保护补贴政策的通知》", "standard_fen": "127.50",
    },
    "payouts": {
        "year": "2025", "town_name": "朝城镇", "village_name": "东街村",
        "village_code": "371522102201", "name": "张三", "id_masked": "371522********123X",
        "item_name": "耕地地力保护补贴", "quantity_centi": "5.53", "unit": "亩",
        "standard_fen": "127.50", "amount_fen": "705.08", "paid_on": "2025-05-11",
        "batch": "2025年度第一批", "account_last4": "尾号1234",
    },
    "catalogue_domains": {"code": "D18", "seq": "18", "name": "社会救助",
                          "lead_department": "县民政局"},
    "catalogue_entries": {
        "domain_code": "D18", "seq": "1", "level1": "最低生活保障", "level2": "办事指南",
        "content": "低保标准、申请条件、申请材料、办理流程", "basis": "《社会救助暂行办法》",
        "time_limit": "信息形成或变更之日起20个工作日内", "subject": "县民政局",
        "channels": "政府网站、公开查阅点", "audience": "全社会", "mode": "主动",
        "levels": "县级、乡级", "item_code": "D18-01",
    },
    "qa": {
        "code": "Q0001", "question": "耕地地力保护补贴什么时候发放？",
        "answer": "一般在每年5月前后通过惠民惠农财政补贴资金“一卡通”发放到户。",
        "category": "农业补贴", "department": "县农业农村局", "updated_on": "2025-03-01",
        "status": "有效",
    },
    "documents": {
        "index_no": "371522-2025-00001", "title": "莘县耕地地力保护补贴实施方案",
        "doc_number": "莘政办发〔2025〕1号", "issuer": "莘县人民政府办公室",
        "written_on": "2025-03-01", "published_on": "2025-03-05", "effective_on": "2025-03-05",
        "validity": "有效", "topic": "农业、农村", "body": "为做好2025年耕地地力保护补贴工作……",
    },
    "guides": {
        "code": "G001", "name": "最低生活保障申请", "category": "社会救助",
        "conditions": "家庭人均收入低于当地低保标准", "materials": "身份证、户口簿、申请书",
        "procedure": "申请、审核、公示、审批", "time_limit": "30个工作日",
        "location": "乡镇便民服务中心", "hours": "工作日 9:00-17:00", "phone": "12345",
        "fee": "不收费", "basis": "《社会救助暂行办法》",
    },
    "contacts": {"kind": "热线", "name": "12345政务服务便民热线", "department": "县政务服务中心",
                 "phone": "12345", "hours": "全天"},
    "work_calendar": {"day": "2025-10-01", "kind": "休", "note": "国庆节"},
    "decisions": {"code": "JC2026-01", "year": "2026", "title": "莘县农村公路养护管理办法",
                  "department": "县交通运输局", "stage": "征求意见中", "planned": "2026年第四季度"},
    "drafts": {
        "code": "YJ2026-01", "version": "1", "decision_code": "JC2026-01",
        "title": "莘县农村公路养护管理办法（征求意见稿）",
        "background": "农村公路建成后养护责任不清，部分路段破损多年无人修。",
        "summary": "明确县、乡镇、村三级养护责任和资金来源，村道由村委会组织日常保洁。",
        "affects": "全县各村村民、村委会、乡镇政府", "opens_on": "2026-11-01",
        "closes_on": "2026-11-30", "department": "县交通运输局", "phone": "0635-7321234",
        "address": "莘县交通运输局法规科（邮编252400）",
        "meetings": "2026年11月20日上午9点 县交通运输局三楼会议室",
        "signed": "否",
    },
    "draft_article_sheet": {"article": "1", "heading": "第一章 总则",
                            "text": "为加强农村公路养护管理，保障农村公路完好畅通，制定本办法。"},
    # screening.xlsx: one policy, its one condition and one scenario that bears it out; the
    # policy points at the documents and qa examples above.
    "screening_policies": {
        "code": "ZC01", "name": "耕地地力保护补贴", "category": "种粮补贴", "department": "县农业农村局",
        "benefit": "按承包地面积补贴，每亩约125元，通过“一卡通”发放到户", "mode": "依申请",
        "place": "村委会统一登记申报", "materials": "身份证、承包地面积清单、一卡通",
        "phone": "0635-7325301", "time_limit": "每年3至4月登记，5月前后发放",
        "reference": "莘县耕地地力保护补贴实施方案（莘政办发〔2025〕1号）",
        "document_index": "371522-2025-00001", "qa_code": "Q0001", "valid_from": "2025-01-01",
    },
    "screening_conditions": {
        "policy_code": "ZC01", "group": "1", "question": "种地", "comparison": "属于",
        "value": "10亩以下、10至49亩、50亩及以上", "label": "家里有承包地",
        "reference": "莘政办发〔2025〕1号 第二条",
    },
    "screening_cases": {"code": "CJ01", "title": "种20亩地的农户", "day": "2026-03-01", "种地": "10至49亩",
                        "可能符合": "ZC01"},
}  # fmt: skip

_MASKED_NOTE = ("可填完整身份证号：生成数据源时自动脱敏为前6位+后4位；也可直接填脱敏号码，"
                "如 371522********123X")  # fmt: skip
_ACCOUNT_NOTE = ("一卡通/社保卡账号：可填完整卡号，生成数据源时只保留尾号4位；"
                 "也可只填尾号，如 尾号1234")  # fmt: skip


def describe(column: ds.Column) -> str:
    """What a person must type in ``column``, in words."""
    parse = column.parse
    simple = {
        cells.text: "文本",
        cells.hundredths: "数字，不能为负，最多两位小数（如 5.53）"
        + ("；单位：元" if column.key.endswith("_fen") else ""),
        cells.date: "日期，如 2025-03-15、2025/3/15 或 2025年3月15日",
        cells.masked_id: _MASKED_NOTE,
        cells.account_tail: _ACCOUNT_NOTE,
        cells.item_code: "大写字母开头的字母和数字，如 A01",
        cells.short_code: "字母、数字和“-”，最多20位，如 JC2026-01",
    }
    if parse in simple:
        return simple[parse]
    kind = getattr(parse, "__qualname__", "").split(".")[0]
    code, closure = getattr(parse, "__code__", None), getattr(parse, "__closure__", None) or ()
    names = code.co_freevars if code else ()
    bound = dict(zip(names, (c.cell_contents for c in closure), strict=False))
    if kind == "integer":
        return f"整数，{bound.get('low')}～{bound.get('high')}"
    if kind == "code":
        return f"{bound.get('digits')} 位数字代码（请把单元格设为文本，以免前导 0 或长数字被改动）"
    if kind == "one_of":
        return "只能填以下之一：" + "、".join(bound.get("allowed", ()))
    if kind == "subset_of":
        return "可填一个或多个，用“、”分隔：" + "、".join(bound.get("allowed", ()))
    return "文本"


def template_path(out: Path, dataset: ds.Dataset) -> Path:
    if dataset.many_files:
        return out / dataset.name / f"{dataset.name}_模板.xlsx"
    return out / f"{dataset.name}.xlsx"


def write_templates(out: Path) -> list[Path]:
    """One template workbook per dataset under ``out``; returns their paths."""
    import openpyxl

    written = []
    for dataset in (d for d in ds.ALL if not d.generated and not d.workbook):
        example = EXAMPLES.get(dataset.name, {})
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = dataset.title[:31]
        sheet.append([c.header for c in dataset.columns])
        sheet.append([example.get(c.key, "") for c in dataset.columns])
        for index, column in enumerate(dataset.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, 2.2 * len(column.header))
            sheet.column_dimensions[letter].number_format = "@"  # typed codes stay text
            sheet.cell(row=2, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        notes = book.create_sheet(NOTES_SHEET)
        notes.append([f"{dataset.title}（文件名 {template_path(Path(), dataset)}）：第一张工作表第1行为"
                      "列名（不要改动），从第2行起每行一条记录；第2行为示例，请替换或删除"])  # fmt: skip
        notes.append(["列名", "是否必填", "格式", "长度上限（字）", "也可使用的列名", "示例"])
        for column in dataset.columns:
            notes.append([column.header, "必填" if column.required else "可空", describe(column),
                          column.max_len, "、".join(column.aliases),
                          example.get(column.key, "")])  # fmt: skip
        for letter, width in zip("ABCDEF", (16, 10, 60, 14, 40, 30), strict=True):
            notes.column_dimensions[letter].width = width
        path = template_path(out, dataset)
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written.append(path)
    written.append(write_consultations_template(out))
    written.append(write_screening_template(out))
    return written


def add_example_sheets(book, sheets: tuple[tuple[str, ds.Dataset], ...]) -> None:
    """One sheet per (name, dataset) in an openpyxl ``book``: the headers, an example row
    (EXAMPLES), columns as wide as their headers, cells as text, the header frozen."""
    from openpyxl.utils import get_column_letter

    for name, dataset in sheets:
        example = EXAMPLES.get(dataset.name, {})
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in dataset.columns])
        sheet.append([example.get(c.key, "") for c in dataset.columns])
        for index, column in enumerate(dataset.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, 2.2 * len(column.header))
            sheet.cell(row=2, column=index).number_format = "@"
        sheet.freeze_panes = "A2"


def column_notes(name: str, dataset: ds.Dataset) -> list[list[object]]:
    """The 说明 rows of one sheet: each column, required or not, its format and limit."""
    example = EXAMPLES.get(dataset.name, {})
    return [[f"工作表“{name}”", "是否必填", "格式", "长度上限（字）", "也可使用的列名", "示例"],
            *([c.header, "必填" if c.required else "可空", describe(c), c.max_len, "、".join(c.aliases),
               example.get(c.key, "")] for c in dataset.columns)]  # fmt: skip


CONSULTATION_SHEETS = (
    (consultation.CATALOGUE_SHEET, ds.DECISIONS),
    (consultation.DRAFTS_SHEET, ds.DRAFTS),
    (consultation.sheet_name("YJ2026-01", 1), consultation_book.ARTICLE_SHEET),
)


def write_consultations_template(out: Path) -> Path:
    """``consultations.xlsx``: 事项目录, 草案 and one articles sheet with an example row each,
    and a 说明 sheet for all three."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    notes_rows = [["意见征集（文件名 consultations.xlsx）：“事项目录”列出本年度重大行政决策事项；"
                   "“草案”每行一个"
                   "草案版本；每个草案版本的条文放在名为“草案编号第N版”的工作表中（如 YJ2026-01第1版），"
                   "每行一条或一款。草案一经发布，条文不能再改，修改请新建第N+1版的工作表。征求意见期一般"
                   f"不少于 {consultation.MIN_PERIOD_DAYS} 天，少于的须填写“期限说明”。"]]
    add_example_sheets(book, CONSULTATION_SHEETS)
    for name, dataset in CONSULTATION_SHEETS:
        notes_rows += column_notes(name, dataset)
    notes = book.create_sheet(consultation.NOTES_SHEET)
    for row in notes_rows:
        notes.append(row)
    path = out / f"{consultation.WORKBOOK}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


SCREENING_SHEETS = (
    (screening_book.POLICIES_SHEET, ds.SCREENING_POLICIES),
    (screening_book.CONDITIONS_SHEET, ds.SCREENING_CONDITIONS),
    (screening_book.CASES_SHEET, screening_book.CASE_SHEET),
)


def _band(option: screening.Option) -> str:
    """60～70, or 100及以上: the numbers 至少 and 低于 compare an answer by."""
    return f"{option.low:g}及以上" if option.high is None else f"{option.low:g}～{option.high:g}"


def screening_notes() -> list[list[object]]:
    """The 说明 sheet of ``screening.xlsx``, the template's and the demo county's alike: how
    the rules are written, every question with its options, and every column."""
    comparisons = f"{screening.AT_LEAST}、{screening.BELOW}、{screening.ONE_OF}、{screening.NONE_OF}"
    rows: list[list[object]] = [
        [f"政策找人（文件名 {screening_book.WORKBOOK}.xlsx）：查询机问村民十来个选择题，按这里填写的条件"
         "提示哪些政策“可能符合”“可能不符合”或“无法判断”。政策和条件都是表格里的数据，改标准只改表格，不改程序。"],
        [f"工作表“{screening_book.POLICIES_SHEET}”：每行一条政策：待遇标准、申办方式（依申请，或免申即享"
         "即不用申请）、办理地点、所需材料、咨询电话、办理时限、政策依据；依据索引号填规范性文件库中的索引号，"
         "问答编号填政策问答库中的编号，查询机据此链接到原文和问答。"],
        [f"工作表“{screening_book.CONDITIONS_SHEET}”：每行一个条件的一个取值：政策编号、条件组、问题、比较、"
         "取值、条件说明（群众听得懂的说法，如“年满80周岁”）、生效日期、失效日期、依据（文号和条款）。"],
        ["条件组怎么组合：一条政策的每个条件组都满足，才“可能符合”；同一条件组里的几个条件，满足其中任意一个"
         "即可。每组只有一个条件时，就是“并且”。例如特困人员救助供养：条件组3 写三行（年满60周岁 / 未满16周岁"
         " / 一级、二级残疾），满足一个即可。"],
        [f"四种比较：“{screening.AT_LEAST}”后填一个数，回答的整个区间都不小于它才算满足（年龄 至少 80）；"
         f"“{screening.BELOW}”后填一个数，回答的整个区间都小于它才算满足（人均月收入 低于 600）；"
         f"“{screening.ONE_OF}”后填一个或几个选项，用“、”分隔（残疾证 属于 一级、二级）；"
         f"“{screening.NONE_OF}”是“{screening.ONE_OF}”的反面。“{screening.AT_LEAST}”“{screening.BELOW}”只能用于"
         "按区间回答的问题（年龄、家庭人口、人均月收入）。"],
        [f"三种结果：任何一个条件组的条件全部不满足，为“{screening.UNLIKELY}”；否则有条件因回答“{screening.UNKNOWN}”、"
         f"没有回答，或回答的区间跨过标准（600至799元对低于640元）而判断不了的，为“{screening.UNDECIDED}”，"
         f"并提示还缺什么；其余为“{screening.LIKELY}”。回答“{screening.UNKNOWN}”永远不会得出“{screening.UNLIKELY}”。"],
        ["标准调整：同一条件（政策编号、条件组、问题、比较都相同）的标准变了，不要改原来那一行：在原行填上失效日期，"
         "另起一行填新的取值和生效日期（两个日期都包含在内）。同一条件的各行日期不能重叠，也不能留空档，合起来要"
         "覆盖政策的整个有效期；生效日期空着表示从政策生效起，失效日期空着表示一直有效。"],
        [f"工作表“{screening_book.CASES_SHEET}”：场景测试，每行一个：评估日期、各问题的回答（选项原文、"
         f"“{screening.UNKNOWN}”或空着，空着按没有回答），以及预期“{screening.LIKELY}”“{screening.UNLIKELY}”"
         f"“{screening.UNDECIDED}”的政策编号（多个用“、”分隔，不必列出全部政策）。每条政策至少要有一个场景。"],
        ["运行 kiosk feed build 时先检查每张表、再逐个运行场景：有任何一处错误，或任何一个场景的结果"
         "与预期不符，都不签发数据源，并指出工作表、行号（场景按场景编号）和原因。本“说明”工作表不读取。"],
        [],
        ["问题（“问题”列和场景表的列名）", "查询机上的问法", "选项（照原文填写）", "可用的比较",
         "区间（按“至少”“低于”比较时；含下限，不含上限）"],
    ]  # fmt: skip
    for question in screening.QUESTIONS:
        bands = "；".join(f"{o.label}：{_band(o)}" for o in question.options if question.numeric)
        rows.append([question.code, question.text, "、".join(question.labels),
                     comparisons if question.numeric else f"{screening.ONE_OF}、{screening.NONE_OF}", bands])
    for name, dataset in SCREENING_SHEETS:
        rows += [[], *column_notes(name, dataset)]
    return rows


def write_screening_template(out: Path) -> Path:
    """``screening.xlsx``: 政策, 条件 and 场景 with an example row each that read back clean
    together, and the 说明 sheet (screening_notes)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    add_example_sheets(book, SCREENING_SHEETS)
    write_screening_notes(book)
    path = out / f"{screening_book.WORKBOOK}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_screening_notes(book) -> None:
    """The 说明 sheet (screening_notes) added to an openpyxl ``book``."""
    notes = book.create_sheet(screening_book.NOTES_SHEET)
    for row in screening_notes():
        notes.append(row)
    for letter, width in zip("ABCDEF", (24, 40, 50, 18, 40, 30), strict=True):
        notes.column_dimensions[letter].width = width
