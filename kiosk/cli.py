"""The ``kiosk`` command: the public interface for staff and for automation.

Exit codes: 0 success, 1 refused or failed with a clear message, 2 usage error,
3 the capability is not available yet.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kiosk import __version__, log, paths
from kiosk.errors import KnownError, NotYetAvailable

EXIT_OK, EXIT_FAILED, EXIT_NOT_YET = 0, 1, 3


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
    from kiosk.sync import demo_county, importer

    db = _db_path(args)
    if args.if_missing and db.exists() and _has_payouts(db):
        _out(f"演示数据已存在，跳过生成 / demo data already present: {db}")
        return EXIT_OK
    started = time.perf_counter()
    open_database(db)  # first, so a database we cannot use is refused before any work
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as scratch:
        out = Path(args.out) if args.out else Path(scratch)
        summary = demo_county.generate(out, args.households, args.seed, args.format)
        _out(
            f"已生成演示县数据：{summary.villages} 个村，{summary.households} 户，"
            f"{summary.payout_rows} 条发放记录，{summary.files} 个发放表 → {out}"
        )
        result = importer.import_directory(out, actor="demo")
    _out(
        f"已导入 {db}：" + "，".join(f"{k} {v}" for k, v in result.counts.items())
        + f"（用时 {time.perf_counter() - started:.1f} 秒）"
    )
    return EXIT_OK


def _has_payouts(db: Path) -> bool:
    from kiosk.store.db import open_database
    from kiosk.store.models import Payout

    open_database(db)
    return Payout.select().limit(1).exists()


def _not_yet(what: str, issue: str):
    def handler(args: argparse.Namespace) -> int:
        raise NotYetAvailable(what, issue)

    return handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="莘情公开 村务公开查询终端 / Shen County disclosure kiosk"
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="数据库文件（默认：用户数据目录，KIOSK_DB 可覆盖）")

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
    init_keys.set_defaults(handler=_not_yet("kiosk feed init-keys", "issue #3"))
    build = feed_commands.add_parser("build", help="生成签名数据源")
    build.add_argument("--input", required=True)
    build.add_argument("--keys", required=True)
    build.add_argument("--out", required=True)
    build.set_defaults(handler=_not_yet("kiosk feed build", "issue #3"))

    sync = commands.add_parser("sync", help="从县级数据源同步 / sync from the county feed")
    sync.add_argument("--source", required=True)
    db_option(sync)
    sync.set_defaults(handler=_not_yet("kiosk sync", "issue #3"))

    printing = commands.add_parser("print", help="打印公示单 / print notice sheets")
    print_commands = printing.add_subparsers(dest="print_command", required=True)
    notice = print_commands.add_parser("notice", help="打印一个村的公示单")
    notice.add_argument("--village", required=True)
    notice.add_argument("--year", type=int, required=True)
    notice.add_argument("--item")
    notice.add_argument("--out", required=True)
    db_option(notice)
    notice.set_defaults(handler=_not_yet("kiosk print notice", "issue #5"))
    township = print_commands.add_parser("township", help="批量打印一个乡镇的公示单")
    township.add_argument("--township", required=True)
    township.add_argument("--year", type=int, required=True)
    township.add_argument("--out", required=True)
    db_option(township)
    township.set_defaults(handler=_not_yet("kiosk print township", "issue #5"))

    screenshot = commands.add_parser("screenshot", help="离屏渲染页面截图")
    screenshot.add_argument(
        "--page", required=True,
        choices=("home", "payouts", "catalogue", "consult", "policies", "admin"),
    )  # fmt: skip
    screenshot.add_argument("--village")
    screenshot.add_argument("--elderly", action="store_true")
    screenshot.add_argument("--out", required=True)
    db_option(screenshot)
    screenshot.set_defaults(handler=_not_yet("kiosk screenshot", "issue #4"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log.setup(paths.log_dir() if args.command == "run" else None)
    try:
        return args.handler(args)
    except NotYetAvailable as exc:
        _err(str(exc))
        return EXIT_NOT_YET
    except KnownError as exc:  # ImportRefused adds one line per problem to its message
        _err(str(exc))
        return EXIT_FAILED
