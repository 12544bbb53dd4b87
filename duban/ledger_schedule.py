"""The ledger's schedules (issue #16): kept in step with every write (read back by :mod:`duban.ledger_lights`).

Every write marks what it touched (:meth:`_schedule_items`: the item written by ``_store``, the items
a 催办 went to; :meth:`_schedule_everything`: a setting; :meth:`_schedule_calendar`: a calendar entry);
just before the transaction commits, :meth:`_flush_schedules` recomputes those items' rows (and their
parent's: a split item is lit by its sub-items) with :func:`duban.schedule.item_rows`, in the same
transaction — or, past ``_schedule_slice`` items, lists them in ``schedule_pending`` and builds them a
slice per transaction once the write has committed (:meth:`_build_pending`). An import lists its items
there for the next command (:meth:`_schedule_later`). A calendar entry rebuilds the ``workdays`` table
from its first day on.

The rows are valid while the rules, the calendar package and the settings are those they were built
with: ``schedule_state.fingerprint`` records them, and a ledger opened by another version of duban
(or with another chinese-calendar) is rebuilt once, at open. Until then, or on a read-only ledger
built by another version, reads light items in Python as before (``schedules_usable``, in ledger_lights).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from . import schedule, workday_table

SCHEDULE_FORMAT = "1"
_SOURCES = ("rules.py", "chase.py", "workdays.py", "statutory.py", "settings.py", "ledger_clerk.py", "schedule.py",
            "models.py", "workday_table.py", "ledger_schedule.py")
_INSERT = ("INSERT INTO schedules (item_id, unit_id, from_date, until_date, light, code, level, reason, workdays_left,"
           " overdue_workdays, late_workdays, feedback_late_workdays, status_text, level_reason, chase_reason, missed,"
           " pressure, kinds, findings, feedback_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

# the items whose schedules a setting or the calendar can change (see _compute_schedules)
_LIVE = ("(i.id IN (SELECT item_id FROM assignments WHERE status = 'open')"
         " OR i.id IN (SELECT parent_id FROM items WHERE parent_id IS NOT NULL))")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What the stored schedules depend on besides the ledger: the rules' code and the calendar package."""
    import chinese_calendar

    from .workdays import builtin_years

    digest = hashlib.sha1()
    here = Path(__file__).parent
    for name in _SOURCES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # installed without sources (bytecode only): the installed version stands for them
            from importlib.metadata import version

            digest.update(f"{name}:{version('duban')}".encode())
    years = builtin_years()
    return (f"{SCHEDULE_FORMAT}:{getattr(chinese_calendar, '__version__', '?')}:{years.start}-{years.stop - 1}:"
            f"{workday_table.last_day().isoformat()}:{digest.hexdigest()[:16]}")


class ScheduleBook:
    """Keeping the schedules in step with the writes. A mixin of :class:`duban.ledger.Ledger`."""

    _schedule_dirty: set[int]
    _schedule_all: bool = False
    _schedule_restamp: bool = False  # settings no schedule reads changed: the rows stand, their stamp is renewed
    _workdays_from: dt.date | None = None
    _calendar_from: dt.date | None = None
    _schedule_slice = 1000  # items per transaction when a write's schedules are built after it (~0.5 s each)
    _schedule_build_after = False  # this write put items in schedule_pending: build them once it commits
    #: told how many items, before building more than a slice of schedules (the CLI says so on stderr)
    building_notice: Callable[[int], None] | None = None

    # -- marking, during a write --------------------------------------------------------------------
    def _schedule_items(self, item_ids: Iterable[int]) -> None:
        self._schedule_dirty.update(item_ids)

    def _schedule_later(self, item_ids: Iterable[int]) -> None:
        """Items whose schedules are built later (:meth:`_build_pending`; an import's, by the next command):
        until then every read lights them in Python, and the views show them 待计算."""
        self.db.conn.executemany("INSERT OR IGNORE INTO schedule_pending (item_id) VALUES (?)",
                                 ((i,) for i in item_ids))

    def _schedule_everything(self) -> None:
        """A setting changed: every item's schedule."""
        self._schedule_all = True

    def _schedule_calendar(self, day: dt.date, table_from: dt.date) -> None:
        """The calendar changed: working or not from ``day`` on (the first day entered), the workdays
        table's words from ``table_from`` (a year now entered is no longer "估算"). The schedules of the
        items whose horizon reaches ``day`` are recomputed (:func:`duban.schedule.horizon`: the others
        cannot change: whether a day works depends on the entries alone, not on the year being entered)."""
        self._workdays_from = min(table_from, self._workdays_from or table_from)
        self._calendar_from = min(day, self._calendar_from or day)

    def _schedule_settings(self, keys: set[str], fresh: bool) -> None:
        """Settings ``keys`` changed; ``fresh``: the schedules were in step just before. Only if some
        schedule read one of them (or it is not known which were read) is every schedule recomputed."""
        read = self._settings_read()
        if not fresh or read is None or keys & read:
            self._schedule_everything()
        else:  # the rows stand; their stamp is renewed (a value set to what it was still writes its row out)
            self._schedule_restamp = True

    def _schedule_forget(self) -> None:
        self._schedule_dirty = set()
        self._schedule_all, self._workdays_from, self._schedule_restamp = False, None, False
        self._calendar_from = None

    # -- recomputing, at the end of a write -----------------------------------------------------------
    def _flush_schedules(self) -> None:
        """Inside the write, before its commit: recompute what the write marked."""
        if not (self._schedule_dirty or self._schedule_all or self._workdays_from or self._schedule_restamp):
            return
        stored = self._stored_fingerprint()
        settings_changed = self._schedule_all or self._schedule_restamp or self._workdays_from is not None
        if stored is None or stored.split(" ")[0] != fingerprint() or (
                not settings_changed and stored != self._current_fingerprint()):  # other rules, or a hand edit
            self._rebuild_schedules()
        else:
            if self._workdays_from is not None:
                self._calendar = None
                workday_table.rebuild(self.db, self._make_calendar(warn=False), self._workdays_from)
            if self._schedule_all:  # a setting: only the items a rule still looks at
                self._compute_schedules(None, live_only=True)
            elif self._calendar_from is not None:  # the calendar: of those, the ones looking as far as its day
                self._compute_schedules(None, live_only=True, reaching=self._calendar_from)
            if self._schedule_dirty:  # (with a setting too: an item the same write closed)
                self._compute_schedules(self._schedule_dirty)
            if settings_changed:
                self._stamp_schedules()
        self._schedule_forget()

    def _stored_fingerprint(self) -> str | None:
        """The rules' fingerprint and the inputs' digest the stored schedules were built with, as one text."""
        row = self.db.execute("SELECT fingerprint || ' ' || substr(inputs, 1, 16) FROM schedule_state WHERE id = 1"
                              ).fetchone()
        return row[0] if row else None

    def _settings_read(self) -> set[str] | None:
        """The settings the stored schedules read (after the inputs' digest: ``:key,key``), None if unknown."""
        row = self.db.execute("SELECT substr(inputs, 17) FROM schedule_state WHERE id = 1").fetchone()
        if not row or not row[0].startswith(":"):
            return None
        return {k for k in row[0][1:].split(",") if k}

    def _note_settings_read(self, read: set[str] | None) -> None:
        if read != self._settings_read():
            self.db.execute("UPDATE schedule_state SET inputs = substr(inputs, 1, 16) || ? WHERE id = 1",
                            ["" if read is None else ":" + ",".join(sorted(read))])

    def _current_fingerprint(self) -> str:
        """These rules, and the settings and calendar rows as stored now (a hand edit shows here)."""
        rows = self.db.execute("SELECT 's', key, value FROM settings UNION ALL SELECT 'd', day, workday FROM"
                               " calendar_days UNION ALL SELECT 'y', year, '' FROM calendar_years ORDER BY 1, 2, 3"
                               ).fetchall()
        return f"{fingerprint()} {hashlib.sha1(repr(rows).encode()).hexdigest()[:16]}"

    def _stamp_schedules(self) -> None:
        rules_print, inputs = self._current_fingerprint().split(" ")
        self.db.execute("INSERT INTO schedule_state (id, fingerprint, inputs, built_on) VALUES (1, ?, ?, ?)"
                        " ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint,"
                        " inputs = excluded.inputs || substr(schedule_state.inputs, 17),"
                        " built_on = excluded.built_on", [rules_print, inputs, self.today.isoformat()])
        self._schedule_ok = None

    def _rebuild_schedules(self) -> None:
        """The workdays table and every schedule, from scratch (in the caller's transaction)."""
        self._calendar = None
        workday_table.rebuild(self.db, self._make_calendar(warn=False), None,
                              workday_table.default_first(self.today), workday_table.default_last(self.today))
        self.db.execute("DELETE FROM schedules")
        self._stamp_schedules()
        self._compute_schedules(None)

    def _ensure_schedules(self) -> None:
        """At open: a ledger whose schedules were built by other rules (or none yet) is rebuilt once, and the
        schedules an import left to build (``schedule_pending``) are built, in a transaction of their own."""
        if self.read_only:
            return
        if self._stored_fingerprint() != self._current_fingerprint():
            with self._write():  # (another process may have done it meanwhile: asked again inside)
                if self._stored_fingerprint() != self._current_fingerprint():
                    self._rebuild_schedules()  # (a large ledger's: in slices, once this commits)
        elif self.db.execute("SELECT 1 FROM schedule_pending LIMIT 1").fetchone() is not None:
            self._build_pending()

    def _build_pending(self) -> None:
        """Build the schedules ``schedule_pending`` lists, ``_schedule_slice`` items per transaction (another
        writer waits a moment at most). A failure (a full disk) leaves the rest for the next command."""
        import sqlite3

        take = "SELECT item_id FROM schedule_pending ORDER BY item_id LIMIT ?"
        if self.building_notice is not None:
            count = self.db.execute("SELECT count(*) FROM schedule_pending").fetchone()[0]
            if count > self._schedule_slice:
                self.building_notice(count)
        try:
            while True:
                with self._write():
                    ids = {r[0] for r in self.db.execute(take, [self._schedule_slice])}
                    if ids:
                        self._compute_schedules(ids, defer=False)
                if not ids:
                    return
        except sqlite3.Error as exc:
            from .errors import sqlite_error_text

            self.warnings.append(f"注意：亮灯日程未能全部建立（{sqlite_error_text(exc)}），下次运行 duban 时补建；"
                                 "在此之前相关事项的亮灯照常现算")

    def _compute_schedules(self, item_ids: set[int] | None, live_only: bool = False,
                           reaching: dt.date | None = None, defer: bool = True) -> None:
        """Replace the rows of ``item_ids`` (and of their parents), or write every item's (None).

        ``live_only`` (every item's, after a setting or a calendar entry): only the items with an open
        assignment or with sub-items. The others' one row is grey for good — with no open assignment
        :func:`duban.rules.item_light` gives no light and the words of its status, whatever the settings
        and the calendar — so it stays as it is (tests/test_schedule.py checks the equivalence).
        ``reaching`` (a calendar entry from that day): of those, only the items whose horizon
        (``schedule_items``) is that day or later, or not known.

        More than ``_schedule_slice`` items (with ``defer``): their rows are taken away and the items
        put in ``schedule_pending`` (reads light them in Python meanwhile), and once this write has
        committed they are built a slice per transaction (:meth:`_build_pending`): a setting, a
        calendar entry or a day's 催办 on a large ledger holds the write lock for a moment, not for
        the whole recomputation (tests/test_schedule.py runs the equivalence with slices of 3)."""
        if item_ids is not None:
            ids = json.dumps(sorted(item_ids))
            where, params = ("i.id IN (SELECT value FROM json_each(?)) OR i.id IN (SELECT parent_id FROM items"
                             " WHERE id IN (SELECT value FROM json_each(?)))"), [ids, ids]
        elif live_only and reaching is not None:
            where = f"{_LIVE} AND i.id NOT IN (SELECT item_id FROM schedule_items WHERE horizon < ?)"
            params = [reaching.isoformat()]
        else:
            where, params = (_LIVE if live_only else "1"), []
        all_ids = [r[0] for r in self.db.execute(f"SELECT i.id FROM items i WHERE {where} ORDER BY i.id", params)]
        chosen = [json.dumps(all_ids)]
        self.db.execute("DELETE FROM schedules WHERE item_id IN (SELECT value FROM json_each(?))", chosen)
        if defer and len(all_ids) > self._schedule_slice:
            if item_ids is None and not live_only:  # every item's: the settings read, as the slices note them
                self._note_settings_read(set())
            self._schedule_later(all_ids)
            self._schedule_build_after = True
            return
        self.db.execute("DELETE FROM schedule_pending WHERE item_id IN (SELECT value FROM json_each(?))", chosen)
        # a calendar of its own: the years the schedules look into are not years this command's answers used
        from . import settings as settings_mod

        cal, settings = self._make_calendar(warn=False), schedule.ReadSettings(settings_mod.resolve(self.stored_settings(), []))
        # from the write's day on: a read of an earlier day lights in Python (there is no row for it)
        first, last = max(workday_table.FIRST, min(self.today, workday_table.last_day())), workday_table.last_day()
        begin, end = self._workdays_span(first, first)  # the table holds the write's day (and years around)
        low, high = workday_table.FIRST.isoformat(), last.isoformat()
        earliest, latest = begin.isoformat(), end.isoformat()
        split = self.parent_ids()
        for start in range(0, len(all_ids), 2000):  # in slices: a 100k ledger is never in memory at once
            items = self._items_where("i.id IN (SELECT value FROM json_each(?))",
                                      [json.dumps(all_ids[start:start + 2000])])
            chunk = [it.id for it in items]
            children = self._live_children([i for i in chunk if i in split])
            reminded = self._reminded(chunk)
            out, horizons = [], []
            for item in items:
                kids = children.get(item.id, []) if item.parent is None and item.id in split else None
                seen: set[dt.date] = set()
                rows = schedule.item_rows(item, kids, reminded.get(item.id, {}), cal, settings, first, last, seen)
                horizons.append((item.id, schedule.horizon(seen)))
                dates = {a for r in rows for a in schedule.row_anchors(r)}
                if dates and not (low <= min(dates) and max(dates) <= high):
                    rows = [schedule.unscheduled_row(item.id)]  # a date outside 2000 to the table's end
                elif dates:
                    earliest, latest = min(earliest, min(dates)), max(latest, max(dates))
                out += rows
            self.db.conn.executemany(_INSERT, out)
            self.db.conn.executemany("INSERT OR REPLACE INTO schedule_items (item_id, horizon) VALUES (?, ?)", horizons)
        if earliest < begin.isoformat() or latest > end.isoformat():  # a date outside the table: it grows
            self._workdays_span(dt.date.fromisoformat(earliest), dt.date.fromisoformat(latest))
        # the settings these rows read: exactly, after every item's; added to those noted before, after some
        if item_ids is None and not live_only:
            self._note_settings_read(settings.read)
        else:
            known = self._settings_read()
            if known is not None and not settings.read <= known:
                self._note_settings_read(known | settings.read)

    def _workdays_span(self, low: dt.date, high: dt.date) -> tuple[dt.date, dt.date]:
        """The workdays table's first and last dates, the table first grown to hold ``low`` to ``high`` (in
        whole years; a new one from the year before ``low`` to the second year after ``high``)."""
        begin, end = self._workdays_table = workday_table.span(self.db)
        if begin is None or end is None:
            workday_table.rebuild(self.db, self._make_calendar(warn=False), None, workday_table.default_first(low),
                                  workday_table.default_last(high))
        elif low < begin or high > end:
            workday_table.rebuild(self.db, self._make_calendar(warn=False), None if low < begin else end,
                                  min(begin, dt.date(low.year, 1, 1)), max(end, dt.date(high.year, 12, 31)))
        else:
            return begin, end
        begin, end = self._workdays_table = workday_table.span(self.db)
        return begin, end  # type: ignore[return-value]

    def _reminded(self, item_ids: list[int]) -> dict[int, dict[int, list[tuple[dt.date, int]]]]:
        """Each item's 催办 (day, level) by unit, in order."""
        from .ledger_rows import CHASE_LEVEL_SQL

        found: dict[int, dict[int, list[tuple[dt.date, int]]]] = {}
        for item_id, unit_id, at, level in self.db.execute(
                f"SELECT item_id, unit_id, at, {CHASE_LEVEL_SQL} FROM events WHERE kind = 'reminded'"
                " AND item_id IN (SELECT value FROM json_each(?)) ORDER BY id", [json.dumps(item_ids)]):
            found.setdefault(item_id, {}).setdefault(unit_id, []).append((dt.date.fromisoformat(at), level))
        return found
