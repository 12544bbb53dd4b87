"""Reading the State Council's holiday notice (国务院办公厅关于××××年部分节假日安排的通知).

A clerk pastes the notice as published — from the government site or a newspaper, full-width
punctuation, with or without the header and closing paragraphs — and duban reads the days off
and the 调休 working days from its numbered paragraphs. Every form used since 2008 is read:

- "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
- "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。…"
- "四、劳动节：5月1日放假，与周末连休。" / "一、元旦：1月1日放假，1月2日（星期一）补休。"
- "一、元旦：2007年12月30日—2008年1月1日放假，共3天。其中，1月1日（星期二）为法定节假日，…"
  (2008: the 其中 sentence names days already covered; each must be accounted for).

Nothing is guessed: a weekday written beside a date must match the date, "共N天" must match
the days read, every date of a paragraph must end up a day off or a working day, and a line
that names holiday dates outside a numbered paragraph is refused — naming the line. Pure: text
in, entries out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidInput

ONE_DAY = dt.timedelta(days=1)

_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_RANGE_SEP = re.compile(r"^\s*(?:至|—+|–|-|~|到)\s*$")
_PARAGRAPH = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]\s*)?([^:：()]{1,40}?)\s*:(.*)$")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_TOTAL = re.compile(r"(?:共|放假)([0-9一二三四五六七八九十]+)天")
_CN_NUMBERS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
# Clauses that only explain (2008–2011 forms, 2025 "不调休"): their dates must already be accounted for.
_INFO_WORDS = ("其中", "法定节假日", "公休", "调至", "连休", "不调休", "共", "天")
# A date on a line outside the numbered paragraphs followed by one of these is a holiday date we would miss.
_LOOSE_DATE_USE = re.compile(r"^\s*(?:至|—|–|-|~|到|放假|上班|补休|、)")
# A paragraph is named after a holiday (or the 2015 纪念日): "一、元旦：", "六、中秋节、国庆节：".
_HOLIDAY_WORDS = ("元旦", "春节", "清明", "劳动", "五一", "端午", "中秋", "国庆", "纪念日")


@dataclass(frozen=True)
class NoticeDay:
    day: dt.date
    workday: bool
    note: str

    def record(self) -> dict:
        return {"date": self.day.isoformat(), "workday": self.workday, "note": self.note}


@dataclass(frozen=True)
class Notice:
    year: int
    days: tuple[NoticeDay, ...]  # sorted by date

    def entries(self) -> list[tuple[dt.date, bool, str]]:
        return [(d.day, d.workday, d.note) for d in self.days]


def looks_like_notice(text: str) -> bool:
    """True for the notice's text (as opposed to "日期,休/班" lines)."""
    return "放假" in unicodedata.normalize("NFKC", text)


def notice_year(text: str) -> int | None:
    normal = unicodedata.normalize("NFKC", text)
    found = (re.search(r"关于\s*(\d{4})\s*年", normal) or re.search(r"(\d{4})\s*年\s*部分节假日安排", normal)
             or re.search(r"现将\s*(\d{4})\s*年", normal))
    return int(found.group(1)) if found else None


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_NUMBERS[text[1]]
    if text.endswith("十"):
        return 10 * _CN_NUMBERS[text[0]]
    return _CN_NUMBERS[text[0]] * 10 + _CN_NUMBERS[text[-1]] if len(text) == 3 else _CN_NUMBERS[text]


def _split_outside_parens(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


class _Reader:
    """Reads one paragraph, keeping the month and year a bare "3日" continues from."""

    def __init__(self, year: int, where: str, line: str):
        self.year, self.where, self.line = year, where, line
        self.month: int | None = None
        self.explicit_year: int | None = None
        self.notes: list[tuple[dt.date, str]] = []  # (date as read, its annotation), checked at the end

    def fail(self, why: str) -> InvalidInput:
        return InvalidInput(f"{self.where}无法完整读取（{why}）：“{self.line.strip()}”")

    def dates(self, clause: str) -> list[tuple[dt.date, re.Match]]:
        found = []
        for m in _DATE.finditer(clause):
            year_text, month_text, day_text, note = m.groups()
            if month_text is None and self.month is None:
                raise self.fail(f"“{m.group(0)}”没有月份")
            month = int(month_text) if month_text else self.month
            if year_text:
                year = self.explicit_year = int(year_text)
            elif month_text is None and self.explicit_year is not None:
                year = self.explicit_year
            else:
                year = self.year
                self.explicit_year = None
            try:
                day = dt.date(year, month, int(day_text))
            except ValueError:
                raise self.fail(f"日期“{m.group(0)}”不存在") from None
            self.month = month
            if note:
                self.notes.append((day, note))
            found.append((day, m))
        return found

    def check_weekdays(self, shift) -> None:
        """A weekday written beside a date must be that date's (a wrong year shows here first)."""
        for day, note in self.notes:
            day = shift(day)
            weekday = _WEEKDAY.search(note)
            if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
                said = "一二三四五六日"[day.weekday()]
                raise self.fail(f"{day.month}月{day.day}日标注为{weekday.group(0)}，但{day.year}年该日是周{said}，"
                                "请核对年份")


def _december_shift(days: list[dt.date], year: int):
    """A bare "12月31日" in a paragraph that also has January dates belongs to the year before."""
    if any(d.month == 1 and d.year == year for d in days):
        return lambda d: d.replace(year=year - 1) if d.month == 12 and d.year == year else d
    return lambda d: d


def _paragraph(name: str, body: str, year: int, where: str, line: str) -> tuple[set[dt.date], set[dt.date]]:
    """The days off and the working days one numbered paragraph gives."""
    reader = _Reader(year, where, line)
    off: list[dt.date] = []
    work: list[dt.date] = []
    mentioned: list[dt.date] = []
    stated_total: int | None = None
    for sentence in _split_outside_parens(body, "。;"):
        if "鼓励" in sentence:  # 2024: 鼓励…安排职工在除夕（2月9日）休息 — advice, not a day off
            continue
        for clause in _split_outside_parens(sentence, ","):
            found = reader.dates(clause)
            plain = re.sub(r"\([^()]*\)", "", clause)
            total = _TOTAL.search(plain)
            if total:
                stated_total = _number(total.group(1))
            if not found:
                if not any(w in plain for w in (*_INFO_WORDS, "放假", "上班", "补休", "调休")):
                    raise reader.fail(f"“{clause}”")
                continue
            days = [d for d, _ in found]
            if "上班" in plain:
                work += days
            elif "补休" in plain:
                off += days
            elif "放假" in plain:
                if len(found) == 2 and _RANGE_SEP.match(clause[found[0][1].end():found[1][1].start()]):
                    first, last = days
                    if last < first and last.month < first.month:  # "12月31日至1月2日": across the year end
                        first = first.replace(year=first.year - 1)
                    if last < first:
                        raise reader.fail(f"{first.isoformat()} 晚于 {last.isoformat()}")
                    if (last - first).days > 40:
                        raise reader.fail(f"放假时段 {first.isoformat()} 至 {last.isoformat()} 过长")
                    off += [first + ONE_DAY * k for k in range((last - first).days + 1)]
                else:
                    for (_, a), (_, b) in zip(found, found[1:]):
                        if clause[a.end():b.start()].strip() not in ("、", "和", "及"):
                            raise reader.fail(f"“{clause}”")
                    off += days
            elif any(w in plain for w in _INFO_WORDS):
                mentioned += days
            else:
                raise reader.fail(f"“{clause}”")
    shift = _december_shift(off + work + mentioned, year)
    reader.check_weekdays(shift)
    off_set = {shift(d) for d in off}
    work_set = {shift(d) for d in work}
    if not off_set and not work_set:
        raise reader.fail("没有读到放假或上班日期")
    if stated_total is not None and stated_total != len(off_set):
        raise reader.fail(f"写明共{stated_total}天，读到放假 {len(off_set)} 天")
    both = off_set & work_set
    if both:
        raise reader.fail(f"{min(both).isoformat()} 既是放假日又是上班日")
    for day in map(shift, mentioned):
        if day not in off_set and day not in work_set:
            raise reader.fail(f"{day.isoformat()} 既不在放假时段内，也未写明上班")
    return off_set, work_set


_STARTS_PARAGRAPH = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")


def _logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Lines with a paragraph that a PDF or a narrow column broke in two joined again (numbered by its first).

    A holiday paragraph ends with "。"; a line after one that does not, and that starts no new
    paragraph, continues it.
    """
    joined: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if joined and text and not _STARTS_PARAGRAPH.match(text):
            first, before = joined[-1]
            normal = unicodedata.normalize("NFKC", before).strip()
            if _STARTS_PARAGRAPH.match(normal) and ":" in normal and not normal.endswith("。"):
                joined[-1] = (first, before.rstrip() + text)
                continue
        joined.append((number, raw))
    return joined


def parse_notice(text: str, year: int | None = None, source: str = "通知") -> Notice:
    """The days off and 调休 working days of a holiday notice; InvalidInput names the line it cannot read."""
    raw_lines = text.splitlines()
    title_year = notice_year(text)
    if title_year is not None and year is not None and title_year != year:
        raise InvalidInput(f"{source}标题为{title_year}年的安排，与 --year {year} 不一致")
    year = title_year or year
    if year is None:
        raise InvalidInput(f"{source}中没有“关于××××年部分节假日安排”的标题，请用 --year 指定年份")
    if not 1900 <= year <= 2200:
        raise InvalidInput(f"年份 {year} 超出范围")
    days: dict[dt.date, NoticeDay] = {}
    read_on: dict[dt.date, int] = {}  # the line each day was first read on
    for number, raw in _logical_lines(raw_lines):
        line = unicodedata.normalize("NFKC", raw)
        where = f"{source}第{number}行"
        for piece in re.split(r"(?=(?<![一二三四五六七八九十])[一二三四五六七八九十]+、[^、:]{1,20}:)", line):
            if not piece.strip():
                continue
            match = _PARAGRAPH.match(piece)
            body = match.group(2) if match else ""
            name = match.group(1).strip() if match else ""
            if match and any(w in name for w in _HOLIDAY_WORDS) and not _DATE.search(body) \
                    and _STARTS_PARAGRAPH.match(piece) and ("放假" in body or "上班" in body or not body.strip()):
                raise InvalidInput(f"{where}无法完整读取（“{name}”一项中没有日期）：“{raw.strip()}”")
            if not match or not _DATE.search(body) or not any(w in name for w in _HOLIDAY_WORDS):
                if any(_LOOSE_DATE_USE.match(piece[m.end():]) for m in _DATE.finditer(piece)):
                    raise InvalidInput(f"{where}无法完整读取（不在“一、元旦：…”这样的分项中）：“{raw.strip()}”")
                continue
            off, work = _paragraph(name, body, year, where, raw)
            for day, workday in [(d, False) for d in sorted(off)] + [(d, True) for d in sorted(work)]:
                if not year - 1 <= day.year <= year + 1:
                    raise InvalidInput(f"{where}的日期 {day.isoformat()} 不在{year}年前后")
                before = days.get(day)
                if before is not None and before.workday != workday:
                    raise InvalidInput(f"{where}：{day.isoformat()} 在第{read_on[day]}行中是"
                                       f"{'上班日' if before.workday else '放假日'}，此处相反")
                if before is None:
                    days[day] = NoticeDay(day, workday, f"{name}调休上班" if workday else name)
                    read_on[day] = number
    if not days:
        raise InvalidInput(f"{source}中没有读到任何放假安排（应有“一、元旦：1月1日放假……”这样的分项）")
    return Notice(year, tuple(days[d] for d in sorted(days)))
