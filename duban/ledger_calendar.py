"""The ledger's working-day calendar: overrides, entered years, estimated years, recompute on entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from . import clock
from .errors import InvalidInput
from .models import (
    EventKind,
    Item,
    Unit,
)
from .workdays import WorkCalendar, builtin_years
from .ledger_rows import (
    BAD_CALENDAR_DAY,
)


if TYPE_CHECKING:  # pragma: no cover
    from .calendar_entry import CalendarEntry


class CalendarBook:
    """The ledger's working-day calendar: overrides, entered years, estimated years, recompute on entry. A mixin of :class:`duban.ledger.Ledger`."""

    # -- calendar -----------------------------------------------------------------------
    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = self._make_calendar()
        return self._calendar

    def _make_calendar(self, extra: Sequence[tuple[dt.date, bool, str | None]] = (),
                       extra_years: Iterable[int] = (), warn: bool = True) -> WorkCalendar:
        """The ledger's calendar, with ``extra`` entries as if already entered (for ``--dry-run``)."""
        overrides = {}
        for day, workday in self.db.execute("SELECT day, workday FROM calendar_days"):
            try:  # a row written by hand or another tool must not stop every command
                when = dt.date.fromisoformat(day)
                if workday not in (0, 1) or clock.out_of_range(when):
                    raise ValueError(day)
            except (TypeError, ValueError):
                if not warn:
                    continue
                self.warnings.append(f"警告：日历表中“{day}”（workday={workday}）无效，已忽略；"
                                     "请用 duban check 查看并用 calendar add-holiday / add-workday 重新录入")
                continue
            overrides[when] = bool(workday)
        overrides.update({day: workday for day, workday, _ in extra})
        known = builtin_years()
        years = {r[0] for r in self.db.execute("SELECT year FROM calendar_years")} | set(extra_years)
        return WorkCalendar(overrides, entered_years={y for y in years if y not in known})

    def estimated_notice(self) -> str | None:
        """The one stderr line for a command whose answers depended on an estimated year, or None."""
        cal = self._calendar
        if cal is None or not cal.estimated_used:
            return None
        years = "、".join(f"{y}年" for y in sorted(cal.estimated_used))
        return (f"提示：{years}的节假日安排尚未录入，已按《全国年节及纪念日放假办法》的法定节假日估算（调休未知，"
                f"相关时限标记“时限待核”）；收到国务院办公厅通知后请运行 duban calendar import 通知.txt")

    def set_calendar_days(self, entries: Sequence[tuple[dt.date, bool, str | None]]) -> int:
        """Record holidays (``workday`` False) and make-up working days, all in one write."""
        return self.enter_calendar(entries).count

    def enter_calendar(self, entries: Sequence[tuple[dt.date, bool, str | None]], dry_run: bool = False,
                       years: Iterable[int] | None = None) -> "CalendarEntry":
        """Enter days (or a whole year) of the holiday schedule, and recompute the deadlines it settles.

        In the same transaction every live assignment whose deadline was counted as N working days
        on an estimated year is recounted from its 交办 date: one `due_recomputed` event each
        (:mod:`duban.calendar_entry`). With ``dry_run`` nothing is written. ``years``: the years whose
        schedule this entry gives (a notice's year; by default every year of the entries).
        """
        from . import calendar_entry

        if not entries:
            raise InvalidInput("请至少给出一个日期")
        entries = sorted(entries)
        years = sorted(set(years) if years is not None else {d.year for d, _, _ in entries})
        before = frozenset(self.calendar.entered_years)  # a “时限待核” flag shows only on a year not entered yet
        if dry_run:
            plan = calendar_entry.plan(self._recompute_candidates(years), years, self._make_calendar(entries, years),
                                       before)
            self.warnings.extend(plan.warnings)
            return calendar_entry.CalendarEntry(len(entries), plan)
        with self._write():
            for day, workday, note in entries:
                self.db.execute(
                    "INSERT INTO calendar_days (day, workday, note) VALUES (?, ?, ?)"
                    " ON CONFLICT(day) DO UPDATE SET workday = excluded.workday, note = excluded.note",
                    [day.isoformat(), int(workday), note],
                )
            holidays = [d.isoformat() for d, w, _ in entries if not w]
            workdays = [d.isoformat() for d, w, _ in entries if w]
            parts = ([f"放假 {'、'.join(holidays)}"] if holidays else []) + (
                [f"调休上班 {'、'.join(workdays)}"] if workdays else [])
            data: dict[str, Any] = {"holidays": holidays, "workdays": workdays}
            # rows no command could have written (a bad date, workday not 0/1) go, on the record
            bad = [str(r[0]) for r in self.db.execute(f"SELECT day FROM calendar_days WHERE {BAD_CALENDAR_DAY}")]
            if bad:
                self.db.execute(f"DELETE FROM calendar_days WHERE {BAD_CALENDAR_DAY}")
                parts.append(f"删除无效日历行 {'、'.join(bad)}")
                data["removed_invalid"] = bad
            for year in years:
                self.db.execute("INSERT INTO calendar_years (year, entered_on) VALUES (?, ?)"
                                " ON CONFLICT(year) DO NOTHING", [year, self.today.isoformat()])
            data["years"] = years
            self._log("calendar_changed", "录入日历：" + "；".join(parts), data=data)
            self._calendar = None
            self._schedule_calendar(entries[0][0], min([entries[0][0], *(dt.date(y, 1, 1) for y in years)]))
            plan = calendar_entry.plan(self._recompute_candidates(years), years, self.calendar, before)
            latest = self._latest_event_dates([r.item.id for r in plan.recomputed])
            current: dict[int, Item] = {}
            for r in plan.recomputed:
                if (latest.get(r.item.id) or "") > self.today.isoformat():
                    plan.skipped.append(r)
                    self.warnings.append(f"提示：事项 #{r.item.id} 已有 {latest[r.item.id]} 的记录，未在 "
                                         f"{self.today.isoformat()} 重算其时限（{r.text}）")
                    continue
                item = current.get(r.item.id, r.item)
                current[r.item.id] = self._apply(item, EventKind.DUE_RECOMPUTED, r.detail,
                                                 Unit(id=r.assignment.unit_id, name=r.assignment.unit), r.data)
        self.warnings.extend(plan.warnings)
        return calendar_entry.CalendarEntry(len(entries), plan)

    def _recompute_candidates(self, years: Sequence[int]) -> list[Item]:
        """Items with a live deadline counted on an estimated year, or falling in one of ``years``."""
        marks = ",".join("?" * len(years))
        return self._items_where(
            "i.id IN (SELECT item_id FROM assignments WHERE status IN ('open', 'paused') AND due IS NOT NULL"
            f" AND (due_basis IN ('estimated', 'weekends') OR CAST(substr(due, 1, 4) AS INTEGER) IN ({marks})))",
            [*years])

    def _latest_event_dates(self, item_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        ids = sorted(set(item_ids))
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            found.update(self.db.execute(
                f"SELECT item_id, max(at) FROM events WHERE item_id IN ({','.join('?' * len(chunk))}) GROUP BY item_id",
                chunk).fetchall())
        return found

    def calendar_entries(self, year: int) -> list[tuple[dt.date, bool, str | None]]:
        rows = self.db.execute(
            f"SELECT day, workday, note FROM calendar_days WHERE day LIKE ? AND NOT ({BAD_CALENDAR_DAY})"
            " ORDER BY day", [f"{year:04d}-%"]
        )
        return [(dt.date.fromisoformat(d), bool(w), n) for d, w, n in rows]
