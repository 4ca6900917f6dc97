"""Towns and villages of the county (read with sqlite3 alone: the home page's first frame
shows them before the models are loaded, kiosk.store.glance)."""

from kiosk.services.types import TownInfo, VillageInfo
from kiosk.store import glance


def list_towns() -> list[TownInfo]:
    """All towns in official code order (街道 first, then 镇), with their village counts."""
    return [TownInfo(*row) for row in glance.towns()]


def list_villages(town_code: str) -> list[VillageInfo]:
    """The villages of one town, sorted by pinyin (how villagers look for a name)."""
    return [VillageInfo(*row) for row in glance.villages(town_code)]


def get_village(code: str) -> VillageInfo | None:
    row = glance.village(code)  # the code is the key: one row or none
    return VillageInfo(*row) if row else None
