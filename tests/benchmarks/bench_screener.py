"""政策找人 (kiosk.formats.screening): the engine at the terminal and the scenario tests at the
county's feed build, beside raw baselines measured in the same run.

Prints:
  terminal   one villager against the demo county's 12 policies, over N random answer sets
             (a question answered, 不清楚 or skipped; days either side of the dated values):
             Rules.screen and Rules.next_question as p50/p95/max (goal: screen <= 5 ms p95),
             a whole session (every next question, then the result), a new screening's rules
             read from the store (screener.load_rules) and the result with its links
             (Screening.result); beside a raw sqlite3 SELECT of the 12 policy rows and their
             conditions from the same terminal database
  county     a screening.xlsx with the demo's policies and M generated 场景 rows (answers at
             random, expected outcomes computed by the engine, so every case passes):
             screening_book.read_workbook (read, check, run every case) and running the cases
             alone, as cases/second; beside reading the same workbook's rows with
             python_calamine alone

Run:  python tests/benchmarks/bench_screener.py [--answers 2000] [--cases 10000] [--work DIR]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from baseline import raw_connection

from kiosk.county.feed import demo_county, keys, publisher
from kiosk.formats import screening, screening_book
from kiosk.formats.validate import Problems
from kiosk.services import screener, sync
from kiosk.store.db import close_database, open_database

# Either side of each dated value of the demo (高龄津贴 widened 2026-01-01, 低保 raised
# 2026-07-01) and today's.
DAYS = tuple(dt.date.fromisoformat(d) for d in ("2025-12-31", "2026-01-01", "2026-06-30", "2026-07-01",
                                                "2026-12-06"))  # fmt: skip
POLICIES_SQL = "SELECT * FROM screening_policy ORDER BY code"
CONDITIONS_SQL = "SELECT * FROM screening_condition ORDER BY id"


def random_answers(rng: random.Random) -> dict[str, str]:
    """A villager's answers: most questions answered, some 不清楚, some never reached."""
    answers = {}
    for question in screening.QUESTIONS:
        roll = rng.random()
        if roll < 0.15:
            continue
        answers[question.code] = screening.UNKNOWN if roll < 0.25 else rng.choice(question.labels)
    return answers


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"p50 {statistics.median(ordered) * 1000:7.3f} ms  p95 {p95 * 1000:7.3f} ms"
            f"  max {ordered[-1] * 1000:7.3f} ms")  # fmt: skip


def answered(rules: screening.Rules, answers: dict[str, str], day: dt.date) -> screener.Screening:
    session = screener.Screening(rules, day)
    session.answers.update(answers)
    return session


def raw_select(conn) -> tuple[list, list]:
    """The baseline: the rules' rows as sqlite3 hands them over, nothing made of them."""
    return conn.execute(POLICIES_SQL).fetchall(), conn.execute(CONDITIONS_SQL).fetchall()


def terminal_db(work: Path) -> Path:
    """A terminal database filled the real way: demo spreadsheets -> signed feed -> sync."""
    db = work / "terminal" / "kiosk.sqlite3"
    if db.exists():
        return db
    inputs, keydir, feed = work / "input", work / "keys", work / "feed"
    demo_county.generate(inputs, households=300, seed=1, fmt="csv")
    if not keydir.exists():
        keys.init_keys(keydir)
    publisher.build_feed(inputs, keydir, feed)
    open_database(db)
    sync.sync(str(feed), db, keydir / "root.json")
    close_database()
    return db


def bench_terminal(db: Path, count: int) -> None:
    rng = random.Random(25)
    cases = [(random_answers(rng), rng.choice(DAYS)) for _ in range(count)]
    open_database(db)
    try:
        rules = screener.load_rules()
        assert len(rules.policies) == 12, len(rules.policies)
        for answers, day in cases[:50]:  # warm up both sides alike
            rules.screen(answers, day)
            rules.next_question(answers, day)
        screen_s = [timed(rules.screen, answers, day) for answers, day in cases]
        # next_question as a session asks it: after the first k answers in the order asked
        partial = [(dict(list(a.items())[: rng.randrange(len(a) + 1)]), day) for a, day in cases]
        next_s = [timed(rules.next_question, answers, day) for answers, day in partial]
        session_s, asked = [], []
        for answers, day in cases:
            start = time.perf_counter()
            session = screener.Screening(rules, day)
            n = 0
            while (question := session.question()) is not None:
                session.answer(question.code, answers.get(question.code, screening.UNKNOWN))
                n += 1
            session.rules.screen(session.answers, day)
            session_s.append(time.perf_counter() - start)
            asked.append(n)
        rounds = min(count, 500)
        load_s = [timed(screener.load_rules) for _ in range(rounds)]
        result_s = [timed(answered(rules, answers, day).result) for answers, day in cases[:rounds]]
        conn = raw_connection(db)
        raw_select(conn)
        raw_s = [timed(raw_select, conn) for _ in range(count)]
        conditions = conn.execute("SELECT count(*) FROM screening_condition").fetchone()[0]
        conn.close()
    finally:
        close_database()
    outcomes = [v.outcome for answers, day in cases for v in rules.screen(answers, day)]
    mix = "  ".join(f"{o} {outcomes.count(o) / len(outcomes):.0%}" for o in screening.OUTCOMES)
    print(
        f"terminal: {len(rules.policies)} policies, {conditions} condition rows; {count} random answer sets"
    )
    print(f"  outcomes: {mix}")
    print(f"  screen (12 policies)       {ms(screen_s)}   (goal p95 <= 5 ms)")
    print(f"  next_question              {ms(next_s)}")
    print(
        f"  whole session              {ms(session_s)}   ({statistics.mean(asked):.1f} questions asked"
        f" on average, at most {max(asked)})"
    )
    print(f"  load_rules from the store  {ms(load_s)}   ({rounds} rounds)")
    print(f"  result with links          {ms(result_s)}   ({rounds} rounds)")
    print(f"  raw sqlite3 SELECT of rows {ms(raw_s)}")
    base = statistics.median(raw_s)
    print(
        f"  ratio p50 / raw SELECT: screen {statistics.median(screen_s) / base:.2f}x,"
        f" next_question {statistics.median(next_s) / base:.2f}x,"
        f" load_rules {statistics.median(load_s) / base:.2f}x"
    )


def scenario_workbook(work: Path, count: int) -> tuple[Path, screening.Rules]:
    """The demo's screening.xlsx with its 场景 sheet replaced by ``count`` generated cases
    that the demo's rules bear out."""
    import openpyxl

    (work / "demo").mkdir(parents=True, exist_ok=True)
    demo = demo_county.write_screening(work / "demo", dt.date(2026, 12, 6))
    problems = Problems()
    rules = screening_book.read_workbook(demo, demo.name, problems).rules
    assert not problems, problems.lines
    rng = random.Random(10_000)
    rows = []
    for n in range(count):
        answers, day = random_answers(rng), rng.choice(DAYS)
        found = {o: [] for o in screening.OUTCOMES}
        for verdict in rules.screen(answers, day):
            found[verdict.outcome].append(verdict.policy.code)
        rows.append([f"BM{n:05d}", f"生成的场景 {n}", day.isoformat(),
                     *(answers.get(q.code, "") for q in screening.QUESTIONS),
                     *("、".join(found[o]) for o in screening.OUTCOMES)])  # fmt: skip
    book = openpyxl.load_workbook(demo)
    index = book.sheetnames.index(screening_book.CASES_SHEET)
    book.remove(book[screening_book.CASES_SHEET])
    sheet = book.create_sheet(screening_book.CASES_SHEET, index)
    sheet.append([c.header for c in screening_book.CASE_SHEET.columns])
    for row in rows:
        sheet.append(row)
    path = work / "county" / "screening.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path, rules


def bench_county(work: Path, count: int, runs: int) -> None:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    path, _ = scenario_workbook(work, count)
    print(
        f"county: screening.xlsx with {count} 场景 rows ({path.stat().st_size / 1e6:.1f} MB,"
        f" written in {time.perf_counter() - start:.1f} s)"
    )
    read_s, run_s, raw_s = [], [], []
    for _ in range(runs):
        problems = Problems()
        start = time.perf_counter()
        book = screening_book.read_workbook(path, path.name, problems)
        read_s.append(time.perf_counter() - start)
        assert not problems, problems.lines[:5]
        assert len(book.cases) == count, len(book.cases)
        start = time.perf_counter()
        failures = [f for case in book.cases for f in screening.case_failures(book.rules, case)]
        run_s.append(time.perf_counter() - start)
        assert not failures, failures[:5]
        start = time.perf_counter()
        workbook = CalamineWorkbook.from_path(str(path))
        rows = sum(len(list(workbook.get_sheet_by_name(name).iter_rows())) for name in workbook.sheet_names)
        raw_s.append(time.perf_counter() - start)
    read, run, raw = min(read_s), min(run_s), min(raw_s)
    print(
        f"  read_workbook (read, check, run)  {read:6.2f} s  {count / read:9,.0f} cases/s   (best of {runs})"
    )
    print(f"  running the cases alone           {run:6.2f} s  {count / run:9,.0f} cases/s")
    print(
        f"  raw python_calamine read          {raw:6.2f} s  {count / raw:9,.0f} cases/s   ({rows} rows,"
        " every sheet)"
    )
    print(
        f"  ratio read_workbook / raw read: {read / raw:.1f}x the time;"
        f" of read_workbook, running the cases {run / read:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=2_000, help="random answer sets at the terminal")
    parser.add_argument("--cases", type=int, default=10_000, help="场景 rows in the county's workbook")
    parser.add_argument("--runs", type=int, default=3, help="feed-build reads of the workbook (best taken)")
    parser.add_argument("--work", type=Path, default=None, help="folder kept between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-screener-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}")
    bench_terminal(terminal_db(work), args.answers)
    bench_county(work, args.cases, args.runs)


if __name__ == "__main__":
    main()
