"""The write half of duban import: units, imported items and changed progress in one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import clock, lifecycle
from .errors import DubanError, InvalidInput, InvalidTransition
from .models import (
    EventKind,
    Role,
    Unit,
)

# what an `imported` event makes (lifecycle.imported), stored as it is; the other columns keep their defaults
INSERT_IMPORTED_ITEM = (f"INSERT INTO items (id, {', '.join(lifecycle.IMPORTED_ITEM)})"
                        f" VALUES ({', '.join('?' * (len(lifecycle.IMPORTED_ITEM) + 1))})")
INSERT_IMPORTED_ASSIGNMENT = (f"INSERT INTO assignments (item_id, {', '.join(lifecycle.IMPORTED_ASSIGNMENT)})"
                              f" VALUES ({', '.join('?' * (len(lifecycle.IMPORTED_ASSIGNMENT) + 1))})")


class ImportWrites:
    """The write half of duban import: units, imported items and changed progress in one transaction. A mixin of :class:`duban.ledger.Ledger`."""

    # -- duban import: the write half (rows are read and checked in duban/importer.py) -------------
    def unit_index(self) -> dict[str, Unit]:
        """Every unit name and alias → its unit, from one query (an import matches thousands of cells)."""
        units = {u.id: u for u in self._units_where("1", [])}
        index = {u.name: u for u in units.values()}
        for u in units.values():
            for alias in u.aliases:
                index[alias] = u
        return index

    def import_keys(self) -> dict[str, tuple[int, str | None, str | None, str | None]]:
        """Row key → (item id, 进展情况 last imported, lead unit's status, item due) for rows imported before."""
        rows = self.db.execute(
            "SELECT k.key, k.item_id, k.progress, a.status, i.due FROM import_keys k JOIN items i ON i.id = k.item_id"
            " LEFT JOIN assignments a ON a.item_id = k.item_id AND a.role = 'lead'"
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def items_for_reimport(self, ids: Sequence[int]) -> dict[str, tuple]:
        """事项编号 (as text) → (title, lead unit, lead status, due, latest progress text) of these items:
        the rows of a sheet duban exported, re-imported."""
        if not ids:
            return {}
        from .exporter import latest_progress

        progress = latest_progress(self, ids)
        rows = self.db.execute(
            "SELECT i.id, i.title, u.name, a.status, i.due FROM items i"
            " LEFT JOIN assignments a ON a.item_id = i.id AND a.role = 'lead' LEFT JOIN units u ON u.id = a.unit_id"
            " WHERE i.id IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))])
        found = {}
        for item_id, title, unit, status, due in rows:
            latest = progress.get(item_id)
            found[str(item_id)] = (title, unit, status, due, latest.text if latest and not latest.closed else None)
        return found

    def write_import(self, new_units: Sequence[str], rows: Sequence["ImportRow"],
                     updates: Sequence["ProgressUpdate"]) -> list[int]:
        """One transaction for a whole import: new units, imported items, changed progress.

        Any error (naming its sheet row) rolls everything back. Returns the new items' ids.
        Each new item is one `imported` event; what it makes is :func:`duban.lifecycle.imported`,
        the same function :func:`duban.lifecycle.apply` replays it with, stored as the plain rows
        it returns (no dataclasses for 10,000 items) with ``executemany`` — so what is stored is
        what the log replays to (``duban check``; tests/test_import_stored.py compares every
        field). Each row's ``data`` gets its ``units`` (ids and full names) filled in here, once
        the units exist.
        """
        today, logged = self.today.isoformat(), clock.now_utc()
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # one encoder for 10,000 events
        ids: list[int] = []
        # a page cache large enough for the batch (10,000 events and their indexes): SQLite's default
        # 2 MB spills pages mid-insert, a tenth of the write's time (bench/bench_import.py)
        cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute("PRAGMA cache_size = -65536")
        try:
            return self._write_import(new_units, rows, updates, today, logged, encode, ids)
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(cache)}")

    def _write_import(self, new_units: Sequence[str], rows: Sequence["ImportRow"],
                      updates: Sequence["ProgressUpdate"], today: str, logged: str, encode: Any,
                      ids: list[int]) -> list[int]:
        with self._write():
            self._check_import_race(new_units, rows, updates)
            for name in new_units:
                unit_id = self.db.execute("INSERT INTO units (name, created) VALUES (?, ?)", [name, today]).lastrowid
                self._log("unit_added", f"导入时新增单位“{name}”", unit_id=unit_id, data={"name": name, "aliases": []})
            index = self.unit_index()
            next_id = self.db.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0] + 1
            items, assignments, keys = [], [], []
            imported, kind, day = lifecycle.imported, EventKind.IMPORTED.code, self.today
            named: dict[tuple, dict] = {}  # (unit, role) → its entry in the events' data (only read, so shared)
            for item_id, row in enumerate(rows, next_id):
                d = row.data
                d["units"] = units = []
                for pair in row.units:
                    entry = named.get(pair)
                    if entry is None:
                        unit = index[pair[0]]
                        entry = named[pair] = {"unit_id": unit.id, "unit": unit.name, "role": pair[1].code}
                    units.append(entry)
                try:  # the item and its assignments as lifecycle.apply derives them, without its dataclasses
                    item, item_assignments = imported(d, day)
                except DubanError as exc:
                    raise type(exc)(f"{row.where}：{exc.message}") from None
                ids.append(item_id)
                items.append((item_id, *item))
                for a in item_assignments:
                    assignments.append((item_id, *a))
                keys.append((row.key, item_id, d.get("progress"), d["file"], d["sheet"], d["row"], today, today))
            conn = self.db.conn
            conn.executemany(INSERT_IMPORTED_ITEM, items)
            # each `imported` event made (its data as JSON), hashed and stored in turn: not 10,000 texts at once
            self._append_events([item_id, row.data["units"][0]["unit_id"], today, kind, row.detail, encode(row.data),
                                 logged] for item_id, row in zip(ids, rows))
            conn.executemany(INSERT_IMPORTED_ASSIGNMENT, assignments)
            self._schedule_later(ids)  # built by the next command (issue #16), not in the import's time
            conn.executemany("INSERT INTO import_keys (key, item_id, progress, file, sheet, row, imported_on,"
                             " updated_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", keys)
            for up in updates:
                try:
                    item = self._load(up.item_id)
                    self._check_date_order(up.item_id)
                    lead = item.lead
                    if lead is None:
                        raise InvalidTransition(f"事项 #{up.item_id} 没有牵头单位")
                    self._apply(item, EventKind.FEEDBACK, f"“{lead.unit}”反馈进展（{up.where}）：{up.text}",
                                Unit(id=lead.unit_id, name=lead.unit),
                                {"text": up.text, "percent": None, "import": up.source})
                    self.db.execute("UPDATE import_keys SET progress = ?, updated_on = ? WHERE key = ?",
                                    [up.text, today, up.key])
                except DubanError as exc:
                    raise type(exc)(f"{up.where}：{exc.message}") from None
        return ids

    def _check_import_race(self, new_units: Sequence[str], rows: Sequence["ImportRow"],
                           updates: Sequence["ProgressUpdate"]) -> None:
        """Inside the write transaction: did another process import this sheet since it was read?

        The rows were checked against the ledger before the lock was taken; when 8 imports of one
        sheet run at once, the first to commit wins and the others would hit the stored keys.
        They are told so, by name, and nothing is written (re-running is an ordinary re-import).
        """
        keys = [r.key for r in rows]
        taken = False
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            if self.db.execute(f"SELECT 1 FROM import_keys WHERE key IN ({marks}) LIMIT 1", chunk).fetchone():
                taken = True
                break
        if not taken and new_units:
            marks = ", ".join("?" * len(new_units))
            taken = self.db.execute(f"SELECT 1 FROM units WHERE name IN ({marks}) LIMIT 1",
                                    list(new_units)).fetchone() is not None
        if not taken:
            for up in updates:
                if up.key:
                    stored = self.db.execute("SELECT updated_on, progress FROM import_keys WHERE key = ?",
                                             [up.key]).fetchone()
                    if stored is not None and stored[1] == up.text:
                        taken = True
                        break
        if taken:
            raise InvalidInput("该表已由另一进程导入（在本次读取之后、写入之前），本次未写入任何内容；"
                               "如需核对，请重新运行 duban import（将按重复导入处理）")



class ImportRow(NamedTuple):
    """One sheet row to import: its key, units by name (lead first) and the `imported` event's data.
    (A named tuple: 10,000 are made at once, five times as fast as frozen dataclasses.)"""

    key: str
    where: str  # 工作表“台账”第5行, for messages
    units: tuple[tuple[str, Role], ...]
    data: dict
    detail: str


@dataclass(frozen=True)
class ProgressUpdate:
    """A re-imported row whose 进展情况 changed: a feedback event by the item's lead unit."""

    key: str
    item_id: int
    text: str
    where: str
    source: dict  # file, sheet, row
