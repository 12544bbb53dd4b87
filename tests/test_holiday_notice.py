"""The State Council's holiday notice as input (duban.holiday_notice, ``calendar import``; issue 13).

tests/data/notices/ holds the holiday paragraphs of the notices as published (国务院办公厅关于××××年
部分节假日安排的通知; 2026 with its header and closing paragraphs). Each year is compared with
chinese-calendar: every weekday day off and every 调休 working day must agree, except where the
package carries later changes — 2015-09-03 (a separate notice), the 2019 劳动节 (changed in March
2019) and the 2020 春节 extension — and the 元旦 days of the year before, which that year's package
data holds. Those years are compared with the notice as published.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import chinese_calendar
import pytest

from duban.errors import InvalidInput
from duban.holiday_notice import parse_notice

DATA = Path(__file__).parent / "data" / "notices"
D = dt.date.fromisoformat

# Where the notice as published differs from chinese-calendar's later data: (weekday days off, 调休 workdays)
PUBLISHED_NOT_PACKAGE = {
    2015: ({"2015-09-03", "2015-09-04"}, {"2015-09-06"}),  # 抗战胜利70周年纪念日: a later notice
    2018: ({"2018-12-31"}, {"2018-12-29"}),  # the 2019 元旦, published in the 2019 notice
    2019: ({"2019-05-02", "2019-05-03"}, {"2019-04-28", "2019-05-05"}),  # 劳动节 extended in 2019-03
    2020: ({"2020-01-31"}, {"2020-02-01"}),  # 春节 extended for the epidemic (国办发明电〔2020〕1号)
}
YEARS = [2008, 2012, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]


def _year_days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=k) for k in range((dt.date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", YEARS)
def test_notice_agrees_with_chinese_calendar(year):
    notice = parse_notice((DATA / f"{year}.txt").read_text(encoding="utf-8"), year=year)
    assert notice.year == year
    off = {d.day for d in notice.days if not d.workday and d.day.year == year and d.day.weekday() < 5}
    work = {d.day for d in notice.days if d.workday and d.day.year == year}
    package_off = {d for d in _year_days(year) if d.weekday() < 5 and not chinese_calendar.is_workday(d)}
    package_work = {d for d in _year_days(year) if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    expected_off, expected_work = PUBLISHED_NOT_PACKAGE.get(year, (set(), set()))
    assert {d.isoformat() for d in package_off ^ off} == expected_off
    assert {d.isoformat() for d in package_work ^ work} == expected_work
    assert all(d.day.weekday() >= 5 for d in notice.days if d.workday)  # 调休 working days are weekend days


def test_2019_and_2020_read_as_published():
    n2019 = {d.day.isoformat(): d for d in parse_notice((DATA / "2019.txt").read_text(encoding="utf-8")).days}
    assert n2019["2019-05-01"].workday is False and "2019-05-02" not in n2019  # 劳动节 1 day, as first published
    assert n2019["2018-12-29"].workday is True and n2019["2018-12-31"].note == "元旦"
    n2020 = {d.day.isoformat(): d for d in parse_notice((DATA / "2020.txt").read_text(encoding="utf-8")).days}
    assert n2020["2020-01-30"].workday is False and "2020-01-31" not in n2020
    assert n2020["2020-02-01"].workday is True  # a 调休 Saturday before the extension cancelled it


def test_2026_entries_are_every_day_of_each_range_with_its_note():
    notice = parse_notice((DATA / "2026.txt").read_text(encoding="utf-8"))
    records = [d.record() for d in notice.days]
    assert records[:4] == [
        {"date": "2026-01-01", "workday": False, "note": "元旦"},
        {"date": "2026-01-02", "workday": False, "note": "元旦"},
        {"date": "2026-01-03", "workday": False, "note": "元旦"},  # a Saturday inside the range: listed
        {"date": "2026-01-04", "workday": True, "note": "元旦调休上班"},
    ]
    spring = [r["date"] for r in records if r["note"] == "春节"]
    assert spring == [f"2026-02-{d}" for d in range(15, 24)]  # 共9天, weekends included
    assert [r["date"] for r in records if r["note"] == "国庆节调休上班"] == ["2026-09-20", "2026-10-10"]
    assert len(records) == 39
    assert records == sorted(records, key=lambda r: r["date"])


FORMS = [
    # (text, year, expected {date: workday}, why)
    ("四、劳动节：5月1日放假，与周末连休。", 2016, {"2016-05-01": False}, "与周末连休: only the day named"),
    ("一、元旦：1月1日放假，1月2日（星期一）补休。", 2017, {"2017-01-01": False, "2017-01-02": False}, "补休"),
    ("六、中秋节、国庆节：10月1日至8日放假调休，共8天。9月30日（星期六）上班。", 2017,
     {**{f"2017-10-0{d}": False for d in range(1, 9)}, "2017-09-30": True}, "two holidays in one paragraph"),
    ("一、元旦：12月31日至1月2日放假调休，共3天。", 2023,
     {"2022-12-31": False, "2023-01-01": False, "2023-01-02": False}, "across the year end, no years written"),
    ("二、春节：1月27日至2月2日放假调休，共7天。1月22日(星期日)、2月4日(星期六)上班。", 2017,
     {**{f"2017-01-{d}": False for d in range(27, 32)}, "2017-02-01": False, "2017-02-02": False,
      "2017-01-22": True, "2017-02-04": True}, "across a month end, half-width brackets"),
    ("五、端午节：6月12日至14日放假，共3天。6月12日（周六）", 2021, None, "a bare date clause is not read"),
    ("一、元旦：1月1日（周三）放假1天，不调休。", 2025, {"2025-01-01": False}, "2025 form: 放假1天，不调休"),
    ("一、元旦：１月１日（周三）放假１天，不调休。", 2025, {"2025-01-01": False}, "full-width digits"),
    ("一、元旦：1月1日放假，与周末连休。二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。",
     2024, {"2024-01-01": False, **{f"2024-02-{d}": False for d in range(10, 18)}, "2024-02-04": True,
            "2024-02-18": True}, "paragraphs pasted on one line"),
    ("五、端午节：6月12日至14日放假，共3天。6月13日（星期日）、14日（星期一）", 2021, None, "dates with no verb"),
    ("二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、18日（星期日）上班。", 2024,
     {**{f"2024-02-{d}": False for d in range(10, 18)}, "2024-02-04": True, "2024-02-18": True},
     "a bare 18日 continues the month before"),
]


@pytest.mark.parametrize(("text", "year", "expected", "why"), FORMS, ids=[f[3] for f in FORMS])
def test_forms(text, year, expected, why):
    if expected is None:
        with pytest.raises(InvalidInput, match="第1行无法完整读取"):
            parse_notice(text, year=year)
        return
    notice = parse_notice(text, year=year)
    assert {d.day.isoformat(): d.workday for d in notice.days} == expected, why


REFUSED = [
    ("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。", 2027,
     "通知第1行无法完整读取（1月1日标注为周四，但2027年该日是周五，请核对年份）"),
    ("一、元旦：1月1日至3日放假调休，共4天。", 2026, "通知第1行无法完整读取（写明共4天，读到放假 3 天）"),
    ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日至3日放假。\n另：1月4日上班。", None,
     "通知第3行无法完整读取（不在“一、元旦：…”这样的分项中）：“另：1月4日上班。”"),
    ("一、元旦：1月1日至3日放假。", None, "通知中没有“关于××××年部分节假日安排”的标题，请用 --year 指定年份"),
    ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日放假。", 2027,
     "通知标题为2026年的安排，与 --year 2027 不一致"),
    ("一、元旦：1月1日放假。1月1日上班。", 2026, "通知第1行无法完整读取（2026-01-01 既是放假日又是上班日）"),
    ("一、元旦：1月1日至3日放假调休，共3天。1月2日上班。", 2026,
     "通知第1行无法完整读取（2026-01-02 既是放假日又是上班日）"),
    ("一、元旦：1月1日至3日放假。\n二、春节：1月2日上班。", 2026, "通知第2行：2026-01-02 在第1行中是放假日，此处相反"),
    ("各省、自治区、直辖市人民政府：\n经国务院批准，现将有关安排通知如下。", 2026,
     "通知中没有读到任何放假安排（应有“一、元旦：1月1日放假……”这样的分项）"),
    ("一、元旦：1月1日至3日放假，由各地自行安排。", 2026, "通知第1行无法完整读取（“由各地自行安排”）"),
    ("一、元旦：1月1日放假。\n五、端午节：放假时间另行通知。", 2026, "通知第2行无法完整读取（“端午节”一项中没有日期）"),
]


@pytest.mark.parametrize(("text", "year", "message"), REFUSED, ids=[r[2][:24] for r in REFUSED])
def test_refused_naming_the_line(text, year, message):
    with pytest.raises(InvalidInput) as caught:
        parse_notice(text, year=year)
    assert caught.value.message.startswith(message), caught.value.message


# -- the command ---------------------------------------------------------------------------


def _calendar_rows(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM calendar_days").fetchone()[0]


def test_import_json_dry_run_prints_entries_and_writes_nothing(duban, tmp_path):
    assert duban("init").exit_code == 0
    result = duban("calendar", "import", str(DATA / "2026.txt"), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records[0] == {"date": "2026-01-01", "workday": False, "note": "元旦"}
    assert len(records) == 39
    assert "试运行" in result.stderr
    assert _calendar_rows(tmp_path / "test.db") == 0


def test_import_notice_with_year_option(duban, tmp_path):
    notice = tmp_path / "通知.txt"
    notice.write_text((DATA / "2018.txt").read_text(encoding="utf-8"), encoding="utf-8")  # no title
    assert duban("init").exit_code == 0
    refused = duban("calendar", "import", str(notice))
    assert refused.exit_code == 1
    assert refused.stderr == "错误：通知.txt中没有“关于××××年部分节假日安排”的标题，请用 --year 指定年份\n"
    result = duban("calendar", "import", str(notice), "--year", "2018")
    assert result.exit_code == 0, result.output
    assert "读到2018年节假日安排通知：放假 23 天、调休上班 6 天（通知.txt）" in result.stdout
    assert "已录入 29 个日期（通知.txt）" in result.stdout
    assert _calendar_rows(tmp_path / "test.db") == 29


def test_unreadable_notice_is_refused_and_nothing_written(duban, tmp_path):
    text = (DATA / "2026.txt").read_text(encoding="utf-8").replace("9月20日（周日）", "9月21日（周日）")
    notice = tmp_path / "通知.txt"
    notice.write_text(text, encoding="utf-8")
    assert duban("init").exit_code == 0
    result = duban("calendar", "import", str(notice))
    assert result.exit_code == 1
    assert result.stderr == ("错误：通知.txt第12行无法完整读取（9月21日标注为周日，但2026年该日是周一，请核对年份）："
                             "“七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月21日（周日）、10月10日（周六）上班。”\n")
    assert _calendar_rows(tmp_path / "test.db") == 0


def test_newspaper_paste_with_dateline_and_a_paragraph_broken_over_two_lines():
    text = ("新华社北京11月4日电　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节"
            "放假调休日期的具体安排通知如下。\n"
            "　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n"
            "　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日\n"
            "（周六）、2月28日（周六）上班。\n"
            "　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。\n")
    notice = parse_notice(text)
    assert notice.year == 2026
    assert [d.day.isoformat() for d in notice.days if d.workday] == ["2026-01-04", "2026-02-14", "2026-02-28"]
    assert len([d for d in notice.days if not d.workday]) == 12


def test_a_date_list_contradicting_itself_is_refused_naming_both_lines(duban, tmp_path):
    assert duban("init").exit_code == 0
    dates = tmp_path / "2027.txt"
    dates.write_text("2027-01-01,休,元旦\n2027-01-01,班,调休\n", encoding="utf-8")
    refused = duban("calendar", "import", str(dates))
    assert refused.exit_code == 1
    assert refused.stderr == "错误：2027.txt 第2行：2027-01-01 与第1行矛盾（第1行为休，此行为班）\n"
    assert _calendar_rows(tmp_path / "test.db") == 0
    dates.write_text("2027-01-01,休,元旦\n# 再列一次\n2027-01-02,休\n2027-01-01,休\n", encoding="utf-8")
    result = duban("calendar", "import", str(dates))
    assert result.exit_code == 0, result.output
    assert "读到日期清单：放假 2 天、调休上班 0 天（2027.txt）" in result.stdout
    assert "已录入 2 个日期（2027.txt）" in result.stdout
    assert _calendar_rows(tmp_path / "test.db") == 2
