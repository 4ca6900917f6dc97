"""The terminal's embedded store: peewee models on SQLite.

Money is integer fen (分). Quantities are integer hundredths of their unit (5.20 亩 -> 520),
so nothing here is ever a float (but one monotonic clock reading). Dates are ISO dates.
"""

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)

from kiosk.store import opened


class _Database(SqliteDatabase):
    """The terminal's database: on the thread that opened it before the models were loaded,
    the connection made then is taken over (kiosk.store.opened) rather than a second one
    opened."""

    def _connect(self):
        conn = opened.take_early(self.database)
        if conn is None:
            return super()._connect()
        self._add_conn_hooks(conn)
        return conn


# Bound by kiosk.store.db.open_database(), or now if it ran before the models were loaded.
database = _Database(None)
opened.bind(database)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Town(BaseModel):
    """A 乡级 unit of 莘县: 4 街道 and 20 镇, with the official 9-digit code."""

    code = CharField(max_length=9, primary_key=True)
    name = CharField()
    kind = CharField()  # 街道 / 镇
    pinyin = CharField()
    initials = CharField(index=True)


class Village(BaseModel):
    """A 村(居)委会, 12-digit statistical code: 371522 + town(3) + village(3)."""

    code = CharField(max_length=12, primary_key=True)
    town = ForeignKeyField(Town, backref="villages", on_delete="RESTRICT")
    name = CharField()
    pinyin = CharField(index=True)
    initials = CharField(index=True)
    is_demo = BooleanField(default=False)


class SubsidyItem(BaseModel):
    """One 惠民惠农 subsidy from the county's 补贴政策清单."""

    code = CharField(primary_key=True)
    name = CharField(unique=True)
    category = CharField()
    paid_per = CharField()  # 户 / 人
    unit = CharField()  # 亩, 人·月, 头, 台 …
    frequency = CharField()
    department = CharField()
    basis = TextField()
    standard_fen = IntegerField(null=True)  # typical standard per unit, for the 清单


class Payout(BaseModel):
    """One beneficiary x item x payment line of a year's result list, masked at the source."""

    # The composite indexes below serve lookups by village; no separate FK index is needed.
    village = ForeignKeyField(Village, backref="payouts", on_delete="RESTRICT", index=False)
    year = IntegerField()
    item = ForeignKeyField(SubsidyItem, backref="payouts", on_delete="RESTRICT")
    paid_on = DateField()
    batch = CharField(default="")  # 发放批次, when the county export names one
    name = CharField()
    name_initials = CharField()
    id_masked = CharField()
    id_last4 = CharField(max_length=4)
    quantity_centi = IntegerField()  # hundredths of `unit`
    unit = CharField()
    standard_fen = IntegerField()  # fen per unit
    amount_fen = IntegerField()
    account_last4 = CharField(default="")
    remark = TextField(default="")

    class Meta:
        indexes = (
            (("village", "year", "item"), False),
            (("id_last4",), False),  # the lookup by last 4 (migration 0007)
            (("name",), False),  # ... narrowed by a written name
        )


class CatalogueDomain(BaseModel):
    """One of the 26 基层政务公开 pilot domains."""

    code = CharField(primary_key=True)
    seq = IntegerField()
    name = CharField(unique=True)
    lead_department = CharField()


class CatalogueEntry(BaseModel):
    """One row of a 基层政务公开标准目录 (the standard column layout)."""

    domain = ForeignKeyField(CatalogueDomain, backref="entries", on_delete="RESTRICT")
    seq = IntegerField()
    item_code = CharField(unique=True)
    level1 = CharField()
    level2 = CharField()
    content = TextField()
    basis = TextField()
    time_limit = CharField()
    subject = CharField()
    channels = CharField()  # 、-joined members of CHANNELS
    audience = CharField()  # 全社会 / 特定群体
    mode = CharField()  # 主动 / 依申请
    levels = CharField()  # 县级、乡级、村级
    title_initials = CharField(index=True)


class PolicyDocument(BaseModel):
    """A 规范性文件 or policy document with its register metadata."""

    index_no = CharField(unique=True)
    title = CharField()
    doc_number = CharField(index=True)
    issuer = CharField()
    written_on = DateField(null=True)
    published_on = DateField(null=True)
    effective_on = DateField(null=True)
    expires_on = DateField(null=True)
    validity = CharField(index=True)  # 有效 / 已修改 / 已废止
    topic = CharField()
    body = TextField()
    interpretation = TextField(default="")
    title_initials = CharField(index=True)


class QAEntry(BaseModel):
    """A 政策问答 record (标准问法 + 相似问法)."""

    code = CharField(unique=True)
    question = TextField()
    similar = TextField(default="")  # |-joined
    answer = TextField()
    category = CharField(index=True)
    basis = TextField(default="")
    basis_doc_number = CharField(default="")
    department = CharField()
    phone = CharField(default="")
    updated_on = DateField()
    status = CharField()  # 有效 / 废止
    question_initials = CharField(index=True)


class ServiceGuide(BaseModel):
    """An 办事指南."""

    code = CharField(unique=True)
    name = CharField()
    category = CharField()
    conditions = TextField()
    materials = TextField()  # ；-joined
    procedure = TextField()  # →-joined
    time_limit = CharField()
    location = CharField()
    hours = CharField()
    phone = CharField()
    fee = CharField()
    basis = TextField()


class Contact(BaseModel):
    """A hotline, a service window or a supervision phone."""

    kind = CharField(index=True)  # 热线 / 窗口 / 监督电话
    name = CharField()
    department = CharField()
    phone = CharField()
    address = CharField(default="")
    hours = CharField(default="")
    town = ForeignKeyField(Town, null=True, backref="contacts", on_delete="RESTRICT")
    remark = CharField(default="")


class WorkDay(BaseModel):
    """A day that breaks the Monday-to-Friday rule: a holiday (休) or a 调休 workday (班)."""

    day = DateField(primary_key=True)
    kind = CharField()  # 休 / 班
    note = CharField(default="")


class FeedState(BaseModel):
    """What the terminal holds: one row per source of data (the county feed)."""

    source = CharField(primary_key=True)
    version = IntegerField(default=0)
    data_as_of = DateTimeField(null=True)
    applied_at = DateTimeField(null=True)
    last_attempt_at = DateTimeField(null=True)
    last_result = CharField(default="")  # ok / refused / failed
    last_message = TextField(default="")
    # The county's inbox public key (X25519, base64) from the signed feed.json: villagers'
    # requests are sealed to it (0008), up to and including its expiry date (0009).
    inbox_key = TextField(null=True)
    inbox_key_expires = DateField(null=True)


class FeedPartition(BaseModel):
    """One feed target held on the terminal, by content hash."""

    target = CharField(primary_key=True)
    sha256 = CharField(max_length=64)
    feed_version = IntegerField()
    applied_at = DateTimeField()


class Withdrawal(BaseModel):
    """A town-year whose payouts the county withdrew on purpose, with its reason (0006)."""

    year = IntegerField()
    town_code = CharField(max_length=9)
    reason = TextField()
    withdrawn_at = CharField()  # ISO time (UTC) of the county build that withdrew it
    feed_version = IntegerField()

    class Meta:
        indexes = ((("year", "town_code"), True),)


class Reply(BaseModel):
    """Where a villager's request stands at the county (feed dataset "replies", 0009).

    Nothing in it names a request in clear: see kiosk.formats.replies."""

    lookup = CharField(primary_key=True, max_length=32)  # replies.lookup(受理编号)
    # The exact envelope acknowledged (None: a case the county filed before digests).
    envelope_digest = CharField(unique=True, max_length=32, null=True)
    kind = CharField()  # 政府信息公开申请 / 咨询·预约回电
    status = CharField()  # 县里已收到 / 办理中 / 已答复 / 需补正 / 已延期
    received_on = DateField()
    due_on = DateField()
    answered_on = DateField(null=True)
    answer_sealed = TextField(default="")  # readable only with the receipt QR's key


class Decision(BaseModel):
    """A row of the year's 重大行政决策事项目录 (feed dataset "decisions", 0010)."""

    code = CharField(primary_key=True)
    year = IntegerField()
    title = CharField()
    department = CharField()
    stage = CharField()  # 拟决策 / 征求意见中 / 已决策
    planned = CharField(default="")
    decided_on = DateField(null=True)
    outcome = TextField(default="")  # the decision as made, once 已决策


class Draft(BaseModel):
    """One version of a draft put out for comment, with its 起草说明 and period (0010)."""

    code = CharField()
    version = IntegerField()
    decision_code = CharField()
    title = CharField()
    background = TextField()
    summary = TextField()
    affects = TextField()
    opens_on = DateField()
    closes_on = DateField()
    short_reason = TextField(default="")
    department = CharField()
    phone = CharField()
    address = CharField(default="")
    meetings = TextField(default="")
    signed = BooleanField(default=False)  # comments must carry a name and phone

    class Meta:
        indexes = ((("code", "version"), True),)


class DraftArticle(BaseModel):
    """One 条 (or 款) of a draft version: what a comment anchors to (0010)."""

    draft_code = CharField()
    version = IntegerField()
    article = IntegerField()
    clause = IntegerField(null=True)
    heading = CharField(default="")
    text = TextField()

    class Meta:
        indexes = ((("draft_code", "version", "article", "clause"), False),)


class Adoption(BaseModel):
    """The county's 采纳情况 for one article of a draft version, published at once (0010)."""

    draft_code = CharField()
    version = IntegerField()
    article = IntegerField()  # 0: the draft as a whole
    clause = IntegerField(null=True)
    received = IntegerField()
    agree = IntegerField()
    disagree = IntegerField()
    suggest = IntegerField()
    outcome = CharField()  # 采纳 / 部分采纳 / 未采纳
    reason = TextField(default="")
    published_on = DateField()

    class Meta:
        indexes = ((("draft_code", "version", "article", "clause"), False),)


class CommentReceipt(BaseModel):
    """Which article a comment was on, by a hash of its receipt number; its digest
    acknowledges the envelope (0010). Nothing of what the villager said."""

    lookup = CharField(primary_key=True, max_length=32)
    envelope_digest = CharField(unique=True, max_length=32)
    draft_code = CharField()
    version = IntegerField()
    article = IntegerField()
    clause = IntegerField(null=True)
    received_on = DateField()


class ScreeningPolicy(BaseModel):
    """A policy 政策找人 screens for: what it gives and how to apply (0011). The conditions
    are ScreeningCondition rows; kiosk.formats.screening evaluates them."""

    code = CharField(primary_key=True)
    name = CharField()
    category = CharField()
    department = CharField()
    benefit = TextField()
    mode = CharField()  # 依申请 or 免申即享
    place = TextField()
    materials = TextField()
    phone = CharField()
    time_limit = TextField()
    reference = TextField()
    document_index = CharField(default="")
    qa_code = CharField(default="")
    valid_from = DateField()
    valid_until = DateField(null=True)
    remark = CharField(default="")


class ScreeningCondition(BaseModel):
    """One dated value of one condition of a screened policy (0011)."""

    policy_code = CharField(index=True)
    group = IntegerField()
    question = CharField()
    comparison = CharField()
    value = CharField()
    label = CharField()
    valid_from = DateField(null=True)
    valid_until = DateField(null=True)
    reference = TextField()


class AuditLog(BaseModel):
    """Who did what when: imports, syncs, prints."""

    at = DateTimeField(index=True)
    kind = CharField(index=True)  # import / sync / print
    actor = CharField()
    summary = TextField()
    digest = CharField(default="")


class UsageCount(BaseModel):
    """Page views, prints and verifications per month and kind (0012): counts, never who."""

    month = CharField(max_length=7)  # YYYY-MM, local time
    kind = CharField(max_length=32)  # kiosk.formats.status_report.USAGE_KINDS
    count = IntegerField()

    class Meta:
        primary_key = CompositeKey("month", "kind")


class Fault(BaseModel):
    """A fault the terminal found in itself, from ``since`` until ``cleared`` (0012)."""

    code = CharField(max_length=32)  # kiosk.formats.status_report.FAULTS
    since = CharField(max_length=40)  # ISO time, UTC
    cleared = CharField(max_length=40, null=True)
    detail = TextField()


class PrintJob(BaseModel):
    """One job handed to the print system and what became of it (0012)."""

    at = CharField(max_length=40)
    what = CharField(max_length=32)  # notice / receipt / checklist / card
    printer = CharField()
    job_id = CharField()  # CUPS job id, "" on the QPrinter path or when refused
    pages = IntegerField()
    outcome = CharField(max_length=16)  # queued / ok / stuck / failed
    error = TextField()
    settled_at = CharField(max_length=40, null=True)


class Run(BaseModel):
    """One start of the kiosk (0012); ``clean`` once it ended through its own exit."""

    started_at = CharField(max_length=40)
    clean = IntegerField(default=0)
    screen = CharField(max_length=11, default="")  # e.g. 1080x1920
    handwriting = IntegerField(default=0)
    speech = IntegerField(default=0)


class StaffAccess(BaseModel):
    """The staff PIN and its lock-out (one row, id 1); see migration 0005."""

    id = IntegerField(primary_key=True)
    pin_hash = CharField(default="")  # scrypt$salt$digest; never the PIN
    failures = IntegerField(default=0)
    locked_at = DateTimeField(null=True)
    locked_monotonic = FloatField(null=True)
    boot_id = CharField(default="")


ALL_MODELS = (
    Town,
    Village,
    SubsidyItem,
    Payout,
    CatalogueDomain,
    CatalogueEntry,
    PolicyDocument,
    QAEntry,
    ServiceGuide,
    Contact,
    WorkDay,
    FeedState,
    FeedPartition,
    AuditLog,
    StaffAccess,
    Withdrawal,
    Reply,
    Decision,
    Draft,
    DraftArticle,
    Adoption,
    CommentReceipt,
    ScreeningPolicy,
    ScreeningCondition,
    UsageCount,
    Fault,
    PrintJob,
    Run,
)
