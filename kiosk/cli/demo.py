"""``kiosk demo``: a whole county on one machine. The only code that drives both programs: it
plays the county (spreadsheets, keys, signed feed, cases, the clerk's answers) and this
terminal (sync, sealed requests) through the same files they exchange in real life."""

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from kiosk import paths
from kiosk.cli.common import EXIT_OK, db_option, db_path, out, terminal_settings
from kiosk.cli.county import county_program
from kiosk.cli.terminal import run_sync

_DEMO_REQUESTS = (
    ("disclosure", {"name": "王演示", "id_number": "11010519491231002X", "phone": "13900000001",
                    "wanted": "本村2025年度耕地地力保护补贴发放明细", "delivery": "现场领取"}),
    ("callback", {"phone": "13900000002", "topic": "社会救助", "text": "想问低保怎么申请",
                  "preferred_time": "工作日上午"}),
    ("disclosure", {"name": "李演示", "id_number": "11010519491231002X", "phone": "13900000003",
                    "wanted": "镇里2025年度危房改造补助名单", "delivery": "电话告知"}),
)  # fmt: skip
_DEMO_ANSWER = "演示答复：发放明细已备好，请携带身份证到镇便民服务中心领取。"


@county_program("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.county import keyfiles
    from kiosk.county.feed import demo_county, keys, publisher, releases
    from kiosk.county.inbox import keys as inbox_keys
    from kiosk.store.db import open_database

    db = db_path(args)
    if args.if_missing and db.exists() and _has_payouts(db):
        out(f"演示数据已存在，跳过生成 / demo data already present: {db}")
        return EXIT_OK
    started = time.perf_counter()
    open_database(db)  # first, so a database we cannot use is refused before any work
    county = paths.TerminalFiles(db).demo_county
    keydir, inbox_dir, feed = county / "keys", county / "inbox-keys", county / "feed"
    secret = keyfiles.DEMO_PASSPHRASE
    out(f"演示县的私钥用口令“{secret.decode()}”加密（真实县里请用自己的口令）→ {county}")
    if not (keydir / "root.json").exists():
        keys.init_keys(keydir, passphrase=secret)
    keyfiles.protect(keydir, secret)  # a demo folder from before encryption
    if not (county / "app-keys" / "app.pem").exists():  # program releases: kiosk feed release
        releases.create_release_key(county / "app-keys", keydir, passphrase=secret)
    if inbox_keys.inbox_public_if_any(inbox_dir) is None:
        inbox_keys.create_inbox_keys(inbox_dir, passphrase=secret)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as scratch:
        county_input = Path(args.out) if args.out else Path(scratch)
        summary = demo_county.generate(county_input, args.households, args.seed, args.format)
        out(
            f"已生成演示县数据：{summary.villages} 个村，{summary.households} 户，"
            f"{summary.payout_rows} 条发放记录，{summary.files} 个发放表 → {county_input}"
        )
        inbox_key = inbox_keys.inbox_public(inbox_dir)
        built = publisher.build_feed(county_input, keydir, feed, inbox_key=inbox_key,
                                     passphrase=secret)  # fmt: skip
        out(f"已生成签名数据源：版本 {built.version}，{built.targets} 个文件 → {feed}")
        settings = terminal_settings(db)
        settings.set("trusted_root", str(keydir / "root.json"))
        settings.set("feed_source", str(feed))
        # The demo feed's own verification pages, so a printed QR opens on this machine.
        settings.set("verify_base_url", (feed / "verify").resolve().as_uri())
        code = run_sync(str(feed), db, keydir / "root.json")
        demo_requests(county, county_input)  # a few requests through the whole way back
        demo_comments(county, county_input)  # comments on both drafts, the closed one answered
        publisher.build_feed(county_input, keydir, feed, inbox_key=inbox_key, passphrase=secret)
        code = code or run_sync(str(feed), db, keydir / "root.json")
    out(f"演示数据就绪，总用时 {time.perf_counter() - started:.1f} 秒")
    return code


def _has_payouts(db: Path) -> bool:
    from kiosk.services import payouts
    from kiosk.store.db import open_database

    open_database(db)
    return payouts.has_any()


def demo_requests(county: Path, county_input: Path) -> None:
    """A few requests through the whole way back on one machine: sealed on this terminal
    (the open database's), exported to a USB folder, imported into the county's cases,
    answered in the clerk's workbook, and written as replies into ``county_input`` for the
    next feed."""
    import openpyxl

    from kiosk.county import keyfiles
    from kiosk.county.inbox import export, intake, reply
    from kiosk.services import push, requests

    me = requests.terminal_identity()
    (county_input / "terminals.csv").write_text(
        f"fingerprint,name,town,status\n{me.fingerprint()},演示终端,,在用\n", encoding="utf-8")
    receipts = [requests.submit(kind, dict(form)) for kind, form in _DEMO_REQUESTS]
    numbers = [r.number for r in receipts]
    usb, cases, book_path = county / "usb", county / "cases.sqlite3", county / "cases.xlsx"
    usb.mkdir(parents=True, exist_ok=True)  # the stick
    push.export_to_folder(usb)
    intake.import_envelopes(usb, county / "inbox-keys", cases, county_input / "terminals.csv",
                            passphrase=keyfiles.DEMO_PASSPHRASE)  # fmt: skip
    export.export_cases(cases, book_path, dt.date.today())
    book = openpyxl.load_workbook(book_path)
    for sheet in book.worksheets:  # the clerk answers the first, works on the second
        headers = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            number = row[headers.index("受理编号")].value
            if number in numbers[:2]:
                answered = number == numbers[0]
                row[headers.index("状态")].value = "已答复" if answered else "办理中"
                row[headers.index("答复内容")].value = _DEMO_ANSWER if answered else None
    book.save(book_path)
    reply.apply_answers(cases, book_path, dt.date.today())
    reply.write_replies(cases, county_input)
    out(f"演示申请 {len(numbers)} 件已走完送达、受理、答复全程（受理编号 {'、'.join(numbers)}）；"
        f"县里的案件库 → {cases}")  # fmt: skip
    # Demo data: a real receipt's QR is the villager's alone and is printed nowhere else.
    out(f"演示回执二维码（扫码或 kiosk receipt show 可看到答复内容）：{receipts[0].qr_text}")


def add_commands(commands) -> None:
    demo = commands.add_parser("demo", help="生成演示县数据并导入 / build the demo county")
    db_option(demo)
    demo.add_argument("--households", type=int, default=5_000, help="农户数（默认 5000）")
    demo.add_argument("--seed", type=int, default=1, help="随机种子（同一种子结果相同）")
    demo.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                      help="发放表文件格式（默认 xlsx）")  # fmt: skip
    demo.add_argument("--out", help="保留生成的表格到此目录（默认用临时目录）")
    demo.add_argument("--if-missing", action="store_true", help="数据库已有数据时跳过")
    demo.set_defaults(handler=cmd_demo)


# (article, stance, text) of the demo's comments on the closed draft, and its 采纳情况.
_CLOSED_COMMENTS = (
    (1, "赞成", ""), (3, "有修改建议", "3公里太远，孩子走不动，建议2公里以上就接送"),
    (3, "有修改建议", "校车要有老师跟车"), (2, "不赞成", "我们村小学有48个学生，并走了孩子上学太远"),
    (0, "赞成", ""),
)  # fmt: skip
_RESULTS = {
    "1": ("采纳", ""),
    "2": ("未采纳", "该村小学距中心小学1.6公里，并校后由校车接送，不增加上学距离"),
    "3": ("部分采纳", "校车接送范围调整为2公里以上；跟车人员由学校安排，另行规定"),
    "0": ("采纳", ""),
}


def demo_comments(county: Path, county_input: Path) -> None:
    """Comments through the way back: on the closed draft, sealed during its period (this
    terminal's clock set back), imported, tallied in the department's workbook, 采纳情况
    filled in and published; on the open draft, two sealed today and imported. The next
    feed carries the results and the receipts."""
    import openpyxl

    from kiosk.county import keyfiles
    from kiosk.county.inbox import comments, intake
    from kiosk.services import consultations, push

    books = comments.read_consultations(county_input)
    closed = next(d for d in books.drafts.values() if d.closes_on < dt.date.today())
    opened = next(d for d in books.drafts.values() if d.closes_on >= dt.date.today())
    sealed_at = dt.datetime.combine(closed.closes_on - dt.timedelta(days=3), dt.time(10), dt.UTC)
    info = consultations.draft(closed.code, closed.version, sealed_at.date())
    numbers = [consultations.submit_comment(info, article, None, stance, text, now=sealed_at).number
               for article, stance, text in _CLOSED_COMMENTS]  # fmt: skip
    usb, cases = county / "usb", county / "cases.sqlite3"
    push.export_to_folder(usb)
    arrived = sealed_at + dt.timedelta(days=5)  # the stick reached the county within the grace
    intake.import_envelopes(usb, county / "inbox-keys", cases, county_input / "terminals.csv",
                            passphrase=keyfiles.DEMO_PASSPHRASE, consultations=books,
                            now=arrived)  # fmt: skip
    book_path = county / f"意见汇总-{closed.code}.xlsx"
    comments.export_comments(cases, county_input, book_path, closed.code, closed.version,
                             dt.date.today())
    book = openpyxl.load_workbook(book_path)
    sheet = book[comments.RESULTS_SHEET]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        outcome = _RESULTS.get(str(row[headers.index(comments.ARTICLE)].value))
        if outcome is not None:
            row[headers.index(comments.OUTCOME)].value, row[headers.index(comments.REASON)].value = outcome
    book.save(book_path)
    comments.publish_results(cases, county_input, book_path, county_input, dt.date.today())
    today = consultations.draft(opened.code, opened.version)
    for article, clause, stance in ((3, 3, "赞成"), (6, None, "不赞成")):
        consultations.submit_comment(today, article, clause, stance)
    push.export_to_folder(usb)
    intake.import_envelopes(usb, county / "inbox-keys", cases, county_input / "terminals.csv",
                            passphrase=keyfiles.DEMO_PASSPHRASE, consultations=books)  # fmt: skip
    comments.write_comment_receipts(cases, county_input)
    out(f"演示意见 {len(numbers) + 2} 条已走完封存、送达、汇总、公布采纳情况全程"
        f"（已决策草案的回执号 {'、'.join(numbers[:2])} 等）")  # fmt: skip
