"""The two kinds of error the kiosk knows.

A KnownError is something the environment or the input did (a bad spreadsheet row, a
database from a newer version, a tampered feed): it carries a message a person can act on,
in Chinese and English, and is shown without a traceback. Anything else is a bug.
"""


class KnownError(Exception):
    """An expected failure with a bilingual message for staff.

    Args:
        zh: the Chinese message shown to people.
        en: the same message in English, for logs and administrators.
    """

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class SchemaTooNewError(KnownError):
    """The database was written by a newer version of the kiosk."""


class ImportRefused(KnownError):
    """A county spreadsheet failed validation; nothing was written.

    Attributes:
        problems: one line per problem, ``file:row:column: 中文 / English``.
    """

    def __init__(self, problems: list[str], total: int | None = None):
        total = len(problems) if total is None else total
        super().__init__(
            f"导入被拒绝：发现 {total} 处错误，数据库未作任何改动",
            f"import refused: {total} problem(s) found, the database was not changed",
        )
        self.problems = problems
        self.total = total

    def __str__(self) -> str:
        shown = "\n".join(self.problems)
        more = self.total - len(self.problems)
        tail = f"\n… 另有 {more} 处 / {more} more" if more > 0 else ""
        return f"{self.zh} / {self.en}\n{shown}{tail}"

