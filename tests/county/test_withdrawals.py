"""Nothing is erased by accident: a town-year that vanishes from the county's input refuses
the build unless the clerk withdraws it on purpose, with a reason that travels in the signed
feed to every terminal; `--dry-run` shows what a build would change and writes nothing."""

import csv
import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import fmt
from kiosk.county.feed import publisher
from kiosk.errors import KnownError
from kiosk.services import payouts, sync
from tests.helpers.cli import run_kiosk
from tests.helpers.data import content_digest
from tests.helpers.kiosk import open_kiosk, tap

TOWN = "371522102"  # 朝城镇
TARGET = f"payouts/2025/{TOWN}.csv.gz"
REASON = "发放名单正在复核，复核后重新公示"


def feed_state(feed: Path) -> dict[str, bytes]:
    """Every file of a feed folder with its bytes: equal means nothing was written."""
    return {str(p.relative_to(feed)): p.read_bytes() for p in sorted(feed.rglob("*")) if p.is_file()}


def feed_info(feed: Path, keydir: Path) -> dict:
    """The feed.json the feed publishes now (read through its signed metadata)."""
    return json.loads(publisher.previous_partitions(keydir, feed)["feed.json"])


def published(feed: Path, keydir: Path) -> set[str]:
    return set(publisher.previous_partitions(keydir, feed))


def remove_town_year(input_dir: Path, year: int = 2025, town: str = TOWN) -> Path:
    (path,) = (input_dir / "payouts").glob(f"{year}_{town}_*.csv")
    moved = input_dir.parent / path.name
    path.rename(moved)
    return moved


@pytest.fixture
def county(feed, county_input, county_keys):
    return feed, county_input, county_keys


def test_a_vanished_town_year_refuses_the_build_and_leaves_the_feed_unchanged(county):
    feed, input_dir, keydir = county
    remove_town_year(input_dir)
    before = feed_state(feed)
    done = run_kiosk("feed", "build", "--input", str(input_dir), "--keys", str(keydir),
                     "--out", str(feed))  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "2025年 朝城镇(371522102) 上一版数据源有发放记录，本次输入中没有" in done.stderr
    assert "--withdraw 2025/371522102 --reason" in done.stderr
    assert "is in the current feed but not in this input" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert feed_state(feed) == before


@pytest.mark.slow
def test_withdrawing_a_town_year_that_still_has_input_is_a_contradiction(county):
    feed, input_dir, keydir = county
    before = feed_state(feed)
    with pytest.raises(KnownError, match="仍有发放记录，不能同时撤回"):
        publisher.build_feed(input_dir, keydir, feed, withdraw=((2025, TOWN),), reason=REASON)
    with pytest.raises(KnownError, match="必须用 --reason"):
        publisher.build_feed(input_dir, keydir, feed, withdraw=((2025, TOWN),))
    with pytest.raises(KnownError, match="没有发放记录，无需撤回"):
        publisher.build_feed(input_dir, keydir, feed, withdraw=((2019, TOWN),), reason=REASON)
    with pytest.raises(KnownError, match="--reason 只能与 --withdraw 一起使用"):
        publisher.build_feed(input_dir, keydir, feed, reason=REASON)
    with pytest.raises(KnownError, match="YEAR/TOWN"):
        publisher.parse_town_year("朝城镇")
    assert feed_state(feed) == before


@pytest.mark.slow
def test_a_withdrawal_is_signed_carried_forward_and_cleared_when_data_returns(county):
    feed, input_dir, keydir = county
    moved = remove_town_year(input_dir)
    built = publisher.build_feed(input_dir, keydir, feed, withdraw=((2025, TOWN),), reason=REASON)
    assert built.newly_withdrawn == [TARGET] and TARGET not in published(feed, keydir)
    (entry,) = feed_info(feed, keydir)["withdrawn"]
    assert (entry["year"], entry["town"], entry["reason"]) == (2025, TOWN, REASON)

    later = publisher.build_feed(input_dir, keydir, feed)  # no flag: still withdrawn
    assert later.version == built.version + 1 and later.newly_withdrawn == []
    assert feed_info(feed, keydir)["withdrawn"] == [entry]

    moved.rename(input_dir / "payouts" / moved.name)
    back = publisher.build_feed(input_dir, keydir, feed)
    assert back.restored == [TARGET] and back.withdrawn == []
    assert "withdrawn" not in feed_info(feed, keydir) and TARGET in published(feed, keydir)



def _village_of(db: Path, town: str = TOWN) -> str:
    conn = sqlite3.connect(db)
    (code,) = conn.execute("SELECT village_id FROM payout WHERE village_id LIKE ? AND year = 2024"
                           " LIMIT 1", (f"{town}%",)).fetchone()  # fmt: skip
    conn.close()
    return code


def _town_rows(db: Path) -> dict[int, int]:
    conn = sqlite3.connect(db)
    counts = dict(conn.execute("SELECT year, COUNT(*) FROM payout WHERE village_id LIKE ?"
                               " GROUP BY year", (f"{TOWN}%",)).fetchall())  # fmt: skip
    conn.close()
    return counts


def _held_withdrawals(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT year, town_code, reason FROM withdrawal").fetchall()
    conn.close()
    return rows


def test_a_withdrawn_town_year_reaches_the_terminal_and_its_screen(qtbot, county, terminal,
                                                                   tmp_path, monkeypatch):  # fmt: skip

    feed, input_dir, keydir = county
    village = _village_of(terminal)
    held_2025 = _town_rows(terminal)[2025]
    moved = remove_town_year(input_dir)
    done = run_kiosk("feed", "build", "--input", str(input_dir), "--keys", str(keydir), "--out", str(feed),
                     "--withdraw", f"2025/{TOWN}", "--reason", REASON, ok=True)  # fmt: skip
    assert f"撤回：{TARGET}" in done.stdout
    assert f"2025年 朝城镇({TOWN})：新增 0 行，删除 {held_2025} 行，修改 0 行" in done.stdout
    assert "元 → 0.00 元（撤回）" in done.stdout

    sync.sync(str(feed), terminal, keydir / "root.json")
    counts = _town_rows(terminal)
    assert 2025 not in counts and counts[2024] > 0  # only the withdrawn town-year is gone
    assert _held_withdrawals(terminal) == [(2025, TOWN, REASON)]
    shown = payouts.village_payouts(village)
    assert (shown.year, shown.rows, shown.withdrawn_reason) == (2025, [], REASON)
    assert payouts.village_payouts(village, 2024).withdrawn_reason is None

    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "120")
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    window.show_village(village)
    page = window.payouts
    qtbot.waitUntil(page.withdrawn.isVisible, timeout=2000)
    assert page.withdrawn.text() == f"本年度该乡镇补贴公示已由县里撤回：{REASON}"
    assert not page.table.isVisible() and not page.print_button.isEnabled()
    tap(qtbot, next(b for b in page.years.buttons() if b.text() == "2024年"))
    assert not page.withdrawn.isVisible() and page.model.rowCount() > 0
    window.reset()

    moved.rename(input_dir / "payouts" / moved.name)  # the data comes back
    publisher.build_feed(input_dir, keydir, feed)
    sync.sync(str(feed), terminal, keydir / "root.json")
    assert _held_withdrawals(terminal) == [] and _town_rows(terminal)[2025] > 0
    assert payouts.village_payouts(village).withdrawn_reason is None


def _add_to_first_amount(input_dir: Path, yuan: Decimal) -> tuple[int, int, int]:
    """Add ``yuan`` to the first row's amount of 朝城镇's 2025 CSV; returns (rows, total fen
    before, total fen after) counted from the file itself."""
    (path,) = (input_dir / "payouts").glob(f"2025_{TOWN}_*.csv")
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    column = rows[0].index("发放金额(元)")
    before = sum(Decimal(r[column]) for r in rows[1:])
    rows[1][column] = str(Decimal(rows[1][column]) + yuan)
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8"))
    return len(rows) - 1, int(before * 100), int((before + yuan) * 100)


def test_dry_run_prints_the_change_summary_and_writes_nothing(county):
    feed, input_dir, keydir = county
    rows, fen_before, fen_after = _add_to_first_amount(input_dir, Decimal("100.50"))
    before = feed_state(feed)
    done = run_kiosk("feed", "build", "--input", str(input_dir), "--keys", str(keydir),
                     "--out", str(feed), "--dry-run", ok=True)  # fmt: skip
    assert feed_state(feed) == before  # no targets, no metadata, same versions
    assert "试运行（未写入任何文件）：将生成版本 2" in done.stdout
    assert "与上一版数据源相比，1 个乡镇年度的发放记录有变化" in done.stdout
    assert (f"  2025年 朝城镇({TOWN})：新增 0 行，删除 0 行，修改 1 行；共 {rows} → {rows} 行，"
            f"合计 {fmt.money(fen_before)} 元 → {fmt.money(fen_after)} 元") in done.stdout


def test_change_summary_counts_added_removed_and_changed_rows(county):
    """The summary's numbers, from a build that adds, removes and changes rows at once."""
    feed, input_dir, keydir = county
    (path,) = (input_dir / "payouts").glob(f"2025_{TOWN}_*.csv")
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    column = rows[0].index("发放金额(元)")
    fen = [int(Decimal(r[column]) * 100) for r in rows[1:]]
    gone = rows.pop(2)  # one row removed
    rows[1][column] = str(Decimal(rows[1][column]) + Decimal("0.01"))  # one row changed
    batch = rows[0].index("发放批次")
    extra = list(rows[3])
    extra[batch] = "补发"  # another batch: a new row
    rows.append(extra)
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8"))
    seen = []
    built = publisher.build_feed(input_dir, keydir, feed, dry_run=True, report=seen.append)
    (change,) = seen[0]
    assert built.changes == seen[0] and built.dry_run
    assert (change.year, change.town, change.town_name) == (2025, TOWN, "朝城镇")
    assert not (change.new or change.gone)
    assert (change.added, change.removed, change.changed) == (1, 1, 1)
    assert (change.rows_before, change.rows_after) == (len(fen), len(fen) + 0)
    after = (sum(fen) - int(Decimal(gone[column]) * 100) + 1
             + int(Decimal(extra[column]) * 100))  # fmt: skip
    assert (change.fen_before, change.fen_after) == (sum(fen), after)


# --- templates for offices that prepare data by hand ------------------------------------


def test_templates_read_back_and_build_a_feed(tmp_path, county_keys):
    import openpyxl

    from kiosk.county.feed import template
    from kiosk.formats import datasets as ds
    from kiosk.formats.spreadsheet import open_sheet

    out = tmp_path / "template"
    run_kiosk("feed", "template", "--out", str(out), ok=True)
    # replies come from kiosk inbox reply; the consultations workbook has sheets of its own
    for dataset in (d for d in ds.ALL if not d.generated and not d.workbook):
        path = template.template_path(out, dataset)
        sheet = open_sheet(path)  # the project's own reader finds the headers
        assert sheet.headers == [c.header for c in dataset.columns]
        assert len(list(sheet.rows)) == 1
        book = openpyxl.load_workbook(path, read_only=True)
        notes = [r for r in book[template.NOTES_SHEET].iter_rows(values_only=True)]
        book.close()
        assert [r[0] for r in notes[2:]] == [c.header for c in dataset.columns]
        assert {r[1] for r in notes[2:]} <= {"必填", "可空"}
        formats = {r[0]: r[2] for r in notes[2:]}
        if dataset is ds.PAYOUTS:  # the 说明 sheet names each column's real rule
            assert formats["年度"] == "整数，2000～2100"
            assert formats["村代码"].startswith("12 位数字代码")
            assert formats["发放金额(元)"].endswith("单位：元")
            assert formats["身份证号"].startswith("可填完整身份证号")
    book = openpyxl.load_workbook(template.template_path(out, ds.DECISIONS).with_name("consultations.xlsx"))
    assert book.sheetnames == ["事项目录", "草案", "YJ2026-01第1版", "说明"]
    book.close()
    # The example rows fit together: the folder builds a signed feed as it is.
    built = publisher.build_feed(out, county_keys, tmp_path / "feed")
    assert built.rows == len([d for d in ds.ALL if not d.generated])
    assert {"decisions.csv.gz", "drafts.csv.gz", "draft_articles.csv.gz"} <= set(built.changed)
    assert "payouts/2025/371522102.csv.gz" in built.changed


@pytest.mark.parametrize("entry", [
    {"year": 2025, "town": TOWN, "reason": REASON, "at": "2026-01-01T00:00:00+00:00"},
    {"year": 2025, "town": "朝城镇", "reason": REASON, "at": "x"},
    {"year": 2025, "town": "371522999", "reason": "", "at": "x"},
])  # fmt: skip
def test_terminal_refuses_a_withdrawal_that_contradicts_or_is_malformed(county, terminal, entry):
    """A (signed) feed that withdraws a town-year it also publishes, or a malformed entry."""
    feed, _, keydir = county
    partitions = publisher.previous_partitions(keydir, feed)
    info = json.loads(partitions["feed.json"])
    info["withdrawn"] = [entry]
    partitions["feed.json"] = json.dumps(info, ensure_ascii=False).encode()
    publisher.publish(partitions, keydir, feed)
    before = content_digest(terminal)
    with pytest.raises(KnownError, match="撤回"):
        sync.sync(str(feed), terminal, keydir / "root.json")
    assert content_digest(terminal) == before
