"""``kiosk screen``: the 政策找人 engine on a case typed by hand, for the county to check what a
villager would be told. The rules come from a terminal's database (``--db``) or straight
from the county's workbook (``--rules screening.xlsx``, its scenario tests run first)."""

import argparse
import datetime as dt
from pathlib import Path

from kiosk.cli.common import EXIT_OK, db_option, db_path, out
from kiosk.errors import KnownError
from kiosk.files import read_small
from kiosk.formats import safe_json, screening
from kiosk.formats.screening import OUTCOMES, Rules, Verdict

MAX_ANSWERS_BYTES = 64 * 1024


def read_answers(path: Path) -> dict[str, str]:
    """``{"年龄": "80至89岁", "户籍": "是", …}``: question codes to option labels or 不清楚.

    Raises:
        KnownError: not a small JSON object of known questions and their options.
    """
    data = read_small(path, MAX_ANSWERS_BYTES)
    try:
        answers = safe_json.loads(data, max_bytes=MAX_ANSWERS_BYTES, max_depth=2)
    except ValueError as exc:
        raise KnownError(f"{path}: 无法读取回答文件（应为 JSON 对象，如 {{\"年龄\": \"80至89岁\"}}）",
                         f"{path}: cannot read the answers ({exc})") from exc  # fmt: skip
    if not isinstance(answers, dict):
        raise KnownError(f"{path}: 回答文件应为 JSON 对象", f"{path}: the answers must be a JSON object")
    try:
        return screening.check_answers(answers)
    except screening.RuleError as exc:
        raise KnownError(f"{path}: {exc.zh}", f"{path}: {exc.en}") from exc


def _rules(args: argparse.Namespace) -> Rules:
    if args.rules:
        from kiosk.formats import screening_book
        from kiosk.formats.validate import Problems

        problems = Problems()
        book = screening_book.read_workbook(Path(args.rules), Path(args.rules).name, problems)
        if problems:
            raise problems.refuse()
        return book.rules
    from kiosk.services import screener
    from kiosk.store.db import open_database

    open_database(db_path(args))
    if not screener.has_rules():
        raise KnownError(
            "本机还没有政策找人的规则：请先同步县级数据，或用 --rules 指定规则工作簿",
            "no screening rules here yet: sync first, or give --rules",
        )
    return screener.load_rules()


def _day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise KnownError(
            f"--on 应为日期，如 2026-07-01（收到“{text}”）", f"--on takes a date, got {text!r}"
        ) from None


def report(verdicts: list[Verdict], explain: bool) -> list[str]:
    """The three groups with their reasons; with ``explain``, every condition beneath its
    policy: the dated value in force, the answer, and what it made of it."""
    lines = []
    for outcome in OUTCOMES:
        group = [v for v in verdicts if v.outcome == outcome]
        lines.append(f"{outcome}（{len(group)} 项）")
        for verdict in group:
            policy = verdict.policy
            how = f" · {screening.AUTOMATIC}" if policy.automatic and outcome == screening.LIKELY else ""
            lines.append(f"  {policy.code} {policy.name}{how}：{verdict.reason()}")
            if explain:
                lines += [f"      {_explained(check)}" for check in verdict.checks]
    return lines


def _explained(check: screening.Check) -> str:
    c = check.condition
    met = {True: "满足", False: "不满足", None: "无法判断"}[check.met]
    period = f"{c.valid_from or '…'} 至 {c.valid_until or '…'}"
    answer = check.answer or "未回答"
    return (
        f"条件组{c.group} {c.question}{c.comparison}{c.value}（{c.label}，取值 {period}，依据 {c.reference}）"
        f"：回答“{answer}” → {met}"
    )


def cmd_screen(args: argparse.Namespace) -> int:
    answers = read_answers(Path(args.answers))
    day = _day(args.on)
    rules = _rules(args)
    verdicts = rules.screen(answers, day)
    out(f"政策找人 · 按 {day:%Y年%m月%d日} 有效的规则（{len(verdicts)} 项政策）")
    for line in report(verdicts, args.explain):
        out(line)
    return EXIT_OK


def add_commands(commands) -> None:
    screen = commands.add_parser(
        "screen", help="政策找人：按一组回答列出可能符合、可能不符合、无法判断的政策"
    )
    screen.add_argument(
        "--answers", required=True, help='回答文件（JSON），如 {"年龄": "80至89岁", "户籍": "是"}'
    )
    screen.add_argument("--on", help="按哪一天有效的规则判断（默认今天），如 2026-07-01")
    screen.add_argument("--rules", help="直接读县里的规则工作簿 screening.xlsx（默认读本机数据库）")
    screen.add_argument("--explain", action="store_true", help="列出每个条件、所用的取值和依据")
    db_option(screen)
    screen.set_defaults(handler=cmd_screen)
