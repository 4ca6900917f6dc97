"""The ``kiosk`` command: the public interface for staff and for automation.

Exit codes: 0 success, 1 refused or failed with a clear message, 2 usage error.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kiosk import __version__, log, paths
from kiosk.errors import KnownError, as_known

EXIT_OK, EXIT_FAILED = 0, 1


def _out(message: str) -> None:
    print(message, flush=True)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else paths.default_db_path()


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk import app

    return app.run(_db_path(args), windowed=args.windowed)


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.store.db import open_database
    from kiosk.sync import demo_county, keys, publisher

    db = _db_path(args)
    if args.if_missing and db.exists() and _has_payouts(db):
        _out(f"演示数据已存在，跳过生成 / demo data already present: {db}")
        return EXIT_OK
    started = time.perf_counter()
    open_database(db)  # first, so a database we cannot use is refused before any work
    county = _demo_county_dir(db)
    keydir, feed = county / "keys", county / "feed"
    if not (keydir / "root.json").exists():
        keys.init_keys(keydir)
    if _inbox_key(keydir) is None:
        from kiosk.inbox import county_keys

        county_keys.create_inbox_keys(keydir)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as scratch:
        out = Path(args.out) if args.out else Path(scratch)
        summary = demo_county.generate(out, args.households, args.seed, args.format)
        _out(
            f"已生成演示县数据：{summary.villages} 个村，{summary.households} 户，"
            f"{summary.payout_rows} 条发放记录，{summary.files} 个发放表 → {out}"
        )
        built = publisher.build_feed(out, keydir, feed, inbox_key=_inbox_key(keydir))
        _out(f"已生成签名数据源：版本 {built.version}，{built.targets} 个文件 → {feed}")
        settings = _settings(db)
        settings.set("trusted_root", str(keydir / "root.json"))
        settings.set("feed_source", str(feed))
        # The demo feed's own verification pages, so a printed QR opens on this machine.
        settings.set("verify_base_url", (feed / "verify").resolve().as_uri())
        code = _run_sync(str(feed), db, keydir / "root.json")
        from kiosk.cli_inbox import demo_requests

        demo_requests(db, county, out)  # a few requests through the whole way back
        publisher.build_feed(out, keydir, feed, inbox_key=_inbox_key(keydir))
        code = code or _run_sync(str(feed), db, keydir / "root.json")
    _out(f"演示数据就绪，总用时 {time.perf_counter() - started:.1f} 秒")
    return code


def _demo_county_dir(db: Path) -> Path:
    from kiosk.services.sync import terminal_dir

    return terminal_dir(db) / "demo-county"


def _settings(db: Path):
    from kiosk.config import Settings
    from kiosk.services.sync import terminal_dir

    return Settings(terminal_dir(db) / "settings.json")


def cmd_feed_init_keys(args: argparse.Namespace) -> int:
    from kiosk.inbox import county_keys
    from kiosk.sync import keys

    root = keys.init_keys(Path(args.keydir))
    county_keys.create_inbox_keys(Path(args.keydir))
    _out(f"已创建签名密钥和受理密钥（请妥善保管，不要复制到终端）：{args.keydir}")
    _out(f"受信任的根证书（随终端程序分发）：{root}")
    return EXIT_OK


def _inbox_key(keydir: Path) -> str | None:
    """The county inbox's public key if the key folder has one (older folders: none yet,
    make it with kiosk inbox init-keys)."""
    from kiosk.inbox import county_keys

    if not (keydir / county_keys.PUBLIC_FILE).exists():
        return None
    return county_keys.inbox_public(keydir)


def cmd_feed_build(args: argparse.Namespace) -> int:
    from kiosk.sync import publisher

    withdraw = tuple(publisher.parse_town_year(w) for w in args.withdraw or ())
    built = publisher.build_feed(Path(args.input), Path(args.keys), Path(args.out),
                                 expiry_days=args.expiry_days, withdraw=withdraw,
                                 reason=args.reason or "", dry_run=args.dry_run,
                                 report=_print_changes,
                                 inbox_key=_inbox_key(Path(args.keys)))  # fmt: skip
    if built.dry_run:
        _out(f"试运行（未写入任何文件）：将生成版本 {built.version}，{built.targets} 个文件，其中 "
             f"{len(built.changed)} 个有变化，{built.rows} 行 → {args.out}")  # fmt: skip
    else:
        _out(
            f"数据源已生成：版本 {built.version}，{built.targets} 个文件，其中 {len(built.changed)} 个"
            f"有变化，{built.rows} 行，有效期 {args.expiry_days} 天，用时 {built.seconds:.1f} 秒 → {args.out}"
        )
        if built.verify is not None:  # upload verify/ with the feed: only the rewritten pages change
            _out(f"  核验页面：{built.verify.pages} 个村年度，本次更新 {built.verify.written} 个 → "
                 f"{Path(args.out) / 'verify'}")  # fmt: skip
    for note in built.notes:
        _out(f"  说明：{note}")
    for target in built.changed:
        _out(f"  变化：{target}")
    for target in built.newly_withdrawn:
        _out(f"  撤回：{target}")
    for target in built.restored:
        _out(f"  恢复（数据已重新提供，撤回取消）：{target}")
    for withdrawal in built.withdrawn:
        _out(f"  已撤回：{withdrawal.year}/{withdrawal.town}（{withdrawal.reason}，{withdrawal.at}）")
    return EXIT_OK


def cmd_feed_template(args: argparse.Namespace) -> int:
    from kiosk.sync import template

    out = Path(args.out)
    written = template.write_templates(out)
    _out(f"已生成 {len(written)} 个数据表模板（每个含一行示例和“{template.NOTES_SHEET}”工作表）→ {out}")
    for path in written:
        _out(f"  {path.relative_to(out)}")
    return EXIT_OK


def _print_changes(changes: list) -> None:
    """The payout changes against the current feed, one line per town-year (before signing)."""
    from kiosk import fmt

    if not changes:
        _out("与上一版数据源相比：发放记录无变化")
        return
    _out(f"与上一版数据源相比，{len(changes)} 个乡镇年度的发放记录有变化：")
    for c in changes:
        _out(f"  {c.year}年 {c.town_name}({c.town})：新增 {c.added} 行，删除 {c.removed} 行，"
             f"修改 {c.changed} 行；共 {c.rows_before} → {c.rows_after} 行，"
             f"合计 {fmt.money(c.fen_before)} 元 → {fmt.money(c.fen_after)} 元"
             f"{'（撤回）' if c.gone else '（新增乡镇年度）' if c.new else ''}")  # fmt: skip


def cmd_feed_rotate_root(args: argparse.Namespace) -> int:
    from kiosk.sync import keys

    rotated = keys.rotate_root(Path(args.keydir), tuple(args.role or ()), args.expiry_days)
    replaced = "、".join(rotated.replaced) or "无（只更新有效期）"
    _out(f"根证书已更新到第 {rotated.version} 版，有效期至 {rotated.expires:%Y-%m-%d}；"
         f"更换密钥的角色：{replaced}")  # fmt: skip
    for kept in rotated.kept_as:
        _out(f"  旧密钥保留为：{kept}")
    _out("请运行 kiosk feed build 发布：终端下次同步时会自动接受新根证书")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from kiosk.store.db import open_database

    db = _db_path(args)
    open_database(db)
    settings = _settings(db)
    root = Path(args.trusted_root or settings.get("trusted_root") or "")
    if not args.trusted_root and not settings.get("trusted_root"):
        raise KnownError("未配置受信任的根证书（--trusted-root 或终端设置 trusted_root）",
                         "no trusted root configured (--trusted-root or the trusted_root setting)")
    return _run_sync(args.source, db, root)


def _run_sync(source: str, db: Path, root: Path) -> int:
    from kiosk.services import sync

    bar = _ProgressBar() if sys.stderr.isatty() else None
    result = sync.sync(source, db, root, progress=bar.update if bar else None)
    if bar:
        bar.close()
    if result.up_to_date:
        _out(f"已是最新：版本 {result.version}，数据截至 {result.data_as_of}，用时 {result.seconds:.1f} 秒")
    else:
        _out(
            f"同步完成：下载 {result.downloaded} 个文件，更新 {result.changed} 个分区，应用 "
            f"{result.rows} 行，版本 {result.version}，数据截至 {result.data_as_of}，"
            f"用时 {result.seconds:.1f} 秒"
        )
    if _settings(db).get("outbox_url"):  # after each sync, what villagers asked goes out
        from kiosk.cli_inbox import _deliver

        _deliver(db)
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on the staff's terminal (stderr)."""

    def __init__(self, width: int = 30):
        self._width = width

    def update(self, phase: str, done: int, total: int) -> None:
        filled = self._width * done // max(total, 1)
        bar = "█" * filled + "·" * (self._width - filled)
        print(f"\r{phase} [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        print(file=sys.stderr, flush=True)


def _has_payouts(db: Path) -> bool:
    from kiosk.store.db import open_database
    from kiosk.store.models import Payout

    open_database(db)
    return Payout.select().limit(1).exists()


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
        verify_base_url=_settings(db).get("verify_base_url"),
        actor="cli",
    )


def cmd_print_notice(args: argparse.Namespace) -> int:
    from kiosk.services import notices
    from kiosk.store.db import open_database

    db = _db_path(args)
    open_database(db)
    result = notices.print_notice(args.village, args.year, Path(args.out), args.item,
                                  _notice_options(args, db))  # fmt: skip
    _out(f"公示单已生成：{args.out}，共 {result.pages} 页，校验码 {result.digest}")
    if result.fallback_rows:
        _out(f"注意：第 {'、'.join(map(str, result.fallback_rows))} 行含生僻字，已用备用字体打印")
    return EXIT_OK


def cmd_print_township(args: argparse.Namespace) -> int:
    from kiosk.services import notices
    from kiosk.store.db import open_database

    db = _db_path(args)
    open_database(db)
    bar = _ProgressBar() if sys.stderr.isatty() else None
    result = notices.print_township(
        args.township, args.year, Path(args.out), _notice_options(args, db),
        progress=(lambda d, t, name: bar.update("打印", d, t)) if bar else None,
    )  # fmt: skip
    if bar:
        bar.close()
    pages = sum(r.pages for _, _, r in result.printed)
    _out(f"已生成 {len(result.printed)} 个村的公示单，共 {pages} 页；"
         f"{len(result.skipped)} 个村当年无发放记录未打印；清单：{result.index}")  # fmt: skip
    return EXIT_OK


def cmd_set_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.services import admin
    from kiosk.store.db import open_database

    open_database(_db_path(args))
    pin = (getpass.getpass("新的管理 PIN（6-12 位数字）：") if sys.stdin.isatty()
           else sys.stdin.readline()).strip()  # fmt: skip
    admin.set_pin(pin)
    _out("管理 PIN 已设置（数据库中仅保存 scrypt 摘要），正在运行的终端立即生效")
    return EXIT_OK


def _screen_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    sizes = [int(n) for n in (width, height) if n.isdigit()]
    if len(sizes) != 2 or not all(320 <= n <= 7680 for n in sizes):
        raise argparse.ArgumentTypeError(f"屏幕尺寸应为 宽x高，如 1080x1920：{text}")
    return int(width), int(height)


def cmd_screenshot(args: argparse.Namespace) -> int:
    from kiosk import app

    out = app.screenshot(_db_path(args), args.page, Path(args.out), args.village, args.elderly,
                         args.size)  # fmt: skip
    _out(f"已保存截图：{out}")
    return EXIT_OK


def cmd_handwriting_recognize(args: argparse.Namespace) -> int:
    import json

    from kiosk import handwriting

    try:
        doc = json.loads(Path(args.strokes).read_text(encoding="utf-8"))
        strokes = [[(float(x), float(y)) for x, y in stroke] for stroke in doc["strokes"]]
        width, height = int(doc["width"]), int(doc["height"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnownError(f"无法读取笔画文件：{args.strokes}", f"cannot read the strokes file: {exc}") from exc
    if args.show_files:  # which copy a terminal uses: its bundle's, or the system's
        library, model = handwriting.find()
        print(f"识别库 / library: {library}\n模型 / model: {model}", file=sys.stderr)
    for candidate in handwriting.recognizer().recognize(strokes, width, height, args.limit):
        _out(candidate)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="莘情公开 村务公开查询终端 / Shen County disclosure kiosk"
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="数据库文件（默认：用户数据目录，KIOSK_DB 可覆盖）")

    def notice_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--period-days", type=int, default=7, help="公示期天数（默认 7）")
        p.add_argument("--working-days", action="store_true", help="按工作日计算公示期")
        p.add_argument("--long-term", action="store_true", help="长期公示")
        p.add_argument("--start", help="公示开始日期 YYYY-MM-DD（默认今天）")
        p.add_argument("--per-item", action="store_true", help="每个补贴项目单独一表")
        p.add_argument("--a3", action="store_true", help="A3 纸")
        p.add_argument("--landscape", action="store_true", help="横向")

    run = commands.add_parser("run", help="启动查询终端 / start the kiosk")
    db_option(run)
    run.add_argument("--windowed", action="store_true", help="窗口模式（开发用）")
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser("demo", help="生成演示县数据并导入 / build the demo county")
    db_option(demo)
    demo.add_argument("--households", type=int, default=5_000, help="农户数（默认 5000）")
    demo.add_argument("--seed", type=int, default=1, help="随机种子（同一种子结果相同）")
    demo.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                      help="发放表文件格式（默认 xlsx）")  # fmt: skip
    demo.add_argument("--out", help="保留生成的表格到此目录（默认用临时目录）")
    demo.add_argument("--if-missing", action="store_true", help="数据库已有数据时跳过")
    demo.set_defaults(handler=cmd_demo)

    feed = commands.add_parser("feed", help="县级数据源（发布端）/ county feed publisher")
    feed_commands = feed.add_subparsers(dest="feed_command", required=True)
    init_keys = feed_commands.add_parser("init-keys", help="创建签名密钥")
    init_keys.add_argument("keydir")
    init_keys.set_defaults(handler=cmd_feed_init_keys)
    build = feed_commands.add_parser("build", help="生成签名数据源")
    build.add_argument("--input", required=True)
    build.add_argument("--keys", required=True)
    build.add_argument("--out", required=True)
    build.add_argument("--expiry-days", type=int, default=14,
                       help="时间戳和快照的有效期（天，默认 14，适合 U 盘传递）")  # fmt: skip
    build.add_argument("--withdraw", action="append", metavar="YEAR/TOWN",
                       help="有意撤回某乡镇某年度的发放记录（可重复），如 2025/371522102")  # fmt: skip
    build.add_argument("--reason", help="撤回原因（与 --withdraw 一起使用，终端上显示）")
    build.add_argument("--dry-run", action="store_true",
                       help="只打印与上一版相比的变化，不写入任何文件")  # fmt: skip
    build.set_defaults(handler=cmd_feed_build)
    template = feed_commands.add_parser("template", help="生成县级数据表模板（含示例和填写说明）")
    template.add_argument("--out", required=True, help="输出目录")
    template.set_defaults(handler=cmd_feed_template)
    rotate = feed_commands.add_parser("rotate-root", help="轮换根证书（更新有效期，可更换角色密钥）")
    rotate.add_argument("keydir")
    rotate.add_argument("--role", action="append", choices=("root", "targets", "snapshot", "timestamp"),
                        help="为该角色生成新密钥（可重复；默认只更新有效期）")  # fmt: skip
    rotate.add_argument("--expiry-days", type=int, default=3 * 365,
                        help="新根证书的有效期（天，默认 1095）")  # fmt: skip
    rotate.set_defaults(handler=cmd_feed_rotate_root)

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
    notice_options(notice)
    notice.set_defaults(handler=cmd_print_notice)
    township = print_commands.add_parser("township", help="批量打印一个乡镇的公示单")
    township.add_argument("--township", required=True)
    township.add_argument("--year", type=int, required=True)
    township.add_argument("--out", required=True, help="输出目录（每村一个 PDF，另有 index.csv）")
    db_option(township)
    notice_options(township)
    township.set_defaults(handler=cmd_print_township)

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
        choices=("home", "payouts", "lookup", "print", "catalogue", "writing", "consult", "answer",
                 "policies", "document", "admin"),
    )  # fmt: skip
    screenshot.add_argument("--village")
    screenshot.add_argument("--elderly", action="store_true")
    screenshot.add_argument("--size", type=_screen_size, default=(1280, 800),
                            help="屏幕尺寸 宽x高，如 1080x1920（默认 1280x800）")  # fmt: skip
    screenshot.add_argument("--out", required=True)
    db_option(screenshot)
    screenshot.set_defaults(handler=cmd_screenshot)

    from kiosk import cli_inbox

    cli_inbox.add_commands(commands, db_option)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log.setup(paths.log_dir())
    try:
        return args.handler(args)
    except KnownError as exc:  # ImportRefused adds one line per problem to its message
        _err(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("已中断 / interrupted")
        return EXIT_FAILED
    except Exception as exc:
        # One line for the person at the terminal; the traceback goes to the log file only.
        known = as_known(exc)
        log.get("kiosk.cli").error("kiosk %s failed: %s", args.command, known.en, exc_info=exc)
        _err(f"{known} （详情见日志 {paths.log_dir() / 'kiosk.log'}）")
        return EXIT_FAILED
