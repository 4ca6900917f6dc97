"""The county side: terminal list, import into the cases database, working days, the round trip."""

import datetime as dt
import json
import sqlite3

import pytest

from kiosk.county.inbox import cases
from kiosk.county.inbox import intake as county_import
from kiosk.county.inbox import keys as county_keys
from kiosk.errors import ImportRefused, KnownError, SchemaTooNewError
from kiosk.formats import envelope, replies, workdays
from kiosk.outbox import delivery as push
from kiosk.outbox import queue as outbox
from tests.helpers.envelopes import CALLBACK, DISCLOSURE, NOW, drop, make_county, seal, write_terminals_csv


@pytest.fixture
def county(tmp_path):
    keydir = tmp_path / "county-keys"
    public, _ = make_county(keydir)
    return keydir, public


@pytest.fixture
def enrolled(tmp_path, terminals):
    """The county's list enrolling all three terminals (only enrolled terminals start a case)."""
    rows = [f"{t.fingerprint()},终端{n},张鲁回族镇,在用" for n, t in enumerate(terminals)]
    return write_terminals_csv(tmp_path / "enrolled.csv", rows)


def digests(sealed) -> list[str]:
    return sorted(envelope.digest(s.data) for s in sealed)


def rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_import_files_cases_with_their_fields_and_due_dates(tmp_path, county, terminals):
    keydir, public = county
    term_list = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,在用",
    ])
    sealed = [seal(terminals[0], public, "disclosure"), seal(terminals[0], public, "callback")]
    drop(tmp_path / "in", sealed)
    db = tmp_path / "cases.sqlite3"
    report = county_import.import_envelopes(tmp_path / "in", keydir, db, term_list, now=NOW)
    assert (report.files, report.imported, report.duplicates, report.held) == (2, 2, 0, 0)
    assert report.refused == []
    cases.open_cases(db)
    try:
        disclosure = cases.Case.get(cases.Case.ulid == sealed[0].id)
        callback = cases.Case.get(cases.Case.ulid == sealed[1].id)
    finally:
        cases.close_cases()
    assert disclosure.receipt == sealed[0].header.receipt and disclosure.kind == "disclosure"
    assert (disclosure.name, disclosure.id_number, disclosure.phone) == (
        DISCLOSURE["name"], DISCLOSURE["id_number"], DISCLOSURE["phone"]
    )
    assert disclosure.address == DISCLOSURE["address"] and disclosure.delivery == "邮寄"
    assert json.loads(disclosure.refers_to) == {"village": "371522102001", "year": "2025"}
    assert disclosure.status == cases.STATUS_RECEIVED and disclosure.terminal_verified
    assert disclosure.received_on == dt.date(2026, 11, 27)
    assert disclosure.due_on == dt.date(2026, 12, 25)  # 20 working days after a Friday
    assert callback.due_on == dt.date(2026, 12, 1)  # Monday, Tuesday
    assert (callback.topic, callback.text, callback.name) == (CALLBACK["topic"], CALLBACK["text"], None)
    assert county_import.received_digests(db) == digests(sealed)
    assert disclosure.reply_key == sealed[0].reply_key
    assert disclosure.lookup == replies.lookup(disclosure.receipt)


def test_importing_the_same_envelopes_again_adds_nothing(tmp_path, county, terminals, enrolled):
    keydir, public = county
    sealed = [seal(terminals[n % 3], public) for n in range(500)]
    drop(tmp_path / "in", sealed)
    db = tmp_path / "cases.sqlite3"
    first = county_import.import_envelopes(tmp_path / "in", keydir, db, enrolled, now=NOW)
    assert (first.imported, first.duplicates) == (500, 0)
    assert list((tmp_path / "in").iterdir()) == []  # moved to the archive
    drop(tmp_path / "in", sealed)  # the same envelopes come again (at-least-once delivery)
    again = county_import.import_envelopes(tmp_path / "in", keydir, db, enrolled, now=NOW)
    assert (again.files, again.imported, again.duplicates, again.refused) == (500, 0, 500, [])
    assert rows(db, 'SELECT count(*) FROM "case"') == [(500,)]
    assert rows(db, "SELECT imported, duplicates FROM import_log ORDER BY id") == [(500, 0), (0, 500)]
    assert len(county_import.received_digests(db)) == 500


def test_unknown_terminals_are_held_for_the_clerk_and_revoked_ones_refused(tmp_path, county, terminals):
    keydir, public = county
    known, unknown, revoked = terminals
    term_list = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{known.fingerprint()},古云镇,古云镇,在用",
        f"{revoked.fingerprint()},被盗终端,燕店镇,停用",
    ])
    from_unknown, from_revoked = seal(unknown, public), seal(revoked, public)
    drop(tmp_path / "in", [seal(known, public), from_unknown, from_revoked])
    db = tmp_path / "cases.sqlite3"
    report = county_import.import_envelopes(tmp_path / "in", keydir, db, term_list, now=NOW)
    assert (report.imported, report.held) == (1, 1)
    assert [(r.file, r.reason) for r in report.refused] == [(f"in/{from_revoked.id}.env", "revoked_terminal")]
    assert "停用" in report.refused[0].message
    assert rows(db, f"SELECT reason FROM held WHERE ulid = '{from_unknown.id}'") == [("unknown_terminal",)]
    assert rows(db, f"SELECT count(*) FROM \"case\" WHERE ulid = '{from_unknown.id}'") == [(0,)]
    acknowledged = county_import.received_digests(db)  # neither is acknowledged
    assert envelope.digest(from_revoked.data) not in acknowledged
    assert envelope.digest(from_unknown.data) not in acknowledged


def test_each_bad_file_is_refused_with_its_reason_and_the_rest_imported(tmp_path, county, terminals,
                                                                        enrolled):  # fmt: skip
    keydir, public = county
    other_public, _ = make_county(tmp_path / "other-county")
    folder = tmp_path / "in"
    good = seal(terminals[0], public)
    drop(folder, [good])
    truncated, tampered = seal(terminals[0], public), seal(terminals[0], public, "disclosure")
    (folder / "a-truncated.env").write_bytes(truncated.data[:-30])
    (folder / "b-tampered.env").write_bytes(tampered.data.replace(b'"disclosure"', b'"callback"'))
    (folder / "c-other.env").write_bytes(seal(terminals[0], other_public).data)
    (folder / "d-empty.env").write_bytes(b"")
    (folder / "e-photo.env").write_bytes(b"\xff\xd8\xff\xe0JFIF")
    (folder / f"{truncated.id}.part").write_bytes(truncated.data)  # an unfinished copy is not read
    report = county_import.import_envelopes(folder, keydir, tmp_path / "cases.sqlite3", enrolled, now=NOW)
    assert (report.files, report.imported) == (6, 1)
    assert sorted((r.file, r.reason) for r in report.refused) == [
        ("in/a-truncated.env", "malformed"), ("in/b-tampered.env", "tampered"),
        ("in/c-other.env", "other_county_key"), ("in/d-empty.env", "malformed"),
        ("in/e-photo.env", "malformed"),
    ]
    assert all(" / " in r.message for r in report.refused)


def test_a_missing_folder_or_a_bad_terminal_list_imports_nothing(tmp_path, county, terminals):
    db = tmp_path / "cases.sqlite3"
    with pytest.raises(KnownError):
        county_import.import_envelopes(tmp_path / "nowhere", county[0], db)
    drop(tmp_path / "in", [seal(terminals[0], county[1])])
    bad_list = write_terminals_csv(tmp_path / "terminals.csv", [f"{terminals[0].fingerprint()},甲,张鲁,报废"])
    with pytest.raises(ImportRefused):
        county_import.import_envelopes(tmp_path / "in", county[0], db, bad_list)
    assert not db.exists()


def test_terminal_list_problems_name_file_row_and_column(tmp_path, terminals):
    good_key = terminals[1].public_b64
    path = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{terminals[0].fingerprint()},,张鲁,在用",
        "not-a-fingerprint,甲,张鲁,在用",
        f"{terminals[0].fingerprint()},乙,张鲁,报废",
        f",丙,张鲁,在用,{good_key}",
        f"{terminals[2].fingerprint()},丁,张鲁,在用,{good_key}",
        ",戊,张鲁,在用,bm90IGEga2V5",
    ], header="fingerprint,name,town,status,public_key")
    with pytest.raises(ImportRefused) as info:
        county_import.load_terminals_csv(path)
    assert info.value.problems == [
        "terminals.csv:2:name: 不能为空 / is required",
        "terminals.csv:3:fingerprint: 格式应为 8 组 4 位十六进制（如 1a2b-3c4d-…） / "
        "must be 8 groups of 4 hex digits",
        "terminals.csv:4:status: 应为 在用 或 停用 / must be 在用 (enrolled) or 停用 (revoked)",
        "terminals.csv:6:fingerprint: 与 public_key 不符 / does not match public_key",
        "terminals.csv:7:public_key: 应为32字节公钥的base64 / must be base64 of a 32-byte public key",
    ]
    missing = write_terminals_csv(tmp_path / "short.csv", ["x,y"], header="name,town")
    with pytest.raises(ImportRefused) as info:
        county_import.load_terminals_csv(missing)
    assert info.value.problems[0] == "short.csv:1:status: 缺少此列 / column missing"


def test_terminal_list_saved_by_chinese_excel_and_keyed_by_public_key(tmp_path, terminals):
    path = tmp_path / "terminals.csv"
    path.write_bytes(f"public_key,name,town,status\n{terminals[0].public_b64},樱桃园镇,樱桃园镇,停用\n"
                     .encode("gb18030"))
    [row] = county_import.load_terminals_csv(path)
    assert (row.fingerprint, row.name, row.status) == (terminals[0].fingerprint(), "樱桃园镇", "revoked")


def test_working_days_follow_the_county_calendar():
    friday = dt.date(2026, 9, 25)
    assert workdays.working_days_after(friday, 1) == dt.date(2026, 9, 28)
    assert workdays.working_days_after(friday, 0) == friday
    holidays = {dt.date(2026, 10, d) for d in range(1, 8)}  # 国庆
    extra = {dt.date(2026, 9, 27), dt.date(2026, 10, 10)}  # 调休: a Sunday and a Saturday worked
    assert workdays.working_days_after(friday, 1, holidays, extra) == dt.date(2026, 9, 27)
    assert workdays.working_days_after(friday, 4, holidays, extra) == dt.date(2026, 9, 30)
    assert workdays.working_days_after(friday, 5, holidays, extra) == dt.date(2026, 10, 8)
    assert workdays.working_days_after(friday, 20) == dt.date(2026, 10, 23)
    assert workdays.working_days_after(friday, 20, holidays, extra) == dt.date(2026, 10, 28)
    with pytest.raises(ValueError, match="negative"):
        workdays.working_days_after(friday, -1)


def test_import_uses_the_county_calendar(tmp_path, county, terminals, enrolled):
    keydir, public = county
    drop(tmp_path / "in", [seal(terminals[0], public)])
    db = tmp_path / "cases.sqlite3"
    county_import.import_envelopes(
        tmp_path / "in", keydir, db, enrolled, now=NOW, holidays={dt.date(2026, 11, 30)}, extra_workdays=set()
    )
    assert rows(db, 'SELECT due_on FROM "case"') == [("2026-12-02",)]


def test_cases_schema_is_versioned_and_a_newer_file_is_refused(tmp_path):
    db = tmp_path / "cases.sqlite3"
    cases.open_cases(db)
    cases.close_cases()
    assert rows(db, "PRAGMA user_version") == [(cases.LATEST,)]
    cases.open_cases(db)  # opening again applies nothing and keeps the data
    cases.close_cases()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {cases.LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        cases.open_cases(db)


def test_round_trip_terminal_usb_county_and_acknowledgement(tmp_path, county, terminals, enrolled):
    keydir, _ = county
    public = county_keys.inbox_public(keydir).key
    with outbox.Outbox(tmp_path / "outbox") as box:
        ids = [box.add(seal(terminals[0], public, kind).data) for kind in ("disclosure", "callback")]
        usb = tmp_path / "usb"
        usb.mkdir()
        assert push.push_dir(box, usb).sent == 2
        db = tmp_path / "cases.sqlite3"
        report = county_import.import_envelopes(usb, keydir, db, enrolled, now=NOW)  # the stick's root
        assert report.imported == 2
        assert box.acknowledge(county_import.received_digests(db)) == 2
        assert box.status() == outbox.OutboxStatus(waiting=0, sent=0, acknowledged=2, missing=0, damaged=0)
        assert not any(box.path_of(i).exists() for i in ids)


def test_round_trip_over_http_to_a_store_then_import(tmp_path, county, terminals, store, enrolled):
    keydir, public = county
    server = store
    with outbox.Outbox(tmp_path / "outbox") as box:
        ids = [box.add(seal(terminals[1], public, kind).data) for kind in ("disclosure", "callback")]
        assert push.push_http(box, server.url, now=NOW).sent == 2
    mirror = tmp_path / "store-mirror"  # what a sync of the store's folder would give the county
    mirror.mkdir()
    for name, body in server.received.items():
        (mirror / name).write_bytes(body)
    report = county_import.import_envelopes(mirror, keydir, tmp_path / "cases.sqlite3", enrolled, now=NOW)
    assert (report.imported, report.held, report.refused) == (2, 0, [])
    assert len(county_import.received_digests(tmp_path / "cases.sqlite3")) == len(ids) == 2


def test_a_receipt_already_used_is_reported_not_merged(tmp_path, county, terminals, enrolled):
    keydir, public = county
    first, second = seal(terminals[0], public), seal(terminals[0], public)
    db = tmp_path / "cases.sqlite3"
    drop(tmp_path / "one", [first])
    county_import.import_envelopes(tmp_path / "one", keydir, db, enrolled, now=NOW)
    conn = sqlite3.connect(db)  # as if another request had drawn the same number
    conn.execute('UPDATE "case" SET receipt = ?', (second.header.receipt,))
    conn.commit()
    conn.close()
    drop(tmp_path / "two", [second])
    report = county_import.import_envelopes(tmp_path / "two", keydir, db, enrolled, now=NOW)
    assert report.imported == 0 and [r.reason for r in report.refused] == ["receipt_clash"]
    assert second.header.receipt in report.refused[0].message
    assert county_import.received_digests(db) == digests([first])  # not acknowledged: the terminal keeps it
