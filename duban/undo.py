"""撤回 (``duban undo``, issue #17): take back the latest write command not yet taken back.

A command is the events of one write transaction (the ``commands`` table, m016_undo). Taking it
back appends one `undone` event and marks its events voided (``voided_events``) in the same
transaction; the log keeps both, and the ``events`` view every reader uses leaves voided events
out. The items it touched are then stored as the replay of their remaining events
(:func:`duban.lifecycle.replay`, through ``Ledger._store``): an item whose every event is voided
(a ``create`` or an import taken back) leaves the ledger, as a unit its command added does.

The rule is bounded so that nothing that has left the ledger or been counted in a past period
changes:

* only the latest command not yet undone, and again the one before it (no skipping);
* only a command recorded today (``--today``): a past day's figures may already be in a report;
* never a command that sent something out: 催办通知 (``remind``), 任务交办单/销号单 (``notice``), 反馈表
  (``form``), a 督查专报 期号 (``report weekly``); nor a calendar entry (its event does not hold
  the schedule it replaced). Each refusal says why, and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from . import lifecycle
from .errors import InvalidInput, InvalidTransition
from .models import Event, EventKind

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger

#: The ledger-level event kinds (no item) and their Chinese names.
LEDGER_KINDS = {"unit_added": "新增单位", "setting_changed": "修改设置", "calendar_changed": "录入日历",
                "form_sent": "发出反馈表", "form_returned": "收回反馈表", "report_issued": "印发督查专报",
                "undone": "撤回"}

#: How many of a command's events ``undo`` lists one by one.
SHOWN = 10


@dataclasses.dataclass
class Command:
    """One write command: its events (id ``first`` to ``last``), as ``undo`` shows it."""

    id: int
    name: str | None
    on: dt.date
    first: int
    last: int
    events: list[tuple[int, int | None, str, str, str, dict]]  # id, item id, at, kind, detail, data
    items: list[int]

    @property
    def what(self) -> str:
        """The command in words: ``duban feedback``, or its kinds of records when its name is unknown."""
        if self.name:
            return f"duban {self.name}"
        kinds = dict.fromkeys(kind_label(e[3]) for e in self.events)
        return "、".join(kinds)

    def summary(self) -> str:
        items = "、".join(f"#{i}" for i in self.items[:SHOWN]) + ("等" if len(self.items) > SHOWN else "")
        about = f"事项 {items}（{len(self.items)}项），" if len(self.items) > 1 else f"事项 {items}，" if items else ""
        return f"{self.what}（{self.on.isoformat()} 记）：{about}{len(self.events)} 条记录"

    def lines(self) -> list[str]:
        shown = [f"  {f'#{item_id} ' if item_id else ''}{detail}"
                 for _, item_id, _, _, detail, _ in self.events[:SHOWN]]
        if len(self.events) > SHOWN:
            shown.append(f"  ……另有 {len(self.events) - SHOWN} 条记录")
        return shown


def kind_label(code: str) -> str:
    try:
        return EventKind(code).label
    except ValueError:
        return LEDGER_KINDS.get(code, code)


def latest(led: "Ledger") -> Command:
    """The latest command not yet taken back (an undo itself is not one); refused with the reason."""
    row = led.db.execute(
        """SELECT c.id, c.name, c.at, c.first_event, c.last_event FROM commands c
           WHERE c.first_event NOT IN (SELECT event_id FROM voided_events)
             AND (SELECT kind FROM event_log WHERE id = c.first_event) != 'undone'
           ORDER BY c.id DESC LIMIT 1""").fetchone()
    if row is None:
        older = led.db.execute("SELECT id, at FROM events WHERE kind != 'undone' ORDER BY id DESC LIMIT 1").fetchone()
        if older is None:
            raise InvalidInput("没有可以撤回的命令")
        raise InvalidInput(f"最近的记录（{older[1]}）写于本版 duban 之前，未记下它属于哪条命令，不能撤回")
    events = [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in led.db.execute(
        "SELECT id, item_id, at, kind, detail, data FROM event_log WHERE id BETWEEN ? AND ? ORDER BY id",
        [row[3], row[4]])]
    items = list(dict.fromkeys(e[1] for e in events if e[1] is not None))
    return Command(row[0], row[1], dt.date.fromisoformat(row[2]), row[3], row[4], events, items)


def refusal(cmd: Command, today: dt.date) -> str | None:
    """Why ``cmd`` cannot be taken back, or None."""
    head = f"不能撤回最近的命令 {cmd.what}（{cmd.on.isoformat()} 记）："
    dates = {e[2] for e in cmd.events}
    if cmd.on != today or dates != {today.isoformat()}:
        return (head + f"只能撤回今天（{today.isoformat()}）记下的命令，以前各日的记录可能已计入报告和统计；"
                "请用相应命令更正（如 duban edit、duban extend、duban reopen）")
    for _, _, _, kind, _, data in cmd.events:
        if kind == "reminded":
            refs = list(dict.fromkeys(e[5].get("doc_ref") for e in cmd.events if e[3] == "reminded"))
            more = "等" if len(refs) > 1 else ""
            return head + f"它发出了催办通知（文号{refs[0]}{more}），通知已离开台账，不能收回"
        if kind == "issued":
            return head + f"它出具了任务{data.get('document', '')}（文号{data.get('doc_ref')}），文书已离开台账，不能收回"
        if kind == "form_sent":
            return head + "它发出了反馈表，表已离开台账，不能收回"
        if kind == "report_issued":
            return head + f"它印发了督查专报 {data.get('year')}年第{data.get('issue_no')}期，期号已用出，不能收回"
        if kind == "calendar_changed":
            return head + ("录入日历的记录未记下原有的日历安排，无法还原；请用 duban calendar add-holiday / "
                           "add-workday 更正")
    return None


def plan(led: "Ledger") -> Command:
    """What ``undo`` would take back (``--dry-run``); refused as ``undo`` itself would be."""
    cmd = latest(led)
    why = refusal(cmd, led.today)
    if why:
        raise InvalidTransition(why)
    return cmd


def undo(led: "Ledger") -> Command:
    """Take back the latest command: one `undone` event, its events voided, the state as replayed."""
    conn = led.db.conn
    # an item or unit the command created leaves the ledger while its (voided) events still name it
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with led._write():
            cmd = plan(led)
            detail = f"撤回 {cmd.summary()}"
            undone = led._log("undone", detail, data={
                "command": cmd.name, "on": cmd.on.isoformat(), "first": cmd.first, "last": cmd.last,
                "events": len(cmd.events), "items": cmd.items})
            led.db.execute("INSERT INTO voided_events (event_id, undone_by) SELECT id, ? FROM event_log"
                           " WHERE id BETWEEN ? AND ?", [undone, cmd.first, cmd.last])
            refs = _referring(led, "items", "item_id")
            for item_id in cmd.items:
                _restore_item(led, item_id, refs)
            _restore_settings(led, cmd)
            _remove_units(led, cmd)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    led._settings, led._calendar = None, None
    led._settings_on.clear()
    return cmd


def _restore_item(led: "Ledger", item_id: int, refs: list[tuple[str, str]]) -> bool:
    """Store the item as its live events replay to; False when none is left (it leaves the ledger)."""
    old = led._load(item_id)
    changes = [lifecycle.Change(EventKind(kind), dt.date.fromisoformat(at), unit_id, unit, json.loads(data))
               for at, kind, unit_id, unit, data in led.db.execute(
                   "SELECT e.at, e.kind, e.unit_id, u.name, e.data FROM events e LEFT JOIN units u ON u.id = e.unit_id"
                   " WHERE e.item_id = ? ORDER BY e.id", [item_id])]
    if not changes:
        children = led.db.execute("SELECT id FROM items WHERE parent_id = ? LIMIT 1", [item_id]).fetchone()
        if children is not None:  # (a later command made it: taken back first, so this cannot happen)
            raise InvalidTransition(f"事项 #{item_id} 已分解出子事项 #{children[0]}，不能撤回其立项")
        for table, column in refs:  # assignments, milestones, import keys…
            led.db.execute(f"DELETE FROM [{table}] WHERE [{column}] = ?", [item_id])
        led.db.execute("DELETE FROM items WHERE id = ?", [item_id])
        return False
    new = lifecycle.replay(changes)
    new.id = item_id
    units = [a.unit_id for a in new.assignments]
    led.db.execute(f"DELETE FROM assignments WHERE item_id = ? AND unit_id NOT IN ({','.join('?' * len(units))})",
                   [item_id, *units])
    seqs = [m.seq for m in new.milestones]
    led.db.execute(f"DELETE FROM milestones WHERE item_id = ? AND seq NOT IN ({','.join('?' * len(seqs))})",
                   [item_id, *seqs])
    led.db.execute("UPDATE items SET title = ?, source = ?, ref = ?, leader = ?, class = ?, content = ?, standard = ?"
                   " WHERE id = ?", [new.title, new.source.code, new.ref, new.leader, new.klass.code, new.content,
                                     new.standard, item_id])
    led._store(new, old)
    _restore_import_key(led, item_id)
    return True


def _restore_import_key(led: "Ledger", item_id: int) -> None:
    """An imported item's 进展情况 as last imported: from its latest live import (a re-import's feedback)."""
    row = led.db.execute(
        """SELECT at, CASE kind WHEN 'imported' THEN json_extract(data, '$.progress')
                                ELSE json_extract(data, '$.text') END
           FROM events WHERE item_id = ? AND (kind = 'imported'
                 OR (kind = 'feedback' AND json_extract(data, '$.import') IS NOT NULL))
           ORDER BY id DESC LIMIT 1""", [item_id]).fetchone()
    if row is not None:
        led.db.execute("UPDATE import_keys SET progress = ?, updated_on = ? WHERE item_id = ?",
                       [row[1], row[0], item_id])


def _restore_settings(led: "Ledger", cmd: Command) -> None:
    """Each setting the command changed goes back to its value before (its `setting_changed` event says it)."""
    for _, _, _, kind, _, data in reversed(cmd.events):
        if kind == "setting_changed":
            led._schedule_everything()  # every light may change with a setting (duban/ledger_schedule.py)
            for key, (old, _new) in data.get("changes", {}).items():
                led.db.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                               " ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, old])
            for key in data.get("unset", []):  # it was at its default, with no value of its own
                led.db.execute("DELETE FROM settings WHERE key = ?", [key])


def _remove_units(led: "Ledger", cmd: Command) -> None:
    """The units the command added leave the ledger, unless something still in it names them."""
    checks: list[tuple[str, str]] = []
    for _, _, _, kind, _, data in cmd.events:
        if kind != "unit_added":
            continue
        unit_id = led._find_unit_id(data.get("name", ""))
        if unit_id is None:
            continue
        led.db.execute("DELETE FROM unit_aliases WHERE unit_id = ?", [unit_id])
        checks = checks or [*_referring(led, "units", "unit_id"), ("document_numbers", "unit_id"),
                            ("events", "unit_id")]
        used = led.db.execute(" UNION ALL ".join(f"SELECT 1 FROM [{t}] WHERE [{c}] = ?1" for t, c in checks)
                              + " LIMIT 1", [unit_id]).fetchone()
        if used is not None:
            raise InvalidTransition(f"不能撤回最近的命令 {cmd.what}：它新增的单位“{data.get('name')}”已被其他记录引用")
        led.db.execute("DELETE FROM units WHERE id = ?", [unit_id])


def _referring(led: "Ledger", parent: str, column: str) -> list[tuple[str, str]]:
    """(table, column) of every ledger table that names a row of ``parent`` (by foreign key, or by a
    column called ``column``): what must go with an item or unit a command taken back had created.
    The log itself (``event_log``) keeps its rows, and a 文号 is never given back (a command that took
    one is not taken back)."""
    found = []
    tables = led.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                            " AND name NOT IN ('event_log', 'document_numbers', '_sqlite_migrations')").fetchall()
    for (table,) in tables:
        keys = {r[3] for r in led.db.execute(f"PRAGMA foreign_key_list([{table}])") if r[2] == parent}
        names = {r[1] for r in led.db.execute(f"PRAGMA table_info([{table}])")}
        for name in sorted(keys | ({column} & names)):
            found.append((table, name))
    return found


def item_log(led: "Ledger", item_id: int) -> list[tuple[Event, bool]]:
    """The item's whole log for ``duban log``: every event, each with whether it was taken back, and the
    `undone` events that took them back, in the order written."""
    led._load(item_id)
    first = led.db.execute("SELECT min(id) FROM events WHERE item_id = ?", [item_id]).fetchone()[0] or 0
    rows = led.db.execute(
        """SELECT e.id, e.item_id, e.unit_id, e.at, e.kind, u.name, e.detail, e.data, v.event_id IS NOT NULL
           FROM event_log e LEFT JOIN units u ON u.id = e.unit_id LEFT JOIN voided_events v ON v.event_id = e.id
           WHERE (e.item_id = ?1 AND e.id >= ?2)
              OR e.id IN (SELECT v2.undone_by FROM voided_events v2 JOIN event_log x ON x.id = v2.event_id
                          WHERE x.item_id = ?1 AND x.id >= ?2)
           ORDER BY e.id""", [item_id, first]).fetchall()
    return [(Event(id=r[0], item_id=r[1], unit_id=r[2], at=dt.date.fromisoformat(r[3]), kind=EventKind(r[4]),
                   unit=r[5], detail=r[6], data=json.loads(r[7])), bool(r[8])) for r in rows]


def check_voided(conn, add, problem: type) -> None:
    """``duban check``: the voided events are exactly those the `undone` events in the log name."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'voided_events'").fetchone() is None:
        return
    expected: dict[int, int] = {}
    for undone, first, last in conn.execute(
            "SELECT id, json_extract(data, '$.first'), json_extract(data, '$.last') FROM event_log"
            " WHERE kind = 'undone' ORDER BY id"):
        for event_id in range(int(first or 0), int(last or -1) + 1):
            expected[event_id] = undone
    stored = dict(conn.execute("SELECT event_id, undone_by FROM voided_events"))
    for event_id in sorted(stored.keys() ^ expected.keys()):
        if event_id in stored:
            add(problem("voided_mismatch", f"记录（编号 {event_id}）标为已撤回，但留痕中没有撤回它的记录"))
        else:
            add(problem("voided_mismatch", f"记录（编号 {event_id}）已由撤回记录（编号 {expected[event_id]}）撤回，"
                                           "但未标为已撤回"))


def undone_note(db: Any, item_id: int) -> str:
    """“（其立项已于 D 用 duban undo 撤回）” when an item left the ledger by undo, else nothing
    (for the “未找到事项” message: a number the clerk just saw should not simply vanish)."""
    try:
        row = db.execute(
            "SELECT u.at FROM event_log e JOIN voided_events v ON v.event_id = e.id"
            " JOIN event_log u ON u.id = v.undone_by WHERE e.item_id = ? AND e.kind IN ('created', 'imported')"
            " ORDER BY e.id DESC LIMIT 1", [item_id]).fetchone()
    except sqlite3.OperationalError:  # a ledger read before its upgrade has no undo tables
        return ""
    return f"（其立项已于 {row[0]} 用 duban undo 撤回）" if row else ""
