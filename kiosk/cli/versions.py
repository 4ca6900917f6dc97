"""The terminal's program versions: ``kiosk launch`` (what autostart runs, through the boot
script), ``kiosk app install|status|update|switch`` (kiosk.update, kiosk.services.updates)."""

import argparse
import os
from pathlib import Path

from kiosk.cli.common import EXIT_OK, db_option, db_path, out, terminal_settings
from kiosk.errors import KnownError


def _root(args: argparse.Namespace):
    from kiosk.update.state import AppRoot, env_root

    root = AppRoot(Path(args.root)) if args.root else env_root()
    if root is None:
        raise KnownError("请用 --root 指定终端程序的安装目录", "name the program root with --root")
    return root


def cmd_launch(args: argparse.Namespace) -> int:
    from kiosk.update import launcher

    timing = launcher.Timing(trial_s=args.trial_seconds, home_deadline_s=args.home_seconds,
                             backoff_s=args.restart_pause, stop_grace_s=args.stop_grace)  # fmt: skip
    run_args = [a for a in args.run_args if a != "--"]
    return launcher.launch(_root(args), run_args, timing)


def cmd_app_install(args: argparse.Namespace) -> int:
    from kiosk import version
    from kiosk.update import install

    bundle = Path(args.bundle) if args.bundle else install.running_bundle()
    if bundle is None:
        raise KnownError("从源码运行时请用 --bundle 指定终端程序目录",
                         "from source, name the bundle with --bundle")
    root = _root(args)
    state = install.install(root, bundle, version() if not args.bundle else _bundle_version(bundle))
    boot = root.path / ("kiosk-launch.cmd" if os.name == "nt" else "kiosk-launch")
    out(f"已安装 {state.current} 版到 {root.path}")
    out(f"开机自动启动请运行：{boot}（以后的版本经县级数据源自动更新）")
    return EXIT_OK


def _bundle_version(bundle: Path) -> str:
    from kiosk.formats import releases

    found = releases.bundle_version(bundle)
    if not found:
        raise KnownError(f"{bundle} 中没有版本文件", f"{bundle} has no version file")
    if not releases.is_version(found):
        stamp = bundle.joinpath(*releases.BUNDLE_VERSION)
        raise KnownError(f"{stamp} 中的版本号无效", f"{stamp} holds no valid version")
    return found


def cmd_app_status(args: argparse.Namespace) -> int:
    from kiosk.services import updates

    for label, value in updates.lines(updates.status(terminal_settings(db_path(args)), _root(args))):
        out(f"{label}：{value}")
    return EXIT_OK


def cmd_app_update(args: argparse.Namespace) -> int:
    from kiosk.services import updates
    from kiosk.store.db import open_database

    db = db_path(args)
    open_database(db)
    settings = terminal_settings(db)
    trusted = args.trusted_root or settings.get("trusted_root")
    if not trusted:
        raise KnownError("未配置受信任的根证书（--trusted-root 或终端设置 trusted_root）",
                         "no trusted root configured (--trusted-root or the trusted_root setting)")
    out(updates.check(args.source, db, Path(trusted), settings, root=_root(args)))
    return EXIT_OK


def cmd_app_switch(args: argparse.Namespace) -> int:
    from kiosk.update import install

    switched = install.switch(_root(args))
    out(f"下次启动 {switched} 版（试运行）" if switched else "没有待切换的版本")
    return EXIT_OK


def add_launch(commands) -> None:
    launch = commands.add_parser("launch",
                                 help="启动器：运行查询终端，崩溃后重启，新版本失败时退回（开机自启动用）")
    launch.add_argument("--root", help="终端程序安装目录（默认 KIOSK_APP_ROOT）")
    launch.add_argument("--trial-seconds", type=float, default=300.0, help="新版本须连续运行的秒数")
    launch.add_argument("--home-seconds", type=float, default=120.0, help="新版本须在此秒数内显示首页")
    launch.add_argument("--restart-pause", type=float, default=5.0,
                        help="程序崩溃后多少秒重启（逐次加倍，最多 60）")
    launch.add_argument("--stop-grace", type=float, default=15.0,
                        help="停止时等待程序自行退出的秒数，过后强制结束")
    launch.add_argument("run_args", nargs=argparse.REMAINDER, help="传给 kiosk run 的参数")
    launch.set_defaults(handler=cmd_launch)


def add_commands(commands) -> None:
    add_launch(commands)
    app = commands.add_parser("app", help="终端程序版本 / the program's versions")
    actions = app.add_subparsers(dest="app_command", required=True)
    install = actions.add_parser("install", help="把本程序安装到启动器管理的目录（首次安装）")
    install.add_argument("--root", required=True)
    install.add_argument("--bundle", help="终端程序目录（默认：正在运行的这一份）")
    install.set_defaults(handler=cmd_app_install)
    status = actions.add_parser("status", help="正在运行、待切换、失败的版本")
    status.add_argument("--root")
    db_option(status)
    status.set_defaults(handler=cmd_app_status)
    update = actions.add_parser("update", help="立即检查县级数据源中的程序更新并下载解开")
    update.add_argument("--source", required=True, help="HTTP(S) 地址或 U 盘上的数据源目录")
    update.add_argument("--trusted-root", help="受信任的 root.json（默认取终端设置）")
    update.add_argument("--root")
    db_option(update)
    update.set_defaults(handler=cmd_app_update)
    switch = actions.add_parser("switch", help="下次启动时切换到已下载的新版本")
    switch.add_argument("--root")
    switch.set_defaults(handler=cmd_app_switch)
