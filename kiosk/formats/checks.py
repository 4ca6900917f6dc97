"""Cross-checks between datasets: a row may only refer to towns, villages, items, domains,
decisions, drafts, articles and screened policies that exist (in the same delivery, or
already on the terminal), and a screening condition must be one the engine understands."""

from kiosk.formats import screening
from kiosk.formats.validate import Problems, Row


class CrossCheck:
    """Remembers the reference rows it has accepted and checks later rows against them.

    Datasets must be fed in kiosk.formats.datasets.ALL order (towns before villages before
    payouts …).
    """

    def __init__(self, problems: Problems, links: bool = False):
        """With ``links`` (the county's build, which sees every dataset), a screened policy's
        document and Q&A must exist too; a terminal shows them only when it has them."""
        self.problems = problems
        self.links: dict[str, set[str]] | None = {"documents": set(), "qa": set()} if links else None
        self.towns: dict[str, str] = {}  # code -> name
        self.villages: dict[str, tuple[str, str]] = {}  # code -> (town code, name)
        self.items: dict[str, str] = {}  # name -> code
        self.domains: set[str] = set()
        self.decisions: set[str] = set()
        self.drafts: set[tuple[str, int]] = set()  # (code, version)
        self.articles: set[tuple[str, int, int, int | None]] = set()  # (code, version, 条, 款)
        self.screened: set[str] = set()  # screening policy codes
        self._by_name: dict[tuple[str | None, str], list[str]] | None = None  # see _village_by_name
        self._by_title: dict[str, list[str]] = {}

    def reset(self, dataset_name: str) -> None:
        """Forget one reference dataset before a new full copy of it is fed."""
        self._by_name = None
        {"towns": self.towns, "villages": self.villages, "subsidy_items": self.items,
         "catalogue_domains": self.domains, "decisions": self.decisions, "drafts": self.drafts,
         "draft_articles": self.articles, "screening_policies": self.screened,
         }.get(dataset_name, {}).clear()  # fmt: skip

    def accept(self, dataset_name: str, row: Row) -> bool:
        """Check one row (already valid on its own); report and return False if it refers
        to something unknown. Reference rows are remembered for the rows after them."""
        check = getattr(self, f"_{dataset_name}", None)
        return check(row) if check else True

    def _refuse(self, row: Row, column: str, zh: str, en: str) -> bool:
        self.problems.add(f"{row['_where']}:{column}", zh, en)
        return False

    def _towns(self, row: Row) -> bool:
        self.towns[row["code"]] = row["name"]
        return True

    def _villages(self, row: Row) -> bool:
        code, town = row["code"], row["town_code"]
        if town not in self.towns:
            return self._refuse(row, "乡镇代码", f"未知的乡镇代码 {town}", f"unknown town code {town}")
        if not code.startswith(town):
            return self._refuse(row, "村代码", f"村代码 {code} 不属于乡镇 {town}",
                                f"village code {code} is not under town {town}")  # fmt: skip
        self.villages[code] = (town, row["name"])
        self._by_name = None
        return True

    def _subsidy_items(self, row: Row) -> bool:
        self.items[row["name"]] = row["code"]
        return True

    def _village_by_name(self, row: Row) -> str | None:
        """County side, a file without a 村代码 column: the code of the village of that name
        in that town, or None (reported)."""
        if self._by_name is None:
            self._by_name = {}
            self._by_title = {}
            for code, (town_code, village) in self.villages.items():
                self._by_name.setdefault((self.towns.get(town_code), village), []).append(code)
        if not row["town_name"] and "_title" in row:
            return self._village_in_title(row)
        town, name = row["town_name"], row["village_name"]
        codes = self._by_name.get((town, name), [])
        if len(codes) == 1:
            return codes[0]
        if codes:
            self._refuse(row, "村", f"乡镇“{town}”有 {len(codes)} 个名为“{name}”的村，请填写村代码",
                         f"town '{town}' has {len(codes)} villages named '{name}': give the"
                         " village code")  # fmt: skip
        else:
            self._refuse(row, "村", f"乡镇“{town}”下没有名为“{name}”的村（文件没有村代码列）",
                         f"town '{town}' has no village named '{name}' (the file has no"
                         " village code column)")  # fmt: skip
        return None

    def _village_in_title(self, row: Row) -> str | None:
        """A file without 乡镇, 村 and 村代码 columns: the one village whose town and name
        are in its title or file name (the longest name wins: 小东村 over 东村)."""
        title = row["_title"]
        codes = self._by_title.get(title)
        if codes is None:
            found = [(len(village), code) for (town, village), town_codes in self._by_name.items()
                     if town and town in title and village in title for code in town_codes]
            longest = max((n for n, _ in found), default=0)
            codes = self._by_title[title] = [code for n, code in found if n == longest]
        if len(codes) != 1:
            self._refuse(row, "村", f"标题“{title}”中{'没有' if not codes else '有多个'}村名单中的乡镇和村，"
                         "请加上“乡镇”“村”列或“村代码”列",
                         f"the title '{title}' names {'no' if not codes else 'more than one'}"
                         " town and village of the village list: add 乡镇 and 村 columns or a"
                         " 村代码 column")  # fmt: skip
            return None
        town_code, village = self.villages[codes[0]]
        row["town_name"], row["village_name"] = self.towns[town_code], village
        return codes[0]

    def _payouts(self, row: Row) -> bool:
        if row["village_code"] is None:
            row["village_code"] = self._village_by_name(row)
            if row["village_code"] is None:
                return False
        code = row["village_code"]
        village = self.villages.get(code)
        if village is None:
            return self._refuse(row, "村代码", f"未知的村代码 {code}", f"unknown village code {code}")
        town_code, village_name = village
        if row["town_name"] != self.towns.get(town_code):
            return self._refuse(row, "乡镇", f"乡镇“{row['town_name']}”与村代码 {code} 不符",
                                f"town '{row['town_name']}' does not match village code {code}")
        if row["village_name"] != village_name:
            return self._refuse(row, "村", f"村名“{row['village_name']}”与村代码 {code} 不符",
                                f"village '{row['village_name']}' does not match code {code}")
        item = self.items.get(row["item_name"])
        if item is None:
            return self._refuse(row, "补贴项目", f"补贴项目“{row['item_name']}”不在补贴项目清单中",
                                f"subsidy item '{row['item_name']}' is not in the item list")
        row["item_code"] = item
        return True

    def payout_items(self, columns: dict[str, list]) -> list[str] | None:
        """A payout partition checked a column at a time (kiosk.formats.columns): the item
        codes of its rows when every row passes ``_payouts``, else None (check it row by
        row for the messages). Each distinct village and item is looked up once."""
        for code, town_name, village_name in set(zip(columns["village_code"], columns["town_name"],
                                                     columns["village_name"], strict=True)):  # fmt: skip
            village = self.villages.get(code)
            if village is None or town_name != self.towns.get(village[0]) or village_name != village[1]:
                return None
        names = columns["item_name"]
        if any(name not in self.items for name in set(names)):
            return None
        return list(map(self.items.__getitem__, names))

    def _catalogue_domains(self, row: Row) -> bool:
        self.domains.add(row["code"])
        return True

    def _catalogue_entries(self, row: Row) -> bool:
        if row["domain_code"] not in self.domains:
            return self._refuse(row, "领域代码", f"未知的领域代码 {row['domain_code']}",
                                f"unknown domain code {row['domain_code']}")  # fmt: skip
        return True

    def _contacts(self, row: Row) -> bool:
        town = row["town_code"]
        if town is not None and town not in self.towns:
            return self._refuse(row, "乡镇代码", f"未知的乡镇代码 {town}", f"unknown town code {town}")
        return True

    def _decisions(self, row: Row) -> bool:
        self.decisions.add(row["code"])
        return True

    def _drafts(self, row: Row) -> bool:
        if row["decision_code"] not in self.decisions:
            return self._refuse(row, "事项编号", f"事项目录中没有事项 {row['decision_code']}",
                                f"no decision {row['decision_code']} in the catalogue")  # fmt: skip
        self.drafts.add((row["code"], row["version"]))
        return True

    def _draft_articles(self, row: Row) -> bool:
        if not self._draft_known(row):
            return False
        self.articles.add((row["draft_code"], row["version"], row["article"], row["clause"]))
        return True

    def _draft_known(self, row: Row) -> bool:
        if (row["draft_code"], row["version"]) in self.drafts:
            return True
        return self._refuse(row, "草案编号", f"没有草案 {row['draft_code']} 第{row['version']}版",
                            f"no draft {row['draft_code']} version {row['version']}")  # fmt: skip

    def _article_known(self, row: Row) -> bool:
        """Article 0 is the draft as a whole; any other must be one of that version's."""
        if not self._draft_known(row):
            return False
        if row["article"] == 0 or (row["draft_code"], row["version"], row["article"], row["clause"]) \
                in self.articles:  # fmt: skip
            return True
        clause = f"第{row['clause']}款" if row["clause"] else ""
        draft = f"草案 {row['draft_code']} 第{row['version']}版"
        return self._refuse(row, "条", f"{draft}没有第{row['article']}条{clause}",
                            f"draft {row['draft_code']} version {row['version']} has no article"
                            f" {row['article']}/{row['clause']}")  # fmt: skip

    def _adoptions(self, row: Row) -> bool:
        return self._article_known(row)

    def _comment_receipts(self, row: Row) -> bool:
        return self._article_known(row)

    def _documents(self, row: Row) -> bool:
        if self.links is not None:
            self.links["documents"].add(row["index_no"])
        return True

    def _qa(self, row: Row) -> bool:
        if self.links is not None:
            self.links["qa"].add(row["code"])
        return True

    def _screening_policies(self, row: Row) -> bool:
        self.screened.add(row["code"])  # known even if its link is refused: one problem, not one a condition
        if self.links is not None:
            for key, column, dataset, title in (("document_index", "依据索引号", "documents", "规范性文件库"),
                                                ("qa_code", "问答编号", "qa", "政策问答库")):
                if row[key] and row[key] not in self.links[dataset]:
                    return self._refuse(row, column, f"{title}中没有“{row[key]}”",
                                        f"no {dataset} entry {row[key]}")
        return True

    def _screening_conditions(self, row: Row) -> bool:
        """A condition of a known policy, in a form this program understands: a terminal
        refuses rules it cannot evaluate rather than evaluate them some other way."""
        if row["policy_code"] not in self.screened:
            code = row["policy_code"]
            return self._refuse(row, "政策编号", f"没有政策 {code}", f"no policy {code}")
        try:
            screening.parse_value(row["question"], row["comparison"], row["value"])
        except screening.RuleError as exc:
            return self._refuse(row, exc.column, exc.zh, exc.en)
        return True
