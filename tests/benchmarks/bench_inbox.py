"""The way back: sealing on the terminal and importing at the county, beside raw baselines.

Prints, with baselines measured in the same run:
  terminal   seal + write one envelope into the outbox (goal <= 50 ms), beside a raw
             os.write + fsync of the same number of bytes and a raw ChaCha20-Poly1305 encrypt
  county     import N envelopes as envelopes/second (goal >= 2,000/s) with every check: bounded
             reads (no links, FIFOs or oversized files), digest, verify, open, the form
             checked again by the terminal's rules, enrolment, filing, and the move out of
             the drop into the archive; beside verify+open alone and a raw sqlite3
             executemany of the same rows
  comments   import M comments on a draft (意见征集) the same way, each also judged by the
             county's consultations (article of that version, period, courier grace,
             signature); beside the same two baselines

Run:  python tests/benchmarks/bench_inbox.py [--count 100000] [--comments 10000] [--work DIR]
The envelopes are generated with a few terminal keys and kept in ``--work`` for reuse.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from kiosk.county.inbox import cases, comments
from kiosk.county.inbox import intake as county_import
from kiosk.county.inbox import keys as county_keys
from kiosk.county.inbox.cases import FORM_COLUMNS
from kiosk.formats import envelope
from kiosk.outbox import identity
from kiosk.outbox import queue as outbox

TERMINALS = 5
FORM = {
    "name": "欧阳小明", "id_number": "37152219620315123X", "phone": "13912345678",
    "wanted": "2025年张鲁回族镇耕地地力保护补贴发放明细" * 4, "delivery": "现场领取",
    "purpose": "核对本户补贴",
}


def _valid_id(prefix17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(d) * w for d, w in zip(prefix17, weights, strict=True)) % 11]


FORM["id_number"] = _valid_id(FORM["id_number"][:17])
CALLBACK = {"phone": "13912345678", "topic": "低保", "text": "请回电" * 20}
DRAFT = "YJ2026-01"
# (article, clause) of the bench draft's rows; a comment's target cycles through them and 0
ARTICLES = [(1, None), (2, 1), (2, 2), *((n, None) for n in range(3, 21))]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"median {statistics.median(ordered) * 1000:7.3f} ms  p95 {p95 * 1000:7.3f} ms"


def bench_terminal(work: Path, public: str, rounds: int = 200) -> None:
    terminal = identity.load_or_create(work / "terminal-key")
    box_dir = work / "outbox-bench"
    sealed_s, total_s = [], []
    with outbox.Outbox(box_dir) as box:
        for _ in range(rounds):
            start = time.perf_counter()
            sealed = envelope.seal(FORM, "disclosure", public, terminal)
            middle = time.perf_counter()
            box.add(sealed.data)
            total_s.append(time.perf_counter() - start)
            sealed_s.append(middle - start)
        box.acknowledge({r.digest for r in box.records()})
    size = len(sealed.data)
    raw_write, raw_encrypt = [], []
    plaintext = json.dumps(FORM, ensure_ascii=False).encode()
    aead = ChaCha20Poly1305(os.urandom(32))
    for n in range(rounds):
        path = work / f"raw-{n}.bin"
        start = time.perf_counter()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, sealed.data)
        os.fsync(fd)
        os.close(fd)
        raw_write.append(time.perf_counter() - start)
        path.unlink()
        start = time.perf_counter()
        aead.encrypt(os.urandom(12), plaintext, None)
        raw_encrypt.append(time.perf_counter() - start)
    print(f"terminal: one envelope of {size} bytes, {rounds} rounds")
    print(f"  seal + write into outbox   {_ms(total_s)}   (goal <= 50 ms)")
    print(f"    of which seal            {_ms(sealed_s)}")
    print(f"  raw write + fsync          {_ms(raw_write)}")
    print(f"  raw ChaCha20 encrypt       {_ms(raw_encrypt)}")
    ratio = statistics.median(total_s) / statistics.median(raw_write)
    print(f"  ratio seal+write / raw write+fsync: {ratio:.2f}x")


def request(n: int) -> tuple[str, dict]:
    """The n-th request of a pool: disclosure and call-back in turn."""
    return ("disclosure", FORM) if n % 2 else ("callback", CALLBACK)


def generate(folder: Path, keydir: Path, count: int, make=request, what: str = "envelopes") -> None:
    """``count`` envelopes, ``make(n)`` giving the n-th's (kind, form), from a few terminals
    into ``folder`` (kept between runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    have = sum(1 for _ in folder.glob("*.env"))
    if have >= count:
        return
    public = county_keys.inbox_public(keydir).key
    terminals = _terminals(keydir)
    start = time.perf_counter()
    for n in range(have, count):
        kind, form = make(n)
        sealed = envelope.seal(form, kind, public, terminals[n % TERMINALS])
        (folder / f"{sealed.id}.env").write_bytes(sealed.data)
    print(f"  (generated {count - have} {what} in {time.perf_counter() - start:.1f} s)")


def _terminals(keydir: Path) -> list:
    return [identity.load_or_create(keydir.parent / f"terminal-{n}") for n in range(TERMINALS)]


def _drop(pool: list[Path], drop: Path) -> Path:
    """A fresh delivery folder holding the pool's envelopes (hard links: import moves them out)."""
    shutil.rmtree(drop, ignore_errors=True)
    drop.mkdir(parents=True)
    for path in pool:
        os.link(path, drop / path.name)
    return drop


def _open_all(pool: list[Path], keydir: Path) -> tuple[list, float]:
    """Every envelope verified and opened, and how long that took: the floor of an import."""
    keyring = county_keys.load_keyring(keydir)
    start = time.perf_counter()
    opened = [envelope.open_envelope(p.read_bytes(), keyring) for p in pool]
    return opened, time.perf_counter() - start


def _raw_insert(raw_db: Path, schema: str, insert: str, rows: list[tuple]) -> float:
    """Seconds for one ``executemany`` of ``rows`` into a fresh cases database: the baseline."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{raw_db}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(raw_db, isolation_level=None)
    for key, value in cases.PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    conn.executescript(schema)
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(insert, rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def bench_county(work: Path, keydir: Path, count: int) -> None:
    pool_dir = work / f"envelopes-{count}"
    generate(pool_dir, keydir, count)
    pool = sorted(pool_dir.glob("*.env"))[:count]
    listed = work / "terminals.csv"
    listed.write_text("fingerprint,name,town,status\n" + "".join(
        f"{t.fingerprint()},终端{n},,在用\n" for n, t in enumerate(_terminals(keydir))), encoding="utf-8")
    county = work / "county"  # the cases database, its archive
    shutil.rmtree(county, ignore_errors=True)
    county.mkdir()
    db = county / "cases-bench.sqlite3"

    opened, open_s = _open_all(pool, keydir)

    report = county_import.import_envelopes(_drop(pool, work / "drop"), keydir, db, listed)
    assert report.imported == count and not report.refused, report  # a broken import means nothing

    again_start = time.perf_counter()
    again = county_import.import_envelopes(_drop(pool, work / "drop"), keydir, db, listed)
    again_s = time.perf_counter() - again_start
    assert again.duplicates == count, again

    today = dt.date.today().isoformat()
    rows = [
        (o.header.id, o.header.receipt, o.header.kind, o.header.created, today, today, "县里已收到",
         o.header.terminal_fingerprint, 1, *[o.form.get(c) for c in FORM_COLUMNS])
        for o in opened
    ]
    columns = ("ulid, receipt, kind, created, received_on, due_on, status, terminal_fingerprint, "
               "terminal_verified, " + ", ".join(FORM_COLUMNS))
    marks = ", ".join("?" * (9 + len(FORM_COLUMNS)))
    raw_s = _raw_insert(work / "raw-bench.sqlite3", cases.MIGRATIONS[1] + cases.MIGRATIONS[2],
                        f'INSERT INTO "case" ({columns}) VALUES ({marks})', rows)  # fmt: skip

    rate = count / report.seconds
    print(f"county: import of {count} envelopes from {TERMINALS} terminals")
    print(f"  import, every check        {report.seconds:7.2f} s  {rate:9.0f} envelopes/s  (goal >= 2,000/s)")
    print(f"  verify+open alone          {open_s:7.2f} s  {count / open_s:9.0f} envelopes/s")
    print(f"  raw sqlite3 executemany    {raw_s:7.2f} s  {count / raw_s:9.0f} rows/s")
    print(f"  import again (all dupes)   {again_s:7.2f} s  {count / again_s:9.0f} envelopes/s, "
          f"added {again.imported}")
    print(f"  ratio import / verify+open alone: {rate / (count / open_s):.2f}x;"
          f" import / raw insert: {rate / (count / raw_s):.3f}x")


def write_consultations(folder: Path, today: dt.date) -> Path:
    """A consultations.xlsx with one draft of 20 articles whose period holds ``today`` and
    the year before it (a kept envelope pool stays in time)."""
    import openpyxl

    from kiosk.formats import consultation, consultation_book, datasets

    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        consultation.CATALOGUE_SHEET: (datasets.DECISIONS, [["JC2026-01", str(today.year), "农村公路养护",
                                                             "县交通运输局", "征求意见中", "", "", ""]]),
        consultation.DRAFTS_SHEET: (datasets.DRAFTS, [[
            DRAFT, "1", "JC2026-01", "农村公路养护管理办法（征求意见稿）", "背景", "内容", "全县村民",
            str(today - dt.timedelta(days=365)), str(today + dt.timedelta(days=30)), "", "县交通运输局",
            "0635-7321234", "", "", "否"]]),
        consultation.sheet_name(DRAFT, 1): (consultation_book.ARTICLE_SHEET, [
            [str(a), "" if c is None else str(c), "", f"第{a}条的条文。" * 10] for a, c in ARTICLES]),
    }  # fmt: skip
    for name, (dataset, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in dataset.columns])
        for row in rows:
            sheet.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "consultations.xlsx")
    return folder


def comment_form(n: int) -> dict:
    article, clause = ([(0, None), *ARTICLES])[n % (len(ARTICLES) + 1)]
    stance = ("赞成", "不赞成", "有修改建议")[n % 3]
    form = {"draft": DRAFT, "version": 1, "article": article, "stance": stance}
    if clause:
        form["clause"] = clause
    if n % 3 == 2:
        form["text"] = "建议写明养护资金的来源和使用公示办法。" * 5
    return form


def bench_comments(work: Path, keydir: Path, count: int) -> None:
    pool_dir = work / f"comments-{count}"
    generate(pool_dir, keydir, count, lambda n: ("comment", comment_form(n)), "comments")
    pool = sorted(pool_dir.glob("*.env"))[:count]
    listed = work / "terminals.csv"  # written by bench_county
    consultations = comments.read_consultations(write_consultations(work / "county-input", dt.date.today()))
    county = work / "county-comments"
    shutil.rmtree(county, ignore_errors=True)
    county.mkdir()
    db = county / "cases-bench.sqlite3"

    opened, open_s = _open_all(pool, keydir)

    report = county_import.import_envelopes(_drop(pool, work / "drop"), keydir, db, listed,
                                            consultations=consultations)  # fmt: skip
    assert report.comments == count and not report.refused, report  # a broken import means nothing

    today = dt.date.today()
    rows = [county_import.comment_row(o.header, o.form, envelope.digest(p.read_bytes()), today)
            for o, p in zip(opened, pool, strict=True)]  # fmt: skip
    schema = cases.MIGRATIONS[1] + cases.MIGRATIONS[2] + cases.MIGRATIONS[3]
    raw_s = _raw_insert(work / "raw-comments.sqlite3", schema, county_import._INSERT_COMMENT, rows)

    rate = count / report.seconds
    print(f"county: import of {count} comments on a draft of {len(ARTICLES)} articles")
    print(f"  import, every check        {report.seconds:7.2f} s  {rate:9.0f} files/s  (goal >= 2,000/s)")
    print(f"  verify+open alone          {open_s:7.2f} s  {count / open_s:9.0f} files/s")
    print(f"  raw sqlite3 executemany    {raw_s:7.2f} s  {count / raw_s:9.0f} rows/s")
    print(f"  ratio import / verify+open alone: {rate / (count / open_s):.2f}x;"
          f" import / raw insert: {rate / (count / raw_s):.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=10_000, help="comment envelopes to import")
    parser.add_argument("--work", type=Path, default=None, help="folder kept between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    work.mkdir(parents=True, exist_ok=True)
    keydir = work / "county-keys"
    if not (keydir / county_keys.PRIVATE_FILE).exists():
        county_keys.create_inbox_keys(keydir)
    print(f"work folder: {work}")
    bench_terminal(work, county_keys.inbox_public(keydir).key)
    bench_county(work, keydir, args.count)
    bench_comments(work, keydir, args.comments)


if __name__ == "__main__":
    main()
