"""Opening, pragmas, migrations and refusals of the embedded store."""

import sqlite3

import pytest
from peewee import SqliteDatabase

from kiosk.errors import KnownError, SchemaTooNewError
from kiosk.services import catalogue
from kiosk.store import migrations
from kiosk.store.db import close_database, open_database
from kiosk.store.models import ALL_MODELS, CatalogueEntry, database
from tests.helpers.data import content_digest


def test_new_database_has_wal_foreign_keys_and_latest_schema(empty_db):
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    assert migrations.LATEST >= 2


def test_migrated_schema_matches_the_models(empty_db):
    """The frozen migration files and the peewee models describe the same tables."""

    def columns(db: SqliteDatabase) -> dict[str, list[tuple]]:
        tables = [r[0] for r in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'search_index%'"
            " AND name NOT LIKE 'sqlite_%'").fetchall()]  # fmt: skip
        return {t: [tuple(c[1:]) for c in db.execute_sql(f'PRAGMA table_info("{t}")')]
                for t in sorted(tables)}  # fmt: skip

    modelled_db = SqliteDatabase(":memory:")
    with modelled_db.bind_ctx(ALL_MODELS):
        modelled_db.create_tables(ALL_MODELS)
        modelled = columns(modelled_db)
    assert columns(database) == modelled


def test_foreign_keys_are_enforced(empty_db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        database.execute_sql(
            "INSERT INTO village (code, town_id, name, pinyin, initials, is_demo)"
            " VALUES ('371522999201', '371522999', 'x', 'x', 'x', 0)"
        )


def test_older_database_is_upgraded_keeping_its_data(tmp_path):
    """A version-1 database (before full-text search) opens, upgrades and becomes searchable."""
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, target=1)
    conn.execute("INSERT INTO catalogue_domain VALUES ('D18', 18, '社会救助', '县民政局')")
    conn.execute(
        "INSERT INTO catalogue_entry (domain_id, seq, item_code, level1, level2, content, basis,"
        " time_limit, subject, channels, audience, mode, levels, title_initials) VALUES"
        " ('D18', 1, 'D18-01', '最低生活保障', '办事指南', '低保标准、申请材料',"
        " '民发〔2021〕57号', '10个工作日', '县民政局', '政府网站', '全社会', '主动', '县级',"
        " 'zdshbzbszn')"
    )
    assert migrations.current_version(conn) == 1
    conn.close()

    open_database(path)
    try:
        assert database.execute_sql("PRAGMA user_version").fetchone()[0] == migrations.LATEST
        assert CatalogueEntry.select().count() == 1
        assert [e.item_code for e in catalogue.search("低保")] == ["D18-01"]
    finally:
        close_database()


def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future_table (x)")
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.commit()
    conn.close()
    before = content_digest(path)
    with pytest.raises(SchemaTooNewError) as caught:
        open_database(path)
    assert "更新版本" in caught.value.zh and "newer" in caught.value.en
    assert content_digest(path) == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is a text file, not SQLite" * 100)
    with pytest.raises(KnownError, match="不是有效的数据库"):
        open_database(path)


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "half.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, target=1)

    def broken_step(conn):
        raise RuntimeError("power cut")

    monkeypatch.setitem(migrations.DATA_STEPS, 2, broken_step)
    with pytest.raises(RuntimeError):
        migrations.upgrade(conn)
    assert migrations.current_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "search_index" not in tables
    conn.close()


def test_money_is_stored_as_integer_fen(demo_db):
    types = {r[0] for r in database.execute_sql("SELECT DISTINCT typeof(amount_fen) FROM payout")}
    assert types == {"integer"}
    dates = database.execute_sql("SELECT paid_on FROM payout LIMIT 50").fetchall()
    assert all(len(d) == 10 and d[4] == "-" and d[7] == "-" for (d,) in dates)
