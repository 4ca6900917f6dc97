"""The terminal's own health, as its status report says it: faults open and clear as their
conditions come and go, the printer is judged by what became of its jobs, runs count
restarts, and the report travels sealed with every push (HTTP and USB) without being queued."""

import datetime as dt
import json
import os

import pytest

from kiosk.county.inbox import keys as county_keys
from kiosk.formats import envelope, public_keys, status_report
from kiosk.outbox import delivery
from kiosk.services import health, push, requests, sync, usage
from kiosk.store.models import Fault, FeedState, PrintJob, Run
from tests.helpers.cli import run_kiosk
from tests.helpers.envelopes import CALLBACK, hold_county_key

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def me(terminal, monkeypatch):
    """A terminal with data, its CUPS queue empty unless a test says otherwise."""
    monkeypatch.setattr(health, "_current_run", None)
    usage.forget_pending()
    yield terminal
    usage.forget_pending()
    requests.close_outboxes()


def report(now, queued=frozenset(), via="http"):
    return health.build_report(via, now, queued=lambda: set(queued))


def open_faults():
    return {f.code: f.detail for f in Fault.select().where(Fault.cleared.is_null())}


def test_a_fresh_terminal_reports_its_data_and_no_faults(me):
    now = dt.datetime.now(dt.UTC)
    made = report(now)
    assert status_report.validate(made) == made
    assert made["feed_version"] >= 1 and made["data_as_of"] and made["faults"] == []
    assert made["clock_vs_feed_s"] >= 0
    assert made["outbox"] == {"waiting": 0, "sent": 0, "acknowledged": 0, "damaged": 0, "missing": 0}
    assert made["printer"]["last_outcome"] == "" and made["disk_free_mb"] > 0


def test_a_printer_that_never_finishes_a_job_is_stuck_until_the_job_leaves_the_queue(me):
    FeedState.update(applied_at=T0.replace(tzinfo=None)).execute()
    health.record_print("notice", "KioskPDF", "KioskPDF-1", 3, now=T0)
    assert report(T0 + 9 * MINUTE, queued={"KioskPDF-1"})["printer"]["last_outcome"] == "queued"
    stuck = report(T0 + 11 * MINUTE, queued={"KioskPDF-1"})
    assert stuck["printer"]["last_outcome"] == "stuck" and stuck["printer"]["failed_in_row"] == 1
    assert "printer_stuck" in open_faults()
    # Staff load paper: the job prints, the fault clears, and pages count from there.
    fixed = report(T0 + 30 * MINUTE, queued=set())
    assert fixed["printer"]["last_outcome"] == "ok" and "printer_stuck" not in open_faults()
    [cleared] = [f for f in fixed["faults"] if f["code"] == "printer_stuck"]
    assert cleared["cleared"] and cleared["since"] == health._iso(T0 + 11 * MINUTE)
    health.record_print("receipt", "KioskPDF", "KioskPDF-2", 1, now=T0 + 40 * MINUTE)
    after = report(T0 + 41 * MINUTE, queued=set())
    assert after["printer"]["pages_since"] == 1  # the stuck job printed before the fault cleared


def test_a_refused_print_is_a_fault_until_a_job_goes_through(me):
    health.record_print("receipt", "Hall", "", 1, error="打印失败（printer is not accepting jobs）", now=T0)
    made = report(T0 + MINUTE)
    assert made["printer"]["last_outcome"] == "failed" and "accepting" in open_faults()["printer_failed"]
    health.record_print("receipt", "Hall", "", 1, now=T0 + 2 * MINUTE)  # QPrinter path: done at once
    assert report(T0 + 3 * MINUTE)["printer"]["last_outcome"] == "ok"
    assert "printer_failed" not in open_faults()
    assert PrintJob.select().count() == 2


def test_sync_failures_and_stale_data_open_faults_that_a_good_sync_clears(me, tmp_path):
    files = requests._files()
    record = {"at": T0.isoformat(), "result": "refused", "message": "数据源签名不符，已拒绝"}
    files.sync_attempt.write_text(json.dumps(record), encoding="utf-8")
    FeedState.update(applied_at=(T0 - dt.timedelta(days=20)).replace(tzinfo=None)).execute()
    made = report(T0)
    assert made["last_sync_result"] == "refused" and made["last_sync_message"] == "数据源签名不符，已拒绝"
    assert set(open_faults()) >= {"sync_failed", "data_stale"}
    sync._record_attempt(files, "ok", "")
    FeedState.update(applied_at=T0.replace(tzinfo=None)).execute()
    report(T0 + MINUTE)
    assert not {"sync_failed", "data_stale"} & set(open_faults())


def test_an_unreadable_sync_record_is_no_record(me):
    path = requests._files().sync_attempt
    os.mkfifo(path)  # a stranger's FIFO: read without blocking, refused
    assert sync.last_attempt(me) == {}
    path.unlink()
    path.write_text('{"at": 1}', encoding="utf-8")
    assert sync.last_attempt(me) == {}


def test_a_clock_set_before_the_data_is_a_fault(me):
    made = report(T0)  # the demo data is dated today; T0 is days before
    assert made["clock_vs_feed_s"] < 0 and "早于本机已有数据的日期" in open_faults()["clock"]


def test_a_crash_counts_once_the_next_run_starts(me):
    health.record_start("1080x1920", True, now=T0)
    assert report(T0 + MINUTE)["unclean_7d"] == 0  # the run may still be going
    health.record_start("1080x1920", True, now=T0 + 10 * MINUTE)  # started again without a clean exit
    health.record_speech(True)
    made = report(T0 + 11 * MINUTE)
    assert (made["starts_7d"], made["unclean_7d"]) == (2, 1)
    assert (made["screen"], made["speech"]) == ("1080x1920", True)
    assert made["uptime_s"] == 60 and "crash" in open_faults()
    health.record_clean_exit()
    assert Run.select().where(Run.clean == 1).count() == 1


def test_usage_counts_reach_the_report_by_month(me):
    usage.count("payouts", now=dt.datetime(2026, 11, 30, 23, 0))
    usage.count("payouts", now=dt.datetime(2026, 12, 1, 9, 0))
    usage.count("prints", now=dt.datetime(2026, 12, 1, 9, 5))
    assert report(T0)["usage"] == {"2026-11": {"payouts": 1}, "2026-12": {"payouts": 1, "prints": 1}}
    with pytest.raises(KeyError):
        usage.count("who looked at what")


def test_the_report_goes_with_every_push_sealed_and_never_queued(me, tmp_path, store):
    public = hold_county_key(tmp_path / "inbox-keys")
    private = county_keys.load_inbox_private(tmp_path / "inbox-keys")
    done = push.push_to_url(store.url)
    assert (done.sent, done.status_sent) == (0, True) and len(store.received) == 1
    [(name, data)] = store.received.items()
    opened = envelope.open_envelope(data, private)
    assert opened.header.kind == "status" and name == f"{opened.header.id}.env"
    assert opened.form["sent_via"] == "http"
    assert opened.header.county_key == public_keys.key_id(public_keys.decode_public(public.key))
    assert requests.outbox_status().total == 0  # nothing of it waits in the outbox

    requests.submit("callback", dict(CALLBACK))
    stick = tmp_path / "stick"
    stick.mkdir()
    copied = push.export_to_folder(stick)
    assert (copied.sent, copied.status_sent) == (1, True)
    files = [p.read_bytes() for p in (stick / "inbox").iterdir()]
    on_stick = {envelope.read_header(data).kind: data for data in files}
    assert sorted(on_stick) == ["callback", "status"]
    after = envelope.open_envelope(on_stick["status"], private).form
    assert after["sent_via"] == "usb" and (after["outbox"]["waiting"], after["outbox"]["sent"]) == (0, 1)
    assert json.dumps(opened.form, ensure_ascii=False).find(CALLBACK["phone"]) == -1


def test_no_report_without_a_county_key_and_the_requests_still_go(me, store):
    FeedState.update(inbox_key=None, inbox_key_expires=None).execute()
    done = push.push_to_url(store.url)
    assert done.status_sent is False and store.received == {}


def test_an_unreachable_drop_sends_no_report_and_loses_nothing(me, tmp_path, closed_port_url):
    hold_county_key(tmp_path / "inbox-keys")
    requests.submit("callback", dict(CALLBACK))
    done = delivery.push_http(requests.outbox(), closed_port_url, timeout=2,
                              status=lambda: health.sealed_report("http"))  # fmt: skip
    assert (done.sent, done.failed, done.status_sent) == (0, 1, False)
    assert requests.outbox_status().waiting == 1


@pytest.fixture
def closed_port_url():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/inbox"


def test_the_staff_lines_say_it_in_chinese(me):
    health.record_print("receipt", "Hall", "", 1, error="缺纸", now=T0)
    lines = dict(health.report_lines(report(T0 + MINUTE)))
    assert lines["程序版本"] and "打印失败" in lines["当前故障"] and "打印失败" in lines["打印机"]


def test_staff_read_the_same_report_at_the_command_line(me):
    health.record_print("receipt", "Hall", "", 1, error="打印失败（缺纸）", now=dt.datetime.now(dt.UTC))
    requests.close_outboxes()
    shown = run_kiosk("terminal", "status", "--db", me, ok=True).stdout.splitlines()
    labels = [line.split("：", 1)[0] for line in shown]
    assert labels[:3] == ["程序版本", "数据版本", "最近同步"] and "当前故障" in labels
    assert any(line.startswith("当前故障：打印失败") and "缺纸" in line for line in shown)
