"""The ``kiosk`` commands of the way back: villagers' requests from terminal to county.

Terminal side: ``terminal id``, ``submit``, ``receipt show``, ``outbox status|push``.
County side: ``inbox init-keys|import|export|reply``. Registered by kiosk.cli.
"""

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from kiosk.errors import KnownError

EXIT_OK = 0


def _out(message: str) -> None:
    print(message, flush=True)


# -- terminal ------------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Path:
    from kiosk.cli import _db_path
    from kiosk.store.db import open_database

    db = _db_path(args)
    open_database(db)
    return db


def cmd_terminal_id(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    me = requests.terminal_identity()
    _out(f"本终端指纹（请登记到县里的 terminals.csv）：{me.fingerprint()}")
    _out(f"public_key: {me.public_b64}")
    return EXIT_OK


def cmd_submit(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    try:
        form = json.loads(Path(args.form).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KnownError(f"无法读取申请表文件：{args.form}", f"cannot read the form file: {exc}") from exc
    if not isinstance(form, dict):
        raise KnownError("申请表文件应为一个 JSON 对象", "the form file must hold one JSON object")
    db = _open(args)
    receipt = requests.submit(args.kind, form)
    _out(f"{receipt.kind_zh}已封存，答复期限 {receipt.due_on:%Y-%m-%d}（{receipt.due_rule}）")
    _deliver(db)
    _out(receipt.number)  # last line: the receipt number, for scripts
    return EXIT_OK


def cmd_receipt_show(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    number = requests.normalize_number(args.number)
    found = requests.status(number) if number else None
    if found is None:
        raise KnownError(f"没有找到受理编号 {args.number}", f"no request numbered {args.number}")
    _out(f"受理编号：{found.number}  {found.kind_zh}")
    _out(f"状态：{found.status}（{found.note}）")
    if found.received_on:
        _out(f"收到日期：{found.received_on:%Y-%m-%d}  答复期限：{found.due_on:%Y-%m-%d}")
    if found.answered_on:
        _out(f"答复日期：{found.answered_on:%Y-%m-%d}")
    if found.answer:
        _out(f"答复内容：{found.answer}")
    return EXIT_OK


def cmd_outbox_status(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    requests.acknowledge_received()
    state = requests.outbox_status()
    _out(f"待送达 {state.waiting} 件，已送出待县里确认 {state.sent} 件，"
         f"县里已确认收到 {state.acknowledged} 件"
         + (f"，文件缺失 {state.missing} 件" if state.missing else "")
         + (f"，损坏已隔离 {state.damaged} 件" if state.damaged else ""))  # fmt: skip
    return EXIT_OK


def cmd_outbox_push(args: argparse.Namespace) -> int:
    db = _open(args)
    sent = _deliver(db, args.to, quiet=False)
    return EXIT_OK if sent is not None else 1


def _deliver(db: Path, to: str | None = None, quiet: bool = True) -> int | None:
    """Push the outbox to ``to`` (a URL or a folder) or the terminal's ``outbox_url``;
    None if the push failed (everything stays queued, retried later)."""
    from kiosk.cli import _settings
    from kiosk.services import requests

    target = to or _settings(db).get("outbox_url")
    if not target:
        if not quiet:
            raise KnownError("未指定上传地址（--to 或终端设置 outbox_url）",
                             "no upload address (--to or the outbox_url setting)")  # fmt: skip
        _out("申请已在本机排队，工作人员联网或用U盘导出时送往县里")
        return 0
    if target.startswith(("http://", "https://")):
        report = requests.push_to_url(target)
    else:
        report = requests.export_to_folder(Path(target))
    _out(f"送出 {report.sent} 件，失败 {report.failed} 件，仍在排队 {report.waiting} 件 → {target}")
    for error in report.errors[:5]:
        _out(f"  {error}")
    return None if report.failed else report.sent


# -- county --------------------------------------------------------------------------------------


def cmd_inbox_init_keys(args: argparse.Namespace) -> int:
    from kiosk.inbox import county_keys

    public = county_keys.create_inbox_keys(Path(args.keydir), replace=args.replace)
    _out(f"已创建县级受理密钥（私钥留在县里）：{args.keydir}；公钥随数据源发往终端：{public}")
    return EXIT_OK


def cmd_inbox_import(args: argparse.Namespace) -> int:
    from kiosk.inbox import county_import

    holidays, workdays, terminals = _county_input(Path(args.county_input)) if args.county_input else (
        set(), set(), None)  # fmt: skip
    report = county_import.import_envelopes(Path(args.source), Path(args.keys), Path(args.db),
                                            terminals, holidays=holidays,
                                            extra_workdays=workdays)  # fmt: skip
    _out(f"申请信封 {report.files} 个：导入 {report.imported} 件（其中待核实终端 {report.unverified} 件），"
         f"重复跳过 {report.duplicates} 件，拒收 {len(report.refused)} 件，"
         f"用时 {report.seconds:.1f} 秒")  # fmt: skip
    for refusal in report.refused:
        _out(f"  拒收 {refusal.file}：{refusal.message}")
    return EXIT_OK if not report.refused else 1


def _county_input(folder: Path) -> tuple[set[dt.date], set[dt.date], Path | None]:
    """The county's holidays and 调休 workdays (work_calendar) and terminal list from its
    export folder, as the feed build reads them."""
    from kiosk.sync import datasets, publisher
    from kiosk.sync.validate import DuplicateFinder, Problems, read_rows

    holidays, workdays = set(), set()
    problems = Problems()
    for path in publisher.dataset_files(folder, datasets.WORK_CALENDAR):
        for row in read_rows(datasets.WORK_CALENDAR, path, problems, DuplicateFinder(), str(path)):
            (holidays if row["kind"] == "休" else workdays).add(dt.date.fromisoformat(row["day"]))
    if problems:
        raise problems.refuse()
    terminals = folder / "terminals.csv"
    return holidays, workdays, terminals if terminals.is_file() else None


def cmd_inbox_export(args: argparse.Namespace) -> int:
    from kiosk.inbox import county_export

    done = county_export.export_cases(Path(args.db), Path(args.out), dt.date.today())
    _out(f"已导出 {done.total} 件（信息公开申请 {done.disclosure}，咨询回电 {done.callback}），"
         f"其中逾期 {done.overdue} 件 → {done.path}")  # fmt: skip
    return EXIT_OK


def cmd_inbox_reply(args: argparse.Namespace) -> int:
    from kiosk.inbox import county_reply

    done = county_reply.apply_answers(Path(args.db), Path(args.answers), dt.date.today())
    rows = county_reply.write_replies(Path(args.db), Path(args.out))
    _out(f"已读入 {done.rows} 行答复，{done.changed} 件有变化；答复表共 {rows} 件 → "
         f"{Path(args.out) / 'replies.csv'}（下次 kiosk feed build 发往各终端）")  # fmt: skip
    return EXIT_OK


# -- the demo ------------------------------------------------------------------------------------

_DEMO_REQUESTS = (
    ("disclosure", {"name": "王演示", "id_number": "11010519491231002X", "phone": "13900000001",
                    "wanted": "本村2025年度耕地地力保护补贴发放明细", "delivery": "现场领取"}),
    ("callback", {"phone": "13900000002", "topic": "社会救助", "text": "想问低保怎么申请",
                  "preferred_time": "工作日上午"}),
    ("disclosure", {"name": "李演示", "id_number": "11010519491231002X", "phone": "13900000003",
                    "wanted": "镇里2025年度危房改造补助名单", "delivery": "电话告知"}),
)  # fmt: skip
_DEMO_ANSWER = "演示答复：发放明细已备好，请携带身份证到镇便民服务中心领取。"


def demo_requests(db: Path, county: Path, county_input: Path) -> None:
    """A few requests through the whole way back on one machine: sealed on this terminal,
    exported to a USB folder, imported into the county's cases, answered in the clerk's
    workbook, and written as replies into ``county_input`` for the next feed."""
    import openpyxl

    from kiosk.inbox import county_export, county_import, county_reply
    from kiosk.services import requests

    me = requests.terminal_identity()
    (county_input / "terminals.csv").write_text(
        f"fingerprint,name,town,status\n{me.fingerprint()},演示终端,,在用\n", encoding="utf-8")
    numbers = [requests.submit(kind, dict(form)).number for kind, form in _DEMO_REQUESTS]
    usb, cases, book_path = county / "usb", county / "cases.sqlite3", county / "cases.xlsx"
    requests.export_to_folder(usb)
    county_import.import_envelopes(usb / "inbox", county / "keys", cases, county_input / "terminals.csv")
    county_export.export_cases(cases, book_path, dt.date.today())
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
    county_reply.apply_answers(cases, book_path, dt.date.today())
    county_reply.write_replies(cases, county_input)
    _out(f"演示申请 {len(numbers)} 件已走完送达、受理、答复全程（受理编号 {'、'.join(numbers)}）；"
         f"县里的案件库 → {cases}")  # fmt: skip


# -- the parser ----------------------------------------------------------------------------------


def add_commands(commands, db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    terminal = commands.add_parser("terminal", help="本终端身份 / this terminal")
    terminal_commands = terminal.add_subparsers(dest="terminal_command", required=True)
    ident = terminal_commands.add_parser("id", help="显示本终端的密钥指纹（登记到县里）")
    db_option(ident)
    ident.set_defaults(handler=cmd_terminal_id)

    submit = commands.add_parser("submit", help="工作人员代为提交申请或回电请求（经同一封存通道）")
    submit.add_argument("--kind", choices=("disclosure", "callback"), required=True)
    submit.add_argument("--form", required=True, help="申请表 JSON 文件（字段见 README）")
    db_option(submit)
    submit.set_defaults(handler=cmd_submit)

    receipt = commands.add_parser("receipt", help="回执 / receipts")
    receipt_commands = receipt.add_subparsers(dest="receipt_command", required=True)
    show = receipt_commands.add_parser("show", help="按受理编号查询办理进度")
    show.add_argument("number")
    db_option(show)
    show.set_defaults(handler=cmd_receipt_show)

    outbox = commands.add_parser("outbox", help="待送往县里的申请 / the outbox")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True)
    status = outbox_commands.add_parser("status", help="待送达、已送出、已确认的件数")
    db_option(status)
    status.set_defaults(handler=cmd_outbox_status)
    push = outbox_commands.add_parser("push", help="送出排队的申请（上传或复制到U盘）")
    push.add_argument("--to", help="上传地址（http/https）或U盘目录；默认终端设置 outbox_url")
    db_option(push)
    push.set_defaults(handler=cmd_outbox_push)

    inbox = commands.add_parser("inbox", help="县级受理 / the county's inbox")
    inbox_commands = inbox.add_subparsers(dest="inbox_command", required=True)
    keys = inbox_commands.add_parser("init-keys", help="创建县级受理密钥对")
    keys.add_argument("keydir")
    keys.add_argument("--replace", action="store_true", help="更换密钥（旧私钥保留以打开旧信封）")
    keys.set_defaults(handler=cmd_inbox_init_keys)
    imp = inbox_commands.add_parser("import", help="导入申请信封到案件库")
    imp.add_argument("--from", dest="source", required=True, help="信封所在目录（U盘 inbox/ 或上传目录）")
    imp.add_argument("--keys", required=True, help="县级密钥目录")
    imp.add_argument("--db", required=True, help="案件库 SQLite 文件")
    imp.add_argument("--county-input", help="县里的数据目录（读取 terminals.csv 与节假日表）")
    imp.set_defaults(handler=cmd_inbox_import)
    exp = inbox_commands.add_parser("export", help="导出案件到 Excel")
    exp.add_argument("--db", required=True)
    exp.add_argument("--out", required=True, help="cases.xlsx")
    exp.set_defaults(handler=cmd_inbox_export)
    reply = inbox_commands.add_parser("reply", help="读回已填写的 Excel，生成答复表")
    reply.add_argument("--db", required=True)
    reply.add_argument("--answers", required=True, help="填写了状态和答复内容的 Excel")
    reply.add_argument("--out", required=True, help="县里的数据目录（写入 replies.csv）")
    reply.set_defaults(handler=cmd_inbox_reply)
