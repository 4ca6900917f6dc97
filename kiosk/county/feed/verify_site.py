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

意见征集: the same build writes one plain page per draft version the feed publishes, the
address the printed 征求意见公告's QR code carries (kiosk.formats.consultation.consultation_url):

    FEEDDIR/verify/consultations/<draft code>-v<version>.html   the draft and, once published,
                                                                 its 采纳情况 and the decision
    FEEDDIR/verify/consultations/index.html                      every draft version

These pages hold only what the feed says (no history, no script, no build clock), so an
unchanged draft's page stays byte-identical. The site cannot know today's date: a page gives
the period's dates and never says whether it is still open; the list puts the drafts without
a published 采纳情况 first, the one closing last at the top.
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
from kiosk.formats import cells, consultation, feed_format, notice_digest, safe_json
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
    consultations: int = 0  # draft versions with a page under verify/consultations
    consultations_written: int = 0  # files there this build rewrote (the list included)


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
    drafts, drafts_written = _write_consultations(site, partitions)
    return SiteSummary(len(set(current) | set(history)), written, drafts, drafts_written)


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
        KnownError: a history file is not one (named), or the consultations folder is a link.
    """
    _read_history(out / VERIFY_DIR)


def _read_history(site: Path) -> dict[tuple[str, int], dict]:
    history = {}
    if not site.is_dir() or site.is_symlink():
        return history
    folder = site / CONSULTATIONS_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise KnownError(f"{folder} 不是本程序写的文件夹（是链接或文件），已停止（请删除它，或从备份恢复"
                         " verify 文件夹）", f"{folder} is not a folder this program wrote (a link or file)")
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
    try:  # a link or a FIFO planted under the page's name is replaced, never read
        if stat.S_ISREG(path.lstat().st_mode) and path.read_bytes() == data:
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


# --- 意见征集 -------------------------------------------------------------------------------

CONSULTATIONS_DIR = "consultations"
_CONSULTATION_CSS = """body{font-family:sans-serif;font-size:20px;line-height:1.6;margin:0 auto;padding:16px;
max-width:40em;color:#111;background:#fff}
h1{font-size:24px;line-height:1.4;margin:0 0 12px}h2{font-size:21px;margin:24px 0 8px}
h3{font-size:20px;margin:18px 0 4px}ul{padding-left:1.2em}li{margin:8px 0}.note{color:#444}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:6px 8px;text-align:left}
td.n{text-align:right;white-space:nowrap}td.r{min-width:6em}.wide{overflow-x:auto}
.art{margin:10px 0}.art b{white-space:nowrap}nav{margin:0 0 12px}
.period{font-size:21px;font-weight:bold;border:2px solid #888;padding:8px 10px}"""


@dataclass(frozen=True)
class _Draft:
    """One draft version as the feed publishes it, with what the page shows beside it."""

    row: dict[str, str]  # the drafts row, by column key
    decision: dict[str, str]  # its decision's row ({} when the feed lacks it)
    articles: list[dict[str, str]]  # in order
    adoptions: list[dict[str, str]]  # in article order, the draft as a whole last
    latest: int  # the highest version of the same draft code

    @property
    def code(self) -> str:
        return self.row["code"]

    @property
    def version(self) -> int:
        return int(self.row["version"])

    @property
    def file(self) -> str:
        """The page's path below the site, as the terminal's QR code names it."""
        return consultation.consultation_url("", self.code, self.version).lstrip("/")


def _keyed(partitions: dict[str, bytes], dataset: ds.Dataset) -> list[dict[str, str]]:
    """A dataset's rows by column key (the partitions carry the Chinese headers)."""
    keys = {c.header: c.key for c in dataset.columns}
    return [{keys[h]: v for h, v in row.items() if h in keys} for row in _table(partitions, dataset)]


def _article_key(row: dict[str, str]) -> tuple[int, int]:
    return int(row["article"]), int(row["clause"] or 0)


def _drafts(partitions: dict[str, bytes]) -> list[_Draft]:
    decisions = {r["code"]: r for r in _keyed(partitions, ds.DECISIONS)}
    articles: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for row in _keyed(partitions, ds.DRAFT_ARTICLES):
        articles[(row["draft_code"], int(row["version"]))].append(row)
    adoptions: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for row in _keyed(partitions, ds.ADOPTIONS):
        adoptions[(row["draft_code"], int(row["version"]))].append(row)
    rows = []
    for row in _keyed(partitions, ds.DRAFTS):
        try:  # the code names a file: only what the county's reader lets through
            cells.short_code(row["code"])
        except cells.CellError:
            continue
        rows.append(row)
    latest: dict[str, int] = {}
    for row in rows:
        latest[row["code"]] = max(latest.get(row["code"], 0), int(row["version"]))
    found = []
    for row in rows:
        key = (row["code"], int(row["version"]))
        found.append(_Draft(row, decisions.get(row["decision_code"], {}),
                            sorted(articles[key], key=_article_key),
                            sorted(adoptions[key], key=lambda r: (r["article"] == "0", _article_key(r))),
                            latest[row["code"]]))  # fmt: skip
    return sorted(found, key=lambda d: (d.code, d.version))


def _write_consultations(site: Path, partitions: dict[str, bytes]) -> tuple[int, int]:
    """Write a page per draft version and the list; (pages, files rewritten). Nothing when
    the feed has no drafts and the site never had any."""
    drafts = _drafts(partitions)
    folder = site / CONSULTATIONS_DIR
    if not drafts and not folder.is_dir():
        return 0, 0
    written = sum(_write_if_changed(site / d.file, render_consultation(d).encode()) for d in drafts)
    written += _write_if_changed(folder / "index.html", render_consultation_index(drafts).encode())
    return len(drafts), written


def _day_text(value: str) -> str:
    """2026-11-01 -> 2026年11月1日 (other text as it is)."""
    try:
        return fmt.chinese_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def _period(row: dict[str, str]) -> str:
    try:
        days = consultation.period_days(dt.date.fromisoformat(row["opens_on"]),
                                        dt.date.fromisoformat(row["closes_on"]))  # fmt: skip
    except ValueError:
        return f"{_day_text(row['opens_on'])}至{_day_text(row['closes_on'])}"
    return f"{_day_text(row['opens_on'])}至{_day_text(row['closes_on'])}（共{days}天）"


def _paragraphs(text: str, css: str = "") -> str:
    """Escaped text, a paragraph per line (a county cell's Alt+Enter)."""
    attr = f' class="{css}"' if css else ""
    return "".join(f"<p{attr}>{html.escape(line)}</p>\n" for line in text.split("\n") if line.strip())


def _head(title: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{_CONSULTATION_CSS}\n</style>\n</head>\n<body>\n")


def _phone(number: str) -> str:
    e = html.escape
    if re.fullmatch(r"[0-9][0-9-]{2,19}", number):
        return f'<a href="tel:{e(number)}">{e(number)}</a>'
    return e(number)


def render_consultation(draft: _Draft) -> str:
    """A draft version's page: Chinese, mobile-first, no script, every value escaped."""
    e = html.escape
    row, decision = draft.row, draft.decision
    out = [_head(f"意见征集 · {row['title']}（第{draft.version}版）"),
           '<nav><a href="index.html">全部意见征集</a></nav>\n',
           f"<h1>{e(row['title'])}</h1>\n",
           f"<p>草案编号 {e(draft.code)}，第{draft.version}版，起草单位：{e(row['department'])}</p>\n"]
    if draft.latest > draft.version:
        newer = consultation.consultation_url("", draft.code, draft.latest).rsplit("/", 1)[1]
        out.append(f'<p class="note">本草案已有第{draft.latest}版，请看新版：'
                   f'<a href="{e(newer)}">第{draft.latest}版</a></p>\n')
    if decision:
        facts = [f"{e(decision['year'])}年度", f"承办单位 {e(decision['department'])}",
                 f"决策阶段：{e(decision['stage'])}"]  # fmt: skip
        if decision.get("planned"):
            facts.append(f"计划完成时间：{e(decision['planned'])}")
        out.append(f"<h2>所属决策事项</h2>\n<p>{e(decision['title'])}（事项编号 {e(decision['code'])}）</p>\n"
                   f"<p>{'；'.join(facts)}</p>\n")
    out.append("<h2>起草说明</h2>\n")
    for heading, key in (("起草背景", "background"), ("主要内容", "summary"), ("涉及对象", "affects")):
        out.append(f"<h3>{heading}</h3>\n{_paragraphs(row[key])}")
    out.append(f'<h2>征求意见时间</h2>\n<p class="period">{e(_period(row))}</p>\n')
    if row.get("short_reason"):
        out.append(f"<p>期限说明：{e(row['short_reason'])}</p>\n")
    out.append("<h2>怎样发表意见</h2>\n<ul>\n"
               "<li>到村（社区）或乡镇便民服务中心的查询机上，点“意见征集”，找到本草案，逐条发表意见"
               "（可只对其中一条，也可对草案整体）。</li>\n"
               f"<li>打电话：{_phone(row['phone'])}（{e(row['department'])}）。</li>\n")  # fmt: skip
    if row.get("address"):
        out.append(f"<li>写信：{e(row['address'])}。请在信封上注明“《{e(row['title'])}》意见”。</li>\n")
    if row.get("meetings"):
        out.append(f"<li>参加座谈会：{e(row['meetings'])}。</li>\n")
    signed = ("本次征求意见须署真实姓名并留联系电话，仅用于核实，不对外公开。" if row.get("signed") == "是"
              else "发表意见无须署名。在查询机上发表意见后可打印回执，凭回执查看该条意见的采纳情况。")
    out.append(f"</ul>\n<p>{signed}</p>\n<h2>草案条文</h2>\n")
    heading = ""
    for article in draft.articles:
        if article.get("heading") and article["heading"] != heading:
            heading = article["heading"]
            out.append(f"<h3>{e(heading)}</h3>\n")
        number, clause = _article_key(article)
        label = consultation.article_label(number, clause or None)
        anchor = f"t{number}-{clause}" if clause else f"t{number}"
        lines = [line for line in article["text"].split("\n") if line.strip()] or [""]
        out.append(f'<p class="art" id="{anchor}"><b>{e(label)}</b>　{e(lines[0])}</p>\n')
        out += [f'<p class="art">{e(line)}</p>\n' for line in lines[1:]]
    if draft.adoptions:
        out.append(_adoptions_table(draft.adoptions))
    if decision.get("stage") == "已决策":
        out.append(f"<h2>决策结果</h2>\n<p>决策日期：{e(_day_text(decision.get('decided_on', '')))}</p>\n"
                   f"{_paragraphs(decision.get('outcome', ''))}")
    out.append(f'<p class="note">本页内容来自县级数据源。如有疑问，请拨打 {_phone(row["phone"])}，'
               "或政务服务便民热线 12345。</p>\n</body>\n</html>\n")
    return "".join(out)


def _adoptions_table(rows: list[dict[str, str]]) -> str:
    e = html.escape
    published = max(r["published_on"] for r in rows)
    total = sum(int(r["received"] or 0) for r in rows)
    out = [f"<h2>意见采纳情况</h2>\n<p>公布日期：{e(_day_text(published))}。共收到意见 {total} 条。</p>\n"
           '<div class="wide"><table>\n<tr><th>条款</th><th>收到意见</th><th>赞成/不赞成/建议</th>'
           "<th>采纳情况</th><th>理由</th></tr>\n"]  # fmt: skip
    for r in rows:
        number, clause = _article_key(r)
        label = consultation.article_label(number, clause or None)
        anchor = f"t{number}-{clause}" if clause else f"t{number}"
        cell = e(label) if number == consultation.WHOLE else f'<a href="#{anchor}">{e(label)}</a>'
        out.append(f"<tr><td>{cell}</td><td class=\"n\">{e(r['received'])}</td>"
                   f"<td class=\"n\">{e(r['agree'])}/{e(r['disagree'])}/{e(r['suggest'])}</td>"
                   f"<td>{e(r['outcome'])}</td><td class=\"r\">{e(r['reason'] or '—')}</td></tr>\n")
    out.append("</table></div>\n")
    return "".join(out)


def render_consultation_index(drafts: list[_Draft]) -> str:
    """Every draft version: those without a published 采纳情况 first (the one closing last at
    the top), then those with one (the newest first)."""
    e = html.escape
    waiting = sorted((d for d in drafts if not d.adoptions),
                     key=lambda d: (d.row["closes_on"], d.row["opens_on"], d.code, d.version), reverse=True)
    done = sorted((d for d in drafts if d.adoptions), reverse=True,
                  key=lambda d: (max(r["published_on"] for r in d.adoptions), d.code, d.version))
    out = [_head("意见征集 · 莘县重大行政决策草案"), "<h1>意见征集</h1>\n",
           '<p class="note">莘县重大行政决策草案公开征求意见。每个草案写明了征求意见时间，请在截止日期前'
           "发表意见；截止后，县里汇总意见并公布采纳情况。</p>\n"]  # fmt: skip
    for heading, group in (("征求意见", waiting), ("已公布意见采纳情况", done)):
        if not group:
            continue
        out.append(f"<h2>{heading}</h2>\n<ul>\n")
        for d in group:
            note = f"征求意见时间：{_period(d.row)}"
            if d.adoptions:
                note += f"；{_day_text(max(r['published_on'] for r in d.adoptions))} 公布采纳情况"
            if d.latest > d.version:
                note += f"；已有第{d.latest}版"
            name = d.file.rsplit("/", 1)[1]
            out.append(f'<li><a href="{e(name)}">{e(d.row["title"])}（第{d.version}版）</a><br>'
                       f"{e(note)}</li>\n")
        out.append("</ul>\n")
    if not drafts:
        out.append("<p>目前没有征求意见的草案。</p>\n")
    out.append("</body>\n</html>\n")
    return "".join(out)
