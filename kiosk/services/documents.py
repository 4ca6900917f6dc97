"""规范性文件 and policy documents, by validity, with full text search."""

from kiosk.services.search import by_text
from kiosk.services.types import DocumentInfo
from kiosk.store.models import PolicyDocument

VALIDITIES = ("有效", "已修改", "已废止", "失效")


def _info(d: PolicyDocument) -> DocumentInfo:
    def iso(value) -> str | None:
        return str(value) if value else None

    return DocumentInfo(
        id=d.id, index_no=d.index_no, title=d.title, doc_number=d.doc_number, issuer=d.issuer,
        written_on=iso(d.written_on), published_on=iso(d.published_on),
        effective_on=iso(d.effective_on), expires_on=iso(d.expires_on), validity=d.validity,
        topic=d.topic, body=d.body, interpretation=d.interpretation,
    )  # fmt: skip


def list_documents(validity: str | None = None) -> list[DocumentInfo]:
    """Documents, newest first; ``validity`` narrows to 有效 / 已修改 / 已废止 / 失效."""
    query = PolicyDocument.select()
    if validity:
        query = query.where(PolicyDocument.validity == validity)
    order = (PolicyDocument.published_on.desc(nulls="LAST"), PolicyDocument.id)
    return [_info(d) for d in query.order_by(*order)]


def get_document(doc_id: int) -> DocumentInfo | None:
    found = PolicyDocument.get_or_none(PolicyDocument.id == doc_id)
    return _info(found) if found else None


def search_documents(query: str, limit: int = 50) -> list[DocumentInfo]:
    ids = by_text("document", query, PolicyDocument.title_initials, limit)
    found = {d.id: d for d in PolicyDocument.select().where(PolicyDocument.id.in_(ids))}
    return [_info(found[i]) for i in ids if i in found]
