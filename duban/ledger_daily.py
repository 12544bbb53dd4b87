"""The daily job's half of the ledger: standings, 催办 (remind) and the documents it numbers.

A mixin of :class:`duban.ledger.Ledger` (it uses the ledger's connection, ``_write``, ``_log``,
``_store``, ``_load`` and settings): the open assignments with their 催办 history
(:meth:`standings`), the recording of a day's reminders with their 文号 (:meth:`remind`), and
the 任务交办单 / 任务销号单 (:meth:`issue_sheet`). The rules are pure, in :mod:`duban.chase`;
the 文号 series and the notices rebuilt from events are in :mod:`duban.documents`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import chase, lifecycle
from .models import LEVEL_LABELS, Channel, EventKind, Item

if TYPE_CHECKING:  # pragma: no cover
    from . import documents


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class DailyJob:
    """逾期清单 and 催办 (DOMAIN.md §6–7), as methods of the ledger."""

    def standings(self, overdue_only: bool = False, item_ids: Iterable[int] | None = None,
                  chaseable: bool = False) -> list[chase.Standing]:
        """Open assignments with their light, level and 催办 history; closed history is not read.

        With ``overdue_only`` only items with an open deadline or a lead milestone already
        past are loaded (the indexes on assignments(status, due) and milestones(done_on, due));
        with ``item_ids`` only those items; with ``chaseable`` only the assignments with an
        escalation level today (those :func:`duban.chase.plan` may chase). Without ``item_ids``,
        the overdue and the chaseable are read from the schedules when usable (issue #16).
        """
        from .ledger import PAST_DUE_SQL

        today = self.today.isoformat()
        self.calendar.is_workday(self.today)  # today itself is a day evaluated: an estimated year is said so
        if (overdue_only or chaseable) and item_ids is None and self.schedules_usable():
            return self._scheduled_overdue() if overdue_only else self._scheduled_chaseable()
        if overdue_only:
            where, params = PAST_DUE_SQL, [today, today]
        else:
            where, params = "i.id IN (SELECT item_id FROM assignments WHERE status = 'open')", []
        only = None
        if item_ids is not None:
            only = json.dumps(sorted(set(item_ids)))
            where, params = f"{where} AND i.id IN (SELECT value FROM json_each(?))", [*params, only]
        items = self._items_where(f"{where} AND i.created <= ?", [*params, today])  # none before its creation
        units = {u.id: u for u in self.units()}
        found = chase.standings(items, units, self._chase_history(only), self.today, self.calendar, self.settings)
        return [s for s in found if s.escalation.level is not None] if chaseable else found

    def _chase_history(self, only: str | None = None) -> dict[tuple[int, int], chase.Chased]:
        """For every open assignment that has been chased: its latest reminder and the unanswered count.

        Only reminders up to today count, so a run with an earlier ``--today`` sees the ledger as it was.
        (Served by the partial index idx_events_reminded, one probe per open assignment.) ``only``:
        a JSON list of item ids to restrict it to.
        """
        from .ledger import CHASE_LEVEL_SQL

        restrict = "" if only is None else " AND a.item_id IN (SELECT value FROM json_each(?))"
        rows = self.db.execute(
            f"""SELECT e.item_id, e.unit_id, e.at, {CHASE_LEVEL_SQL}, a.last_feedback
                FROM assignments a JOIN events e
                  ON e.item_id = a.item_id AND e.unit_id = a.unit_id AND e.kind = 'reminded' AND e.at <= ?
                WHERE a.status = 'open'{restrict} ORDER BY e.id""",
            [self.today.isoformat()] + ([] if only is None else [only]),
        ).fetchall()
        today = self.today.isoformat()
        history: dict[tuple[int, int], chase.Chased] = {}
        for item_id, unit_id, at, level, last_feedback in rows:
            before = history.get((item_id, unit_id), chase.Chased())
            answered_since = last_feedback is not None and at <= last_feedback
            history[(item_id, unit_id)] = chase.Chased(
                last_at=dt.date.fromisoformat(at),
                last_level=level,
                unanswered=before.unanswered + (1 if level >= 1 and not answered_since else 0),
                levels_today=before.levels_today | {level} if at == today else before.levels_today,
            )
        return history

    def remind(self, channel: Channel, dry_run: bool = False) -> list[chase.Reminder]:
        """催办: record today's reminders, one `reminded` event per assignment, level and day.

        The plan is made before the write transaction (reading every open item takes time at
        20k items); inside it, only the items written to since are planned again, so two cron
        runs at once still cannot chase the same unit twice, and the write lock is held for
        the re-check and the inserts only. Each unit's reminders of one level are one notice
        with its own 文号, stored on their events; the notices themselves are written from the
        recorded events, after the commit (:func:`duban.documents.notices_of`).
        Returns the reminders recorded, each with its event id and 文号.
        """
        mark = self.db.execute("SELECT coalesce(max(id), 0) FROM event_log").fetchone()[0]
        due = chase.plan(self.standings(chaseable=True), self.today, self.calendar, self.settings, self.pressure_on)
        if dry_run:
            return due
        checked = self._check_reminders(due)
        with self._write():
            again = self._replan_changed(due, mark)
            if again is not due:
                checked.update(self._check_reminders([r for r in again if id(r) not in checked]))
            return self._record_reminders(again, channel, checked)

    def _check_reminders(self, due: list[chase.Reminder]) -> dict[int, Item | None]:
        """Each reminder checked against the item's state (:mod:`duban.lifecycle`), before the write:
        id(reminder) → the item after it, or None when (as always for a reminder) nothing changes."""
        checked: dict[int, Item | None] = {}
        for r in due:
            item = r.standing.item
            new = lifecycle.apply(item, lifecycle.Change(EventKind.REMINDED, self.today, r.standing.unit.id,
                                                         r.standing.unit.name, {}))
            new.id = item.id
            checked[id(r)] = None if new == item else new
        return checked

    def _replan_changed(self, due: list[chase.Reminder], mark: int) -> list[chase.Reminder]:
        """Inside the write: plan again the items written to after event ``mark`` (all, if a setting,
        the calendar or a unit changed)."""
        changed = [r[0] for r in self.db.execute("SELECT DISTINCT item_id FROM events WHERE id > ?", [mark])]
        if not changed:
            return due
        if None in changed:
            self._settings, self._calendar = None, None
            return chase.plan(self.standings(), self.today, self.calendar, self.settings)
        again = set(changed)
        kept = [r for r in due if r.standing.item.id not in again]
        fresh = chase.plan(self.standings(item_ids=again), self.today, self.calendar, self.settings)
        return chase.ordered(kept + fresh)

    def _record_reminders(self, due: list[chase.Reminder], channel: Channel,
                          checked: dict[int, Item | None]) -> list[chase.Reminder]:
        from . import documents

        today = self.today.isoformat()
        latest = dict(self.db.execute(
            "SELECT item_id, max(at) FROM events WHERE item_id IN (SELECT value FROM json_each(?)) GROUP BY item_id",
            [json.dumps(sorted({r.standing.item.id for r in due}))]).fetchall())
        office = self.settings["office_name"]
        refs: dict[tuple[int, int], str] = {}
        done = []
        for r in due:
            s = r.standing
            if (latest.get(s.item.id) or "") > today:
                self.warnings.append(f"提示：事项 #{s.item.id} 已有 {latest[s.item.id]} 的记录，"
                                     f"未补记 {today} 的{r.notice}")
                continue
            ref = refs.get((s.unit.id, r.level))
            if ref is None:  # one notice, one 文号, per unit and level
                no, ref = documents.take_number(self, r.notice, f"{r.notice}:{today}:{s.unit.id}:{{no}}",
                                                unit_id=s.unit.id)
                refs[(s.unit.id, r.level)] = ref
            a = s.assignment
            data = {"level": r.level, "level_label": LEVEL_LABELS[r.level], "notice": r.notice,
                    "channel": channel.code, "reason": r.reason, "due": _iso(a.due),
                    "reply_by": r.reply_by.isoformat(), "doc_ref": ref, "title": s.item.title,
                    "role": a.role.code, "state": chase.status_text(s), "office": office,
                    "to": {"unit": s.unit.name, "contact": s.unit.contact, "phone": s.unit.phone}}
            detail = (f"{r.notice}（{channel.label}）“{s.unit.name}”：{r.reason}；"
                      f"请于{r.reply_by.isoformat()}前反馈；文号{ref}")
            event_id = self._log(EventKind.REMINDED, detail, item_id=s.item.id, unit_id=s.unit.id, data=data)
            self._schedule_items((s.item.id,))  # a 催办 unanswered counts toward the escalation level
            new = checked[id(r)]
            if new is not None:  # (a reminder changes no state; a stored state that disagrees is put right)
                self._store(new, s.item)
            done.append(dataclasses.replace(r, event_id=event_id, ref=ref))
        return done

    def issue_sheet(self, item_id: int, kind: str) -> tuple["documents.Sheet", bool]:
        """任务交办单 / 任务销号单: the sheet with its 文号 (given once, kept when printed again).

        The first issue records an `issued` event with the 文号; returns (sheet, first issue).
        """
        from . import documents

        with self._write():
            item = self._load(item_id)
            documents.check_sheet(kind, item)
            key = documents.sheet_key(kind, item)
            ref = documents.existing_number(self, key)
            first = ref is None
            if first:
                self._check_date_order(item_id)
                _, ref = documents.take_number(self, f"任务{kind}", key, item_id=item_id,
                                               unit_id=item.lead.unit_id if item.lead else None)
                self._apply(item, EventKind.ISSUED, f"出具任务{kind}，文号{ref}", None,
                            {"document": kind, "doc_ref": ref})
            return documents.sheet(self, kind, item, ref), first
