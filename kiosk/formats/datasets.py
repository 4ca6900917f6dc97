"""The county's spreadsheets: which files, which columns, how each cell is read.

One declarative table per dataset, shared by the county feed builder and the terminal's
sync, so both validate with the same rules and the same messages.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.formats import cells, consultation, masking, replies, screening
from kiosk.formats.request_terms import COUNTY_STATUSES, REQUEST_KINDS

CHANNELS = (
    "政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
    "政务服务中心", "便民服务站", "入户/现场", "社区/企事业单位/村公示栏(电子屏)", "精准推送",
    "12345政务服务热线", "其他",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: cells.Parser = cells.text
    required: bool = True
    max_len: int = 100
    aliases: tuple[str, ...] = ()
    # County side only (feed build): turns a full personal number into its masked form.
    mask: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Dataset:
    """One kind of county spreadsheet.

    Attributes:
        name: the file stem (``payouts`` matches ``payouts.csv`` and ``payouts/*.xlsx``).
        title: what staff call it, for messages.
        unique: column keys that identify a row; a repeat is a duplicate row.
        personal: rows describe people; no cell may carry a full ID, card number or phone.
        generated: written by a county tool (``kiosk inbox reply``), not typed by clerks:
            no template, and a county may have no such file yet.
        workbook: read from the sheets of this county workbook (kiosk.formats.consultation),
            not from a file of its own; a county may have none.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...]
    personal: bool = False
    many_files: bool = False
    generated: bool = False
    workbook: str = ""
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "keys", tuple(c.key for c in self.columns))


C = Column

TOWNS = Dataset(
    "towns",
    "乡镇(街道)表",
    (
        C("乡镇代码", "code", cells.code(9)),
        C("乡镇名称", "name", max_len=20),
        C("类型", "kind", cells.one_of("街道", "镇", "乡")),
    ),
    unique=("code",),
)

# A village whose 备注 holds this is a demo village (the kiosk says so on screen).
DEMO_MARK = "演示数据"

VILLAGES = Dataset(
    "villages",
    "村(社区)表",
    (
        C("乡镇代码", "town_code", cells.code(9)),
        C("村代码", "code", cells.code(12), aliases=("行政区划代码",)),
        C("村名称", "name", max_len=30, aliases=("村",)),
        C("备注", "remark", required=False, max_len=100),
    ),
    unique=("code",),
)

SUBSIDY_ITEMS = Dataset(
    "subsidy_items",
    "补贴项目清单",
    (
        C("项目代码", "code", cells.item_code, max_len=10),
        C("补贴项目", "name", max_len=40),
        C("类别", "category", max_len=20),
        C("发放对象", "paid_per", cells.one_of("户", "人")),
        C("计量单位", "unit", max_len=10),
        C("发放频次", "frequency", max_len=20),
        C("主管部门", "department", max_len=40),
        C("政策依据", "basis", max_len=500),
        C("参考标准(元)", "standard_fen", cells.hundredths, required=False),
    ),
    unique=("code",),
)

PAYOUTS = Dataset(
    "payouts",
    "补贴发放结果",
    (
        C("年度", "year", cells.integer(2000, 2100), aliases=("年份", "发放年度", "补贴年度")),
        C("乡镇", "town_name", max_len=20,
          aliases=("乡镇(街道)", "乡镇名称", "所属乡镇", "镇(街道)", "乡(镇)", "乡镇街道")),
        C("村", "village_name", max_len=30,
          aliases=("村名称", "所属村", "村(居)名称", "村(居)", "村(社区)", "村居", "行政村", "村庄名称")),
        C("村代码", "village_code", cells.code(12),
          aliases=("行政区划代码", "村(居)代码", "村(社区)代码", "区划代码", "村编码")),
        C("户主姓名", "name", max_len=20,
          aliases=("姓名", "户主/姓名", "户主", "户主姓名/姓名", "领取人", "领取人姓名",
                   "收款人", "收款人姓名", "享受人姓名")),
        C("身份证号", "id_masked", cells.masked_id, max_len=18,
          aliases=("身份证号(脱敏)", "身份证号码", "证件号码", "公民身份号码", "身份证", "证件号"),
          mask=masking.masked_if_full_id),
        C("补贴项目", "item_name", max_len=40, aliases=("补贴项目名称", "项目名称")),
        C("计量依据", "quantity_centi", cells.hundredths,
          aliases=("数量", "补贴数量", "计量数量", "补贴面积", "面积", "补贴面积(亩)", "面积(亩)")),
        C("计量单位", "unit", max_len=10, aliases=("单位", "计量单位名称")),
        C("补贴标准", "standard_fen", cells.hundredths, aliases=("补贴标准(元)", "发放标准", "标准")),
        C("发放金额(元)", "amount_fen", cells.hundredths,
          aliases=("发放金额", "金额(元)", "补贴金额", "补贴金额(元)", "金额", "应发金额", "实发金额",
                   "实发金额(元)", "打卡金额", "打卡金额(元)", "应打卡发放资金(元)")),
        C("发放日期", "paid_on", cells.date, aliases=("发放时间", "打卡日期", "打卡时间", "发放日")),
        C("发放批次", "batch", required=False, max_len=30, aliases=("批次",)),
        C("账号尾号", "account_last4", cells.account_tail, required=False, max_len=24,
          aliases=("一卡通账号", "社保卡号", "一卡通卡号", "社保卡账号", "银行账号", "银行卡号",
                   "账号", "卡号"), mask=masking.tail_if_full_card),
        C("备注", "remark", required=False, max_len=200),
    ),
    unique=("village_code", "year", "item_name", "name", "id_masked", "paid_on", "batch"),
    personal=True,
    many_files=True,
)

CATALOGUE_DOMAINS = Dataset(
    "catalogue_domains",
    "政务公开领域表",
    (
        C("领域代码", "code", cells.text, max_len=10),
        C("序号", "seq", cells.integer(1, 999)),
        C("领域名称", "name", max_len=30),
        C("牵头部门", "lead_department", max_len=40),
    ),
    unique=("code",),
)

CATALOGUE_ENTRIES = Dataset(
    "catalogue_entries",
    "基层政务公开标准目录",
    (
        C("领域代码", "domain_code", max_len=10),
        C("序号", "seq", cells.integer(1, 999)),
        C("一级事项", "level1", max_len=60),
        C("二级事项", "level2", max_len=60),
        C("公开内容", "content", max_len=2000),
        C("公开依据", "basis", max_len=2000),
        C("公开时限", "time_limit", max_len=200),
        C("公开主体", "subject", max_len=200),
        C("公开渠道", "channels", cells.subset_of(*CHANNELS), max_len=300),
        C("公开对象", "audience", cells.subset_of("全社会", "特定群体"), max_len=20),
        C("公开方式", "mode", cells.subset_of("主动", "依申请"), max_len=20),
        C("公开层级", "levels", cells.subset_of("县级", "乡级", "村级"), max_len=20),
        C("事项编码", "item_code", max_len=20),
    ),
    unique=("item_code",),
)

QA = Dataset(
    "qa",
    "政策问答库",
    (
        C("问答编号", "code", max_len=20),
        C("问题", "question", max_len=200),
        C("相似问法", "similar", required=False, max_len=600),
        C("答案", "answer", max_len=2000),
        C("类别", "category", max_len=20),
        C("政策依据", "basis", required=False, max_len=500),
        C("依据文号", "basis_doc_number", required=False, max_len=100),
        C("主管部门", "department", max_len=40),
        C("咨询电话", "phone", required=False, max_len=40),
        C("更新日期", "updated_on", cells.date),
        C("状态", "status", cells.one_of("有效", "废止")),
    ),
    unique=("code",),
)

DOCUMENTS = Dataset(
    "documents",
    "规范性文件库",
    (
        C("索引号", "index_no", max_len=60),
        C("标题", "title", max_len=200),
        C("文号", "doc_number", max_len=60),
        C("发布机构", "issuer", max_len=100),
        C("成文日期", "written_on", cells.date, required=False),
        C("发布日期", "published_on", cells.date, required=False),
        C("生效日期", "effective_on", cells.date, required=False),
        C("失效日期", "expires_on", cells.date, required=False),
        C("有效性", "validity", cells.one_of("有效", "已修改", "已废止", "失效")),
        C("主题分类", "topic", max_len=60),
        C("正文", "body", max_len=20000),
        C("政策解读", "interpretation", required=False, max_len=5000),
    ),
    unique=("index_no",),
)

GUIDES = Dataset(
    "guides",
    "办事指南",
    (
        C("指南编号", "code", max_len=20),
        C("事项名称", "name", max_len=60),
        C("类别", "category", max_len=20),
        C("办理条件", "conditions", max_len=2000),
        C("申请材料", "materials", max_len=2000),
        C("办理流程", "procedure", max_len=2000),
        C("办理时限", "time_limit", max_len=100),
        C("办理地点", "location", max_len=200),
        C("办公时间", "hours", max_len=100),
        C("咨询电话", "phone", max_len=40),
        C("收费标准", "fee", max_len=100),
        C("设定依据", "basis", max_len=1000),
    ),
    unique=("code",),
)

CONTACTS = Dataset(
    "contacts",
    "咨询与监督电话",
    (
        C("类型", "kind", cells.one_of("热线", "窗口", "监督电话")),
        C("名称", "name", max_len=60),
        C("所属部门", "department", max_len=60),
        C("电话", "phone", max_len=40),
        C("地址", "address", required=False, max_len=200),
        C("办公时间", "hours", required=False, max_len=100),
        C("乡镇代码", "town_code", cells.code(9), required=False),
        C("备注", "remark", required=False, max_len=100),
    ),
    unique=("kind", "name", "phone"),
)

WORK_CALENDAR = Dataset(
    "work_calendar",
    "法定节假日与调休表",
    (
        C("日期", "day", cells.date),
        C("类型", "kind", cells.one_of("休", "班")),
        C("说明", "note", required=False, max_len=40),
    ),
    unique=("day",),
)

# The county's answers to villagers' requests (kiosk inbox reply writes it): where each
# request stands, by receipt number. The envelope ids double as the acknowledgement: a
# terminal drops the ciphertext of every request listed. No personal data: no name, ID or
# phone, only what anyone holding the receipt may read.
# Where each request stands at the county, published so every terminal can answer 办理进度. No
# receipt number, envelope id or answer text in clear (kiosk.formats.replies): rows are found
# by a hash of the number, acknowledged by the envelope's digest, and the answer is sealed to
# the key on the villager's paper receipt. Dates are days.
REPLIES = Dataset(
    "replies",
    "申请与咨询答复表",
    (
        C("查询码", "lookup", cells.hex_digits(32), max_len=32),
        C("信封摘要", "envelope_digest", cells.hex_digits(32), required=False, max_len=32),
        C("类型", "kind", cells.one_of(*REQUEST_KINDS.values())),
        C("状态", "status", cells.one_of(*COUNTY_STATUSES)),
        C("收到日期", "received_on", cells.date),
        C("法定答复期限", "due_on", cells.date),
        C("答复日期", "answered_on", cells.date, required=False),
        C("答复密文", "answer_sealed", cells.base64_text, required=False, max_len=replies.MAX_SEALED),
    ),
    unique=("lookup",),
    generated=True,
)

# 意见征集 (kiosk.formats.consultation). The county types the first three into one workbook,
# consultations.xlsx: the year's 重大行政决策事项目录, its drafts, and one sheet of articles
# per draft version. The last two are written by kiosk inbox comments. Article 0 is the
# draft as a whole (comments not about one article).
CONSULTATION_WORKBOOK = consultation.WORKBOOK

DECISIONS = Dataset(
    "decisions",
    "重大行政决策事项目录",
    (
        C("事项编号", "code", cells.short_code),
        C("年度", "year", cells.integer(2000, 2100)),
        C("决策事项", "title", max_len=100),
        C("承办单位", "department", max_len=60),
        C("决策阶段", "stage", cells.one_of("拟决策", "征求意见中", "已决策")),
        C("计划完成时间", "planned", required=False, max_len=30),
        C("决策日期", "decided_on", cells.date, required=False),
        C("决策结果", "outcome", required=False, max_len=5000),
    ),
    unique=("code",),
    workbook=CONSULTATION_WORKBOOK,
)

DRAFTS = Dataset(
    "drafts",
    "征求意见草案",
    (
        C("草案编号", "code", cells.short_code),
        C("版本", "version", cells.integer(1, 99)),
        C("事项编号", "decision_code", cells.short_code),
        C("草案标题", "title", max_len=100),
        C("起草背景", "background", max_len=2000),
        C("主要内容", "summary", max_len=2000),
        C("涉及对象", "affects", max_len=500),
        C("征求意见开始", "opens_on", cells.date),
        C("征求意见截止", "closes_on", cells.date),
        C("期限说明", "short_reason", required=False, max_len=300),
        C("起草单位", "department", max_len=60),
        C("联系电话", "phone", max_len=40),
        C("通信地址", "address", required=False, max_len=200),
        C("座谈会", "meetings", required=False, max_len=500),
        C("须署名", "signed", cells.one_of("是", "否"), required=False),
    ),
    unique=("code", "version"),
    workbook=CONSULTATION_WORKBOOK,
)

DRAFT_ARTICLES = Dataset(
    "draft_articles",
    "草案条文",
    (
        C("草案编号", "draft_code", cells.short_code),
        C("版本", "version", cells.integer(1, 99)),
        C("条", "article", cells.integer(1, 999)),
        C("款", "clause", cells.integer(1, 99), required=False),
        C("章节", "heading", required=False, max_len=60),
        C("条文", "text", max_len=3000),
    ),
    unique=("draft_code", "version", "article", "clause"),
    workbook=CONSULTATION_WORKBOOK,
)

ADOPTIONS = Dataset(
    "adoptions",
    "意见采纳情况",
    (
        C("草案编号", "draft_code", cells.short_code),
        C("版本", "version", cells.integer(1, 99)),
        C("条", "article", cells.integer(0, 999)),
        C("款", "clause", cells.integer(1, 99), required=False),
        C("收到意见", "received", cells.integer(0, 10_000_000)),
        C("赞成", "agree", cells.integer(0, 10_000_000)),
        C("不赞成", "disagree", cells.integer(0, 10_000_000)),
        C("修改建议", "suggest", cells.integer(0, 10_000_000)),
        C("采纳情况", "outcome", cells.one_of("采纳", "部分采纳", "未采纳")),
        C("理由", "reason", required=False, max_len=1000),
        C("公布日期", "published_on", cells.date),
    ),
    unique=("draft_code", "version", "article", "clause"),
    generated=True,
)

# Which article a villager's comment was on, found by a hash of its receipt number (as
# REPLIES): the villager's 回执 leads to that article's 采纳情况. The digest acknowledges the
# envelope, so the terminal drops its ciphertext. No stance, text, name or phone.
COMMENT_RECEIPTS = Dataset(
    "comment_receipts",
    "意见回执表",
    (
        C("查询码", "lookup", cells.hex_digits(32), max_len=32),
        C("信封摘要", "envelope_digest", cells.hex_digits(32), max_len=32),
        C("草案编号", "draft_code", cells.short_code),
        C("版本", "version", cells.integer(1, 99)),
        C("条", "article", cells.integer(0, 999)),
        C("款", "clause", cells.integer(1, 99), required=False),
        C("收到日期", "received_on", cells.date),
    ),
    unique=("lookup",),
    generated=True,
)

# 政策找人 (kiosk.formats.screening): the county types its policies and their conditions into
# one workbook, screening.xlsx, with scenario tests that kiosk feed build runs before signing.
SCREENING_WORKBOOK = "screening"

SCREENING_POLICIES = Dataset(
    "screening_policies",
    "政策找人·政策表",
    (
        C("政策编号", "code", cells.short_code),
        C("政策名称", "name", max_len=40),
        C("类别", "category", max_len=20),
        C("主管部门", "department", max_len=60),
        C("待遇标准", "benefit", max_len=300),
        C("申办方式", "mode", cells.one_of(*screening.MODES)),
        C("办理地点", "place", max_len=200),
        C("所需材料", "materials", max_len=1000),
        C("咨询电话", "phone", max_len=40),
        C("办理时限", "time_limit", max_len=200),
        C("政策依据", "reference", max_len=300),
        C("依据索引号", "document_index", required=False, max_len=60),
        C("问答编号", "qa_code", required=False, max_len=20),
        C("生效日期", "valid_from", cells.date),
        C("失效日期", "valid_until", cells.date, required=False),
        C("备注", "remark", required=False, max_len=200),
    ),
    unique=("code",),
    workbook=SCREENING_WORKBOOK,
)

SCREENING_CONDITIONS = Dataset(
    "screening_conditions",
    "政策找人·条件表",
    (
        C("政策编号", "policy_code", cells.short_code),
        C("条件组", "group", cells.integer(1, screening.MAX_GROUPS)),
        C("问题", "question", cells.one_of(*screening.BY_CODE)),
        C("比较", "comparison", cells.one_of(*screening.COMPARISONS)),
        C("取值", "value", max_len=200),
        C("条件说明", "label", max_len=60),
        C("生效日期", "valid_from", cells.date, required=False),
        C("失效日期", "valid_until", cells.date, required=False),
        C("依据", "reference", max_len=300),
    ),
    unique=("policy_code", "group", "question", "comparison", "valid_from"),
    workbook=SCREENING_WORKBOOK,
)

# Order matters: a dataset may refer to the ones before it.
ALL = (
    TOWNS, VILLAGES, SUBSIDY_ITEMS, PAYOUTS, CATALOGUE_DOMAINS, CATALOGUE_ENTRIES,
    QA, DOCUMENTS, GUIDES, CONTACTS, WORK_CALENDAR, REPLIES,
    DECISIONS, DRAFTS, DRAFT_ARTICLES, ADOPTIONS, COMMENT_RECEIPTS, SCREENING_POLICIES,
    SCREENING_CONDITIONS,
)  # fmt: skip
BY_NAME = {d.name: d for d in ALL}
