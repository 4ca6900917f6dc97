"""The way back end to end, through the real commands in real processes: a terminal seals
requests, pushes them over HTTP (a loopback PUT store) and onto a USB folder; the county
imports, exports to Excel, a clerk answers, the reply goes out in the next signed feed; the
terminal syncs, shows the answer by receipt number and its outbox empties."""

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.cli import run_kiosk

PERSON = {"name": "张小三", "id_number": "11010519491231002X", "phone": "13912345678",
          "wanted": "2025年本村耕地地力保护补贴发放明细", "delivery": "现场领取"}  # fmt: skip
CALLBACK = {"phone": "13800001111", "topic": "社会救助", "text": "想问低保怎么申请",
            "preferred_time": "工作日上午"}  # fmt: skip


@pytest.fixture
def county(tmp_path, county_keys, county_input) -> dict[str, Path]:
    """The county's keys (signing + inbox), its export folder and a first signed feed."""
    keydir = tmp_path / "keys"
    shutil.copytree(county_keys, keydir)
    run_kiosk("inbox", "init-keys", str(keydir), ok=True)
    feed = tmp_path / "feed"
    run_kiosk("feed", "build", "--input", str(county_input), "--keys", str(keydir), "--out", str(feed),
              ok=True)  # fmt: skip
    return {"keys": keydir, "input": county_input, "feed": feed, "cases": tmp_path / "cases.sqlite3"}


def _sync(county: dict[str, Path], db: Path) -> str:
    return run_kiosk("sync", "--source", str(county["feed"]), "--db", str(db),
                     "--trusted-root", str(county["keys"] / "root.json"), ok=True).stdout  # fmt: skip


def _submit(tmp_path: Path, db: Path, kind: str, form: dict) -> str:
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    done = run_kiosk("submit", "--kind", kind, "--form", str(path), "--db", str(db), ok=True)
    path.unlink()  # the only plain copy of the form: the test's own input file
    return done.stdout.strip().splitlines()[-1]


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.slow
def test_requests_travel_to_the_county_and_the_answers_come_back(tmp_path, county, store):
    terminal = tmp_path / "terminal"
    db = terminal / "kiosk.sqlite3"
    _sync(county, db)

    # The terminal enrols with the county: its fingerprint goes into terminals.csv.
    terminal_id = run_kiosk("terminal", "id", "--db", str(db), ok=True).stdout
    fingerprint = terminal_id.split("：")[1].splitlines()[0].strip()
    (county["input"] / "terminals.csv").write_text(
        f"fingerprint,name,town,status\n{fingerprint},朝城镇便民服务中心,371522102,在用\n", encoding="utf-8")

    # A disclosure request; the upload store answers 500: it stays queued, then goes by USB.
    store.answer = 500
    first = _submit(tmp_path, db, "disclosure", PERSON)
    assert run_kiosk("outbox", "push", "--to", store.url, "--db", str(db), ok=False).returncode == 1
    usb = tmp_path / "usb"
    usb.mkdir()
    assert "送出 1 件" in run_kiosk("outbox", "push", "--to", str(usb), "--db", str(db), ok=True).stdout
    # A call-back request goes out over HTTP at once (the terminal's outbox_url).
    settings = terminal / "settings.json"
    stored = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
    settings.write_text(json.dumps({**stored, "outbox_url": store.url}), encoding="utf-8")
    store.answer = 201
    second = _submit(tmp_path, db, "callback", CALLBACK)
    assert len(store.received) == 1

    # Nothing a villager typed is on the terminal's disk in clear: database, WAL, outbox,
    # keys, settings, logs.
    logs = Path(os.environ["XDG_DATA_HOME"])
    for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["wanted"],
                   CALLBACK["phone"], CALLBACK["text"]):  # fmt: skip
        for where in (terminal, logs):
            assert secret.encode() not in _everything_under(where), (secret, where)
    shown = run_kiosk("receipt", "show", first, "--db", str(db), ok=True).stdout
    assert "状态：已提交待送达（已发往县里，等待县里确认收到）" in shown

    # The county imports both routes (twice: nothing is filed twice).
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for name, data in store.received.items():
        (uploads / name).write_bytes(data)
    imported = [run_kiosk("inbox", "import", "--from", str(source), "--keys", str(county["keys"]),
                          "--db", str(county["cases"]), "--county-input", str(county["input"]),
                          ok=True).stdout
                for source in (usb / "inbox", uploads, usb / "inbox")]  # fmt: skip
    assert "导入 1 件（其中待核实终端 0 件）" in imported[0]  # the enrolled terminal
    assert "导入 0 件" in imported[2] and "重复跳过 1 件" in imported[2]
    cases = tmp_path / "cases.xlsx"
    exported = run_kiosk("inbox", "export", "--db", str(county["cases"]), "--out", str(cases), ok=True)
    assert "已导出 2 件" in exported.stdout

    # A clerk answers in Excel.
    book = openpyxl.load_workbook(cases)
    for sheet in book.worksheets:
        headers = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            number = row[headers.index("受理编号")].value
            if number == first:
                assert row[headers.index("身份证号")].value == PERSON["id_number"]  # the county has it
                row[headers.index("状态")].value = "已答复"
                row[headers.index("答复内容")].value = "已为您准备发放明细，请到朝城镇便民服务中心领取。"
            elif number == second:
                row[headers.index("状态")].value = "办理中"
    book.save(cases)
    run_kiosk("inbox", "reply", "--db", str(county["cases"]), "--answers", str(cases),
              "--out", str(county["input"]), ok=True)  # fmt: skip
    replies = (county["input"] / "replies.csv").read_text(encoding="utf-8-sig")
    assert first in replies and PERSON["phone"] not in replies and PERSON["name"] not in replies

    # The next signed feed carries the replies; the terminal syncs and knows.
    run_kiosk("feed", "build", "--input", str(county["input"]), "--keys", str(county["keys"]),
              "--out", str(county["feed"]), ok=True)  # fmt: skip
    _sync(county, db)
    answered = run_kiosk("receipt", "show", first, "--db", str(db), ok=True).stdout
    assert "状态：已答复" in answered and "请到朝城镇便民服务中心领取" in answered
    assert "状态：办理中" in run_kiosk("receipt", "show", second.replace("-", ""), "--db", str(db),
                                    ok=True).stdout  # fmt: skip
    status = run_kiosk("outbox", "status", "--db", str(db), ok=True).stdout
    assert "待送达 0 件，已送出待县里确认 0 件，县里已确认收到 2 件" in status
    assert not list((terminal / "outbox").glob("*.env"))  # the ciphertext is gone too


def test_a_terminal_without_the_county_inbox_key_refuses_plainly(tmp_path, county_keys, demo_feed):
    db = tmp_path / "kiosk.sqlite3"
    run_kiosk("sync", "--source", str(demo_feed), "--db", str(db), "--trusted-root",
              str(county_keys / "root.json"), ok=True)  # fmt: skip
    form = tmp_path / "form.json"
    form.write_text(json.dumps(CALLBACK, ensure_ascii=False), encoding="utf-8")
    done = run_kiosk("submit", "--kind", "callback", "--form", str(form), "--db", str(db), ok=False)
    assert done.returncode == 1 and "受理公钥" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "outbox").exists()  # neither the sync nor the refusal made one


@pytest.mark.slow
@pytest.mark.parametrize(("change", "field"), [
    ({"phone": "1391234567"}, "手机号"),
    ({"name": ""}, "姓名"),
    ({"wanted": "要" * 10_000}, "所需信息"),
    ({"id_number": "110105194912310021"}, "身份证号"),
])  # fmt: skip
def test_a_bad_form_is_refused_by_field_and_nothing_is_queued(tmp_path, county, change, field):
    db = tmp_path / "terminal" / "kiosk.sqlite3"
    _sync(county, db)
    form = tmp_path / "form.json"
    form.write_text(json.dumps({**PERSON, **change}, ensure_ascii=False), encoding="utf-8")
    done = run_kiosk("submit", "--kind", "disclosure", "--form", str(form), "--db", str(db), ok=False)
    assert done.returncode == 1 and done.stderr.startswith(field) and "Traceback" not in done.stderr
    assert "待送达 0 件" in run_kiosk("outbox", "status", "--db", str(db), ok=True).stdout
