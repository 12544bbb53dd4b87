"""``duban check``: the checks of the log itself and of the ledger's reference data.

* the event chain (duban/chain.py): every event's hash recomputed, the first broken link named,
  and the chain head (count, hash) compared with the one kept in ``event_chain`` — an edited
  detail, data or logged_at, an inserted or deleted event, a deleted newest event;
* stored settings that no longer parse, ``calendar_days`` rows no command could have written;
* a 督查专报 期号 used twice in one year.

Each function takes the open connection and ``add`` (appends a :class:`duban.check.Problem`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from . import chain
from . import settings as settings_mod


def chain_head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    row = conn.execute("SELECT count, head FROM event_chain WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


def check_chain(conn: sqlite3.Connection, add: Callable, problem: type) -> tuple[int, str]:
    """Recompute the chain over every event in id order; returns (events, head) as recomputed."""
    previous, count, broken = chain.GENESIS, 0, False
    link = chain.link
    columns = ", ".join(chain.COLUMNS)
    log = "event_log" if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'event_log'").fetchone() else "events"
    for row in conn.execute(f"SELECT {columns}, hash FROM {log} ORDER BY id"):  # voided events too (m016_undo)
        expected = link(previous, row[:-1])
        if row[-1] != expected and not broken:
            broken = True
            what = "没有留痕哈希（绕过 duban 写入）" if row[-1] is None else "内容与留痕哈希不符"
            add(problem("event_chain_broken",
                        f"留痕链在记录（编号 {row[0]}）处断开：该记录{what}，或其前面的记录被修改、删除、插入过；"
                        "此后的记录无法证明未被改动", row[1]))
        previous = row[-1] if row[-1] is not None else expected
        count += 1
    kept = chain_head(conn)
    if kept is None:
        add(problem("event_chain_head", "台账中没有保存留痕链头（event_chain），无法确认最新的记录未被删除"))
    elif kept != (count, previous):
        add(problem("event_chain_head",
                    f"保存的留痕链头为 {kept[0]} 条记录、{chain.short(kept[1])}，按记录重算为 {count} 条、"
                    f"{chain.short(previous)}：最新的记录可能被删除，或链头被改动"))
    return count, previous


def check_settings(conn: sqlite3.Connection, add: Callable, problem: type) -> None:
    stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    for key, text in stored.items():
        if key not in settings_mod.SETTINGS:
            add(problem("unknown_setting", f"设置表中有无法识别的设置项“{key}”（值“{text}”），不起作用"))
            continue
        bad: list[tuple[str, str, str]] = []
        settings_mod.resolve({key: text}, bad)
        for _, value, message in bad:
            default = settings_mod.to_text(settings_mod.SETTINGS[key].default)
            add(problem("bad_setting", f"设置项 {key} 的保存值“{value}”无效（{message}），各命令暂按默认值 {default} "
                                       f"执行；请用 duban rules set {key} 值 修复"))


def check_calendar(conn: sqlite3.Connection, add: Callable, problem: type) -> None:
    from .ledger import BAD_CALENDAR_DAY

    for day, workday in conn.execute(f"SELECT day, workday FROM calendar_days WHERE {BAD_CALENDAR_DAY}"):
        add(problem("bad_calendar_day", f"日历表中的日期“{day}”（workday={workday}）无效，各命令已忽略该行；"
                                        "再录入任意日历日期时会删除它（duban calendar add-holiday / add-workday）"))


def check_issue_numbers(conn: sqlite3.Connection, add: Callable, problem: type) -> None:
    # the year an issue is numbered in is its own (report_issues.year: 2026-W53 issued on 2027-01-01 is
    # 2027年第1期), not the year its period label starts with
    rows = conn.execute(
        "SELECT r.kind, coalesce(i.year, substr(r.period, 1, 4)) AS year, r.issue_no, group_concat(r.period, '、')"
        " FROM reports r LEFT JOIN report_issues i ON i.kind = r.kind AND i.period = r.period"
        " GROUP BY r.kind, year, r.issue_no HAVING count(*) > 1 ORDER BY 2, 3")
    for kind, year, number, periods in rows:
        add(problem("duplicate_issue_no", f"督查专报 {year}年第{number}期 用于多个周期（{periods}）：期号重复"))
