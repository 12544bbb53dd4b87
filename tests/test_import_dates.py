"""The 时限 / 交办 cell reader of duban import (DOMAIN.md §8), table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from duban.xlsx_dates import DateProblem, DueCell, parse_day, parse_due, title_year

D = dt.date

DUE_CASES = [
    # (cell, year of the sheet, expected) — every form of DOMAIN.md §8, then variants
    (dt.datetime(2026, 6, 30), None, DueCell(D(2026, 6, 30))),  # a real Excel date (openpyxl gives datetime)
    (D(2026, 6, 30), None, DueCell(D(2026, 6, 30))),
    ("2026年6月30日", None, DueCell(D(2026, 6, 30))),
    ("2026.6.30", None, DueCell(D(2026, 6, 30))),
    ("2026/6/30", None, DueCell(D(2026, 6, 30))),
    ("6月30日前", 2026, DueCell(D(2026, 6, 30))),
    ("6月底", 2026, DueCell(D(2026, 6, 30))),
    ("年底前", 2026, DueCell(D(2026, 12, 31))),
    ("三季度末", 2026, DueCell(D(2026, 9, 30))),
    ("长期", None, DueCell(None, True)),
    ("持续推进", None, DueCell(None, True)),
    # variants seen in real sheets
    ("2026-06-30", None, DueCell(D(2026, 6, 30))),
    ("2026-06-30 00:00:00", None, DueCell(D(2026, 6, 30))),
    ("２０２６年６月３０日", None, DueCell(D(2026, 6, 30))),
    (" 2026年6月30日前完成。", None, DueCell(D(2026, 6, 30))),
    ("2026年6月30日", 2025, DueCell(D(2026, 6, 30))),  # a written year beats the sheet's
    ("12月31日", 2026, DueCell(D(2026, 12, 31))),
    ("6月30号", 2026, DueCell(D(2026, 6, 30))),
    ("12月31日止", 2026, DueCell(D(2026, 12, 31))),
    ("2月底", 2028, DueCell(D(2028, 2, 29))),  # leap year
    ("6月末", 2026, DueCell(D(2026, 6, 30))),
    ("6月底前完成", 2026, DueCell(D(2026, 6, 30))),
    ("6月", 2026, DueCell(D(2026, 6, 30))),
    ("2026年6月", None, DueCell(D(2026, 6, 30))),
    ("6月上旬", 2026, DueCell(D(2026, 6, 10))),
    ("6月中旬", 2026, DueCell(D(2026, 6, 20))),
    ("6月下旬", 2026, DueCell(D(2026, 6, 30))),
    ("年底", 2026, DueCell(D(2026, 12, 31))),
    ("年内", 2026, DueCell(D(2026, 12, 31))),
    ("2027年底前", 2026, DueCell(D(2027, 12, 31))),
    ("今年年底", 2026, DueCell(D(2026, 12, 31))),
    ("一季度末", 2026, DueCell(D(2026, 3, 31))),
    ("第二季度末", 2026, DueCell(D(2026, 6, 30))),
    ("4季度末前", 2026, DueCell(D(2026, 12, 31))),
    ("三季度", 2026, DueCell(D(2026, 9, 30))),
    ("上半年", 2026, DueCell(D(2026, 6, 30))),
    ("下半年", 2026, DueCell(D(2026, 12, 31))),
    ("长期坚持", None, DueCell(None, True)),
    ("常态化推进", None, DueCell(None, True)),
    (None, 2026, None),
    ("", 2026, None),
    ("   ", 2026, None),
]


@pytest.mark.parametrize("cell, year, expected", DUE_CASES)
def test_due_cell(cell, year, expected):
    assert parse_due(cell, year) == expected


BAD_DUE = [
    # (cell, year, words the reason must contain)
    ("6月底", None, "没有写年份"),
    ("三季度末", None, "没有写年份"),
    ("年底前", None, "没有写年份"),
    ("6月前", 2026, "有歧义"),
    ("三季度前", 2026, "有歧义"),
    ("2026年2月30日", None, "不是存在的日期"),
    ("13月底", 2026, "月份 13 不存在"),
    ("3月底前完成方案，6月底前全面完成", 2026, "含有多个时间"),
    ("尽快", 2026, "无法识别的时限“尽快”"),
    ("年前", 2026, "无法识别"),
    ("6.30", 2026, "无法识别"),
    (46203, 2026, "是数字 46203，不是日期"),
    (6.5, 2026, "是数字 6.5"),
    (dt.time(9, 30), 2026, "是时间"),
    ("1999年6月30日", None, "年份 1999 超出范围"),
    (dt.datetime(2150, 1, 1), None, "超出范围"),
]


@pytest.mark.parametrize("cell, year, words", BAD_DUE)
def test_unreadable_due_cell_is_a_problem_never_a_guess(cell, year, words):
    with pytest.raises(DateProblem) as caught:
        parse_due(cell, year)
    assert words in caught.value.message


@pytest.mark.parametrize("cell, year, expected", [
    (dt.datetime(2026, 3, 5, 0, 0), None, D(2026, 3, 5)),
    ("2026年3月5日", None, D(2026, 3, 5)),
    ("2026.3.5", None, D(2026, 3, 5)),
    ("2026/3/5", None, D(2026, 3, 5)),
    ("3月5日", 2026, D(2026, 3, 5)),
    (None, 2026, None),
    ("", 2026, None),
])
def test_assigned_day_cell(cell, year, expected):
    assert parse_day(cell, year) == expected


@pytest.mark.parametrize("cell, year, words", [
    ("3月初", 2026, "不是具体日期"),
    ("6月底", 2026, "不是具体日期"),
    ("长期", 2026, "不是具体日期"),
    ("3月5日", None, "没有写年份"),
    (20260305, 2026, "是数字"),
])
def test_assigned_day_must_be_one_day(cell, year, words):
    with pytest.raises(DateProblem) as caught:
        parse_day(cell, year)
    assert words in caught.value.message


@pytest.mark.parametrize("texts, expected", [
    (("2026年重点工作督查台账",), 2026),
    (("市政府督查室", "２０２５年度督办事项清单"), 2025),
    (("填报单位：督查室", None, 12), None),
    (("重点工作台账",), None),
])
def test_title_year(texts, expected):
    assert title_year(*texts) == expected


def test_a_date_cell_over_100_characters_is_not_a_date_and_is_read_in_linear_time():
    # 20,000 spaces in a 时限 cell took 6 s in the time-tail pattern (issue #15)
    import time

    cell = "2026年6月30日" + " " * 20_000 + "前"
    started = time.perf_counter()
    with pytest.raises(DateProblem) as caught:
        parse_due(cell, 2026)
    assert time.perf_counter() - started < 0.05
    assert caught.value.message == f"单元格内容有 {len(cell)} 个字符，超过 100 个，不是日期"
    with pytest.raises(DateProblem):
        parse_day("2026-03-05" + " " * 200 + "x", 2026)
    assert parse_due("2026年6月30日" + " " * 80 + "前", 2026).due.isoformat() == "2026-06-30"  # 100 or fewer: read
