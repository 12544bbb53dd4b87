"""Reading items: loading rows into dataclasses, lighting them, lists, the log and replays."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from . import lifecycle, rules
from .errors import NotFound
from .models import (
    Assignment,
    Event,
    EventKind,
    Escalation,
    Item,
    ItemClass,
    ItemView,
    LightResult,
    Light,
    Milestone,
    Role,
    Source,
    Status,
)
from .ledger_rows import (
    CHASE_LEVEL_SQL,
    ListFilter,
    MAX_ID,
    PAST_DUE_SQL,
    _date,
    _date_reader,
    _iso,
)



class ItemReads:
    """Reading items: loading rows into dataclasses, lighting them, lists, the log and replays. A mixin of :class:`duban.ledger.Ledger`."""

    # -- items: reading -------------------------------------------------------------------
    def _load(self, item_id: int) -> Item:
        if not 0 < item_id <= MAX_ID:
            raise NotFound(f"未找到事项 #{item_id}")
        items = self._items_where("i.id = ?", [item_id])
        if not items:
            from .undo import undone_note

            raise NotFound(f"未找到事项 #{item_id}{undone_note(self.db, item_id)}")
        return items[0]

    def _items_where(self, where: str, params: list, order: str = "i.id") -> list[Item]:
        rows = self.db.execute(
            f"SELECT i.id, i.title, i.source, i.ref, i.leader, i.class, i.content, i.standard,"
            f" i.created, i.status, i.due, i.within, i.preset, i.parent_id FROM items i WHERE {where} ORDER BY {order}",
            params,
        ).fetchall()
        date, source, klass, status = _date_reader(), Source.of, ItemClass.of, Status.of
        items = {
            r[0]: Item(r[0], r[1], source(r[2]), r[3], r[4], klass(r[5]), r[6], r[7], date(r[8]), status(r[9]),
                       date(r[10]), r[11], preset=r[12], parent=r[13])
            for r in rows
        }
        if items:
            self._attach_assignments(items, date)
        return list(items.values())

    def _attach_milestones(self, items: dict[int, Item], date: Callable[[str | None], dt.date | None]) -> None:
        ids = list(items)
        for chunk_start in range(0, len(ids), 900):
            chunk = ids[chunk_start:chunk_start + 900]
            rows = self.db.execute(
                f"SELECT item_id, seq, due, title, done_on FROM milestones WHERE item_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY item_id, seq",
                chunk,
            )
            for r in rows:
                items[r[0]].milestones.append(Milestone(r[1], date(r[2]), r[3], date(r[4])))

    def _attach_assignments(self, items: dict[int, Item], date: Callable[[str | None], dt.date | None]) -> None:
        ids = list(items)
        role, status = Role.of, Status.of
        for chunk_start in range(0, len(ids), 900):
            chunk = ids[chunk_start:chunk_start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT a.item_id, a.unit_id, u.name, a.role, a.status, a.assigned_on, a.due, a.due_basis,
                           a.person, a.signed_on, a.last_feedback, a.percent, a.closed_on, a.result,
                           a.extensions, a.original_due, a.restarted_on, a.within, a.progress_since
                    FROM assignments a JOIN units u ON u.id = a.unit_id
                    WHERE a.item_id IN ({marks})
                    ORDER BY a.item_id, CASE a.role WHEN 'lead' THEN 0 ELSE 1 END, a.id""",
                chunk,
            )
            for r in rows:  # positional, in the order of Assignment's fields (bulk loads of tens of thousands)
                items[r[0]].assignments.append(
                    Assignment(r[1], r[2], role(r[3]), status(r[4]), date(r[5]), date(r[6]), r[7], r[8], date(r[9]),
                               date(r[10]), r[11], date(r[12]), r[13], r[14], date(r[15]), date(r[16]), r[17],
                               date(r[18]))
                )
        self._attach_milestones(items, date)

    def view(self, item: Item, day: dt.date | None = None, parents: set[int] | None = None,
             lit: dict | None = None) -> ItemView:
        """The item with its light as on ``day`` (default: today).

        An item split into sub-items (``parents``: the ids known to have some, else asked) is lit
        by the worst of its own light and its open sub-items' (issue #17). ``lit``: where given, the
        light of each of its open assignments is kept there too (:func:`duban.rules.item_light`).
        """
        from .ledger_clerk import item_result

        children = None
        if item.parent is None and (item.id in parents if parents is not None else self._has_children(item.id)):
            children = self._live_children([item.id]).get(item.id, [])
        return self._view_of(item, item_result(item, children, day or self.today, self.calendar, self.settings_on(day), lit))

    def _view_of(self, item: Item, light: LightResult) -> ItemView:
        feedbacks = [a.last_feedback for a in item.assignments if a.last_feedback]
        uncertain = any(rules.due_uncertain(a, self.calendar) for a in item.assignments if a.status.is_live)
        return ItemView(item=item, light=light, last_feedback=max(feedbacks) if feedbacks else None,
                        due_uncertain=uncertain)

    def _live_children(self, parent_ids: list[int]) -> dict[int, list[Item]]:
        """The sub-items still at work (they light their parent, issue #17) of each of ``parent_ids``."""
        found: dict[int, list[Item]] = {}
        for start in range(0, len(parent_ids), 900):
            chunk = parent_ids[start:start + 900]
            for c in self._items_where(f"i.parent_id IN ({','.join('?' * len(chunk))})"
                                       " AND i.status IN ('pending', 'open', 'paused', 'done')", chunk):
                found.setdefault(c.parent, []).append(c)
        return found

    def _has_children(self, item_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM items WHERE parent_id = ? LIMIT 1", [item_id]).fetchone() is not None

    def parent_ids(self) -> set[int]:
        """The items that have sub-items (one query, for a whole list)."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT parent_id FROM items WHERE parent_id IS NOT NULL")}

    def children(self, item_id: int, day: dt.date | None = None) -> list[ItemView]:
        """The sub-items of an item (all of them, finished too), by number."""
        return [self.view(c, day, set()) for c in self._items_where("i.parent_id = ?", [item_id])]

    def assignment_light(self, item: Item, a: Assignment, day: dt.date | None = None) -> LightResult:
        return rules.assignment_light(a, item, day or self.today, self.calendar, self.settings_on(day))

    def escalation(self, item: Item, a: Assignment, day: dt.date | None = None) -> Escalation:
        """The escalation level of one open assignment, counting 催办 since its last feedback.

        A level-0 reminder (提醒 before the deadline) is not a 催办 and does not count.
        """
        if a.status is not Status.OPEN:
            return Escalation(None, "不在办理中")
        count = self.db.execute(
            "SELECT count(*) FROM events WHERE item_id = ? AND unit_id = ? AND kind = 'reminded' AND at > ?"
            f" AND at <= ? AND {CHASE_LEVEL_SQL} >= 1",  # nothing recorded after the day asked about
            [item.id, a.unit_id, _iso(a.last_feedback) or "", (day or self.today).isoformat()],
        ).fetchone()[0]
        return rules.escalation(self.assignment_light(item, a, day), count, self.settings_on(day))

    def item(self, item_id: int) -> ItemView:
        return self.view(self._load(item_id))

    def list_items(self, flt: ListFilter = ListFilter(), lit: dict | None = None,
                   scheduled: bool = False) -> list[ItemView]:
        """The items ``flt`` selects, each lit as today. With ``scheduled`` (``list``, ``export``, the 专报's
        台账) the lights are read from the stored schedules when they are usable: light, reason, counts and
        the kinds of the findings, without the findings themselves (callers that print them leave it
        off). ``lit``: where
        given, the light of each open assignment of the items read is kept there too, by (item id,
        unit id, today), so that a report over the same items (:func:`duban.reports.scoped`) need not
        light them again (the lights are then computed, not read from the schedules)."""
        self.calendar.is_workday(self.today)  # today itself is a day evaluated: an estimated year is said so
        where, params = ["i.created <= ?"], [self.today.isoformat()]  # nothing exists before it was created
        if flt.status is not None:
            where.append("i.status = ?")
            params.append(flt.status.code)
        elif not flt.include_finished:
            where.append("i.status IN ('pending', 'open', 'paused', 'done')")
        if flt.source is not None:
            where.append("i.source = ?")
            params.append(flt.source.code)
        if flt.unit:
            unit = self.unit(flt.unit)
            where.append("i.id IN (SELECT item_id FROM assignments WHERE unit_id = ? AND status != 'cancelled')")  # a withdrawn unit has it no more
            params.append(unit.id)
        if flt.due_before is not None:
            where.append("i.due IS NOT NULL AND i.due < ?")
            params.append(flt.due_before.isoformat())
        scheduled = scheduled and lit is None and self.schedules_usable()  # today's lights read from the schedules (issue #16)
        light_sql = None
        if scheduled and flt.light is not None:
            light_sql = f"s.light = '{flt.light.code}'"
        elif scheduled and flt.no_light:
            light_sql = "s.light IS NULL"
        elif flt.light is Light.RED:  # only items with a deadline or a lead milestone already past can be red
            child_past_due = PAST_DUE_SQL.replace("i.id IN", "c.id IN", 1)  # … or one of their sub-items
            where.append(f"({PAST_DUE_SQL} OR i.id IN (SELECT c.parent_id FROM items c"
                         f" WHERE c.parent_id IS NOT NULL AND {child_past_due}))")
            params += [self.today.isoformat()] * 4
        if flt.klass is not None:
            where.append("i.class = ?")
            params.append(flt.klass.code)
        parents = self.parent_ids()
        if scheduled:
            views = self._scheduled_views(" AND ".join(where), params, light_sql, parents)
        else:
            views = [self.view(item, parents=parents, lit=lit)
                     for item in self._items_where(" AND ".join(where), params)]
        if flt.light is not None:
            views = [v for v in views if v.light.light is flt.light]
        elif flt.no_light:
            views = [v for v in views if v.light.light is None]
        if flt.grep or flt.leader or flt.ref:
            from .ledger_clerk import matches

            views = [v for v in views if matches(v, flt.grep, flt.leader, flt.ref)]
        if flt.sort:
            from .ledger_clerk import ordered

            views = ordered(views, flt.sort)
        return views

    def events(self, item_id: int, until: dt.date | None = None) -> list[Event]:
        self._load(item_id)
        sql = ("SELECT e.id, e.item_id, e.unit_id, e.at, e.kind, u.name, e.detail, e.data FROM events e"
               " LEFT JOIN units u ON u.id = e.unit_id WHERE e.item_id = ?")
        params: list = [item_id]
        if until is not None:
            sql += " AND e.at <= ?"
            params.append(until.isoformat())
        rows = self.db.execute(sql + " ORDER BY e.id", params).fetchall()
        return [Event(id=r[0], item_id=r[1], unit_id=r[2], at=_date(r[3]), kind=EventKind(r[4]), unit=r[5],
                      detail=r[6], data=json.loads(r[7])) for r in rows]

    def replayed(self, item_id: int, until: dt.date | None = None) -> Item:
        """The item rebuilt from its log alone (up to the end of ``until``)."""
        changes = [lifecycle.Change(e.kind, e.at, e.unit_id, e.unit, e.data) for e in self.events(item_id, until)]
        if not changes:
            raise NotFound(f"事项 #{item_id} 在 {until.isoformat() if until else '台账中'} 尚未立项")
        item = lifecycle.replay(changes)
        item.id = item_id
        return item

    def item_as_of(self, item_id: int, day: dt.date) -> ItemView:
        """The item as the ledger described it at the end of ``day``, lit as on that day."""
        return self.view(self.replayed(item_id, day), day)
