"""The 基层政务公开标准目录: 26 domains, their entries, and search."""

from peewee import JOIN, fn

from kiosk.services.search import by_text
from kiosk.services.types import CatalogueEntryInfo, DomainInfo
from kiosk.store.models import CatalogueDomain, CatalogueEntry


def list_domains() -> list[DomainInfo]:
    query = (
        CatalogueDomain.select(
            CatalogueDomain.code, CatalogueDomain.seq, CatalogueDomain.name,
            CatalogueDomain.lead_department, fn.COUNT(CatalogueEntry.id),
        )
        .join(CatalogueEntry, JOIN.LEFT_OUTER)
        .group_by(CatalogueDomain.code)
        .order_by(CatalogueDomain.seq)
        .tuples()
    )  # fmt: skip
    return [DomainInfo(*row) for row in query]


def _select():
    return CatalogueEntry.select(CatalogueEntry, CatalogueDomain.name.alias("domain_name")).join(
        CatalogueDomain
    )


def _info(entry: CatalogueEntry) -> CatalogueEntryInfo:
    def split(value: str) -> list[str]:
        return [p for p in value.split("、") if p]

    return CatalogueEntryInfo(
        id=entry.id, domain_code=entry.domain_id, domain_name=entry.domain_name,
        seq=entry.seq, item_code=entry.item_code, level1=entry.level1, level2=entry.level2,
        content=entry.content, basis=entry.basis, time_limit=entry.time_limit,
        subject=entry.subject, channels=split(entry.channels), audience=split(entry.audience),
        mode=split(entry.mode), levels=split(entry.levels),
    )  # fmt: skip


def entries(domain_code: str) -> list[CatalogueEntryInfo]:
    query = _select().where(CatalogueEntry.domain == domain_code).order_by(CatalogueEntry.seq)
    return [_info(e) for e in query.objects()]


def search(query: str, limit: int = 100) -> list[CatalogueEntryInfo]:
    """Entries matching ``query``: pinyin initials of the title (``zdsh`` for 最低生活…)
    when the query is Latin letters, otherwise full text (``低保``, ``补贴标准``)."""
    ids = by_text("catalogue", query, CatalogueEntry.title_initials, limit)
    found = {e.id: e for e in _select().where(CatalogueEntry.id.in_(ids)).objects()}
    return [_info(found[i]) for i in ids if i in found]
