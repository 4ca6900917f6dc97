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
    from kiosk.county.feed import demo_county, keys, publisher
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
    from kiosk.services import requests

    me = requests.terminal_identity()
    (county_input / "terminals.csv").write_text(
        f"fingerprint,name,town,status\n{me.fingerprint()},演示终端,,在用\n", encoding="utf-8")
    receipts = [requests.submit(kind, dict(form)) for kind, form in _DEMO_REQUESTS]
    numbers = [r.number for r in receipts]
    usb, cases, book_path = county / "usb", county / "cases.sqlite3", county / "cases.xlsx"
    usb.mkdir(parents=True, exist_ok=True)  # the stick
    requests.export_to_folder(usb)
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
