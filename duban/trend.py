"""The 12-week trend of the wall screen: new, closed and overdue items per ISO week, from the event log.

* new: items registered (立项 or 导入) in the week, not since cancelled — as the 专报 counts 本周新增
  (the item's registration date is its first record's);
* closed: items whose lead unit recorded a 办结 (``closed`` event) in the week, each once a week
  (closed, returned by the review and closed again is one);
* overdue (红灯): lead assignments that, at the end of the week (today for the current week),
  were given out, still at work (not finished, paused or cancelled then) and past their deadline
  as it stood then. The state and the deadline at the end of each week are read from the
  assignment's own records (交办, 延期, 暂缓/恢复, 办结, 退回, 重启, 撤销), so a later
  extension does not rewrite an earlier week; a missed 节点 (milestone) counts as in the lights.

Only the assignments at work at some point of the twelve weeks are read: a ledger of 100 000
items has a few thousand of them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger

WEEKS = 12

# What each kind of record makes of the assignment's state (None: leaves it as it was).
_STATE = {"assigned": "open", "imported": "open", "reopened": "open", "returned": "open", "resumed": "open",
          "closed": "closed", "reviewed": "closed", "paused": "paused", "cancelled": "cancelled"}
# The records that carry a new deadline, and the data key it is under.
_DUE_KEYS = {"assigned": "due", "imported": "due", "reopened": "due", "extended": "to", "due_recomputed": "due"}


@dataclass(frozen=True)
class Week:
    label: str          # 2026-W47
    monday: dt.date
    end: dt.date        # Sunday, or today for the current week
    new: int = 0
    closed: int = 0
    red: int = 0


def weeks(today: dt.date, count: int = WEEKS) -> list[tuple[str, dt.date, dt.date]]:
    """The ``count`` ISO weeks up to the one holding ``today``: (label, Monday, last day counted)."""
    monday = today - dt.timedelta(days=today.weekday())
    found = []
    for n in range(count - 1, -1, -1):
        start = monday - dt.timedelta(weeks=n)
        year, number, _ = start.isocalendar()
        found.append((f"{year}-W{number:02d}", start, min(start + dt.timedelta(days=6), today)))
    return found


def trend(led: "Ledger", count: int = WEEKS) -> list[Week]:
    spans = weeks(led.today, count)
    first, last = spans[0][1].isoformat(), led.today.isoformat()
    new = _per_week(led.db.execute(
        "SELECT created, count(*) FROM items WHERE created >= ? AND created <= ? AND status NOT IN ('cancelled', 'merged')"
        " GROUP BY created", [first, last]).fetchall(), spans)
    # e.unit_id IN units: every closed record has its unit; so written, idx_events_unit serves the kind and dates
    # an item closed twice in a week (returned by the review, closed again) counts once, as the 专报 does;
    # the week's number counted from the first Monday (days // 7), in one grouped query
    closed = [0] * len(spans)
    for index, n in led.db.execute(
            "SELECT CAST((julianday(e.at) - julianday(:first)) / 7 AS INTEGER), count(DISTINCT e.item_id)"
            " FROM events e JOIN assignments a ON a.item_id = e.item_id AND a.unit_id = e.unit_id AND a.role = 'lead'"
            " WHERE e.unit_id IN (SELECT id FROM units) AND e.kind = 'closed' AND e.at >= :first AND e.at <= :last"
            " GROUP BY 1", {"first": first, "last": last}):
        if index is not None and 0 <= index < len(spans):
            closed[index] += n
    red = _overdue(led, spans)
    return [Week(label, monday, end, new[n], closed[n], red[n]) for n, (label, monday, end) in enumerate(spans)]


def _per_week(rows: list[tuple[str, int]], spans: list[tuple[str, dt.date, dt.date]]) -> list[int]:
    counts = [0] * len(spans)
    first = spans[0][1]
    for at, n in rows:
        index = (dt.date.fromisoformat(at) - first).days // 7
        if 0 <= index < len(spans):
            counts[index] += n
    return counts


def _overdue(led: "Ledger", spans: list[tuple[str, dt.date, dt.date]]) -> list[int]:
    first, last = spans[0][1].isoformat(), led.today.isoformat()
    # lead assignments given out by today, past their deadline now, not finished before the first week
    # began; one finished by its deadline never was overdue, unless extended, reopened or resumed since
    # (and those extended, reopened or resumed since: their deadline may have been earlier), in one scan
    columns = ("SELECT item_id, unit_id, due, assigned_on, status, closed_on, extensions > 0 OR restarted_on IS NOT NULL"
               " FROM assignments WHERE role = 'lead' AND assigned_on IS NOT NULL AND assigned_on <= ?")
    # (one cancelled, or paused and not resumed, before the first week began is left out too)
    rows = led.db.execute(
        f"{columns} AND NOT (status IN ('done', 'closed') AND closed_on IS NOT NULL AND closed_on < ?)"
        " AND (extensions > 0 OR restarted_on IS NOT NULL OR (due IS NOT NULL AND due < ?"
        " AND NOT (status IN ('done', 'closed') AND closed_on <= due)))"
        " AND NOT (status IN ('cancelled', 'paused') AND NOT EXISTS (SELECT 1 FROM events e"
        " WHERE e.item_id = assignments.item_id AND e.unit_id = assignments.unit_id"
        " AND e.kind IN ('cancelled', 'paused', 'resumed') AND e.at >= ?))", [last, first, last, first]).fetchall()
    # and those of items with a 节点 (milestone) missed by the end of some week: a lead unit's missed
    # milestone lights it red like a missed deadline (rules.assignment_light)
    milestones: dict[int, list[tuple[str, str | None]]] = {}
    for item_id, due, done_on in led.db.execute(
            "SELECT item_id, due, done_on FROM milestones WHERE due < ? AND (done_on IS NULL OR done_on > ?)"
            " AND due < COALESCE(done_on, '9999')", [last, first]):
        milestones.setdefault(item_id, []).append((due, done_on))
    ids = sorted(milestones)
    for n in range(0, len(ids), 900):
        chunk = ids[n:n + 900]
        rows += led.db.execute(f"{columns} AND item_id IN ({','.join('?' * len(chunk))})", [last, *chunk]).fetchall()
    candidates = {(r[0], r[1]): r[2] for r in rows}
    # Most of them need no records: never extended, reopened, resumed, returned, paused or cancelled,
    # such an assignment was at work from its 交办 to its 办结, with the deadline it has now.
    # (e.unit_id IN units: every such record has its unit, and so idx_events_unit serves the query.)
    troubled = {r[0] for r in led.db.execute(
        "SELECT DISTINCT item_id FROM events WHERE unit_id IN (SELECT id FROM units)"
        " AND kind IN ('returned', 'paused', 'cancelled', 'reopened') AND at <= ?", [last])}
    simple = {(r[0], r[1]): (r[3], r[5] if r[4] in ("done", "closed") else None) for r in rows
              if not r[6] and r[4] in ("open", "done", "closed") and r[0] not in troubled}
    if not candidates:
        return [0] * len(spans)
    # each assignment's records as (date, state it leaves or None, deadline it sets or None), oldest first
    history: dict[tuple[int, int], list[tuple[str, str | None, str | None]]] = {}
    items = sorted({item_id for key in candidates if key not in simple for item_id in key[:1]})
    by_item: dict[int, list[tuple[int, int]]] = {}
    for key in candidates:
        by_item.setdefault(key[0], []).append(key)
    kinds = ", ".join(f"'{k}'" for k in sorted({*_STATE, *_DUE_KEYS}))
    for n in range(0, len(items), 900):
        chunk = items[n:n + 900]
        for item_id, unit_id, at, kind, data in led.db.execute(
                f"SELECT item_id, unit_id, at, kind, data FROM events WHERE item_id IN ({','.join('?' * len(chunk))})"
                f" AND kind IN ({kinds}) AND at <= ? ORDER BY id", [*chunk, last]):
            keys = [(item_id, unit_id)] if unit_id is not None else by_item[item_id]
            due = None
            if kind in _DUE_KEYS:
                due = json.loads(data or "{}").get(_DUE_KEYS[kind]) or None
                if due is None and kind in ("assigned", "imported"):
                    due = ""  # given without a deadline here: the stored one stands
            for key in keys:
                if key in candidates and key not in simple:
                    history.setdefault(key, []).append((at, _STATE.get(kind), due))
    counts = [0] * len(spans)
    ends = [end.isoformat() for _, _, end in spans]
    for key, due_now in candidates.items():
        if key in simple:
            records = [(simple[key][0], "open", "")]
            if simple[key][1] is not None:
                records.append((simple[key][1], "closed", None))
        else:
            records = history.get(key, ())
        missed = milestones.get(key[0], ())
        state, due, r, size = None, None, 0, len(records)
        for n, end in enumerate(ends):  # one pass: the records up to each week's end in turn
            while r < size and records[r][0] <= end:
                _, new_state, new_due = records[r]
                state = new_state or state
                if new_due is not None:
                    due = new_due or due_now
                r += 1
            if state != "open":
                continue
            if (due is not None and due < end) or (missed and any(
                    m_due < end and (done is None or done > end) for m_due, done in missed)):
                counts[n] += 1
    return counts
