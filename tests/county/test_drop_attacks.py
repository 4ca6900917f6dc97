"""What a stranger puts in a delivery folder, each beside a genuine envelope: one bad file is
one named refusal, the genuine one is filed, and nothing hangs, aborts or replaces a request."""

import datetime as dt
import json
import os
import sqlite3
import time

import openpyxl
import pytest

from kiosk.county.inbox import cases, drop, export, held, intake
from kiosk.formats import envelope
from tests.helpers.envelopes import (
    CALLBACK,
    DISCLOSURE,
    NOW,
    forge,
    make_county,
    payload,
    seal,
    write_terminals_csv,
)
from tests.helpers.envelopes import drop as drop_files


@pytest.fixture
def county(tmp_path, terminals):
    """The county's inbox keys, and a list enrolling terminals 0 and 1 (terminal 2 is a stranger)."""
    keydir = tmp_path / "county-keys"
    public, _ = make_county(keydir)
    listed = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,在用",
        f"{terminals[1].fingerprint()},燕店便民服务中心,燕店镇,在用",
    ])  # fmt: skip
    return keydir, public, listed


def run_import(tmp_path, county, folder):
    keydir, _, listed = county
    return intake.import_envelopes(folder, keydir, tmp_path / "cases.sqlite3", listed, now=NOW)


def filed(tmp_path) -> dict[str, str]:
    conn = sqlite3.connect(tmp_path / "cases.sqlite3")
    try:
        return dict(conn.execute('SELECT ulid, terminal_fingerprint FROM "case"').fetchall())
    finally:
        conn.close()


def refusals(report) -> dict[str, str]:
    return {r.file.split("/")[-1]: r.reason for r in report.refused}


def test_each_poison_file_is_one_named_refusal_beside_a_genuine_envelope(tmp_path, county, terminals):
    _, public, _ = county
    genuine = seal(terminals[0], public, "disclosure")
    folder = tmp_path / "drop"
    drop_files(folder, [genuine])
    me = terminals[2]  # anyone with a key of their own
    poison = {
        "00-brackets.env": b"[" * 100_000,  # no key needed: a RecursionError before
        "01-brackets-small.env": b"[" * 60_000,
        "02-list-field.env": forge(me, public, payload({**CALLBACK, "topic": ["低保"]})),
        "03-huge-int.env": forge(me, public, payload({**CALLBACK, "phone": 10**30})),
        "04-nested.env": forge(me, public, b'{"form":' + b"[" * 20_000 + b"]" * 20_000 + b"}"),
        "05-control-refers-to.env": forge(terminals[0], public, payload(
            {**DISCLOSURE, "refers_to": {"village": "3715\x1b[2J"}}), kind="disclosure"),
        "06-not-json-inside.env": forge(me, public, b"\xff\xfe not json"),
        "07-form-is-a-list.env": forge(me, public, payload([1, 2, 3])),  # type: ignore[arg-type]
        "08-unknown-field.env": forge(me, public, payload({**CALLBACK, "evil": "x"})),
        "09-utf8-surrogate.env": forge(me, public, b'{"form":{"phone":"13900000001","topic":"\\ud800"},'
                                                   b'"reply_key":"a2tra2tra2tra2tra2traw=="}'),
        "10-truncated.env": genuine.data[:200],
        "11-other-county.env": seal(terminals[0], make_county(tmp_path / "other")[0]).data,
    }
    for name, data in poison.items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "20-fifo.env")
    (folder / "21-zero.env").symlink_to("/dev/zero")
    (folder / "22-to-genuine.env").symlink_to(folder / f"{genuine.id}.env")
    with (folder / "23-huge.env").open("wb") as huge:
        huge.truncate(5 * 2**30)  # 5 GB, sparse: never read
    (folder / "24-folder.env").mkdir()

    started = time.monotonic()
    report = run_import(tmp_path, county, folder)
    took = time.monotonic() - started
    reasons = refusals(report)
    assert reasons == {
        "00-brackets.env": "too_large", "01-brackets-small.env": "malformed",
        "02-list-field.env": "form_invalid", "03-huge-int.env": "form_invalid",
        "04-nested.env": "cannot_open", "05-control-refers-to.env": "form_invalid",
        "06-not-json-inside.env": "cannot_open", "07-form-is-a-list.env": "cannot_open",
        "08-unknown-field.env": "form_invalid", "09-utf8-surrogate.env": "form_invalid",
        "10-truncated.env": "malformed", "11-other-county.env": "other_county_key",
        "20-fifo.env": "not_a_file", "21-zero.env": "link", "22-to-genuine.env": "link",
        "23-huge.env": "too_large", "24-folder.env": "not_a_file",
    }  # fmt: skip
    assert report.imported == 1 and filed(tmp_path) == {genuine.id: terminals[0].fingerprint()}
    assert took < 30, took  # nothing read a FIFO, /dev/zero or 5 GB (a hang would never end)
    for refusal in report.refused:  # each says in both languages what was wrong
        assert " / " in refusal.message and refusal.file.endswith(".env")
    # The drop is emptied of what was read; what could not be read stays, named again next time.
    left = sorted(p.name for p in folder.iterdir())
    assert left == ["00-brackets.env", "20-fifo.env", "21-zero.env", "22-to-genuine.env", "23-huge.env",
                    "24-folder.env"]  # fmt: skip
    assert len(list((tmp_path / drop.REFUSED).rglob("*.env"))) == 11
    again = run_import(tmp_path, county, folder)
    assert again.imported == 0 and len(again.refused) == 6


def test_the_export_cannot_fail_on_any_stored_value(tmp_path, county, terminals):
    """Cases filed by an older version held what today's rules refuse: the workbook still comes
    out, with such characters shown as �, and a villager's formula stays text."""
    _, public, _ = county
    folder = tmp_path / "drop"
    drop_files(folder, [seal(terminals[0], public, "disclosure")])
    run_import(tmp_path, county, folder)
    conn = sqlite3.connect(tmp_path / "cases.sqlite3")
    conn.execute('UPDATE "case" SET name = ?, wanted = ?, refers_to = ?',
                 ('=HYPERLINK("http://evil.example","点我")', "所需\x1b[2J信息\x00", '{"village": "\x07"}'))
    conn.commit()
    conn.close()
    out = tmp_path / "cases.xlsx"
    summary = export.export_cases(tmp_path / "cases.sqlite3", out, dt.date(2026, 11, 30))
    assert summary.total == 1
    sheet = openpyxl.load_workbook(out)["政府信息公开申请"]
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    assert row["申请人"].data_type == "s" and row["申请人"].value.startswith("=HYPERLINK")
    assert row["所需信息"].value == "所需\ufffd[2J信息\ufffd"
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_a_copied_id_under_another_key_never_replaces_the_villagers_request(tmp_path, county, terminals):
    """The id is in clear on every stick. A stranger's envelope under the villager's id, in a
    file that sorts first, is held; the genuine one is filed and is the one acknowledged."""
    _, public, _ = county
    genuine = seal(terminals[0], public, "disclosure")
    forged = forge(terminals[2], public, payload({**DISCLOSURE, "wanted": "伪造的内容"}),
                   kind="disclosure", ulid=genuine.id)  # fmt: skip
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / f"0-{genuine.id}.env").write_bytes(forged)
    drop_files(folder, [genuine])
    report = run_import(tmp_path, county, folder)
    assert (report.imported, report.held, report.conflicts) == (1, 1, 0)
    assert filed(tmp_path) == {genuine.id: terminals[0].fingerprint()}
    cases.open_cases(tmp_path / "cases.sqlite3")
    try:
        case = cases.Case.get(cases.Case.ulid == genuine.id)
        assert case.digest == envelope.digest(genuine.data) != envelope.digest(forged)
        assert case.wanted == DISCLOSURE["wanted"]
    finally:
        cases.close_cases()


def test_an_enrolled_key_reusing_a_filed_id_is_a_conflict_the_clerk_resolves(tmp_path, county, terminals):
    """A stolen key of another enrolled terminal files first; the genuine envelope arrives
    later: a conflict, held, never a silent skip. The clerk puts the genuine one in place."""
    keydir, public, _ = county
    genuine = seal(terminals[0], public, "disclosure")
    forged = forge(terminals[1], public, payload({**DISCLOSURE, "wanted": "伪造的内容"}),
                   kind="disclosure", ulid=genuine.id)  # fmt: skip
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / f"{genuine.id}.env").write_bytes(forged)
    assert run_import(tmp_path, county, tmp_path / "first").imported == 1
    drop_files(tmp_path / "second", [genuine])
    report = run_import(tmp_path, county, tmp_path / "second")
    assert (report.imported, report.held, report.conflicts, report.duplicates) == (0, 1, 1, 0)
    entries, per_key = held.list_held(tmp_path / "cases.sqlite3")
    assert [(e.reason, e.receipt, e.terminal) for e in entries] == [
        ("conflict", genuine.header.receipt, terminals[0].fingerprint())]
    assert per_key[0].envelopes == 1
    held.decide(tmp_path / "cases.sqlite3", True, digest=envelope.digest(genuine.data), keydir=keydir,
                today=dt.date(2026, 11, 30))  # fmt: skip
    cases.open_cases(tmp_path / "cases.sqlite3")
    try:
        case = cases.Case.get(cases.Case.ulid == genuine.id)
        assert (case.wanted, case.terminal_fingerprint) == (DISCLOSURE["wanted"], terminals[0].fingerprint())
        assert case.digest == envelope.digest(genuine.data)
    finally:
        cases.close_cases()
    drop_files(tmp_path / "third", [genuine])  # the terminal sends it again: a duplicate now
    assert run_import(tmp_path, county, tmp_path / "third").duplicates == 1


def test_only_enrolled_terminals_start_a_case(tmp_path, county, terminals):
    keydir, public, _ = county
    strangers = [seal(terminals[2], public) for _ in range(3)]
    drop_files(tmp_path / "drop", [seal(terminals[0], public), *strangers])
    report = run_import(tmp_path, county, tmp_path / "drop")
    assert (report.imported, report.held) == (1, 3)
    assert list(filed(tmp_path).values()) == [terminals[0].fingerprint()]
    entries, per_key = held.list_held(tmp_path / "cases.sqlite3")
    assert {e.reason for e in entries} == {"unknown_terminal"}
    assert [(k.terminal, k.envelopes) for k in per_key] == [(terminals[2].fingerprint(), 3)]
    # Not in the clerk's workbook, no deadline, not published.
    summary = export.export_cases(tmp_path / "cases.sqlite3", tmp_path / "cases.xlsx", dt.date(2026, 11, 30))
    assert summary.total == 1
    from kiosk.county.inbox import reply

    assert reply.write_replies(tmp_path / "cases.sqlite3", tmp_path / "out") == 1
    # The clerk enrols the terminal and accepts its envelopes: received today, due from today.
    assert held.decide(tmp_path / "cases.sqlite3", True, terminal=terminals[2].fingerprint(),
                       keydir=keydir, today=dt.date(2026, 11, 30)).accepted == 3  # fmt: skip
    conn = sqlite3.connect(tmp_path / "cases.sqlite3")
    received = conn.execute('SELECT received_on FROM "case" WHERE terminal_fingerprint = ?',
                            (terminals[2].fingerprint(),)).fetchall()  # fmt: skip
    conn.close()
    assert received == [("2026-11-30",)] * 3
    assert held.list_held(tmp_path / "cases.sqlite3")[0] == []


def test_rejected_envelopes_keep_a_record_and_drop_their_bytes(tmp_path, county, terminals):
    _, public, _ = county
    drop_files(tmp_path / "drop", [seal(terminals[2], public)])
    run_import(tmp_path, county, tmp_path / "drop")
    assert held.decide(tmp_path / "cases.sqlite3", False, terminal=terminals[2].fingerprint()).rejected == 1
    conn = sqlite3.connect(tmp_path / "cases.sqlite3")
    assert conn.execute("SELECT decided, length(data) FROM held").fetchall() == [("rejected", 0)]
    conn.close()


def test_revocation_counts_from_its_date(tmp_path, county, terminals):
    """A stolen terminal is revoked from 2026-11-28; what it sealed before still counts."""
    keydir, public, _ = county
    before = seal(terminals[0], public)  # sealed at NOW, 2026-11-27
    after = envelope.seal(CALLBACK, "callback", public, terminals[0], now=NOW + dt.timedelta(days=2))
    listed = write_terminals_csv(tmp_path / "revoked.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,停用,2026-11-28",
    ], header="fingerprint,name,town,status,revoked_on")  # fmt: skip
    drop_files(tmp_path / "drop", [before, after])
    report = intake.import_envelopes(tmp_path / "drop", keydir, tmp_path / "cases.sqlite3", listed,
                                     now=NOW + dt.timedelta(days=3))  # fmt: skip
    assert report.imported == 1 and list(filed(tmp_path)) == [before.id]
    assert [r.reason for r in report.refused] == ["revoked_terminal"]


def test_a_sticks_root_is_searched_and_files_leave_the_drop_for_the_archive(tmp_path, county, terminals):
    _, public, _ = county
    stick = tmp_path / "stick"
    drop_files(stick / "inbox", [seal(terminals[0], public) for _ in range(3)])
    report = run_import(tmp_path, county, stick)
    assert report.imported == 3 and list((stick / "inbox").iterdir()) == []
    archived = list((tmp_path / drop.ARCHIVE).rglob("*.env"))
    assert len(archived) == 3 and all(oct(p.stat().st_mode & 0o777) == "0o600" for p in archived)
    # After the keeping time the archive is pruned by a later import.
    later = intake.import_envelopes(stick, county[0], tmp_path / "cases.sqlite3", county[2],
                                    now=NOW + dt.timedelta(days=drop.KEEP_DAYS + 2))  # fmt: skip
    assert later.pruned == 1 and not list((tmp_path / drop.ARCHIVE).rglob("*.env"))


def test_the_cli_imports_a_stick_given_by_its_root(tmp_path, county, terminals):
    from tests.helpers.cli import run_kiosk

    keydir, public, _ = county
    drop_files(tmp_path / "stick" / "inbox", [seal(terminals[0], public)])
    (tmp_path / "stick" / "inbox" / "x.env").write_bytes(b"{" * 10)
    done = run_kiosk("inbox", "import", "--from", tmp_path / "stick", "--keys", keydir,
                     "--db", tmp_path / "cases.sqlite3", "--county-input", tmp_path, ok=False)
    assert "导入 1 件" in done.stdout and "拒收 inbox/x.env" in done.stdout, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    json.dumps(done.stdout)  # printable
