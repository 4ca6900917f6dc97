"""The way back end to end, through the real commands in real processes: a terminal seals
requests, pushes them over HTTP (the county's authenticated, write-only nginx drop on
loopback) and onto a USB stick; the county imports from the drop and the stick's root,
exports to Excel, a clerk answers, the reply goes out sealed in the next signed feed; the
terminal syncs, shows the status by receipt number and the answer by the receipt's QR code,
and its outbox empties. Nothing in the feed names a request or shows an answer."""

import gzip
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import drop_server
from tests.helpers.cli import run_kiosk

PERSON = {"name": "张小三", "id_number": "11010519491231002X", "phone": "13912345678",
          "wanted": "2025年本村耕地地力保护补贴发放明细", "delivery": "现场领取"}  # fmt: skip
CALLBACK = {"phone": "13800001111", "topic": "社会救助", "text": "想问低保怎么申请",
            "preferred_time": "工作日上午"}  # fmt: skip
ANSWER = "已为您准备发放明细，请到朝城镇便民服务中心领取。"


@pytest.fixture
def county(tmp_path, county_keys, county_input) -> dict[str, Path]:
    """The county's keys (signing, and the inbox's in a folder of its own), its export folder
    and a first signed feed."""
    keydir = tmp_path / "keys"
    shutil.copytree(county_keys, keydir)
    run_kiosk("inbox", "init-keys", tmp_path / "inbox-keys", ok=True)  # found beside the keys
    feed = tmp_path / "feed"
    run_kiosk("feed", "build", "--input", county_input, "--keys", keydir, "--out", feed, ok=True)
    return {"keys": keydir, "inbox_keys": tmp_path / "inbox-keys", "input": county_input, "feed": feed,
            "cases": tmp_path / "cases.sqlite3"}  # fmt: skip


def _sync(county: dict[str, Path], db: Path) -> str:
    return run_kiosk("sync", "--source", county["feed"], "--db", db,
                     "--trusted-root", county["keys"] / "root.json", ok=True).stdout  # fmt: skip


def _submit(tmp_path: Path, db: Path, kind: str, form: dict) -> tuple[str, str]:
    """(receipt number, the receipt QR's text) of a request submitted at the command line."""
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    done = run_kiosk("submit", "--kind", kind, "--form", path, "--db", db, ok=True)
    path.unlink()  # the only plain copy of the form: the test's own input file
    lines = done.stdout.strip().splitlines()
    qr = next(line.split("：", 1)[1] for line in lines if line.startswith("回执二维码"))
    return lines[-1], qr


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _feed_text(feed: Path) -> bytes:
    """Every file of the feed directory, gzipped targets opened: what a mirror reader has."""
    out = []
    for path in sorted(feed.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out.append(gzip.decompress(data) if path.name.endswith(".gz") else data)
    return b"".join(out)


@pytest.mark.slow
@pytest.mark.skipif(not drop_server.available(), reason="needs nginx (apt-get install nginx-light) and root")
def test_requests_travel_to_the_county_and_the_answers_come_back(tmp_path, county):
    terminal = tmp_path / "terminal"
    db = terminal / "kiosk.sqlite3"
    _sync(county, db)

    # The terminal enrols with the county: its fingerprint goes into terminals.csv.
    terminal_id = run_kiosk("terminal", "id", "--db", db, ok=True).stdout
    fingerprint = terminal_id.split("：")[1].splitlines()[0].strip()
    (county["input"] / "terminals.csv").write_text(
        f"fingerprint,name,town,status\n{fingerprint},朝城镇便民服务中心,371522102,在用\n", encoding="utf-8")

    with drop_server.drop_server() as (url, drop, htpasswd):
        # A disclosure request before the terminal has its upload credential: the drop turns
        # it away, it stays queued, and goes by USB (the stick's root, as staff hand it over).
        first, first_qr = _submit(tmp_path, db, "disclosure", PERSON)
        refused = run_kiosk("outbox", "push", "--to", url, "--db", db, ok=False)
        assert "上传凭据无效" in refused.stdout
        stick = tmp_path / "stick"
        stick.mkdir()
        assert "送出 1 件" in run_kiosk("outbox", "push", "--to", stick, "--db", db, ok=True).stdout

        # The county issues the terminal's credential; staff install it; a call-back goes
        # over HTTP at once (the terminal's outbox_url).
        credential = tmp_path / "upload-credential.json"
        run_kiosk("inbox", "drop-user", "add", "--htpasswd", htpasswd, "--terminal", fingerprint,
                  "--out", credential, ok=True)  # fmt: skip
        run_kiosk("terminal", "upload-credential", credential, "--db", db, ok=True)
        settings = terminal / "settings.json"
        stored = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
        settings.write_text(json.dumps({**stored, "outbox_url": url}), encoding="utf-8")
        second, _ = _submit(tmp_path, db, "callback", CALLBACK)
        own_folder = f"t-{fingerprint.replace('-', '')[:16]}"
        # the call-back, and the terminal's status report that goes with every push
        assert [p.parent.name for p in drop.rglob("*.env")] == [own_folder, own_folder]

        # Nothing a villager typed is on the terminal's disk in clear: database, WAL, outbox,
        # keys, settings, logs.
        logs = Path(os.environ["XDG_DATA_HOME"])
        for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["wanted"],
                       CALLBACK["phone"], CALLBACK["text"]):  # fmt: skip
            for where in (terminal, logs):
                assert secret.encode() not in _everything_under(where), (secret, where)
        shown = run_kiosk("receipt", "show", first, "--db", db, ok=True).stdout
        assert "状态：已提交待送达（已发往县里，等待县里确认收到）" in shown

        # The county imports from the drop and from the stick's root (and the stick again:
        # nothing is filed twice).
        imported = [run_kiosk("inbox", "import", "--from", source, "--keys", county["inbox_keys"],
                              "--db", county["cases"], "--county-input", county["input"], ok=True).stdout
                    for source in (drop, stick, stick)]  # fmt: skip
        assert "导入 1 件" in imported[0] and "暂存待核实 0 件" in imported[0]
        assert "终端状态报告 1 份" in imported[0] and "终端状态报告 1 份" in imported[1]
        assert "导入 1 件" in imported[1] and "拒收 0 件" in imported[1]
        assert "申请信封 0 个" in imported[2]  # the stick was emptied into the county's archive
        assert not list(drop.rglob("*.env"))
    cases = tmp_path / "cases.xlsx"
    exported = run_kiosk("inbox", "export", "--db", county["cases"], "--out", cases, ok=True)
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
                row[headers.index("答复内容")].value = ANSWER
            elif number == second:
                row[headers.index("状态")].value = "办理中"
    book.save(cases)
    run_kiosk("inbox", "reply", "--db", county["cases"], "--answers", cases, "--out", county["input"],
              ok=True)  # fmt: skip

    # The next signed feed carries the replies, naming no request and showing no answer.
    run_kiosk("feed", "build", "--input", county["input"], "--keys", county["keys"], "--out", county["feed"],
              ok=True)  # fmt: skip
    published = _feed_text(county["feed"])
    envelope_ids = [p.stem for p in (terminal / "outbox").glob("*.env")]
    for secret in (first, second, first.replace("-", ""), ANSWER, "请到朝城镇", PERSON["name"],
                   PERSON["phone"], *envelope_ids):  # fmt: skip
        assert secret.encode() not in published, secret
    _sync(county, db)
    answered = run_kiosk("receipt", "show", first, "--db", db, ok=True).stdout
    assert "状态：已答复" in answered and ANSWER not in answered and "二维码" in answered
    with_key = run_kiosk("receipt", "show", first_qr, "--db", db, ok=True).stdout
    assert ANSWER in with_key
    assert "状态：办理中" in run_kiosk("receipt", "show", second.replace("-", ""), "--db", db, ok=True).stdout
    status = run_kiosk("outbox", "status", "--db", db, ok=True).stdout
    assert "待送达 0 件，已送出待县里确认 0 件，县里已确认收到 2 件" in status
    assert not list((terminal / "outbox").glob("*.env"))  # the ciphertext is gone too


def test_a_terminal_without_the_county_inbox_key_refuses_plainly(tmp_path, county_keys, demo_feed):
    db = tmp_path / "kiosk.sqlite3"
    run_kiosk("sync", "--source", demo_feed, "--db", db, "--trusted-root", county_keys / "root.json", ok=True)
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
