"""Shared search helper: pinyin-initials match for Latin input, full text otherwise."""

import re

from peewee import Field, fn

from kiosk.store import search as fts
from kiosk.store.models import database

_LETTERS = re.compile(r"^[a-zA-Z]+$")


def by_text(kind: str, query: str, initials_field: Field | None, limit: int) -> list[int]:
    """Ids of ``kind`` rows matching ``query``, best first.

    Latin letters (typed on the kiosk keypad) match anywhere in the pinyin initials of the
    title, where the table keeps them; anything else goes to the full-text index.
    """
    query = query.strip()
    if not query:
        return []
    if initials_field is not None and _LETTERS.match(query):
        model = initials_field.model
        rows = (
            model.select(model.id)
            .where(fn.instr(initials_field, query.lower()) > 0)
            .order_by(model.id)
            .limit(limit)
            .tuples()
        )
        return [row[0] for row in rows]
    return fts.find(database.connection(), kind, query, limit)
