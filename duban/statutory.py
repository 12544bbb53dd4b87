"""The statutory holidays of a year nobody has published yet (DOMAIN.md §4).

《全国年节及纪念日放假办法》 (2024 revision, in force from 2025-01-01) fixes the days off of
every public holiday; only the State Council's yearly 调休 swaps are unknown in advance:

- 元旦 1月1日; 春节 农历除夕、正月初一至初三; 清明节 (the 清明 solar term); 劳动节 5月1日、2日;
  端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 10月1日至3日 (第二条);
- 第六条: a statutory day that falls on a Saturday or Sunday is made up (补假) — one weekday off
  for each, on the first weekdays right after the holiday.

The lunar dates and the solar term come from ``lunar-python`` (imported here only, when a year
past the package's range is first estimated). Pure: a year in, dates out.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

ONE_DAY = dt.timedelta(days=1)

# Holidays in the order of the 办法, with the source of each date.
NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


def _solar(lunar_date) -> dt.date:
    solar = lunar_date.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def statutory_days(year: int) -> dict[str, list[dt.date]]:
    """Each holiday's statutory days off in ``year`` (before 补假), by its Chinese name."""
    from lunar_python import Lunar

    new_year_lunar = _solar(Lunar.fromYmd(year, 1, 1))  # 正月初一
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return {
        "元旦": [dt.date(year, 1, 1)],
        "春节": [new_year_lunar + dt.timedelta(days=k) for k in range(-1, 3)],  # 除夕 = the day before 初一
        "清明节": [dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())],
        "劳动节": [dt.date(year, 5, 1), dt.date(year, 5, 2)],
        "端午节": [_solar(Lunar.fromYmd(year, 5, 5))],
        "中秋节": [_solar(Lunar.fromYmd(year, 8, 15))],
        "国庆节": [dt.date(year, 10, d) for d in (1, 2, 3)],
    }


@lru_cache(maxsize=32)
def holidays(year: int) -> dict[dt.date, str]:
    """Every day off of ``year`` the 办法 makes certain: statutory days and their 补假.

    The value names the holiday ("春节"; "春节补假" for a made-up day). 2027: 春节 02-05…02-08
    plus 补假 02-09、02-10 (初一、初二 fall on Saturday and Sunday).
    """
    off: dict[dt.date, str] = {}
    days = statutory_days(year)
    for name in NAMES:
        for day in days[name]:
            off.setdefault(day, name)
    for name in NAMES:
        owed = sum(day.weekday() >= 5 for day in days[name])
        day = max(days[name])
        while owed:
            day += ONE_DAY
            if day.weekday() < 5 and day not in off:
                off[day] = f"{name}补假"
                owed -= 1
    return {d: off[d] for d in sorted(off) if d.year == year}
