"""``duban check``: each item rebuilt from its log and compared with what is stored, field by field.

The stored items are a projection of the event log (DOMAIN.md: the log is the record); a stored
field the log contradicts is a ``projection_mismatch`` naming the item, the unit and the field, and
a log that cannot be replayed a ``replay_failed``. ``add`` appends a :class:`duban.check.Problem`
(``problem``), as in :mod:`duban.check_log`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence

from . import lifecycle
from .errors import DubanError
from .models import EventKind, Item

ASSIGNMENT_FIELDS = ("role", "status", "assigned_on", "due", "due_basis", "person", "signed_on", "last_feedback",
                     "percent", "closed_on", "result", "extensions", "original_due", "restarted_on", "within",
                     "progress_since")
FIELD_LABELS = {
    "status": "状态", "due": "办理时限", "within": "计划工作日数", "role": "角色", "assigned_on": "交办日期",
    "due_basis": "时限依据", "person": "责任人", "signed_on": "签收日期", "last_feedback": "最近反馈",
    "percent": "完成百分比", "closed_on": "办结日期", "result": "办结情况", "extensions": "延期次数",
    "original_due": "原时限", "restarted_on": "重新计时日期", "milestones": "节点",
    "title": "事项名称", "source": "立项依据", "ref": "文号", "leader": "牵头领导", "klass": "类别",
    "content": "办理内容", "standard": "完成标准", "created": "立项日期",
    "progress_since": "序时起算日期", "preset": "事项预设",
}
ITEM_FIELDS = ("title", "source", "ref", "leader", "klass", "content", "standard", "created", "status", "due",
               "within", "preset")
CHUNK = 500


def _id_chunks(conn: sqlite3.Connection, ids: Sequence[int] | None) -> Iterator[tuple[str, list]]:
    """(where-clause, params) over item ids in chunks: ranges of the primary key, or explicit lists."""
    if ids is None:
        top = conn.execute("SELECT max(id) FROM items").fetchone()[0] or 0
        for lo in range(1, top + 1, CHUNK):
            yield "BETWEEN ? AND ?", [lo, lo + CHUNK - 1]
    else:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])
            yield f"IN ({','.join('?' * len(chunk))})", chunk


def replay(conn: sqlite3.Connection, led, ids: Sequence[int] | None, add: Callable, problem: type) -> int:
    """Rebuild each item from its log (as ``Ledger.replayed`` does) and compare it with what is stored."""
    import json

    done = 0
    for cond, params in _id_chunks(conn, ids):
        stored = _stored(led, cond, params)
        logs: dict[int, list[tuple]] = {}
        rows = conn.execute(
            f"""SELECT e.item_id, e.at, e.kind, e.unit_id, u.name, e.data FROM events e
                    LEFT JOIN units u ON u.id = e.unit_id
                WHERE e.item_id {cond} ORDER BY e.item_id, e.id""",
            params,
        )
        for row in rows:
            logs.setdefault(row[0], []).append(row[1:])
        for item_id, item in stored.items():
            log = logs.get(item_id)
            if not log:
                continue  # reported as item_without_events
            try:
                changes = [lifecycle.Change(EventKind(kind), dt.date.fromisoformat(at), unit_id, unit, json.loads(data))
                           for at, kind, unit_id, unit, data in log]
                replayed = lifecycle.replay(changes)
            except DubanError as exc:
                add(problem("replay_failed", f"事项 #{item_id} 的记录无法重放：{exc.message}", item_id))
                continue
            except (ValueError, TypeError, KeyError) as exc:
                add(problem("replay_failed", f"事项 #{item_id} 的记录无法重放（{type(exc).__name__}: {exc}）", item_id))
                continue
            done += 1
            for unit, text in _differences(item, replayed):
                add(problem("projection_mismatch", f"事项 #{item_id} 保存的状态与记录不一致：{text}", item_id, unit))
    return done


def _stored(led, cond: str, params: list) -> dict[int, Item]:
    """The stored items of a chunk; an item whose stored codes are unreadable is left out (bad_code says why)."""
    try:
        return {item.id: item for item in led._items_where(f"i.id {cond}", params)}
    except ValueError:
        found = {}
        ids = [r[0] for r in led.db.execute(f"SELECT id FROM items i WHERE i.id {cond}", params)]
        for item_id in ids:
            try:
                found[item_id] = led._items_where("i.id = ?", [item_id])[0]
            except ValueError:
                pass
        return found


def _value(value) -> str:
    if value is None:
        return "空"
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "label"):
        return f"{value.label}（{value.code}）"
    return str(value)


def _differences(stored: Item, replayed: Item) -> list[tuple[str | None, str]]:
    """What differs between the stored projection and the replay, in words."""
    found: list[tuple[str | None, str]] = []
    for name in ITEM_FIELDS:
        a, b = getattr(stored, name), getattr(replayed, name)
        if a != b:
            found.append((None, f"{FIELD_LABELS[name]}保存为 {_value(a)}，按记录应为 {_value(b)}"))
    mine = {a.unit_id: a for a in stored.assignments}
    theirs = {a.unit_id: a for a in replayed.assignments}
    for unit_id in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(unit_id), theirs.get(unit_id)
        if a is None:
            found.append((b.unit, f"记录中交办了“{b.unit}”，但没有保存该交办"))
        elif b is None:
            found.append((a.unit, f"保存了“{a.unit}”的交办，但记录中没有交办该单位"))
        else:
            diffs = [f"{FIELD_LABELS[f]}保存为 {_value(getattr(a, f))}，按记录应为 {_value(getattr(b, f))}"
                     for f in ASSIGNMENT_FIELDS if getattr(a, f) != getattr(b, f)]
            if diffs:
                found.append((a.unit, f"“{a.unit}”的" + "；".join(diffs)))
    if stored.milestones != replayed.milestones:
        found.append((None, f"节点保存为 {len(stored.milestones)} 个，与记录中的节点不一致"))
    return found
