"""Reading today's lights from the ledger's schedules (issue #16): ``list``, ``overdue`` and the reads after them.

The schedules are kept in step with every write by :mod:`duban.ledger_schedule`; here they are read
back on one day: the stored words and counts put back with the ``workdays`` ordinals
(:mod:`duban.schedule`). Where an item has no usable row (a date outside the workdays table, an
import's items not built yet, or a ledger built by other rules) it is lit in Python, as before.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from . import schedule, workday_table


class ScheduleReads:
    """Reading the schedules. A mixin of :class:`duban.ledger.Ledger`."""

    _workdays_table: tuple[dt.date | None, dt.date | None] | None = None  # its first and last dates (read once)
    _schedule_ok: bool | None = None

    def schedules_usable(self) -> bool:
        """Whether today's lights can be read from the schedules: built by these rules, today in the table."""
        if self._schedule_ok is None:
            self.settings  # noqa: B018 (a bad stored setting is warned about, as when lighting in Python)
            self._schedule_ok = self._stored_fingerprint() == self._current_fingerprint()
        if self._workdays_table is None:
            self._workdays_table = workday_table.span(self.db)
        begin, end = self._workdays_table
        return self._schedule_ok and begin is not None and begin <= self.today <= end  # type: ignore[operator]

    def _reading(self, day: dt.date | None = None) -> tuple[schedule.Reading, set[str]]:
        """The :class:`duban.schedule.Reading` of ``day`` (default today), with the whole workdays table at
        hand (one query: a few thousand rows, fewer than the anchors of a large list), and the set of the
        years of the dates its counts were taken from (for :meth:`_note_estimated`, after the reading)."""
        table = dict(self.db.execute("SELECT date, ordinal FROM workdays").fetchall())
        years: set[str] = set()

        def ordinal(date: str) -> int:
            years.add(date[:4])
            return table[date]

        return schedule.Reading().day(table[(day or self.today).isoformat()], ordinal), years

    def schedule_on(self, day: dt.date | None = None, item_ids: Iterable[int] | None = None,
                    units: bool = False) -> dict[tuple[int, int | None], dict]:
        """The stored schedules read on ``day`` (default today): per item (unit None) or per open
        assignment (``units``), the light, code, reason, counts, level and words, numbers put back.
        An item whose schedule could not be stored (code ``python``) is left out: light it in Python."""
        day = day or self.today
        unit_sql = "s.unit_id IS NOT NULL" if units else "s.unit_id IS NULL"
        sql = (f"SELECT s.item_id, s.unit_id, s.light, s.code, s.level, s.reason, s.workdays_left, s.overdue_workdays,"
               f" s.late_workdays, s.feedback_late_workdays, s.status_text, s.level_reason, s.chase_reason, s.missed,"
               f" s.findings, s.feedback_due FROM schedules s WHERE {unit_sql} AND {_NOW}")
        params: list = [day.isoformat(), day.isoformat()]
        if item_ids is not None:
            sql += " AND s.item_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(set(item_ids))))
        rows = self.db.execute(sql, params).fetchall()
        reading, years = self._reading(day)
        thaw, render = reading.count, reading.words
        out = {}
        for r in rows:
            if r[3] == schedule.UNSCHEDULED:
                continue
            out[(r[0], r[1])] = {
                "light": r[2], "code": r[3], "level": r[4], "reason": render(r[5]),
                "workdays_left": thaw(r[6]), "overdue_workdays": thaw(r[7]),
                "late_workdays": thaw(r[8]), "feedback_late_workdays": thaw(r[9]),
                "status_text": render(r[10]), "level_reason": render(r[11]),
                "chase_reason": render(r[12]), "missed": r[13],
                "findings": json.loads(render(r[14])) if r[14] else [], "feedback_due": r[15]}
        self._note_estimated(day, years)
        return out

    def shown_lights(self, item) -> dict[int, tuple] | None:
        """``show``: today's light (with its findings) and level of each open assignment of ``item``, read
        from its schedule rows: unit id → (LightResult, Escalation). None where the schedules are not
        usable or an open assignment has no row today: then all of it is lit in Python."""
        from .models import Escalation, Finding, Light, LightResult, Status

        if not self.schedules_usable():
            return None
        rows = self.schedule_on(self.today, item_ids=[item.id], units=True)
        found = {}
        for a in item.assignments:
            if a.status is not Status.OPEN:
                continue
            r = rows.get((item.id, a.unit_id))
            if r is None:
                return None
            findings = tuple(Finding(kind, Light.of(code) if code else None, text) for kind, code, text in r["findings"])
            light = LightResult(Light.of(r["light"]) if r["light"] else None, r["reason"], r["workdays_left"],
                                r["overdue_workdays"], findings,
                                dt.date.fromisoformat(r["feedback_due"]) if r["feedback_due"] else None,
                                r["feedback_late_workdays"] or 0, r["late_workdays"] or 0)
            found[a.unit_id] = (light, Escalation(r["level"], r["level_reason"] or ""))
        return found

    def scheduled_item(self, item_id: int):
        """The item with today's light read from its schedule (``show``), else lit in Python."""
        item = self._load(item_id)  # (a missing item says so)
        if not self.schedules_usable():
            return self.view(item)
        return self._scheduled_views("i.id = ?", [item_id], None, self.parent_ids())[0]

    def _note_estimated(self, day: dt.date, anchors: Iterable[str]) -> None:
        """The estimated years a count read from the schedules spans, for the one stderr notice
        (:meth:`estimated_notice`), as counting them in Python would have noted them."""
        cal = self.calendar
        years = {int(a[:4]) for a in anchors}
        if not years:
            return
        for year in range(min(day.year, *years), max(day.year, *years) + 1):
            if cal.estimated(year):
                cal.estimated_used.add(year)

    def _scheduled_views(self, where: str, params: list, light_sql: str | None, parents: set[int]) -> list:
        """``list``: the items of ``where`` with today's light read from their schedules (one query), only
        those whose light matches ``light_sql`` (a condition on the schedule row ``s``) when given."""
        from .models import Light, LightResult

        day = self.today.isoformat()
        sql = (f"SELECT i.id, s.light, s.code, s.reason, s.workdays_left, s.overdue_workdays, s.late_workdays,"
               f" s.feedback_late_workdays, s.kinds"
               f" FROM items i LEFT JOIN schedules s ON s.item_id = i.id AND s.unit_id IS NULL"
               f" AND s.from_date <= ? AND s.until_date > ? WHERE {where}")
        if light_sql:
            sql += f" AND ({light_sql} OR s.code = '{schedule.UNSCHEDULED}' OR s.item_id IS NULL)"
        rows = self.db.execute(sql, [day, day, *params]).fetchall()
        if not rows:
            return []
        reading, years = self._reading()
        items = {it.id: it for it in self._items_where("i.id IN (SELECT value FROM json_each(?))",
                                                          [json.dumps([r[0] for r in rows])])}
        thaw, render, light_of = reading.count, reading.words, Light.of
        kinds: dict[str | None, frozenset[str]] = {}
        views = []
        for r in sorted(rows):
            item = items[r[0]]
            if r[2] is None and r[3] is None or r[2] == schedule.UNSCHEDULED:
                views.append(self.view(item, parents=parents))  # no usable row: lit in Python
                continue
            if r[8] not in kinds:
                kinds[r[8]] = frozenset(r[8].split(",")) if r[8] else frozenset()
            light = LightResult(light_of(r[1]) if r[1] else None, render(r[3]), thaw(r[4]), thaw(r[5]),
                                late_workdays=thaw(r[6]) or 0, feedback_late_workdays=thaw(r[7]) or 0,
                                kinds=kinds[r[8]])
            views.append(self._view_of(item, light))
        self._note_estimated(self.today, years)
        return views

    def assignment_lights(self, item_ids: Iterable[int]) -> dict[tuple[int, int], tuple]:
        """Today's light of each open assignment of ``item_ids`` that has a usable row, read from the
        schedules: (item id, unit id) → (Light or None, the kinds of its findings (a set), feedback late,
        late and left working days) — what the statistics ask of a light (:mod:`duban.reports`)."""
        from .models import Light

        day = self.today.isoformat()
        rows = self.db.execute(
            f"SELECT s.item_id, s.unit_id, s.light, s.kinds, s.feedback_late_workdays, s.late_workdays,"
            f" s.workdays_left FROM schedules s WHERE s.unit_id IS NOT NULL AND {_NOW}"
            f" AND s.item_id IN (SELECT value FROM json_each(?))", [day, day, json.dumps(sorted(set(item_ids)))]
        ).fetchall()
        if not rows:
            return {}
        reading, years = self._reading()
        thaw, light_of = reading.count, Light.of
        kinds: dict[str, frozenset[str]] = {}
        found = {}
        for item_id, unit_id, light, kind, fb_late, late, left in rows:
            if kind not in kinds:
                kinds[kind] = frozenset(kind.split(",")) if kind else frozenset()
            found[item_id, unit_id] = (light_of(light) if light else None, kinds[kind], thaw(fb_late) or 0,
                                       thaw(late) or 0, thaw(left))
        self._note_estimated(self.today, years)
        return found

    def _scheduled_overdue(self) -> list:
        """``overdue``: the red assignments of the items past a deadline or a lead milestone today, read
        from the schedules (their light, lateness, level and words), with their 催办 history."""
        from . import chase
        from .ledger_rows import PAST_DUE_SQL

        day = self.today.isoformat()
        rows = self.db.execute(
            f"""SELECT {_STANDING} FROM schedules s JOIN items i ON i.id = s.item_id
                WHERE s.unit_id IS NOT NULL AND s.light = 'red' AND {_NOW} AND i.created <= ?
                  AND s.item_id IN (SELECT item_id FROM schedules s WHERE s.unit_id IS NOT NULL AND {_NOW}
                                    AND s.code IN ('overdue', 'milestone'))""",
            [day, day, day, day, day]).fetchall()
        # items past a date with no usable row today (a date outside the table, or built after today): in Python
        odd = self._unscheduled(PAST_DUE_SQL, [day, day])
        found = chase.overdue(self.standings(overdue_only=True, item_ids=odd)) if odd else []
        return found + self._standings_of(rows)

    def _scheduled_chaseable(self) -> list:
        """``remind``: the open assignments with an escalation level today (the only ones
        :func:`duban.chase.plan` may chase), read from the schedules: light, lateness, level and the
        words of the notice (status_text, reason_text) and the level lateness alone gives today (on the
        day last chased: :meth:`pressure_on`, as plan asks it); with their 催办 history. The reasons of
        the light and of the level, which remind does not print, are left empty."""
        day = self.today.isoformat()
        rows = self.db.execute(
            f"SELECT {_STANDING_TO_CHASE} FROM schedules s JOIN items i ON i.id = s.item_id"
            f" WHERE s.unit_id IS NOT NULL AND s.level IS NOT NULL AND {_NOW} AND i.created <= ?",
            [day, day, day]).fetchall()
        odd = self._unscheduled("i.id IN (SELECT item_id FROM assignments WHERE status = 'open')", [])
        found = self.standings(item_ids=odd, chaseable=True) if odd else []
        return found + self._standings_of(rows)

    def _unscheduled(self, where: str, params: list) -> list[int]:
        """The items of ``where`` (created by today) with no usable row today: they are lit in Python."""
        day = self.today.isoformat()
        return [r[0] for r in self.db.execute(
            f"SELECT i.id FROM items i WHERE {where} AND i.created <= ? AND NOT EXISTS (SELECT 1 FROM"
            f" schedules s WHERE s.item_id = i.id AND s.unit_id IS NULL AND {_NOW}"
            f" AND s.code IS NOT '{schedule.UNSCHEDULED}')", [*params, day, day, day])]

    def _standings_of(self, rows: list) -> list:
        """The :class:`duban.chase.Standing` of each assignment row read (columns ``_STANDING``)."""
        from . import chase
        from .models import Escalation, Light, LightResult

        if not rows:
            return []
        ids = json.dumps(sorted({r[0] for r in rows}))
        reading, years = self._reading()
        items = {it.id: it for it in self._items_where("i.id IN (SELECT value FROM json_each(?))", [ids])}
        units = {u.id: u for u in self.units()}
        history = self._chase_history(ids)
        thaw, render, light_of = reading.count, reading.words, Light.of
        days: dict[str, dt.date] = {}
        none = chase.Chased()
        Standing = chase.Standing
        found = []
        for item_id, unit_id, level, reason, late, stated, level_reason, missed, light, fb_late, said, pressure in rows:
            item = items[item_id]
            a = next(a for a in item.assignments if a.unit_id == unit_id)
            lit = LightResult(light_of(light) if light else None, render(reason), late_workdays=thaw(late) or 0,
                              feedback_late_workdays=thaw(fb_late) or 0)
            if missed is not None and missed not in days:
                days[missed] = dt.date.fromisoformat(missed)
            found.append(Standing(item, a, units[unit_id], lit, Escalation(level, render(level_reason) or ""),
                                  history.get((item_id, unit_id), none), render(stated), days.get(missed),
                                  render(said), pressure))
        self._note_estimated(self.today, years)
        return found

    def pressure_on(self, s, day: dt.date) -> int | None:
        """The level lateness alone gave the assignment of standing ``s`` on ``day`` (a day it was chased):
        from the schedule row of that day, else (built after it) lit in Python (:func:`duban.chase.plan`)."""
        from . import chase, rules

        row = self.db.execute("SELECT s.pressure FROM schedules s WHERE s.item_id = ? AND s.unit_id = ?"
                              f" AND {_NOW}", [s.item.id, s.unit.id, day.isoformat(), day.isoformat()]).fetchone()
        if row is not None:
            return row[0]
        return chase.pressure(rules.assignment_light(s.assignment, s.item, day, self.calendar, self.settings),
                              self.settings)


_NOW = "s.from_date <= ? AND s.until_date > ?"
# the columns of an assignment's row that make its Standing (ScheduleReads._standings_of)
_STANDING = ("s.item_id, s.unit_id, s.level, s.reason, s.late_workdays, s.status_text, s.level_reason, s.missed,"
             " s.light, s.feedback_late_workdays, s.chase_reason, s.pressure")
# remind's: the same, without the reasons of the light and of the level (remind prints neither)
_STANDING_TO_CHASE = ("s.item_id, s.unit_id, s.level, '', s.late_workdays, s.status_text, NULL, s.missed,"
                      " s.light, s.feedback_late_workdays, s.chase_reason, s.pressure")
