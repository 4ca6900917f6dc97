"""Consultation: policy Q&A, service guides, hotlines and windows."""

from kiosk.services.search import by_text
from kiosk.services.types import ContactInfo, GuideInfo, QAInfo
from kiosk.store.models import Contact, QAEntry, ServiceGuide

# The life-event order villagers see; categories not listed follow alphabetically.
CATEGORY_ORDER = ("涉农补贴", "社会救助", "养老", "医疗", "生育", "上学", "就业", "创业",
                  "纳税", "住房", "户籍", "残疾人", "退役军人")  # fmt: skip


def qa_categories() -> list[str]:
    present = {c for (c,) in QAEntry.select(QAEntry.category).distinct().tuples()}
    ordered = [c for c in CATEGORY_ORDER if c in present]
    return ordered + sorted(present - set(ordered))


def _qa_info(q: QAEntry) -> QAInfo:
    return QAInfo(
        id=q.id, code=q.code, question=q.question,
        similar=[s for s in q.similar.split("|") if s], answer=q.answer, category=q.category,
        basis=q.basis, basis_doc_number=q.basis_doc_number, department=q.department,
        phone=q.phone, updated_on=str(q.updated_on), status=q.status,
    )  # fmt: skip


def qa_by_category(category: str) -> list[QAInfo]:
    """Valid Q&A of one category (withdrawn ones are not shown to villagers)."""
    query = QAEntry.select().where((QAEntry.category == category) & (QAEntry.status == "有效"))
    return [_qa_info(q) for q in query.order_by(QAEntry.code)]


def search_qa(query: str, limit: int = 50) -> list[QAInfo]:
    ids = by_text("qa", query, QAEntry.question_initials, limit)
    valid = QAEntry.select().where(QAEntry.id.in_(ids) & (QAEntry.status == "有效"))
    found = {q.id: q for q in valid}
    return [_qa_info(found[i]) for i in ids if i in found]


def _guide_info(g: ServiceGuide) -> GuideInfo:
    return GuideInfo(
        id=g.id, code=g.code, name=g.name, category=g.category, conditions=g.conditions,
        materials=[m for m in g.materials.split("；") if m],
        procedure=[s for s in g.procedure.split("→") if s], time_limit=g.time_limit,
        location=g.location, hours=g.hours, phone=g.phone, fee=g.fee, basis=g.basis,
    )  # fmt: skip


def list_guides() -> list[GuideInfo]:
    return [_guide_info(g) for g in ServiceGuide.select().order_by(ServiceGuide.code)]


def search_guides(query: str, limit: int = 50) -> list[GuideInfo]:
    ids = by_text("guide", query, None, limit)
    found = {g.id: g for g in ServiceGuide.select().where(ServiceGuide.id.in_(ids))}
    return [_guide_info(found[i]) for i in ids if i in found]


def list_contacts(kind: str | None = None, town_code: str | None = None) -> list[ContactInfo]:
    """Hotlines, windows and supervision phones; county-wide ones plus the town's own."""
    query = Contact.select()
    if kind:
        query = query.where(Contact.kind == kind)
    if town_code:
        query = query.where(Contact.town.is_null() | (Contact.town == town_code))
    return [
        ContactInfo(c.kind, c.name, c.department, c.phone, c.address, c.hours, c.town_id, c.remark)
        for c in query.order_by(Contact.kind, Contact.id)
    ]
