"""政策找人 end to end through the real commands, as a county and a hall run them: the demo
county's screening.xlsx → ``kiosk feed build`` (its 场景 tests run before anything is
signed) → ``kiosk sync`` → the rules in the terminal's store → one villager screened through
kiosk.services.screener and through ``kiosk screen`` (from the terminal's database and
straight from the workbook, today's standard and an older one). Then every refusal, each
named and each leaving the feed or the terminal as it was: a wrong scenario, a condition on
an unknown question, overlapping dated values, a link to a document the county does not
publish, a signed feed holding a comparison the terminal does not understand, and answers
files that are not what ``kiosk screen`` reads. Nothing a villager answers is stored or
logged."""

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from kiosk import paths
from kiosk.county.feed import publisher
from kiosk.formats import feed_format, screening
from kiosk.services import screener
from kiosk.store.db import close_database, open_database
from tests.helpers.cli import run_kiosk
from tests.helpers.data import content_digest, copy_database

DAY = "2026-12-06"
# An 80-year-old of this county, living with a spouse on a small income, with a little land;
# whether the couple had one child only, they cannot say.
ANSWERS = {
    "户籍": "是", "年龄": "80至89岁", "家庭人口": "2人", "人均月收入": "800至1199元", "低保特困": "都不是",
    "无劳动能力": "否", "残疾证": "没有", "种地": "10亩以下", "计生家庭": screening.UNKNOWN, "重病": "否",
    "突发困难": "否", "退役军人": "否", "在读学生": "没有",
}  # fmt: skip
# Answers that appear nowhere in the published rules: found in a log or the database, they
# could only have come from a villager (the rules themselves say 80至89岁, in ZC01's benefit).
DISTINCT_ANSWERS = ("800至1199元", "都不是")
ELDERLY = "1137152200420XXXXX/2025-00011"  # 莘县高龄津贴发放管理办法（示例）'s 索引号
LIBAO_640 = "莘民发〔2026〕5号（示例）第一条"


@dataclass(frozen=True)
class County:
    input: Path
    keys: Path
    feed: Path
    db: Path  # a terminal that synced the feed


@pytest.fixture(scope="module")
def county(tmp_path_factory, demo_input_csv) -> County:
    """The demo county built and synced once through the commands (tests copy what they break)."""
    root = tmp_path_factory.mktemp("screening")
    found = County(root / "input", root / "keys", root / "feed", root / "terminal" / "kiosk.sqlite3")
    shutil.copytree(demo_input_csv, found.input)
    assert (found.input / "screening.xlsx").is_file()
    run_kiosk("feed", "init-keys", found.keys, ok=True)
    run_kiosk("feed", "build", "--input", found.input, "--keys", found.keys, "--out", found.feed, ok=True)
    run_kiosk("sync", "--source", found.feed, "--db", found.db, "--trusted-root", found.keys / "root.json",
              ok=True)  # fmt: skip
    return found


@pytest.fixture
def answers_file(tmp_path) -> Path:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(ANSWERS, ensure_ascii=False), encoding="utf-8")
    return path


def screen(*args: str | Path, ok: bool | None = True):
    return run_kiosk("screen", *args, ok=ok, timeout=60)


def lines_of(output: str) -> list[str]:
    return output.splitlines()


def group_of(lines: list[str], line: str) -> str:
    """The group heading (可能符合…) a policy's line sits under."""
    at = lines.index(line)
    return next(h for h in reversed(lines[:at]) if not h.startswith(" ")).split("（")[0]


# --- the whole way: workbook → feed → terminal → a villager screened ------------------------


@pytest.mark.slow
def test_a_villager_is_screened_against_the_rules_the_county_published(county, answers_file, caplog):
    caplog.set_level(logging.DEBUG)
    with sqlite3.connect(county.db) as conn:
        assert conn.execute("SELECT count(*) FROM screening_policy").fetchone()[0] == 12
        assert conn.execute("SELECT count(*) FROM screening_condition").fetchone()[0] >= 12
    before = _answer_counts(county.db)

    open_database(county.db)
    try:
        assert screener.has_rules()
        session = screener.Screening(screener.load_rules(), dt.date.fromisoformat(DAY))
        asked = []
        while (question := session.question()) is not None:
            assert question.code not in asked, "a question asked twice"
            asked.append(question.code)
            session.answer(question.code, ANSWERS[question.code])
        assert asked[:2] == ["户籍", "年龄"]  # in the fixed order, only those that matter
        result = session.result()
    finally:
        close_database()

    likely = {p.code: p for p in result.likely}
    assert set(likely) == {"ZC01", "ZC02", "ZC07"}
    elderly = likely["ZC01"]
    assert (elderly.name, elderly.outcome, elderly.automatic) == ("高龄津贴", screener.LIKELY, True)
    assert "年满80周岁（莘民发〔2025〕11号（示例）第三条）" in elderly.reason
    assert elderly.document is not None and elderly.document.title.startswith("莘县高龄津贴发放管理办法")
    assert "莘民发〔2025〕11号" in elderly.document.title and elderly.document.body
    assert elderly.qa is not None and elderly.qa.title == "高龄津贴怎么申请？多大年龄能领？"
    assert [p.code for p in result.undecided] == ["ZC08"]
    assert result.undecided[0].missing == ("计生家庭",)
    unlikely = {p.code: p for p in result.unlikely}
    assert f"低于当地低保标准（每人每月640元）（{LIBAO_640}）" in unlikely["ZC03"].reason
    assert "高龄津贴" in result.spoken_text()

    # kiosk screen, from the terminal's database: the three groups and what decided each line.
    shown = screen("--answers", answers_file, "--db", county.db, "--on", DAY).stdout
    lines = lines_of(shown)
    assert lines[0] == "政策找人 · 按 2026年12月06日 有效的规则（12 项政策）"
    assert [line for line in lines if not line.startswith(" ")][1:] == [
        "可能符合（3 项）", "可能不符合（8 项）", "无法判断（1 项）"]  # fmt: skip
    elderly_line = ("  ZC01 高龄津贴 · 免申即享：户口在本县（《山东省老年人权益保障条例》第三十五条）；"
                    "年满80周岁（莘民发〔2025〕11号（示例）第三条）")  # fmt: skip
    assert group_of(lines, elderly_line) == "可能符合"
    libao_line = f"  ZC03 最低生活保障：须家庭月人均收入低于当地低保标准（每人每月640元）（{LIBAO_640}）"
    assert group_of(lines, libao_line) == "可能不符合"
    family_line = ("  ZC08 农村部分计划生育家庭奖励扶助：未回答“计生家庭”"
                   "（只有一个子女或两个女孩（或子女死亡现无子女））")  # fmt: skip
    assert group_of(lines, family_line) == "无法判断"

    # --explain: each condition with the dated value in force and where it comes from.
    explain = screen("--answers", answers_file, "--db", county.db, "--on", DAY, "--explain")
    explained = lines_of(explain.stdout)
    assert ("      条件组2 年龄至少80（年满80周岁，取值 2026-01-01 至 …，"
            "依据 莘民发〔2025〕11号（示例）第三条）：回答“80至89岁” → 满足") in explained  # fmt: skip
    assert ("      条件组2 人均月收入低于640（家庭月人均收入低于当地低保标准（每人每月640元），"
            f"取值 2026-07-01 至 …，依据 {LIBAO_640}）：回答“800至1199元” → 不满足") in explained  # fmt: skip

    # The day before the county widened 高龄津贴: the old standard, 年满90周岁.
    old = lines_of(screen("--answers", answers_file, "--db", county.db, "--on", "2025-12-31").stdout)
    assert old[0] == "政策找人 · 按 2025年12月31日 有效的规则（12 项政策）"
    assert group_of(old, "  ZC01 高龄津贴：须年满90周岁（莘民发〔2019〕15号（示例）第三条）") == "可能不符合"
    assert group_of(old, "  ZC03 最低生活保障：须家庭月人均收入低于当地低保标准（每人每月600元）"
                         "（莘民发〔2025〕6号（示例）第六条）") == "可能不符合"  # fmt: skip

    # Straight from the county's workbook: the very same answer.
    from_book = screen("--answers", answers_file, "--rules", county.input / "screening.xlsx", "--on", DAY)
    assert from_book.stdout == shown

    # Nothing answered is kept: not in the database, not in the terminal's logs, not in a
    # log record of this process.
    assert _answer_counts(county.db) == before
    assert all(before[a] == 0 for a in DISTINCT_ANSWERS), before
    logs = paths.TerminalFiles(county.db).logs
    assert any(logs.iterdir()), "kiosk screen --db logs beside the database"
    for path in logs.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            for answer in ("80至89岁", *DISTINCT_ANSWERS):
                assert answer.encode() not in text, f"{answer} in {path}"
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if any(a in m for a in ("80至89岁", *DISTINCT_ANSWERS))]


def _answer_counts(db: Path) -> dict[str, int]:
    """How often each answer's text occurs in the terminal database's files (WAL included)."""
    data = b"".join(p.read_bytes() for p in db.parent.glob(f"{db.name}*") if p.is_file())
    return {a: data.count(a.encode()) for a in {*ANSWERS.values(), *DISTINCT_ANSWERS}}


# --- the county's tool refuses rules that are wrong, and signs nothing -----------------------


def _edit(book_path: Path, sheet_name: str, match: dict[str, str], changes: dict[str, str]) -> int:
    """Set ``changes`` (header → value) in the one row of ``sheet_name`` whose cells equal
    ``match``; returns its row number as the reader names it."""
    book = openpyxl.load_workbook(book_path)
    sheet = book[sheet_name]
    headers = [c.value for c in sheet[1]]
    (row,) = [r for r in sheet.iter_rows(min_row=2)
              if all(r[headers.index(h)].value == v for h, v in match.items())]  # fmt: skip
    for header, value in changes.items():
        row[headers.index(header)].value = value
    book.save(book_path)
    return row[0].row


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def _wrong_scenario(book: Path) -> tuple[str, ...]:
    # CJ03: 85 years old on the day 高龄津贴 widened; the county "expects" the old rule.
    unlikely = "、".join(f"ZC{n:02d}" for n in range(1, 13) if n != 2)
    row = _edit(book, "场景", {"场景编号": "CJ03"}, {"可能符合": "ZC02", "可能不符合": unlikely})
    return (
        f"screening.xlsx[场景]:{row}: 场景 CJ03",
        "高龄津贴 应为“可能不符合”，实际为“可能符合”",
        "case CJ03: ZC01 expected 可能不符合, got 可能符合",
    )


def _unknown_question(book: Path) -> tuple[str, ...]:
    row = _edit(book, "条件", {"政策编号": "ZC01", "条件说明": "年满90周岁"}, {"问题": "月收入"})
    return (f"screening.xlsx[条件]:{row}:问题: “月收入”不是允许的取值",)


def _overlapping_values(book: Path) -> tuple[str, ...]:
    # The old 年满90周岁 made to run past the day 年满80周岁 began.
    _edit(book, "条件", {"政策编号": "ZC01", "条件说明": "年满90周岁"}, {"失效日期": "2026-03-31"})
    row = _edit(book, "政策", {"政策编号": "ZC01"}, {})
    return (f"screening.xlsx[政策]:{row}:ZC01: 条件组2“年龄至少”的取值日期重叠", "2026-01-01 至 …")


def _unpublished_document(book: Path) -> tuple[str, ...]:
    row = _edit(book, "政策", {"政策编号": "ZC01"}, {"依据索引号": "1137152200420XXXXX/2099-00099"})
    return (f"screening.xlsx[政策]:{row}:依据索引号: 规范性文件库中没有“1137152200420XXXXX/2099-00099”",)


@pytest.mark.slow
@pytest.mark.parametrize("breaks", [_wrong_scenario, _unknown_question, _overlapping_values,
                                    _unpublished_document])  # fmt: skip
def test_the_feed_build_refuses_wrong_rules_and_leaves_the_feed_as_it_was(county, tmp_path, breaks):
    county_input, feed = tmp_path / "input", tmp_path / "feed"
    shutil.copytree(county.input, county_input)
    shutil.copytree(county.feed, feed)
    expected = breaks(county_input / "screening.xlsx")
    before = _files(feed)
    build = ("feed", "build", "--input", county_input, "--keys", county.keys, "--out", feed)
    refused = run_kiosk(*build, ok=False)
    said = refused.stdout + refused.stderr
    assert refused.returncode == 1, said
    for text in expected:
        assert text in said, said
    assert "Traceback" not in said
    assert _files(feed) == before, "a refused build changed the feed"


# --- a terminal refuses signed rules it does not understand ---------------------------------


def _conditions(feed: Path, keys: Path) -> tuple[dict[str, bytes], list[list[str]]]:
    partitions = publisher.previous_partitions(keys, feed)
    text = feed_format.decode(partitions["screening_conditions.csv.gz"])
    return partitions, list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.slow
@pytest.mark.parametrize(("label", "comparison", "value", "said"), [
    ("年满90周岁", "约等于", "90", "“约等于”不是允许的取值"),  # not a comparison at all
    ("户口在本县", "至少", "1", "问题“户籍”的回答是选项，不能用“至少”比较"),  # a number against options
])  # fmt: skip
def test_a_terminal_refuses_a_signed_condition_it_cannot_evaluate(
    county, answers_file, tmp_path, label, comparison, value, said
):
    """The county's tool would refuse these, so the feed is signed by hand (as a county
    running other software, or an older terminal meeting a newer comparison, could)."""
    feed = tmp_path / "feed"
    shutil.copytree(county.feed, feed)
    partitions, rows = _conditions(feed, county.keys)
    headers = rows[0]
    number = next(
        n
        for n, row in enumerate(rows[1:], start=2)
        if row[headers.index("政策编号")] == "ZC01" and row[headers.index("条件说明")] == label
    )
    rows[number - 1][headers.index("比较")] = comparison
    rows[number - 1][headers.index("取值")] = value
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\n").writerows(rows)
    partitions["screening_conditions.csv.gz"] = gzip.compress(text.getvalue().encode(), mtime=0)
    publisher.publish(partitions, county.keys, feed)

    db = copy_database(county.db, tmp_path / "terminal" / "kiosk.sqlite3")
    shown = screen("--answers", answers_file, "--db", db, "--on", DAY).stdout
    before = content_digest(db)
    refused = run_kiosk("sync", "--source", feed, "--db", db, "--trusted-root", county.keys / "root.json",
                        ok=False)  # fmt: skip
    assert refused.returncode == 1
    assert f"screening_conditions.csv.gz:{number}:比较: {said}" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
    assert content_digest(db) == before, "a refused sync changed the terminal"
    assert screen("--answers", answers_file, "--db", db, "--on", DAY).stdout == shown  # the rules stay


# --- kiosk screen refuses answers files it cannot read, in one line ------------------------


def _not_json(path: Path) -> str:
    path.write_text('{"年龄": ', encoding="utf-8")
    return "无法读取回答文件"


def _fifo(path: Path) -> str:
    os.mkfifo(path)  # nobody writes to it: a blocking read would wait for ever
    return "不是普通文件"


def _too_big(path: Path) -> str:
    path.write_text('{"户籍": "是"' + " " * 70_000 + "}", encoding="utf-8")
    return "文件超过 65536 字节"


def _unknown_answer_question(path: Path) -> str:
    path.write_text('{"年龄": "80至89岁", "收入": "高"}', encoding="utf-8")
    return "没有问题“收入”"


def _option_it_lacks(path: Path) -> str:
    path.write_text('{"年龄": "80岁"}', encoding="utf-8")
    return "问题“年龄”没有选项“80岁”"


@pytest.mark.parametrize("write", [_not_json, _fifo, _too_big, _unknown_answer_question, _option_it_lacks])
def test_kiosk_screen_refuses_an_answers_file_in_one_line(demo_input_csv, tmp_path, write):
    path = tmp_path / "answers.json"
    problem = write(path)
    done = screen("--answers", path, "--rules", demo_input_csv / "screening.xlsx", ok=False)
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"{path}: ") and problem in line, line
    assert " / " in line and "Traceback" not in done.stderr
