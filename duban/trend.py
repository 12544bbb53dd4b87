"""The 12-week trend of the wall screen: new, closed and overdue items per ISO week, from the event log.

* new: items registered (立项 or 导入) in the week, not since cancelled — as the 专报 counts 本周新增;
* closed: lead units' 办结 records (``closed`` events) in the week;
* overdue (红灯): lead assignments that, at the end of the week (today for the current week),
  were given out, still at work (not finished, paused or cancelled then) and past their deadline
  as it stood then. The state and the deadline at the end of each week are read from the
  assignment's own records (交办, 延期, 暂缓/恢复, 办结, 退回, 重启, 撤销), so a later
  extension does not rewrite an earlier week. (A missed 节点 is not counted: the line is 逾期.)

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
        "SELECT e.at, count(DISTINCT e.item_id) FROM events e JOIN items i ON i.id = e.item_id"
        " WHERE e.kind IN ('created', 'imported') AND e.at >= ? AND e.at <= ? AND i.status != 'cancelled'"
        " GROUP BY e.at", [first, last]).fetchall(), spans)
    closed = _per_week(led.db.execute(
        "SELECT e.at, count(*) FROM events e JOIN assignments a"
        " ON a.item_id = e.item_id AND a.unit_id = e.unit_id AND a.role = 'lead'"
        " WHERE e.kind = 'closed' AND e.at >= ? AND e.at <= ? GROUP BY e.at", [first, last]).fetchall(), spans)
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
    # lead assignments given out by today and not finished (or cancelled) before the first week began
    candidates = {(item_id, unit_id): due for item_id, unit_id, due in led.db.execute(
        "SELECT item_id, unit_id, due FROM assignments WHERE role = 'lead' AND assigned_on IS NOT NULL"
        " AND assigned_on <= ? AND due IS NOT NULL AND due < ?"
        " AND NOT (status IN ('done', 'closed') AND closed_on IS NOT NULL AND closed_on < ?)", [last, last, first])}
    # an assignment that has a later deadline now may have had an earlier one: take those extended too
    candidates.update({(item_id, unit_id): due for item_id, unit_id, due in led.db.execute(
        "SELECT a.item_id, a.unit_id, a.due FROM assignments a WHERE a.role = 'lead' AND a.extensions > 0"
        " AND a.assigned_on <= ? AND NOT (a.status IN ('done', 'closed') AND a.closed_on < ?)", [last, first])})
    if not candidates:
        return [0] * len(spans)
    history: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    items = sorted({item_id for item_id, _ in candidates})
    kinds = ", ".join(f"'{k}'" for k in {*_STATE, *_DUE_KEYS})
    for n in range(0, len(items), 900):
        chunk = items[n:n + 900]
        for item_id, unit_id, at, kind, data in led.db.execute(
                f"SELECT item_id, unit_id, at, kind, data FROM events WHERE item_id IN ({','.join('?' * len(chunk))})"
                f" AND kind IN ({kinds}) AND at <= ? ORDER BY id", [*chunk, last]):
            keys = [(item_id, unit_id)] if unit_id is not None else [k for k in candidates if k[0] == item_id]
            for key in keys:
                if key in candidates:
                    history.setdefault(key, []).append((at, kind, data))
    counts = [0] * len(spans)
    ends = [end.isoformat() for _, _, end in spans]
    for key, due_now in candidates.items():
        records = history.get(key, [])
        for n, end in enumerate(ends):
            state, due = None, None
            for at, kind, data in records:
                if at > end:
                    break
                if _STATE.get(kind):
                    state = _STATE[kind]
                if kind in _DUE_KEYS:
                    found = json.loads(data or "{}").get(_DUE_KEYS[kind])
                    if found:
                        due = found
                    elif kind in ("assigned", "imported"):
                        due = due_now
            if state == "open" and due is not None and due < end:
                counts[n] += 1
    return counts
