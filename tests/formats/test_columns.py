"""A payout partition checked a column at a time accepts exactly what the row-by-row reader
accepts, with the same values: every mutation either makes both refuse (the column reader
by returning None, the row reader with its messages) or both accept the same rows."""

import csv
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.formats import columns, datasets, feed_format
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows


@pytest.fixture(scope="module")
def partition(demo_feed) -> tuple[list[str], list[list[str]]]:
    """The largest payout partition of the demo feed: (headers, rows)."""
    path = max((demo_feed / "targets" / "payouts").rglob("*.csv.gz"), key=lambda p: p.stat().st_size)
    records = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode(), newline="")))
    return records[0], records[1:]


def _write(tmp: Path, headers, rows) -> tuple[Path, feed_format.Declared]:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\n").writerows([headers, *rows])
    data = gzip.compress(text.getvalue().encode())
    path = tmp / "p.csv.gz"
    path.write_bytes(data)
    return path, feed_format.declare(data)


def _both(tmp: Path, headers, rows):
    path, declared = _write(tmp, headers, rows)
    problems = Problems()
    slow = list(read_rows(datasets.PAYOUTS, path, problems, DuplicateFinder(), "p",
                          sheet=feed_format.open_partition(path, "p", declared)))  # fmt: skip
    got_headers, raw = feed_format.read_columns(path, "p", declared)
    fast = columns.plain_columns(datasets.PAYOUTS, got_headers, raw) if raw is not None else None
    return slow, problems, fast


def _agree(slow, problems, fast) -> None:
    if fast is None:
        return  # the row reader has the say; it may still accept (the column reader is cautious)
    assert not problems, problems.lines  # what the column reader accepts, the row reader accepts
    keys = [c.key for c in datasets.PAYOUTS.columns]
    assert [[row[k] for k in keys] for row in slow] == [list(r) for r in zip(*(fast[k] for k in keys),
                                                                              strict=True)]  # fmt: skip


def test_a_clean_partition_is_read_the_same_both_ways(tmp_path, partition):
    headers, rows = partition
    slow, problems, fast = _both(tmp_path, headers, rows)
    assert fast is not None and not problems and len(slow) == len(rows)
    _agree(slow, problems, fast)


BAD_CELLS = st.sampled_from([
    "", " ", "2025-02-30", "2025/3/5", "5.2", "5", "1,234.50", "-3.00", "abc", "371522198001011234",
    "371522********123x", "13912345678", "张三 13912345678", "x" * 250, "0388", "尾号0388",
    "6222021234567890123", "3715221020010", "2101", "1999", "＜script＞", "\u3000朝城镇", "朝城镇 ", "=1+1",
    "a,b", 'q"uote', "line\nbreak", "0388\n1234", " 0388", "１２３４", "٠٣٨٨", "371522********123X\n",
    "371522********123X\n371522********1234", "٣٧١٥٢٢********١٢٣٤", "\u3000371522********1234",
])  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 14), BAD_CELLS), min_size=1,
                        max_size=4), duplicate=st.booleans())  # fmt: skip
def test_any_change_is_judged_the_same_both_ways(tmp_path_factory, partition, changes, duplicate):
    headers, rows = partition
    rows = [list(r) for r in rows[:300]]
    for row_index, column, value in changes:
        rows[row_index % len(rows)][column] = value
    if duplicate:
        rows.append(list(rows[0]))
    slow, problems, fast = _both(tmp_path_factory.mktemp("p"), headers, rows)
    _agree(slow, problems, fast)


def test_the_comparison_catches_a_reader_that_reads_one_value_wrong(tmp_path, partition):
    """A probe: the agreement check above can fail."""
    headers, rows = partition
    slow, problems, fast = _both(tmp_path, headers, rows[:20])
    wrong = {**fast, "amount_fen": [0] * 20}
    with pytest.raises(AssertionError):
        _agree(slow, problems, wrong)


def test_uneven_rows_leave_it_to_the_row_reader(tmp_path, partition):
    headers, rows = partition
    rows = [list(r) for r in rows[:50]]
    rows[3] = rows[3][:-1]
    path, declared = _write(tmp_path, headers, rows)
    assert feed_format.read_columns(path, "p", declared)[1] is None


def _gzip_forms(data: bytes) -> dict[str, bytes]:
    """A partition's gzip bytes as odd but possible files: each must get the same verdict
    from the whole-file reader as from the streaming one."""
    header, body = data[:10], data[10:]
    half = len(data) // 2
    text = gzip.decompress(data)
    return {
        "plain": data,
        "two members": gzip.compress(text[:1000], mtime=0) + gzip.compress(text[1000:], mtime=0),
        "zero padding after": data + bytes(8),
        "garbage after": data + b"garbage!",
        "reserved header flag": header[:3] + bytes([header[3] | 0x20]) + header[4:] + body,
        "wrong header checksum": header[:3] + bytes([header[3] | 0x02]) + header[4:] + b"\0\0" + body,
        "flipped body byte": data[:half] + bytes([data[half] ^ 0x55]) + data[half + 1:],
        "wrong trailer checksum": data[:-8] + bytes([data[-8] ^ 1]) + data[-7:],
        "truncated": data[:-10],
        "empty": b"",
    }


def _verdict(read) -> object:
    try:
        return read()
    except feed_format.PartitionRefused:
        return "refused"


def test_odd_gzip_files_get_the_same_verdict_from_both_readers(tmp_path, partition):
    headers, rows = partition
    path, declared = _write(tmp_path, headers, rows[:200])

    def streamed() -> tuple[list[str], list[list[str]]]:
        sheet = feed_format.open_partition(path, "p", declared)
        return sheet.headers, [cells for _, cells in sheet.rows]

    for name, data in _gzip_forms(path.read_bytes()).items():
        path.write_bytes(data)
        stream = _verdict(streamed)
        whole = _verdict(lambda: feed_format.read_columns(path, "p", declared))
        if stream != "refused" and whole != "refused":
            whole = (whole[0], [list(r) for r in zip(*whole[1], strict=True)])
        assert stream == whole, name


def test_the_gzip_comparison_sees_a_refusal(tmp_path, partition):
    """A probe: a corrupt file is refused, so the comparison above compares verdicts."""
    headers, rows = partition
    path, declared = _write(tmp_path, headers, rows[:200])
    path.write_bytes(_gzip_forms(path.read_bytes())["flipped body byte"])
    assert _verdict(lambda: feed_format.read_columns(path, "p", declared)) == "refused"


def test_a_repeat_is_seen_when_every_key_column_is_the_same_throughout(tmp_path, partition):
    """The repeat check leaves out key columns with one value throughout; with all of them
    such, two rows are still two of the same key."""
    headers, rows = partition
    slow, problems, fast = _both(tmp_path, headers, [rows[0], list(rows[0])])
    assert fast is None and problems and len(slow) == 1
