"""The county program's commands: the signed feed (keys, build, templates, root rotation),
the inbox (keys, import, export, reply, the annual report's tables, comments on drafts) and
the fleet (the terminals' health from their status reports).

The county program (kiosk.county) is imported only inside the handlers, so this module
loads in the terminal bundle too, which leaves the county program out: there a county
command ends in one line saying so (NotInThisBuild), not a traceback.
"""

import argparse
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

from kiosk.cli.common import EXIT_FAILED, EXIT_OK, NotInThisBuild, out
from kiosk.errors import KnownError

Handler = Callable[[argparse.Namespace], int]


def county_program(name: str) -> Callable[[Handler], Handler]:
    """Mark a handler as the county program's: without kiosk.county installed (the terminal
    bundle) it refuses with NotInThisBuild."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(args: argparse.Namespace) -> int:
            try:
                return handler(args)
            except ModuleNotFoundError as exc:
                if (exc.name or "").startswith("kiosk.county"):
                    raise NotInThisBuild(name) from exc
                raise

        return run

    return wrap


# -- the feed ------------------------------------------------------------------------------------


@county_program("feed init-keys")
def cmd_feed_init_keys(args: argparse.Namespace) -> int:
    from kiosk.county.feed import keys

    root = keys.init_keys(Path(args.keydir))
    out(f"已创建数据源签名密钥（已用口令加密，请妥善保管，不要复制到终端）：{args.keydir}")
    out(f"受信任的根证书（随终端程序分发）：{root}")
    out("根密钥 root.pem 平时可离线保管（日常 kiosk feed build 不需要它）；"
        "受理密钥请另建目录：kiosk inbox init-keys INBOXKEYDIR")
    return EXIT_OK


def _inbox_keys_dir(args: argparse.Namespace) -> Path | None:
    """Where the inbox public key is read from for the feed: --inbox-keys, else an
    ``inbox-keys`` folder beside the signing keys, if there is one."""
    if args.inbox_keys:
        return Path(args.inbox_keys)
    beside = Path(args.keys).resolve().parent / "inbox-keys"
    return beside if beside.is_dir() else None


@county_program("feed protect-keys")
def cmd_feed_protect_keys(args: argparse.Namespace) -> int:
    from kiosk.county import keyfiles

    done = keyfiles.protect(Path(args.keydir), keyfiles.passphrase(confirm=True))
    out(f"已加密 {len(done)} 个私钥文件：{args.keydir}")
    for path in done:
        out(f"  {path}")
    return EXIT_OK


@county_program("feed build")
def cmd_feed_build(args: argparse.Namespace) -> int:
    from kiosk.county.feed import publisher
    from kiosk.county.inbox import keys as inbox_keys

    withdraw = tuple(publisher.parse_town_year(w) for w in args.withdraw or ())
    inbox_dir = _inbox_keys_dir(args)
    inbox_key = inbox_keys.inbox_public(inbox_dir) if inbox_dir else None
    if inbox_key is None:
        out("注意：未找到受理公钥（--inbox-keys），终端将无法提交群众申请")
    built = publisher.build_feed(Path(args.input), Path(args.keys), Path(args.out),
                                 expiry_days=args.expiry_days, withdraw=withdraw,
                                 reason=args.reason or "", dry_run=args.dry_run,
                                 report=_print_changes, inbox_key=inbox_key)  # fmt: skip
    if built.dry_run:
        out(f"试运行（未写入任何文件）：将生成版本 {built.version}，{built.targets} 个文件，其中 "
            f"{len(built.changed)} 个有变化，{built.rows} 行 → {args.out}")  # fmt: skip
    else:
        out(
            f"数据源已生成：版本 {built.version}，{built.targets} 个文件，其中 {len(built.changed)} 个"
            f"有变化，{built.rows} 行，有效期 {args.expiry_days} 天，用时 {built.seconds:.1f} 秒 → {args.out}"
        )
        if built.verify is not None:  # upload verify/ with the feed: only the rewritten pages change
            out(f"  核验页面：{built.verify.pages} 个村年度，本次更新 {built.verify.written} 个 → "
                f"{Path(args.out) / 'verify'}")  # fmt: skip
            if built.verify.consultations:
                pages = Path(args.out) / "verify" / "consultations"
                out(f"  意见征集页面：{built.verify.consultations} 个草案版本，本次更新 "
                    f"{built.verify.consultations_written} 个 → {pages}")
    for note in built.notes:
        out(f"  说明：{note}")
    for target in built.changed:
        out(f"  变化：{target}")
    for target in built.newly_withdrawn:
        out(f"  撤回：{target}")
    for target in built.restored:
        out(f"  恢复（数据已重新提供，撤回取消）：{target}")
    for withdrawal in built.withdrawn:
        out(f"  已撤回：{withdrawal.year}/{withdrawal.town}（{withdrawal.reason}，{withdrawal.at}）")
    return EXIT_OK


def _print_changes(changes: list) -> None:
    """The payout changes against the current feed, one line per town-year (before signing)."""
    from kiosk import fmt

    if not changes:
        out("与上一版数据源相比：发放记录无变化")
        return
    out(f"与上一版数据源相比，{len(changes)} 个乡镇年度的发放记录有变化：")
    for c in changes:
        out(f"  {c.year}年 {c.town_name}({c.town})：新增 {c.added} 行，删除 {c.removed} 行，"
            f"修改 {c.changed} 行；共 {c.rows_before} → {c.rows_after} 行，"
            f"合计 {fmt.money(c.fen_before)} 元 → {fmt.money(c.fen_after)} 元"
            f"{'（撤回）' if c.gone else '（新增乡镇年度）' if c.new else ''}")  # fmt: skip


@county_program("feed template")
def cmd_feed_template(args: argparse.Namespace) -> int:
    from kiosk.county.feed import template

    folder = Path(args.out)
    written = template.write_templates(folder)
    out(f"已生成 {len(written)} 个数据表模板（每个含一行示例和“{template.NOTES_SHEET}”工作表）→ {folder}")
    for path in written:
        out(f"  {path.relative_to(folder)}")
    return EXIT_OK


@county_program("feed rotate-root")
def cmd_feed_rotate_root(args: argparse.Namespace) -> int:
    from kiosk.county.feed import keys

    rotated = keys.rotate_root(Path(args.keydir), tuple(args.role or ()), args.expiry_days)
    replaced = "、".join(rotated.replaced) or "无（只更新有效期）"
    out(f"根证书已更新到第 {rotated.version} 版，有效期至 {rotated.expires:%Y-%m-%d}；"
        f"更换密钥的角色：{replaced}")  # fmt: skip
    for kept in rotated.kept_as:
        out(f"  旧密钥保留为：{kept}")
    out("请运行 kiosk feed build 发布：终端下次同步时会自动接受新根证书")
    return EXIT_OK


@county_program("feed release-key")
def cmd_feed_release_key(args: argparse.Namespace) -> int:
    from kiosk.county.feed import releases

    rotated = releases.create_release_key(Path(args.app_keys), Path(args.keys))
    out(f"发布密钥：{Path(args.app_keys) / 'app.pem'}"
        "（已用口令加密；与根密钥一样离线保管，数据录入人员不需要它）")
    out(f"根证书已更新到第 {rotated.version} 版并指定了这把发布密钥；请运行 kiosk feed build 发布新根证书")
    return EXIT_OK


@county_program("feed release")
def cmd_feed_release(args: argparse.Namespace) -> int:
    from kiosk.county.feed import releases
    from kiosk.formats.releases import check_pilot

    app_keys, keydir, feed = Path(args.app_keys), Path(args.keys), Path(args.out)
    if args.promote:
        done = releases.promote(args.promote, app_keys, keydir, feed, args.platform, args.expiry_days)
        out(f"{done.version} 版（{done.platform}）已向全部终端发布；数据源版本 {done.feed_version}")
        return EXIT_OK
    if not (args.bundle and args.version):
        raise KnownError("请给出 --bundle 和 --version（或用 --promote 推广试点版本）",
                         "give --bundle and --version (or --promote a pilot release)")  # fmt: skip
    pilot = ()
    if args.pilot:
        try:
            lines = Path(args.pilot).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise KnownError(f"无法读取试点终端名单 {args.pilot}",
                             f"cannot read the pilot list {args.pilot}") from exc
        pilot = check_pilot(lines)
    done = releases.release(Path(args.bundle), args.version, app_keys, keydir, feed, args.platform, pilot,
                            args.expiry_days)  # fmt: skip
    who = f"试点终端 {len(done.pilot)} 台" if done.pilot else "全部终端"
    out(f"已发布 {done.version} 版（{done.platform}，{done.length / 1e6:.1f} MB，解开后 "
        f"{done.unpacked / 1e6:.1f} MB，{done.files} 个条目）给{who}；数据源版本 {done.feed_version}")
    out(f"sha256 {done.sha256}")
    out("数据源中的程序版本：" + "、".join(t.rsplit("/", 1)[1] for t in done.listed))
    return EXIT_OK


# -- the inbox -----------------------------------------------------------------------------------


@county_program("inbox init-keys")
def cmd_inbox_init_keys(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import keys as inbox_keys

    public = inbox_keys.create_inbox_keys(Path(args.keydir), replace=args.replace, valid_days=args.valid_days)
    out(f"已创建县级受理密钥（私钥已用口令加密，留在县里）：{args.keydir}")
    out(f"公钥随数据源发往终端，有效至 {public.expires}：{public.key}")
    if args.replace:
        out(f"旧私钥已退役，到期后 {inbox_keys.GRACE_DAYS} 天内仍可打开途中的申请，之后自动删除")
    return EXIT_OK


@county_program("inbox import")
def cmd_inbox_import(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import comments, intake

    calendar, terminals = (intake.county_input(Path(args.county_input)) if args.county_input
                           else (intake.WorkCalendar(), None))  # fmt: skip
    consultations = comments.read_consultations(Path(args.county_input)) if args.county_input else None
    report = intake.import_envelopes(Path(args.source), Path(args.keys), Path(args.db), terminals,
                                     holidays=calendar.holidays, extra_workdays=calendar.workdays,
                                     keep_days=args.keep_days, consultations=consultations)  # fmt: skip
    waiting = [r for r in report.refused if r.reason == intake.NO_CONSULTATIONS]
    refused = [r for r in report.refused if r.reason != intake.NO_CONSULTATIONS]
    filed = f"导入 {report.imported} 件"
    if report.comments:
        filed += f"（其中意见征集 {report.comments} 条）"
    out(f"申请信封 {report.files} 个：{filed}，重复跳过 {report.duplicates} 件，"
        f"暂存待核实 {report.held} 件（其中编号冲突 {report.conflicts} 件），拒收 {len(refused)} 件，"
        f"用时 {report.seconds:.1f} 秒")  # fmt: skip
    if report.statuses:
        late = (f"（其中 {report.late_statuses} 份早于已收到的报告，只补充故障与使用记录）"
                if report.late_statuses else "")  # fmt: skip
        out(f"  终端状态报告 {report.statuses} 份{late}：用 kiosk fleet status 查看各终端状况")
    if report.held:
        out("  暂存的信封来自未登记的终端或与已收申请编号冲突，不计期限、不导出：请用 "
            "kiosk inbox quarantine list 查看并处理")
    if report.left_in_drop:
        out(f"  {report.left_in_drop} 个已处理的文件无法从原处删除（只读U盘？），下次导入时按重复跳过")
    if waiting:
        out(f"  {len(waiting)} 个意见信封未处理、留在原处：请加 --county-input 指定含 consultations.xlsx 的"
            "县数据目录后再次导入")
    for refusal in refused:
        out(f"  拒收 {refusal.file}：{refusal.message}")
    return EXIT_OK if not report.refused else EXIT_FAILED


@county_program("inbox quarantine")
def cmd_inbox_quarantine(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import held

    if args.action == "list":
        entries, per_key = held.list_held(Path(args.db))
        out(f"暂存待核实的信封 {len(entries)} 个，来自 {len(per_key)} 个终端密钥")
        for count in per_key:
            out(f"  终端 {count.terminal}：{count.envelopes} 个"
                f"（封存于 {count.first[:10]} 至 {count.last[:10]}）")
        reasons = {"unknown_terminal": "未登记终端", "conflict": "与已收申请编号冲突"}
        for entry in entries:
            why = reasons.get(entry.reason, entry.reason)
            out(f"  {entry.digest}  {entry.receipt}  {entry.kind}  {why}  终端 {entry.terminal}  "
                f"到达 {entry.arrived[:10]}")
        return EXIT_OK
    if args.action == "reject":
        done = held.decide(Path(args.db), False, digest=args.digest, terminal=args.terminal)
        out(f"已拒收 {done.rejected} 个暂存信封")
        return EXIT_OK
    from kiosk.county.inbox import comments

    calendar, _ = (intake_calendar(Path(args.county_input)) if args.county_input else (None, None))
    consultations = comments.read_consultations(Path(args.county_input)) if args.county_input else None
    done = held.decide(Path(args.db), True, digest=args.digest, terminal=args.terminal, keydir=args.keys,
                       holidays=calendar.holidays if calendar else (),
                       extra_workdays=calendar.workdays if calendar else (),
                       consultations=consultations)  # fmt: skip
    line = f"已受理 {done.accepted} 个暂存信封"
    if done.refused:
        line += f"，按意见征集规则拒收 {len(done.refused)} 个意见"
    if done.left:
        line += f"，{len(done.left)} 个意见信封仍暂存"
    out(line)
    for refused in done.refused:
        out(f"  拒收 {refused.digest}（回执号 {refused.receipt}）：{refused.message}")
    if done.left:
        out("  请加 --county-input 指定含 consultations.xlsx 的县数据目录，再次受理这些意见信封：")
        for left in done.left:
            out(f"    {left.digest}（回执号 {left.receipt}）")
    for draft in done.republish:
        out(f"  草案 {draft}的采纳情况已经公布，新受理的意见尚未计入：请重新 kiosk inbox comments export、"
            "补填采纳情况后再次 publish")
    return EXIT_OK if not (done.refused or done.left) else EXIT_FAILED


def intake_calendar(folder: Path):
    from kiosk.county.inbox import intake

    return intake.county_input(folder)


@county_program("inbox drop-user")
def cmd_inbox_drop_user(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import drop_users
    from kiosk.files import write_atomic

    htpasswd = Path(args.htpasswd)
    if args.action == "revoke":
        removed = drop_users.revoke(htpasswd, args.terminal)
        out(f"终端 {args.terminal} 的上传账号{'已停用' if removed else '本来就不存在'}：{htpasswd}")
        return EXIT_OK
    if not args.out:
        raise KnownError("请用 --out 指定上传凭据文件的保存位置", "give --out for the credential file")
    credential = drop_users.add(htpasswd, args.terminal)
    write_atomic(Path(args.out), credential, 0o600)
    out(f"终端 {args.terminal} 的上传账号 {drop_users.user_for(args.terminal)} 已写入 {htpasswd}")
    out(f"上传凭据 → {args.out}（请带到该终端运行 kiosk terminal upload-credential，然后删除此文件）")
    return EXIT_OK


@county_program("inbox export")
def cmd_inbox_export(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import export

    done = export.export_cases(Path(args.db), Path(args.out), dt.date.today())
    out(f"已导出 {done.total} 件（信息公开申请 {done.disclosure}，咨询回电 {done.callback}），"
        f"其中逾期 {done.overdue} 件 → {done.path}")  # fmt: skip
    return EXIT_OK


@county_program("inbox reply")
def cmd_inbox_reply(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import comments, reply

    done = reply.apply_answers(Path(args.db), Path(args.answers), dt.date.today())
    rows = reply.write_replies(Path(args.db), Path(args.out))
    receipts = comments.write_comment_receipts(Path(args.db), Path(args.out))  # acknowledges comments
    reviews = (f"；复议诉讼 {done.reviews} 条，{done.reviews_changed} 件申请的复议诉讼有变化"
               if done.reviews is not None else "")  # fmt: skip
    out(f"已读入 {done.rows} 行答复，{done.changed} 件有变化{reviews}；答复表共 {rows} 件 → "
        f"{Path(args.out) / reply.REPLIES_FILE}，意见回执 {receipts} 条（下次 kiosk feed build 发往各终端）")
    return EXIT_OK


@county_program("inbox report")
def cmd_inbox_report(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import annual_report

    done = annual_report.write_report(Path(args.db), args.year, Path(args.out))
    running = "（年度尚未结束，数字截至今天）" if done.year >= dt.date.today().year else ""
    usage = f"，另附终端使用情况 {done.usage_rows} 行（每台终端每月一行）" if done.usage_rows else ""
    out(f"{done.year} 年度报告表三、表四已生成{running}{usage}：本年新收 {done.new} 件，"
        f"上年结转 {done.carried} 件，本年办结 {done.closed} 件，结转下年度 {done.carry_out} 件；"
        f"行政复议 {done.reviews} 件，行政诉讼 {done.suits} 件 → {done.path}")  # fmt: skip
    return EXIT_OK


@county_program("inbox comments export")
def cmd_inbox_comments_export(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import comments

    done = comments.export_comments(Path(args.db), Path(args.county_input), Path(args.out), args.draft,
                                    args.version, dt.date.today())  # fmt: skip
    draft = done.draft
    out(f"已导出草案 {draft.name}：{done.articles} 个条款，意见 {done.comments} 条 → {done.path}")
    if done.waiting:
        period = (f"征求意见期至 {draft.closes_on} 截止" if done.still_open
                  else f"征求意见期已于 {draft.closes_on} 截止")  # fmt: skip
        out(f"  {period}，途中的意见最晚 {draft.last_arrival} 到达，{draft.last_arrival} 之后"
            f"（{draft.publish_from} 起）才能公布采纳情况；此表的意见可能还不全，届时请重新导出")
    return EXIT_OK


@county_program("inbox comments publish")
def cmd_inbox_comments_publish(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import comments

    done = comments.publish_results(Path(args.db), Path(args.county_input), Path(args.results),
                                    Path(args.out), dt.date.today())  # fmt: skip
    drafts = "、".join(done.drafts) or "无"
    out(f"已读入草案 {drafts} 的采纳情况 {done.rows} 条，{done.changed} 条有变化；采纳情况表共 "
        f"{done.adoptions} 条、意见回执 {done.receipts} 条 → {args.out}（下次 kiosk feed build 发往各终端）")
    return EXIT_OK


# -- the fleet -----------------------------------------------------------------------------------

FLEET_FORMATS = (".html", ".htm", ".xlsx")


@county_program("fleet status")
def cmd_fleet_status(args: argparse.Namespace) -> int:
    from kiosk.county.inbox import cases, fleet, fleet_page

    db, target = Path(args.db), Path(args.out) if args.out else None
    if target is not None and target.suffix.lower() not in FLEET_FORMATS:
        raise KnownError(f"--out 只能是 .html 或 .xlsx 文件，不认识“{target.suffix or target.name}”",
                         f"--out must end in .html or .xlsx, not '{target.suffix or target.name}'")
    if target is not None and not target.parent.is_dir():
        raise KnownError(f"找不到输出文件夹 {target.parent}", f"{target.parent} is not a folder")
    if args.silent_days <= 0:
        raise KnownError("--silent-days 应为正整数（天）", "--silent-days must be a positive number of days")
    if not db.is_file():  # a read-only look: never create an empty cases database by a typo
        raise KnownError(f"找不到案件库 {db}", f"{db}: no such cases database")
    now = dt.datetime.now(dt.UTC)
    silent_after = dt.timedelta(days=args.silent_days)
    cases.open_cases(db)
    try:
        rows = fleet.fleet_rows(now, silent_after)
    finally:
        cases.close_cases()
    if target is None:
        for line in fleet_page.lines(rows):
            out(line)
        return EXIT_OK
    if target.suffix.lower() == ".xlsx":
        fleet_page.write_xlsx(rows, target, now)
    else:
        fleet_page.write_html(rows, target, now, silent_after)
    out(f"{fleet_page.summary_line(fleet_page.counts(rows))} → {target}")
    return EXIT_OK


# -- the parser ----------------------------------------------------------------------------------


def add_commands(commands) -> None:
    """Register the county's commands on the ``kiosk`` parser's subcommands."""
    feed = commands.add_parser("feed", help="县级数据源（发布端）/ county feed publisher")
    feed_commands = feed.add_subparsers(dest="feed_command", required=True)
    init_keys = feed_commands.add_parser("init-keys", help="创建签名密钥（用口令加密）")
    init_keys.add_argument("keydir")
    init_keys.set_defaults(handler=cmd_feed_init_keys)
    protect = feed_commands.add_parser("protect-keys", help="用口令加密目录中尚未加密的私钥")
    protect.add_argument("keydir")
    protect.set_defaults(handler=cmd_feed_protect_keys)
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
    build.add_argument("--inbox-keys",
                       help="县级受理密钥目录（发布其公钥；默认：签名密钥目录旁的 inbox-keys）")  # fmt: skip
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
    release_key = feed_commands.add_parser("release-key", help="创建程序发布密钥，并写入新版根证书")
    release_key.add_argument("--app-keys", required=True, help="发布密钥目录（与数据源密钥分开、离线保管）")
    release_key.add_argument("--keys", required=True, help="数据源密钥目录（含 root.pem）")
    release_key.set_defaults(handler=cmd_feed_release_key)
    release = feed_commands.add_parser("release", help="把终端程序新版本签名发布到数据源（终端自动更新）")
    release.add_argument("--bundle", help="终端程序目录（make dist 生成的 dist/kiosk）")
    release.add_argument("--version", help="版本号 X.Y.Z（须与程序目录中的版本一致）")
    release.add_argument("--promote", metavar="VERSION", help="把已发布的试点版本推广到全部终端")
    release.add_argument("--pilot", help="试点终端名单文件：每行一个终端指纹（kiosk terminal id）")
    release.add_argument("--platform", help="平台，如 linux-x86_64、windows-x86_64（默认本机）")
    release.add_argument("--app-keys", required=True, help="发布密钥目录")
    release.add_argument("--keys", required=True, help="数据源密钥目录")
    release.add_argument("--out", required=True, help="数据源目录")
    release.add_argument("--expiry-days", type=int, default=14, help="时间戳和快照的有效期（天，默认 14）")
    release.set_defaults(handler=cmd_feed_release)

    inbox = commands.add_parser("inbox", help="县级受理 / the county's inbox")
    inbox_commands = inbox.add_subparsers(dest="inbox_command", required=True)
    keys = inbox_commands.add_parser("init-keys", help="创建县级受理密钥对")
    keys.add_argument("keydir")
    keys.add_argument("--replace", action="store_true", help="更换密钥（旧私钥保留到期满以打开途中的信封）")
    keys.add_argument("--valid-days", type=int, default=365, help="终端可用此公钥封存申请的天数（默认 365）")
    keys.set_defaults(handler=cmd_inbox_init_keys)
    imp = inbox_commands.add_parser("import", help="导入申请信封到案件库")
    imp.add_argument("--from", dest="source", required=True,
                     help="信封所在目录（U盘根目录或其 inbox/，或上传目录）")  # fmt: skip
    imp.add_argument("--keys", required=True, help="县级受理密钥目录")
    imp.add_argument("--db", required=True, help="案件库 SQLite 文件")
    imp.add_argument("--county-input", help="县里的数据目录（读取 terminals.csv、节假日表与意见征集表）")
    imp.add_argument("--keep-days", type=int, default=180,
                     help="已导入信封（密文）在归档中保留的天数（默认 180）")  # fmt: skip
    imp.set_defaults(handler=cmd_inbox_import)
    quarantine = inbox_commands.add_parser("quarantine", help="暂存待核实的信封：查看、受理或拒收")
    quarantine.add_argument("action", choices=("list", "accept", "reject"))
    quarantine.add_argument("--db", required=True, help="案件库 SQLite 文件")
    quarantine.add_argument("--digest", help="一个信封（list 显示的摘要）")
    quarantine.add_argument("--terminal", help="某个终端（指纹）的全部暂存信封")
    quarantine.add_argument("--keys", help="县级受理密钥目录（受理时需要）")
    quarantine.add_argument("--county-input", help="县里的数据目录（读取节假日表与意见征集表）")
    quarantine.set_defaults(handler=cmd_inbox_quarantine)
    drop_user = inbox_commands.add_parser("drop-user", help="终端上传账号：发放或停用")
    drop_user.add_argument("action", choices=("add", "revoke"))
    drop_user.add_argument("--htpasswd", required=True, help="上传服务器的 htpasswd 文件")
    drop_user.add_argument("--terminal", required=True, help="终端指纹（kiosk terminal id 显示）")
    drop_user.add_argument("--out", help="上传凭据文件（add 时必填，交给该终端）")
    drop_user.set_defaults(handler=cmd_inbox_drop_user)
    exp = inbox_commands.add_parser("export", help="导出案件到 Excel")
    exp.add_argument("--db", required=True)
    exp.add_argument("--out", required=True, help="cases.xlsx")
    exp.set_defaults(handler=cmd_inbox_export)
    reply = inbox_commands.add_parser("reply", help="读回已填写的 Excel，生成答复表")
    reply.add_argument("--db", required=True)
    reply.add_argument("--answers", required=True, help="填写了状态和答复内容的 Excel")
    reply.add_argument("--out", required=True,
                       help="县里的数据目录（写入 replies.csv 和 comment_receipts.csv）")  # fmt: skip
    reply.set_defaults(handler=cmd_inbox_reply)
    report = inbox_commands.add_parser("report", help="政府信息公开工作年度报告：生成表三、表四（Excel）")
    report.add_argument("--year", type=int, required=True, help="统计年度，如 2026")
    report.add_argument("--db", required=True, help="案件库 SQLite 文件")
    report.add_argument("--out", required=True, help="report.xlsx")
    report.set_defaults(handler=cmd_inbox_report)
    _add_comment_commands(inbox_commands)

    fleet = commands.add_parser("fleet", help="终端运行状况 / the terminals' health")
    fleet_commands = fleet.add_subparsers(dest="fleet_command", required=True)
    status = fleet_commands.add_parser("status", help="各终端最后报告、版本、故障、打印机、磁盘")
    status.add_argument("--db", required=True, help="案件库 SQLite 文件")
    status.add_argument("--out", help="写入文件而不是打印：fleet.html（可放在核验网站旁）或 fleet.xlsx")
    status.add_argument("--silent-days", type=int, default=2,
                        help="超过几天没有状态报告视为失联（默认 2）")  # fmt: skip
    status.set_defaults(handler=cmd_fleet_status)


def _add_comment_commands(inbox_commands) -> None:
    """``kiosk inbox comments export|publish``: the department's workbook for a draft, and its
    采纳情况 read back into the feed's files."""
    comments = inbox_commands.add_parser("comments", help="意见征集：导出意见、公布采纳情况")
    actions = comments.add_subparsers(dest="comments_command", required=True)
    export = actions.add_parser("export", help="导出一个草案版本的意见到 Excel（交起草单位填写采纳情况）")
    export.add_argument("--db", required=True, help="案件库 SQLite 文件")
    export.add_argument("--county-input", required=True, help="县里的数据目录（读取 consultations.xlsx）")
    export.add_argument("--draft", required=True, help="草案编号，如 YJ2026-01")
    export.add_argument("--version", type=int, help="版本（默认最新版本）")
    export.add_argument("--out", required=True, help="comments.xlsx")
    export.set_defaults(handler=cmd_inbox_comments_export)
    publish = actions.add_parser("publish", help="读回填写了采纳情况的 Excel，生成采纳情况表和意见回执表")
    publish.add_argument("--db", required=True, help="案件库 SQLite 文件")
    publish.add_argument("--county-input", required=True, help="县里的数据目录（读取 consultations.xlsx）")
    publish.add_argument("--results", required=True, help="填写了采纳情况和理由的 Excel")
    publish.add_argument("--out", required=True,
                         help="县里的数据目录（写入 adoptions.csv 和 comment_receipts.csv）")  # fmt: skip
    publish.set_defaults(handler=cmd_inbox_comments_publish)
