"""Full-text search over catalogue entries, Q&A, documents and service guides.

The FTS5 table ``search_index`` (migration 0002) holds bigram-tokenised copies of the
searchable text (kiosk.store.text.index_tokens). It is rebuilt whenever those tables change;
they are small (hundreds to a few thousand rows), so a rebuild takes milliseconds.
"""

import sqlite3

from kiosk.store.text import index_tokens, match_expression

KINDS = ("catalogue", "qa", "document", "guide")

# kind -> SQL yielding (id, title, body) over the source table.
_SOURCES = {
    "catalogue": "SELECT id AS id, level1 || ' ' || level2 AS title,"
    " content || ' ' || basis || ' ' || subject AS body FROM catalogue_entry",
    "qa": "SELECT id AS id, question || ' ' || similar AS title,"
    " answer || ' ' || basis AS body FROM qa_entry",
    "document": "SELECT id AS id, title || ' ' || doc_number AS title,"
    " body || ' ' || interpretation || ' ' || topic || ' ' || issuer AS body"
    " FROM policy_document",
    "guide": "SELECT id AS id, name AS title,"
    " conditions || ' ' || materials || ' ' || procedure || ' ' || category AS body"
    " FROM service_guide",
}


def rebuild_raw(conn: sqlite3.Connection) -> None:
    """Rebuild the whole index from the source tables, inside the caller's transaction."""
    conn.execute("DELETE FROM search_index")
    for kind, sql in _SOURCES.items():
        rows = conn.execute(sql).fetchall()
        conn.executemany(
            "INSERT INTO search_index (kind, ref_id, title, body) VALUES (?, ?, ?, ?)",
            [(kind, i, index_tokens(title), index_tokens(body)) for i, title, body in rows],
        )


def find(conn: sqlite3.Connection, kind: str, query: str, limit: int = 200) -> list[int]:
    """Ids of ``kind`` rows matching ``query``, best first (title hits weigh 4x body hits).

    A query of one Chinese character (not indexable as a bigram) falls back to a substring
    scan of the source text, which is cheap at these table sizes.
    """
    if kind not in _SOURCES:
        raise ValueError(f"unknown search kind: {kind}")
    expression = match_expression(query)
    if expression is not None:
        rows = conn.execute(
            "SELECT ref_id FROM search_index WHERE search_index MATCH ? AND kind = ?"
            " ORDER BY bm25(search_index, 0, 0, 4.0, 1.0) LIMIT ?",
            (expression, kind, limit),
        ).fetchall()
        return [r[0] for r in rows]
    needle = query.strip()
    if not needle:
        return []
    rows = conn.execute(
        f"SELECT id FROM ({_SOURCES[kind]})"
        " WHERE instr(title, ?) > 0 OR instr(body, ?) > 0 LIMIT ?",
        (needle, needle, limit),
    ).fetchall()
    return [r[0] for r in rows]
