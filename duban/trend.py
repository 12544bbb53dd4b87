"""The 12-week trend of the wall screen: new, closed and overdue items per ISO week, from the event log.

* new: items registered (立项 or 导入) in the week, not since cancelled — as the 专报 counts 本周新增
  (the item's registration date is its first record's);
* closed: lead units' 办结 records (``closed`` events) in the week;
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
    closed = _per_week(led.db.execute(
        "SELECT e.at, count(*) FROM events e JOIN assignments a"
        " ON a.item_id = e.item_id AND a.unit_id = e.unit_id AND a.role = 'lead'"
        " WHERE e.unit_id IN (SELECT id FROM units) AND e.kind = 'closed' AND e.at >= ? AND e.at <= ?"
        " GROUP BY e.at", [first, last]).fetchall(), spans)
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
    candidates = {(item_id, unit_id): due for item_id, unit_id, due in led.db.execute(
        "SELECT item_id, unit_id, due FROM assignments WHERE role = 'lead' AND assigned_on IS NOT NULL"
        " AND assigned_on <= ? AND NOT (status IN ('done', 'closed') AND closed_on IS NOT NULL AND closed_on < ?)"
        " AND (extensions > 0 OR restarted_on IS NOT NULL OR (due IS NOT NULL AND due < ?"
        " AND NOT (status IN ('done', 'closed') AND closed_on <= due)))", [last, first, last])}
    # and those of items with a 节点 (milestone) missed by the end of some week: a lead unit's missed
    # milestone lights it red like a missed deadline (rules.assignment_light)
    milestones: dict[int, list[tuple[str, str | None]]] = {}
    for item_id, due, done_on in led.db.execute(
            "SELECT item_id, due, done_on FROM milestones WHERE due < ? AND (done_on IS NULL OR done_on > ?)"
            " AND due < COALESCE(done_on, '9999')", [last, first]):
        milestones.setdefault(item_id, []).append((due, done_on))
    if milestones:
        ids = sorted(milestones)
        for n in range(0, len(ids), 900):
            chunk = ids[n:n + 900]
            candidates.update({(item_id, unit_id): due for item_id, unit_id, due in led.db.execute(
                f"SELECT item_id, unit_id, due FROM assignments WHERE role = 'lead' AND assigned_on <= ?"
                f" AND item_id IN ({','.join('?' * len(chunk))})", [last, *chunk])})
    if not candidates:
        return [0] * len(spans)
    # each assignment's records as (date, state it leaves or None, deadline it sets or None), oldest first
    history: dict[tuple[int, int], list[tuple[str, str | None, str | None]]] = {}
    items = sorted({item_id for item_id, _ in candidates})
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
                if key in candidates:
                    history.setdefault(key, []).append((at, _STATE.get(kind), due))
    counts = [0] * len(spans)
    ends = [end.isoformat() for _, _, end in spans]
    for key, due_now in candidates.items():
        records = history.get(key, ())
        state, due, r = None, None, 0
        for n, end in enumerate(ends):  # one pass: the records up to each week's end in turn
            while r < len(records) and records[r][0] <= end:
                _, new_state, new_due = records[r]
                state = new_state or state
                if new_due is not None:
                    due = new_due or due_now
                r += 1
            if state == "open" and ((due is not None and due < end) or any(
                    m_due < end and (done is None or done > end) for m_due, done in milestones.get(key[0], ()))):
                counts[n] += 1
    return counts
