"""Towns and villages of the county."""

from peewee import JOIN, fn

from kiosk.services.types import TownInfo, VillageInfo
from kiosk.store.models import Town, Village
from kiosk.store.prepared import Prepared


def list_towns() -> list[TownInfo]:
    """All towns in official code order (街道 first, then 镇), with their village counts."""
    query = (
        Town.select(Town.code, Town.name, Town.kind, Town.initials, fn.COUNT(Village.code))
        .join(Village, JOIN.LEFT_OUTER)
        .group_by(Town.code)
        .order_by(Town.code)
        .tuples()
    )
    return [TownInfo(*row) for row in query]


def list_villages(town_code: str) -> list[VillageInfo]:
    """The villages of one town, sorted by pinyin (how villagers look for a name)."""
    query = (
        Village.select(Village.code, Village.name, Town.code, Town.name, Village.initials,
                       Village.is_demo)
        .join(Town)
        .where(Village.town == town_code)
        .order_by(Village.pinyin, Village.code)
        .tuples()
    )  # fmt: skip
    return [VillageInfo(*row) for row in query]


_VILLAGE = Prepared(lambda code: Village.select(
    Village.code, Village.name, Town.code, Town.name, Village.initials, Village.is_demo,
).join(Town).where(Village.code == code), "V")  # fmt: skip


def get_village(code: str) -> VillageInfo | None:
    row = _VILLAGE.first(code)  # the code is the key: one row or none
    return VillageInfo(row[0], row[1], row[2], row[3], row[4], bool(row[5])) if row else None
