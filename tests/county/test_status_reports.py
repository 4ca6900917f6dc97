"""The terminals' signed status reports at the county: filed through the real import, with
"last seen" taken from the time a terminal signed, never from when a file arrived; forged,
replayed, late and foreign reports each meet their own rule."""

import datetime as dt
import json
import sqlite3

import pytest

from kiosk.county.inbox import cases, fleet
from kiosk.county.inbox import intake as county_import
from kiosk.formats import envelope, forms, ids, status_report
from tests.helpers.envelopes import NOW, drop, make_county, seal, seal_status, write_terminals_csv

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def county(tmp_path, terminals):
    keydir = tmp_path / "county-keys"
    public, _ = make_county(keydir)
    enrolled = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,在用",
        f"{terminals[1].fingerprint()},朝城便民服务中心,朝城镇,在用",
    ])  # fmt: skip
    return {"keys": keydir, "public": public, "terminals": enrolled, "db": tmp_path / "cases.sqlite3",
            "tmp": tmp_path}  # fmt: skip


def _import(county, sealed, now, name="drop"):
    folder = county["tmp"] / f"{name}-{now:%H%M%S%f}"
    drop(folder, sealed)
    return county_import.import_envelopes(folder, county["keys"], county["db"], county["terminals"], now=now)


def _fleet(county, now):
    cases.open_cases(county["db"])
    try:
        return {row.name: row for row in fleet.fleet_rows(now)}
    finally:
        cases.close_cases()


def _rows(county, sql):
    conn = sqlite3.connect(county["db"])
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_usb_report_arriving_days_later_shows_the_time_it_was_signed(county, terminals):
    signed = NOW - 3 * DAY
    report = seal_status(terminals[0], county["public"], signed, sent_via="usb")
    done = _import(county, [report], NOW)
    assert (done.statuses, done.imported, done.refused) == (1, 0, [])

    row = _fleet(county, NOW)["张鲁便民服务中心"]
    assert row.seen == signed and row.received == NOW and row.via == "usb" and not row.clock_ahead
    assert row.silent  # three days without a sign of life, whenever the stick arrived
    assert (row.app_version, row.feed_version, row.printer, row.printer_pages) == ("0.1.0", 7, "ok", 12)
    assert _fleet(county, signed + HOUR)["张鲁便民服务中心"].silent is False
    never = _fleet(county, NOW)["朝城便民服务中心"]
    assert never.seen is None and never.silent  # enrolled, never reported: marked, not hidden


def test_a_report_replayed_later_changes_nothing(county, terminals):
    report = seal_status(terminals[0], county["public"], NOW - HOUR)
    _import(county, [report], NOW)
    again = _import(county, [report], NOW + 5 * DAY, "replay")  # a box in between holds and resends it
    assert (again.statuses, again.duplicates, again.refused) == (0, 1, [])
    row = _fleet(county, NOW + 5 * DAY)["张鲁便民服务中心"]
    assert row.seen == NOW - HOUR and row.received == NOW and row.silent  # dark stays dark
    assert _rows(county, "SELECT count(*) FROM status_report") == [(1,)]


def test_a_report_older_than_the_last_one_changes_no_state_but_adds_what_it_knows(county, terminals):
    fault = {"code": "printer_stuck", "since": "2026-11-25T08:00:00+00:00", "cleared": "", "detail": "缺纸"}
    cleared = {**fault, "cleared": "2026-11-26T09:00:00+00:00"}
    newer = seal_status(terminals[0], county["public"], NOW - HOUR, feed_version=9, faults=[cleared],
                        usage={"2026-11": {"payouts": 40}})  # fmt: skip
    older = seal_status(terminals[0], county["public"], NOW - 2 * DAY, feed_version=8, faults=[fault],
                        usage={"2026-11": {"payouts": 25}, "2026-10": {"payouts": 300}})  # fmt: skip
    _import(county, [newer], NOW)
    late = _import(county, [older], NOW + HOUR, "late")
    assert (late.statuses, late.late_statuses) == (1, 1)

    row = _fleet(county, NOW + HOUR)["张鲁便民服务中心"]
    assert row.seen == NOW - HOUR and row.feed_version == 9 and row.faults == ()  # cleared stays cleared
    assert _rows(county, "SELECT code, since, cleared FROM terminal_fault") == [
        ("printer_stuck", "2026-11-25T08:00:00+00:00", "2026-11-26T09:00:00+00:00")]
    usage = sorted(_rows(county, "SELECT month, kind, count FROM terminal_usage"))
    assert usage == [("2026-10", "payouts", 300), ("2026-11", "payouts", 40)]  # the old month added, not the
    #                                                                          newer month's count overwritten
    assert _rows(county, "SELECT late FROM status_report ORDER BY signed") == [(1,), (0,)]


def test_reports_in_one_import_are_judged_in_signing_order(county, terminals):
    first = seal_status(terminals[0], county["public"], NOW - 2 * HOUR, feed_version=8)
    second = seal_status(terminals[0], county["public"], NOW - HOUR, feed_version=9)
    done = _import(county, [second, first], NOW)
    assert (done.statuses, done.late_statuses) == (2, 0)
    assert _fleet(county, NOW)["张鲁便民服务中心"].feed_version == 9


def test_a_forged_or_altered_report_is_refused_by_name_and_the_good_one_beside_it_is_filed(county, terminals):
    good = seal_status(terminals[1], county["public"], NOW - HOUR)
    real = seal_status(terminals[0], county["public"], NOW - HOUR)
    fields = json.loads(real.data)
    fields["created"] = envelope.format_time(NOW + HOUR)  # "I was alive later than I was"
    altered = envelope.canonical(fields)
    folder = county["tmp"] / "forged"
    drop(folder, [good])
    (folder / f"{real.id}.env").write_bytes(altered)
    done = county_import.import_envelopes(folder, county["keys"], county["db"], county["terminals"], now=NOW)
    assert done.statuses == 1
    assert [(r.file.split("/")[-1], r.reason) for r in done.refused] == [(f"{real.id}.env", "tampered")]
    rows = _fleet(county, NOW)
    assert rows["张鲁便民服务中心"].seen is None and rows["朝城便民服务中心"].seen == NOW - HOUR


def test_a_report_from_a_key_the_county_does_not_know_is_refused_not_held(county, terminals):
    stranger = seal_status(terminals[2], county["public"], NOW - HOUR)
    done = _import(county, [stranger], NOW)
    assert (done.statuses, done.held) == (0, 0)
    assert [r.reason for r in done.refused] == ["status_unknown_terminal"]
    assert terminals[2].fingerprint() in done.refused[0].message
    assert _rows(county, "SELECT count(*) FROM status_report") == [(0,)]


def test_a_revoked_terminals_report_after_its_revocation_is_refused(county, terminals, tmp_path):
    county["terminals"] = write_terminals_csv(tmp_path / "revoked.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,停用,{(NOW - DAY).date()}",
    ], header="fingerprint,name,town,status,revoked_on")  # fmt: skip
    before = seal_status(terminals[0], county["public"], NOW - 3 * DAY)
    after = seal_status(terminals[0], county["public"], NOW - HOUR)
    done = _import(county, [before, after], NOW)
    assert done.statuses == 1 and [r.reason for r in done.refused] == ["revoked_terminal"]


def test_the_same_report_id_with_other_bytes_is_refused(county, terminals, monkeypatch):
    monkeypatch.setattr(ids, "new_ulid", lambda ms: "01JDQ5Z8G00000000000000000")
    first = seal_status(terminals[0], county["public"], NOW - HOUR)
    other = seal_status(terminals[0], county["public"], NOW - HOUR, uptime_s=1)
    _import(county, [first], NOW)
    done = _import(county, [other], NOW + HOUR, "conflict")
    assert done.statuses == 0 and [r.reason for r in done.refused] == ["status_conflict"]


def test_a_terminal_clock_running_ahead_cannot_make_it_look_alive(county, terminals):
    ahead = seal_status(terminals[0], county["public"], NOW + 30 * DAY)  # a bad NTP answer
    _import(county, [ahead], NOW)
    row = _fleet(county, NOW + 3 * DAY)["张鲁便民服务中心"]
    assert row.clock_ahead and row.seen == NOW and row.silent


def test_a_report_with_anything_personal_or_out_of_shape_cannot_be_signed_or_filed(county, terminals,
                                                                                    monkeypatch):
    with pytest.raises(forms.FormError):
        seal_status(terminals[0], county["public"], NOW, name="张三")  # not a field of a report
    with pytest.raises(forms.FormError):
        seal_status(terminals[0], county["public"], NOW, last_sync_message="a\x1b[2Jb")
    with pytest.raises(forms.FormError):
        seal_status(terminals[0], county["public"], NOW, usage={"2026-11": {"villager 370": 1}})
    # A terminal whose program was altered signs one anyway: the county holds it to the same rules.
    monkeypatch.setattr(status_report, "validate", lambda report: report)
    hacked = seal_status(terminals[0], county["public"], NOW, faults=[{"code": "x" * 5000}])
    monkeypatch.undo()
    done = _import(county, [hacked], NOW)
    assert done.statuses == 0 and [r.reason for r in done.refused] == ["form_invalid"]


def test_status_reports_and_requests_are_filed_together_each_by_its_rules(county, terminals):
    request = seal(terminals[0], county["public"], "callback")
    report = seal_status(terminals[0], county["public"], NOW)
    done = _import(county, [request, report], NOW + HOUR)
    assert (done.imported, done.statuses, done.refused) == (1, 1, [])
    assert _rows(county, 'SELECT count(*) FROM "case"') == [(1,)]


def test_faults_open_and_clear_across_reports(county, terminals):
    since = "2026-11-26T08:00:00+00:00"
    disk = {"code": "disk_low", "since": since, "cleared": "", "detail": "剩余 300 MB"}
    _import(county, [seal_status(terminals[0], county["public"], NOW - 2 * HOUR, faults=[disk])], NOW)
    row = _fleet(county, NOW)["张鲁便民服务中心"]
    assert [(f.code, f.name, f.detail) for f in row.faults] == [("disk_low", "磁盘空间不足", "剩余 300 MB")]
    fixed = {**disk, "cleared": "2026-11-27T01:00:00+00:00"}
    _import(county, [seal_status(terminals[0], county["public"], NOW - HOUR, faults=[fixed])], NOW, "b")
    assert _fleet(county, NOW)["张鲁便民服务中心"].faults == ()
