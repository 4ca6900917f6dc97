"""The terminal program's commands: run the kiosk, sync, print, staff PIN, screenshots,
handwriting, and the terminal's side of the way back (identity, submit, receipt, outbox)."""

import argparse
import json
import sys
from pathlib import Path

from kiosk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    db_option,
    db_path,
    err,
    out,
    progress_bar,
    terminal_settings,
)
from kiosk.errors import KnownError


def _open(args: argparse.Namespace) -> Path:
    from kiosk.store.db import open_database

    db = db_path(args)
    open_database(db)
    return db


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk import app

    return app.run(db_path(args), windowed=args.windowed)


def cmd_sync(args: argparse.Namespace) -> int:
    db = _open(args)
    configured = terminal_settings(db).get("trusted_root")
    if not args.trusted_root and not configured:
        raise KnownError("未配置受信任的根证书（--trusted-root 或终端设置 trusted_root）",
                         "no trusted root configured (--trusted-root or the trusted_root setting)")
    return run_sync(args.source, db, Path(args.trusted_root or configured))


def run_sync(source: str, db: Path, root: Path) -> int:
    """Sync ``db`` from ``source`` (printing the outcome), then send what villagers asked."""
    from kiosk.services import sync

    bar = progress_bar()
    result = sync.sync(source, db, root, progress=bar.update if bar else None)
    if bar:
        bar.close()
    if result.up_to_date:
        out(f"已是最新：版本 {result.version}，数据截至 {result.data_as_of}，用时 {result.seconds:.1f} 秒")
    else:
        out(
            f"同步完成：下载 {result.downloaded} 个文件，更新 {result.changed} 个分区，应用 "
            f"{result.rows} 行，版本 {result.version}，数据截至 {result.data_as_of}，"
            f"用时 {result.seconds:.1f} 秒"
        )
    if terminal_settings(db).get("outbox_url"):  # after each sync, what villagers asked goes out
        deliver(db)
    return EXIT_OK


def _notice_options(args: argparse.Namespace, db: Path):
    import datetime as dt

    from kiosk.services.notices import NoticeOptions
    from printing.model import PageSetup

    return NoticeOptions(
        period_days=args.period_days,
        period_unit="长期" if args.long_term else ("工作日" if args.working_days else "自然日"),
        start=dt.date.fromisoformat(args.start) if args.start else None,
        per_item=args.per_item,
        setup=PageSetup(size="A3" if args.a3 else "A4", landscape=args.landscape),
        verify_base_url=terminal_settings(db).get("verify_base_url"),
        actor="cli",
    )


def cmd_print_notice(args: argparse.Namespace) -> int:
    from kiosk.services import notices

    db = _open(args)
    result = notices.print_notice(args.village, args.year, Path(args.out), args.item,
                                  _notice_options(args, db))  # fmt: skip
    out(f"公示单已生成：{args.out}，共 {result.pages} 页，校验码 {result.digest}")
    if result.fallback_rows:
        out(f"注意：第 {'、'.join(map(str, result.fallback_rows))} 行含生僻字，已用备用字体打印")
    return EXIT_OK


def cmd_print_consultation(args: argparse.Namespace) -> int:
    from kiosk.services import consultations

    db = _open(args)
    wanted = "results" if args.results else "notice" if args.notice else None
    base = str(terminal_settings(db).get("verify_base_url"))
    printed = consultations.print_sheet(args.draft, args.version, base, Path(args.out), wanted)
    what = "意见采纳情况" if printed.results else "征求意见公告"
    out(f"{what}已生成：{args.out}，共 {printed.pages} 页（二维码指向 {printed.qr_url}）")
    return EXIT_OK


def cmd_print_township(args: argparse.Namespace) -> int:
    from kiosk.services import notices

    db = _open(args)
    bar = progress_bar()
    result = notices.print_township(
        args.township, args.year, Path(args.out), _notice_options(args, db),
        progress=(lambda d, t, name: bar.update("打印", d, t)) if bar else None,
    )  # fmt: skip
    if bar:
        bar.close()
    pages = sum(r.pages for _, _, r in result.printed)
    out(f"已生成 {len(result.printed)} 个村的公示单，共 {pages} 页；"
        f"{len(result.skipped)} 个村当年无发放记录未打印；清单：{result.index}")  # fmt: skip
    return EXIT_OK


def cmd_set_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.services import admin

    _open(args)
    pin = (getpass.getpass("新的管理 PIN（6-12 位数字）：") if sys.stdin.isatty()
           else sys.stdin.readline()).strip()  # fmt: skip
    admin.set_pin(pin)
    out("管理 PIN 已设置（数据库中仅保存 scrypt 摘要），正在运行的终端立即生效")
    return EXIT_OK


def _screen_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    sizes = [int(n) for n in (width, height) if n.isdigit()]
    if len(sizes) != 2 or not all(320 <= n <= 7680 for n in sizes):
        raise argparse.ArgumentTypeError(f"屏幕尺寸应为 宽x高，如 1080x1920：{text}")
    return int(width), int(height)


def cmd_screenshot(args: argparse.Namespace) -> int:
    from kiosk import app

    shot = app.screenshot(db_path(args), args.page, Path(args.out), args.village, args.elderly,
                          args.size)  # fmt: skip
    out(f"已保存截图：{shot}")
    return EXIT_OK


def cmd_handwriting_recognize(args: argparse.Namespace) -> int:
    from kiosk.services import handwriting

    try:
        doc = json.loads(Path(args.strokes).read_text(encoding="utf-8"))
        strokes = [[(float(x), float(y)) for x, y in stroke] for stroke in doc["strokes"]]
        width, height = int(doc["width"]), int(doc["height"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnownError(f"无法读取笔画文件：{args.strokes}", f"cannot read the strokes file: {exc}") from exc
    if args.show_files:  # which copy a terminal uses: its bundle's, or the system's
        library, model = handwriting.find()
        err(f"识别库 / library: {library}\n模型 / model: {model}")
    for candidate in handwriting.recognizer().recognize(strokes, width, height, args.limit):
        out(candidate)
    return EXIT_OK


# -- the way back, terminal side -------------------------------------------------------------------


def cmd_terminal_id(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    me = requests.terminal_identity()
    out(f"本终端指纹（请登记到县里的 terminals.csv）：{me.fingerprint()}")
    out(f"public_key: {me.public_b64}")
    return EXIT_OK


def cmd_terminal_status(args: argparse.Namespace) -> int:
    """The status report this terminal would send with its next push, as the staff page
    shows it (本机状态报告): what a technician on the phone asks for."""
    from kiosk.services import health

    _open(args)
    for label, value in health.report_lines(health.build_report("http")):
        out(f"{label}：{value}")
    return EXIT_OK


def cmd_terminal_upload_credential(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    try:
        data = Path(args.file).read_bytes()[:4097]
    except OSError as exc:
        raise KnownError(f"无法读取凭据文件：{args.file}", f"cannot read the credential file: {exc}") from exc
    _open(args)
    user = requests.install_upload_credential(data)
    out(f"上传凭据已保存（仅本终端可读）：账号 {user}。请删除U盘上的凭据文件")
    return EXIT_OK


def cmd_submit(args: argparse.Namespace) -> int:
    from kiosk.formats import safe_json
    from kiosk.services import requests

    try:
        form = safe_json.loads(Path(args.form).read_bytes()[: 256 * 1024 + 1], max_bytes=256 * 1024,
                               max_depth=3)  # fmt: skip
    except (OSError, ValueError) as exc:
        raise KnownError(f"无法读取申请表文件：{args.form}", f"cannot read the form file: {exc}") from exc
    if not isinstance(form, dict):
        raise KnownError("申请表文件应为一个 JSON 对象", "the form file must hold one JSON object")
    db = _open(args)
    receipt = requests.submit(args.kind, form)
    out(f"{receipt.kind_zh}已封存，答复期限 {receipt.due_on:%Y-%m-%d}（{receipt.due_rule}）")
    # What the villager's printed receipt carries: the only copy of the key to the answer.
    out(f"回执二维码（请打印交给申请人，本机不保存）：{receipt.qr_text}")
    deliver(db)
    out(receipt.number)  # last line: the receipt number, for scripts
    return EXIT_OK


def cmd_receipt_show(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    read = requests.read_receipt(args.number)
    found = requests.status(*read) if read else None
    if found is None:
        raise KnownError(f"没有找到受理编号 {args.number[:40]}", f"no request numbered {args.number[:40]}")
    out(f"受理编号：{found.number}  {found.kind_zh}")
    out(f"状态：{found.status}（{found.note}）")
    if found.received_on:  # a comment has no deadline of its own (its consultation's end)
        due = f"  答复期限：{found.due_on:%Y-%m-%d}" if found.due_on else ""
        out(f"收到日期：{found.received_on:%Y-%m-%d}{due}")
    if found.answered_on:
        out(f"{'公布日期' if found.kind_zh == requests.KIND_NAMES['comment'] else '答复日期'}："
            f"{found.answered_on:%Y-%m-%d}")
    if found.answer:
        out(f"答复内容：{found.answer}")
    return EXIT_OK


def cmd_outbox_status(args: argparse.Namespace) -> int:
    from kiosk.services import requests

    _open(args)
    requests.acknowledge_received()
    state = requests.outbox_status()
    out(f"待送达 {state.waiting} 件，已送出待县里确认 {state.sent} 件，"
        f"县里已确认收到 {state.acknowledged} 件"
        + (f"，文件缺失 {state.missing} 件" if state.missing else "")
        + (f"，损坏已隔离 {state.damaged} 件" if state.damaged else ""))  # fmt: skip
    return EXIT_OK


def cmd_outbox_push(args: argparse.Namespace) -> int:
    db = _open(args)
    sent = deliver(db, args.to, quiet=False)
    return EXIT_OK if sent is not None else EXIT_FAILED


def deliver(db: Path, to: str | None = None, quiet: bool = True) -> int | None:
    """Push the outbox to ``to`` (a URL or a folder) or the terminal's ``outbox_url``;
    None if the push failed (everything stays queued, retried later)."""
    from kiosk.services import push

    target = to or terminal_settings(db).get("outbox_url")
    if not target:
        if not quiet:
            raise KnownError("未指定上传地址（--to 或终端设置 outbox_url）",
                             "no upload address (--to or the outbox_url setting)")  # fmt: skip
        out("申请已在本机排队，工作人员联网或用U盘导出时送往县里")
        return 0
    if target.startswith(("http://", "https://")):
        report = push.push_to_url(target)
    else:
        report = push.export_to_folder(Path(target))
    out(f"送出 {report.sent} 件，失败 {report.failed} 件，仍在排队 {report.waiting} 件 → {target}")
    for error in report.errors[:5]:
        out(f"  {error}")
    return None if report.failed else report.sent


# -- the parser ----------------------------------------------------------------------------------


def _notice_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period-days", type=int, default=7, help="公示期天数（默认 7）")
    p.add_argument("--working-days", action="store_true", help="按工作日计算公示期")
    p.add_argument("--long-term", action="store_true", help="长期公示")
    p.add_argument("--start", help="公示开始日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--per-item", action="store_true", help="每个补贴项目单独一表")
    p.add_argument("--a3", action="store_true", help="A3 纸")
    p.add_argument("--landscape", action="store_true", help="横向")


def add_run(commands) -> None:
    """Register ``kiosk run``, the kiosk itself."""
    run = commands.add_parser("run", help="启动查询终端 / start the kiosk")
    db_option(run)
    run.add_argument("--windowed", action="store_true", help="窗口模式（开发用）")
    run.set_defaults(handler=cmd_run)


def add_commands(commands) -> None:
    """Register the terminal's commands on the ``kiosk`` parser's subcommands."""
    add_run(commands)

    sync = commands.add_parser("sync", help="从县级数据源同步 / sync from the county feed")
    sync.add_argument("--source", required=True, help="HTTP(S) 地址或 U 盘上的数据源目录")
    sync.add_argument("--trusted-root", help="受信任的 root.json（默认取终端设置）")
    db_option(sync)
    sync.set_defaults(handler=cmd_sync)

    printing = commands.add_parser("print", help="打印公示单 / print notice sheets")
    print_commands = printing.add_subparsers(dest="print_command", required=True)
    notice = print_commands.add_parser("notice", help="打印一个村的公示单")
    notice.add_argument("--village", required=True)
    notice.add_argument("--year", type=int, required=True)
    notice.add_argument("--item")
    notice.add_argument("--out", required=True)
    db_option(notice)
    _notice_arguments(notice)
    notice.set_defaults(handler=cmd_print_notice)
    township = print_commands.add_parser("township", help="批量打印一个乡镇的公示单")
    township.add_argument("--township", required=True)
    township.add_argument("--year", type=int, required=True)
    township.add_argument("--out", required=True, help="输出目录（每村一个 PDF，另有 index.csv）")
    db_option(township)
    _notice_arguments(township)
    township.set_defaults(handler=cmd_print_township)
    consult = print_commands.add_parser("consultation", help="打印征求意见公告或意见采纳情况")
    consult.add_argument("--draft", required=True, help="草案编号，如 YJ2026-01")
    consult.add_argument("--version", type=int, help="版本（默认最新版）")
    consult.add_argument("--out", required=True, help="PDF 文件")
    which = consult.add_mutually_exclusive_group()
    which.add_argument("--notice", action="store_true", help="征求意见公告（采纳情况未公布时的默认）")
    which.add_argument("--results", action="store_true", help="意见采纳情况（已公布时的默认）")
    db_option(consult)
    consult.set_defaults(handler=cmd_print_consultation)

    set_pin = commands.add_parser("set-pin", help="设置工作人员 PIN（从标准输入读取）")
    db_option(set_pin)
    set_pin.set_defaults(handler=cmd_set_pin)

    handwriting = commands.add_parser("handwriting", help="手写识别 / handwriting recognition")
    handwriting_commands = handwriting.add_subparsers(dest="handwriting_command", required=True)
    recognize = handwriting_commands.add_parser("recognize", help="识别笔画文件，每行一个候选字")
    recognize.add_argument("strokes", help='JSON：{"width": W, "height": H, "strokes": [[[x, y], …], …]}')
    recognize.add_argument("--limit", type=int, default=10, help="候选字个数（默认 10）")
    recognize.add_argument("--show-files", action="store_true", help="在标准错误输出识别库和模型的路径")
    recognize.set_defaults(handler=cmd_handwriting_recognize)

    screenshot = commands.add_parser("screenshot", help="离屏渲染页面截图")
    screenshot.add_argument(
        "--page", required=True,
        choices=("home", "villages", "payouts", "lookup", "print", "catalogue", "writing", "consult",
                 "answer", "policies", "document", "consultation", "draft", "comment", "results", "screener",
                 "screener_result", "admin", "admin_status"),
    )  # fmt: skip
    screenshot.add_argument("--village")
    screenshot.add_argument("--elderly", action="store_true")
    screenshot.add_argument("--size", type=_screen_size, default=(1280, 800),
                            help="屏幕尺寸 宽x高，如 1080x1920（默认 1280x800）")  # fmt: skip
    screenshot.add_argument("--out", required=True)
    db_option(screenshot)
    screenshot.set_defaults(handler=cmd_screenshot)

    terminal = commands.add_parser("terminal", help="本终端身份 / this terminal")
    terminal_commands = terminal.add_subparsers(dest="terminal_command", required=True)
    ident = terminal_commands.add_parser("id", help="显示本终端的密钥指纹（登记到县里）")
    db_option(ident)
    ident.set_defaults(handler=cmd_terminal_id)
    status = terminal_commands.add_parser("status", help="本机状态报告（随每次上传送往县里的内容）")
    db_option(status)
    status.set_defaults(handler=cmd_terminal_status)
    upload = terminal_commands.add_parser("upload-credential", help="保存县里发给本终端的上传凭据")
    upload.add_argument("file", help="县里用 kiosk inbox drop-user add 生成的凭据文件")
    db_option(upload)
    upload.set_defaults(handler=cmd_terminal_upload_credential)

    submit = commands.add_parser("submit", help="工作人员代为提交申请或回电请求（经同一封存通道）")
    submit.add_argument("--kind", choices=("disclosure", "callback"), required=True)
    submit.add_argument("--form", required=True, help="申请表 JSON 文件（字段见 docs/formats.md）")
    db_option(submit)
    submit.set_defaults(handler=cmd_submit)

    receipt = commands.add_parser("receipt", help="回执 / receipts")
    receipt_commands = receipt.add_subparsers(dest="receipt_command", required=True)
    show = receipt_commands.add_parser("show", help="按受理编号查询办理进度")
    show.add_argument("number", help="受理编号，或回执二维码的内容（含答复密钥，可看到答复内容）")
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

