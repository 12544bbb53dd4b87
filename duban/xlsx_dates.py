"""Reading the 时限 and 交办 cells of real Excel 台账 (DOMAIN.md §8) — pure functions.

A deadline cell may hold a real Excel date or text written by a person::

    2026年6月30日   2026.6.30   2026/6/30   2026-06-30      a day
    6月30日前       6月底        6月下旬       三季度末          a day, the year from the sheet
    年底前          上半年        2026年6月     2026年底          a period: its last day
    长期 / 持续推进                                            no deadline (a long-term item)

``parse_due`` turns one cell into a :class:`DueCell`, or raises :class:`DateProblem`
with a Chinese reason. It never guesses: a cell with two dates, a bare number, "6月前"
(before June, or by June?) or a day without a year when none is known is a problem,
not a date. The year of a text without one comes from ``year`` (``--year`` or the
sheet's title, see :func:`title_year`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

YEAR_RANGE = range(2000, 2100)
MAX_DATE_TEXT = 100  # a date cell longer than this is not a date (and is never scanned by the patterns)


class DateProblem(ValueError):
    """A cell that cannot be read as a date; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DueCell:
    """What a 时限 cell says: a date, or a long-term item (no deadline)."""

    due: dt.date | None
    long_term: bool = False


LONG_TERM = DueCell(None, True)

_LONG_WORDS = {"长期", "持续推进", "长期推进", "持续", "长期坚持", "常态化", "常态化推进", "持续开展",
               "长期任务", "长期开展", "长期工作", "常年", "常态推进"}
_DONE_WORDS = ("完成", "办结", "完工", "落实")
_BEFORE_WORDS = ("之前", "以前", "前", "为止", "止")
_TIME_TAIL = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$")
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_FULL = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$")
_CN_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?$")
_CN_MONTH = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月份?(底|末|上旬|中旬|下旬)?$")
_YEAR_END = re.compile(r"^(?:(\d{4})年|今年|本年|当年)?年?(底|末|内)$")
_QUARTER = re.compile(r"^(?:(\d{4})年)?第?([一二三四1-4])季度(末|底)?$")
_HALF = re.compile(r"^(?:(\d{4})年)?(上半年|下半年)(末|底)?$")
_TITLE_YEAR = re.compile(r"(20\d{2})\s*年")


def _normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), no blanks, no closing 。.

    Over ``MAX_DATE_TEXT`` characters (20,000 spaces took 6 s in the time-tail pattern) it is
    refused before any pattern runs, so parsing stays linear in the cell's length.
    """
    if len(text) > MAX_DATE_TEXT:
        raise DateProblem(f"单元格内容有 {len(text)} 个字符，超过 {MAX_DATE_TEXT} 个，不是日期")
    value = unicodedata.normalize("NFKC", text).strip()
    value = _TIME_TAIL.sub("", value)  # "2026-06-30 00:00:00" written as text
    return re.sub(r"\s+", "", value).rstrip("。.;；,，")


def _strip_suffixes(value: str) -> tuple[str, bool]:
    """"6月30日前完成" → ("6月30日", True): the date part, and whether it said 前/止."""
    before = False
    changed = True
    while changed:
        changed = False
        for suffix in _DONE_WORDS + _BEFORE_WORDS:
            if value.endswith(suffix) and len(value) > len(suffix):
                value = value[: -len(suffix)]
                before = before or suffix in _BEFORE_WORDS
                changed = True
    return value, before


def _ambiguous(text: str) -> DateProblem:
    return DateProblem(f"“{text}”有歧义（是该期之前，还是该期末之前？）：请写明日期，如“5月31日前”或“6月底前”")


def _year(found: str | None, year: int | None, text: str) -> int:
    if found:
        value = int(found)
    elif year is None:
        raise DateProblem(f"“{text}”没有写年份，无法确定是哪一年：请用 --year 指定年份，"
                          "或在表格标题中写明（如“2026年重点工作督查台账”）")
    else:
        value = year
    if value not in YEAR_RANGE:
        raise DateProblem(f"“{text}”的年份 {value} 超出范围（{YEAR_RANGE.start}–{YEAR_RANGE.stop - 1}）")
    return value


def _day(y: int, m: int, d: int, text: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise DateProblem(f"“{text}”不是存在的日期") from None


def _month_end(y: int, m: int, text: str) -> dt.date:
    if not 1 <= m <= 12:
        raise DateProblem(f"“{text}”的月份 {m} 不存在")
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _cell_date(value: object, text_name: str) -> dt.date | None:
    """A real Excel date cell; raises for numbers and times, None for text."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, dt.time):
        raise DateProblem(f"单元格是时间 {value.isoformat()}，不是日期")
    elif isinstance(value, bool):
        raise DateProblem(f"单元格是逻辑值 {value}，不是{text_name}")
    elif isinstance(value, (int, float)):
        shown = int(value) if float(value).is_integer() else value
        raise DateProblem(f"单元格是数字 {shown}，不是日期（请把单元格设为日期格式，或写成 2026年6月30日）")
    else:
        return None
    if day.year not in YEAR_RANGE:
        raise DateProblem(f"日期 {day.isoformat()} 的年份超出范围（{YEAR_RANGE.start}–{YEAR_RANGE.stop - 1}）")
    return day


def _exact_day(value: str, year: int | None, text: str) -> dt.date | None:
    match = _FULL.match(value)
    if match:
        y = _year(match.group(1), year, text)
        return _day(y, int(match.group(3)), int(match.group(4)), text)
    match = _CN_DAY.match(value)
    if match:
        y = _year(match.group(1), year, text)
        return _day(y, int(match.group(2)), int(match.group(3)), text)
    return None


def parse_due(value: object, year: int | None) -> DueCell | None:
    """One 时限 cell → a deadline, a long-term item, or None for an empty cell.

    Raises :class:`DateProblem` for anything it cannot read without guessing.
    """
    if value is None:
        return None
    day = _cell_date(value, "日期")
    if day is not None:
        return DueCell(day)
    text = str(value).strip()
    value = _normalise(text)
    if not value:
        return None
    if value in _LONG_WORDS or (value.startswith(("长期", "持续", "常态化")) and not re.search(r"\d", value)):
        return LONG_TERM
    core, before = _strip_suffixes(value)
    day = _exact_day(core, year, text)
    if day is not None:
        return DueCell(day)
    match = _CN_MONTH.match(core)
    if match:
        y = _year(match.group(1), year, text)
        m = int(match.group(2))
        end = _month_end(y, m, text)
        part = match.group(3)
        if part is None and before:
            raise _ambiguous(text)
        if part == "上旬":
            return DueCell(end.replace(day=10))
        if part == "中旬":
            return DueCell(end.replace(day=20))
        return DueCell(end)
    match = _YEAR_END.match(core)
    if match and "年" in core:
        return DueCell(dt.date(_year(match.group(1), year, text), 12, 31))
    match = _QUARTER.match(core)
    if match:
        if match.group(3) is None and before:
            raise _ambiguous(text)
        y = _year(match.group(1), year, text)
        return DueCell(_month_end(y, 3 * _NUMERALS[match.group(2)], text))
    match = _HALF.match(core)
    if match:
        y = _year(match.group(1), year, text)
        return DueCell(dt.date(y, 6, 30) if match.group(2) == "上半年" else dt.date(y, 12, 31))
    if len(re.findall(r"\d+月|\d{4}[./-]\d", value)) > 1:
        raise DateProblem(f"“{text}”含有多个时间，无法确定办理时限：请只写一个时限（阶段目标可在导入后用 milestone 设定节点）")
    raise DateProblem(f"无法识别的时限“{text}”（可写 2026年6月30日、2026.6.30、6月底、三季度末、年底前、长期 等）")


def parse_day(value: object, year: int | None) -> dt.date | None:
    """One 交办时间 / 登记日期 cell → the day, or None when empty. Only exact days are accepted."""
    if value is None:
        return None
    day = _cell_date(value, "日期")
    if day is not None:
        return day
    text = str(value).strip()
    value = _normalise(text)
    if not value:
        return None
    day = _exact_day(value, year, text)
    if day is None:
        raise DateProblem(f"“{text}”不是具体日期（应为 2026年3月5日、2026.3.5、2026/3/5 或 Excel 日期）")
    return day


def title_year(*texts: object) -> int | None:
    """The year named in a sheet's title rows, e.g. 2026 in "2026年重点工作督查台账"."""
    for text in texts:
        if isinstance(text, str):
            match = _TITLE_YEAR.search(unicodedata.normalize("NFKC", text))
            if match:
                return int(match.group(1))
    return None
