"""County side: the static site that answers a printed notice's QR code.

``kiosk feed build`` writes it beside the feed's metadata, one folder per village-year
with payouts:

    FEEDDIR/verify/<village code>-<year>/index.html   the page a phone opens
    FEEDDIR/verify/<village code>-<year>/index.json   the same facts, for tools and tests

A page shows the village, town and year, the current data's feed version and data-as-of,
per item the households or persons and the amount, the total, and every 校验码
(kiosk.formats.notice_digest: all items, and each item) that was ever current for the village-year,
with the date it became current and, once replaced, the date it stopped (已更新). Totals
only: no name, no ID fragment. A small inline script compares the address's ``?d=`` with
the list; without JavaScript the list is still there to compare by eye.

History: every build reads the previous build's ``verify/*/index.json`` from the output
folder and carries its entries forward, so the verify folder must stay with the feed (the
county publishes and backs up FEEDDIR as a whole). A feed built before this site existed
seeds the history from its current payouts. Dates are the data-as-of dates of the builds
(no build clock), versions the feed versions that first published a digest, and output is
sorted: an unchanged village-year's two files stay byte-identical, and are not rewritten.

The history is read back as untrusted input: a file planted in ``verify/`` could otherwise
choose where pages are written or put script on them. Each ``index.json`` is read without
following links, within a size and nesting bound, and must be what this module writes
(codes, dates, digests, statuses and short plain names, in its own folder); one that is not
stops the build before anything is signed, naming the file. Every value is also escaped on
the page.
"""

import csv
import datetime as dt
import html
import io
import json
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.files import write_atomic
from kiosk.formats import cells, feed_format, notice_digest, safe_json
from kiosk.formats import datasets as ds

VERIFY_DIR = "verify"
OK, OLD = "现行", "已更新"
MSG_OK = "此公示单与县级现行数据一致"
MSG_OLD = "此公示单数据已于 {until} 更新，请以现行公示为准"
MSG_UNKNOWN = "未找到：请向镇(街道)核实"
_COLS = ("village_code", "item_name", "name", "id_masked", "quantity_centi", "unit",
         "standard_fen", "amount_fen", "paid_on", "remark")  # fmt: skip


@dataclass(frozen=True)
class SiteSummary:
    pages: int  # village-year folders the site holds
    written: int  # of which this build rewrote (new or changed)


def status_of(index: dict, digest: str) -> str:
    """What the page's script says for ``?d=<digest>`` (the same rule, in Python)."""
    for entry in index["digests"]:
        if entry["digest"] == digest:
            return MSG_OK if entry["status"] == OK else MSG_OLD.format(until=entry["until"])
    return MSG_UNKNOWN


def write_site(out: Path, partitions: dict[str, bytes], version: int,
               previous: dict[str, bytes] | None = None, previous_version: int = 0) -> SiteSummary:
    """Write ``out/verify`` for the feed just published (``partitions``, ``version``).

    ``previous`` (the feed's partitions before this build) seeds the history when
    ``out/verify`` does not exist yet.
    """
    site = out / VERIFY_DIR
    info = json.loads(partitions[feed_format.FEED_INFO])
    as_of = info["data_as_of"][:10]
    ref = _References(partitions)
    current = _village_years(partitions, ref)
    history = _read_history(site)
    if not site.exists() and previous and feed_format.FEED_INFO in previous:
        old_as_of = json.loads(previous[feed_format.FEED_INFO])["data_as_of"][:10]
        for key, facts in _village_years(previous, _References(previous)).items():
            history[key] = {"digests": _entries(facts["digests"], {}, old_as_of, previous_version)}
    withdrawn = {(w.year, w.town): w.reason for w in feed_format.withdrawals(info)}
    written = 0
    for key in sorted(set(current) | set(history)):
        village, year = key
        old = {e["digest"]: e for e in history.get(key, {}).get("digests", [])}
        facts = current.get(key)
        entries = _entries(facts["digests"] if facts else {}, old, as_of, version)
        town_code, village_name = ref.villages.get(village, (village[:9], ""))
        before = history.get(key, {})  # names of a village the county no longer lists
        index = {
            "village": village, "village_name": village_name or before.get("village_name", ""),
            "town": town_code, "town_name": ref.towns.get(town_code) or before.get("town_name", ""),
            "year": year, "digests": entries, "current": None,
        }  # fmt: skip
        if facts:
            first = next(e for e in entries if e["scope"] == notice_digest.ALL_ITEMS
                         and e["status"] == OK)  # fmt: skip
            index["current"] = {"version": first["since_version"], "data_as_of": first["since"],
                                **facts["totals"]}  # fmt: skip
        else:
            index["withdrawn_reason"] = withdrawn.get((year, town_code), "")
        folder = site / f"{village}-{year}"
        data = json.dumps(index, ensure_ascii=False, sort_keys=True, indent=1).encode() + b"\n"
        written += _write_if_changed(folder / "index.json", data)
        _write_if_changed(folder / "index.html", render_page(index).encode())
    return SiteSummary(len(set(current) | set(history)), written)


class _References:
    """Town, village and item names from a feed's small tables."""

    def __init__(self, partitions: dict[str, bytes]):
        self.towns = {r["乡镇代码"]: r["乡镇名称"] for r in _table(partitions, ds.TOWNS)}
        self.villages = {r["村代码"]: (r["乡镇代码"], r["村名称"]) for r in _table(partitions, ds.VILLAGES)}
        items = _table(partitions, ds.SUBSIDY_ITEMS)
        self.item_code = {r["补贴项目"]: r["项目代码"] for r in items}
        self.item = {r["项目代码"]: (r["补贴项目"], r["发放对象"]) for r in items}


def _table(partitions: dict[str, bytes], dataset: ds.Dataset) -> list[dict[str, str]]:
    data = partitions.get(feed_format.Partition(dataset).target)
    if data is None:
        return []
    return list(csv.DictReader(io.StringIO(feed_format.decode(data), newline="")))


def _village_years(partitions: dict[str, bytes], ref: _References) -> dict[tuple[str, int], dict]:
    """(village, year) -> {"digests": scope -> digest, "totals": …} for every payout partition."""
    found = {}
    headers = {c.key: c.header for c in ds.PAYOUTS.columns}
    for target in sorted(t for t in partitions if t.startswith("payouts/")):
        year = feed_format.partition_of(target).year
        reader = csv.reader(io.StringIO(feed_format.decode(partitions[target]), newline=""))
        header = next(reader)
        at = [header.index(headers[k]) for k in _COLS]
        by_village: dict[str, list[list]] = defaultdict(list)
        for line in reader:
            village, item_name, name, id_masked, qty, unit, std, amount, paid_on, remark = (
                line[i] for i in at)
            by_village[village].append([ref.item_code[item_name], name, id_masked,
                                        cells.hundredths(qty), unit, cells.hundredths(std),
                                        cells.hundredths(amount), paid_on, remark])  # fmt: skip
        for village, rows in by_village.items():
            found[(village, year)] = _facts(village, year, rows, ref)
    return found


def _facts(village: str, year: int, rows: list[list], ref: _References) -> dict:
    """The digests and totals of one village-year (rows in notice_digest.FIELDS order)."""
    rows.sort()
    digests = {notice_digest.ALL_ITEMS: notice_digest.digest_of_sorted(village, year, None, rows)}
    by_item: dict[str, list[list]] = defaultdict(list)
    for row in rows:
        by_item[row[0]].append(row)
    items, households, persons = [], set(), set()
    for code, item_rows in sorted(by_item.items()):
        digests[code] = notice_digest.digest_of_sorted(village, year, code, item_rows)
        name, paid_per = ref.item[code]
        people = {(r[1], r[2]) for r in item_rows}  # as the terminal counts: name + masked ID
        (households if paid_per == "户" else persons).update(people)
        items.append({"code": code, "name": name, "paid_per": paid_per,
                      "households": len(people) if paid_per == "户" else 0,
                      "persons": len(people) if paid_per == "人" else 0,
                      "amount_fen": sum(r[6] for r in item_rows)})  # fmt: skip
    totals = {"items": items, "households": len(households), "persons": len(persons),
              "amount_fen": sum(r[6] for r in rows)}  # fmt: skip
    names = {code: ref.item[code][0] for code in by_item}
    return {"digests": {scope: (d, names.get(scope, "全部项目")) for scope, d in digests.items()},
            "totals": totals}


def _entries(current: dict[str, tuple[str, str]], old: dict[str, dict], as_of: str,
             version: int) -> list[dict]:
    """The village-year's digest list after this build: old entries carried forward (a
    current one that is no longer current is closed at ``as_of``), new ones opened."""
    now = {d: (scope, name) for scope, (d, name) in current.items()}
    result = []
    for digest, entry in old.items():
        entry = dict(entry)
        if digest in now:
            if entry["status"] != OK:  # the data went back to what it was: current again
                entry.update(status=OK, since=as_of, since_version=version, until=None)
        elif entry["status"] == OK:
            entry.update(status=OLD, until=as_of)
        result.append(entry)
    for digest, (scope, name) in now.items():
        if digest not in old:
            result.append({"digest": digest, "scope": scope, "scope_name": name, "status": OK,
                           "since": as_of, "since_version": version, "until": None})  # fmt: skip
    result.sort(key=lambda e: (e["status"] != OK, e["scope"] != notice_digest.ALL_ITEMS,
                               e["scope"], e["since"], e["digest"]))  # fmt: skip
    return result


MAX_HISTORY_BYTES = 1024 * 1024
_FOLDER = re.compile(r"(\d{12})-(\d{4})")
_DIGEST = re.compile(rf"[0-9a-f]{{{notice_digest.LENGTH}}}")
_SCOPE = re.compile(r"\*|[A-Z][A-Z0-9]{1,9}")


def check_history(out: Path) -> None:
    """Read ``out/verify``'s history as the next build will, refusing what this module
    would never have written. Called before the feed is signed.

    Raises:
        KnownError: a history file is not one (named).
    """
    _read_history(out / VERIFY_DIR)


def _read_history(site: Path) -> dict[tuple[str, int], dict]:
    history = {}
    if not site.is_dir() or site.is_symlink():
        return history
    for folder in sorted(site.iterdir()):
        path = folder / "index.json"
        try:
            index = _history_file(folder, path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KnownError(f"核验页历史文件 {path} 不是本程序写的，已停止（请从备份恢复 verify 文件夹）",
                             f"the verification history {path} is not one this program wrote: {exc}") from exc
        if index is not None:
            history[(index["village"], index["year"])] = index
    return history


def _history_file(folder: Path, path: Path) -> dict | None:
    """One village-year's history, checked field by field; None for a folder that is none."""
    match = _FOLDER.fullmatch(folder.name)
    if folder.is_symlink() or not folder.is_dir():
        if match:
            raise ValueError("a link or not a folder")
        return None
    if not match:
        return None  # not ours (a README the county put there)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HISTORY_BYTES:
            raise ValueError("not a regular file of at most 1 MB")
        index = safe_json.loads(os.read(fd, MAX_HISTORY_BYTES + 1), max_bytes=MAX_HISTORY_BYTES, max_depth=4)
    finally:
        os.close(fd)
    if (index["village"], index["year"]) != (match[1], int(match[2])):
        raise ValueError("the folder and its content name different village-years")
    _check(isinstance(index["year"], int) and _code(index["town"], 9), "year or town")
    _check(all(_plain(index[k]) for k in ("village_name", "town_name")), "names")
    _check(_plain(index.get("withdrawn_reason", ""), 500), "withdrawn_reason")
    digests = index["digests"]
    _check(isinstance(digests, list) and len(digests) <= 10_000, "digests")
    for entry in digests:
        _check(isinstance(entry, dict) and set(entry) == {"digest", "scope", "scope_name", "status",
                                                           "since", "since_version", "until"}, "entry keys")
        _check(_DIGEST.fullmatch(entry["digest"]) is not None and _SCOPE.fullmatch(entry["scope"]) is not None
               and _plain(entry["scope_name"]) and entry["status"] in (OK, OLD)
               and isinstance(entry["since_version"], int) and _day(entry["since"])
               and (entry["until"] is None or _day(entry["until"])), "entry values")  # fmt: skip
    return index


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"bad {what}")


def _code(value: object, digits: int) -> bool:
    return isinstance(value, str) and len(value) == digits and value.isdigit()


def _plain(value: object, limit: int = 100) -> bool:
    return isinstance(value, str) and len(value) <= limit and cells.control_character(value) is None


def _day(value: object) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _write_if_changed(path: Path, data: bytes) -> int:
    try:
        if path.read_bytes() == data:
            return 0
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, 0o644)
    return 1


_CSS = """body{font-family:sans-serif;font-size:20px;line-height:1.6;margin:0 auto;padding:16px;
max-width:40em;color:#111;background:#fff}
h1{font-size:24px;line-height:1.4;margin:0 0 12px}h2{font-size:21px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:6px 8px;text-align:left}
td.n{text-align:right;white-space:nowrap}ul{padding-left:1.2em}li{margin:8px 0}
code{font-size:20px;letter-spacing:1px;word-break:break-all}
#r{font-size:22px;font-weight:bold;padding:12px;border:3px solid #888;margin:12px 0}
#r.ok{border-color:#1a7f37;color:#1a7f37}#r.old{border-color:#b35900;color:#b35900}
#r.no{border-color:#b00020;color:#b00020}li.hit{background:#fff3b0}.note{color:#444}"""

# Mirrors status_of(): the ?d= of the address against the digests listed on the page.
_SCRIPT = """(function(){var m=/[?&]d=([0-9a-f]+)/.exec(location.search);if(!m)return;
var r=document.getElementById("r"),l=document.querySelectorAll("li[data-d]"),h=null,i;
for(i=0;i<l.length;i++){if(l[i].getAttribute("data-d")===m[1])h=l[i];}
if(!h){r.className="no";r.textContent=UNKNOWN;}
else if(h.getAttribute("data-s")===CURRENT){r.className="ok";r.textContent=MSG_OK;}
else{r.className="old";r.textContent=MSG_OLD.replace("{until}",h.getAttribute("data-u"));}
if(h)h.className="hit";r.hidden=false;})();"""
for _name, _value in (("UNKNOWN", MSG_UNKNOWN), ("CURRENT", OK), ("MSG_OK", MSG_OK), ("MSG_OLD", MSG_OLD)):
    _SCRIPT = _SCRIPT.replace(_name, json.dumps(_value, ensure_ascii=False))


def _who(households: int, persons: int) -> str:
    parts = [f"{households}户" if households else "", f"{persons}人" if persons else ""]
    return "、".join(p for p in parts if p) or "—"


def render_page(index: dict) -> str:
    """The village-year's page (Chinese, mobile-first, no names or ID fragments)."""
    e = html.escape
    place = f"莘县{e(index['town_name'])}{e(index['village_name'])}"
    year = int(index["year"])
    out = [
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>公示单核验 · {place} {year}年</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<h1>{place}<br>{year}年度惠民惠农补贴公示核验</h1>\n"
        '<p id="r" hidden></p>\n'
        "<noscript><p>请将公示单二维码下方的“校验码”与下面列出的校验码逐位核对：列在“现行”下的"
        "与县级现行数据一致；列在“已更新”下的，请以现行公示为准；都没有的，请向镇(街道)核实。"
        "</p></noscript>\n"
    ]  # fmt: skip
    current = index["current"]
    if current:
        out.append("<h2>现行公示数据</h2>\n"
                   f"<p>数据版本 {current['version']}，数据截至 {current['data_as_of']}</p>\n"
                   "<table>\n<tr><th>补贴项目</th><th>户数/人数</th><th>金额(元)</th></tr>\n")
        for item in current["items"]:
            out.append(f"<tr><td>{e(item['name'])}</td><td>{_who(item['households'], item['persons'])}"
                       f"</td><td class=\"n\">{fmt.money(item['amount_fen'])}</td></tr>\n")
        out.append(f"<tr><th>合计</th><th>{_who(current['households'], current['persons'])}</th>"
                   f"<th class=\"n\">{fmt.money(current['amount_fen'])}</th></tr>\n</table>\n")
    else:
        reason = index.get("withdrawn_reason")
        out.append("<h2>现行公示数据</h2>\n<p>"
                   + (f"本年度公示已由县里撤回：{e(reason)}" if reason else "本年度已无现行发放公示")
                   + "</p>\n")  # fmt: skip
    for status, heading in ((OK, "现行校验码"), (OLD, "已更新的校验码（请以现行公示为准）")):
        entries = [x for x in index["digests"] if x["status"] == status]
        if not entries:
            continue
        out.append(f"<h2>{heading}</h2>\n<ul>\n")
        for x in entries:
            span = (f"{x['since']} 起现行" if status == OK
                    else f"{x['since']} 起现行，{x['until']} 已更新")  # fmt: skip
            out.append(f'<li data-d="{e(x["digest"])}" data-s="{status}" data-u="{e(x["until"] or "")}">'
                       f"<code>{e(x['digest'])}</code><br>{e(x['scope_name'])}（{e(span)}）</li>\n")
        out.append("</ul>\n")
    out.append('<p class="note">本页只列合计，不含个人信息。核验结果以县级数据为准；如有疑问，'
               "请向镇(街道)或拨打政务服务便民热线 12345 咨询。</p>\n"
               f"<script>\n{_SCRIPT}\n</script>\n</body>\n</html>\n")  # fmt: skip
    return "".join(out)
