"""The ledger: one SQLite file, its migrations, transactions, the event log and queries.

``Ledger(db, today=...)`` is the library API; the CLI is a thin layer over it. Every
write runs in one ``BEGIN IMMEDIATE`` transaction, appends its events and stores the
state that :func:`duban.lifecycle.apply` derives from them — so what is stored is
always what the log says. Queries return plain dataclasses from :mod:`duban.models`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import chain, clock, lifecycle, rules
from . import settings as settings_mod
from .errors import DubanError, InvalidInput, InvalidTransition, LedgerError, NotFound, sqlite_error_text
from .models import (
    Assignment,
    Event,
    EventKind,
    Escalation,
    EscalationKind,
    Item,
    ItemClass,
    ItemView,
    LightResult,
    Light,
    Milestone,
    Role,
    Satisfaction,
    Source,
    Status,
    Unit,
)
from .ledger_daily import DailyJob
from .workdays import WorkCalendar, builtin_years
from . import ledger_file
from .ledger_file import APPLICATION_ID, BUSY_TIMEOUT_MS, read_only_connection  # noqa: F401 (part of the API)

if TYPE_CHECKING:  # pragma: no cover
    from sqlite_utils import Database

# The level of a `reminded` event; one recorded without a level (by hand) counts as a 催办.
CHASE_LEVEL_SQL = "COALESCE(json_extract(data, '$.level'), 1)"
# Items with an open deadline, or an open lead's milestone, before the date given twice: the only ones
# that can be red. Served by the indexes on assignments(status, due) and milestones(done_on, due).
# One IN over a UNION (not two ORed INs) so that SQLite fetches the items by rowid.
PAST_DUE_SQL = ("i.id IN (SELECT item_id FROM assignments WHERE status = 'open' AND due < ?"
                " UNION SELECT m.item_id FROM milestones m JOIN assignments a"
                " ON a.item_id = m.item_id AND a.role = 'lead' AND a.status = 'open'"
                " WHERE m.done_on IS NULL AND m.due < ?)")
YEARS = range(clock.FIRST_YEAR, clock.LAST_YEAR + 1)  # deadlines outside these years are typing mistakes
# A calendar_days row no command writes: not a real date, outside YEARS, or workday not 0/1.
BAD_CALENDAR_DAY = (f"date(day) IS NOT day OR workday NOT IN (0, 1) OR day < '{clock.FIRST_YEAR}-01-01'"
                    f" OR day > '{clock.LAST_YEAR}-12-31'")
MAX_WITHIN = 1000
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Deadline:
    """A resolved deadline: the date, how it was obtained, and the N it came from."""

    due: dt.date | None
    basis: str = "given"
    within: int | None = None


@dataclass(frozen=True)
class ListFilter:
    light: Light | None = None
    no_light: bool = False
    unit: str | None = None
    source: Source | None = None
    status: Status | None = None
    due_before: dt.date | None = None
    include_finished: bool = False
    grep: str | None = None  # words anywhere in the title, 文号, leader, content, units or milestones
    leader: str | None = None
    ref: str | None = None  # 文号, brackets and blanks ignored
    klass: ItemClass | None = None
    sort: str | None = None  # light | due | id (ledger_clerk.ordered); None: by id


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# One assignment row: the column list and the values, shared by every write of the projection.
_ASSIGNMENT_COLUMNS = ("item_id unit_id role status assigned_on due due_basis person signed_on last_feedback percent"
                       " closed_on result extensions original_due restarted_on within progress_since").split()
INSERT_ASSIGNMENT = (f"INSERT INTO assignments ({', '.join(_ASSIGNMENT_COLUMNS)})"
                     f" VALUES ({', '.join('?' * len(_ASSIGNMENT_COLUMNS))})")
UPSERT_ASSIGNMENT = (INSERT_ASSIGNMENT + " ON CONFLICT(item_id, unit_id) DO UPDATE SET "
                     + ", ".join(f"{c} = excluded.{c}" for c in _ASSIGNMENT_COLUMNS[2:]))


def assignment_row(item_id: int, a: Assignment) -> list:
    return [item_id, a.unit_id, a.role.code, a.status.code, _iso(a.assigned_on), _iso(a.due), a.due_basis, a.person,
            _iso(a.signed_on), _iso(a.last_feedback), a.percent, _iso(a.closed_on), a.result, a.extensions,
            _iso(a.original_due), _iso(a.restarted_on), a.within, _iso(a.progress_since)]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


ITEM_PRESETS = ("11350",)  # presets that make sense for one item (seeds/003:L453–455: principal leaders' 交办)


def _item_preset(name: str | None) -> None:
    if name is not None and name not in ITEM_PRESETS:
        raise InvalidInput(f"--preset 只能是 {'、'.join(ITEM_PRESETS)}（对单个事项生效），收到“{name}”；"
                           "整本台账的规则用 duban rules preset 设置")


def _check_not_before(due: dt.date | None, day: dt.date, what: str) -> None:
    if due is not None and due < day:
        raise InvalidInput(f"{what} {due.isoformat()} 早于今天 {day.isoformat()}")


def _date_reader() -> Callable[[str | None], dt.date | None]:
    """``_date`` that parses each distinct text once: a bulk load repeats a few hundred dates."""
    seen: dict[str, dt.date] = {}
    parse = dt.date.fromisoformat

    def read(value: str | None) -> dt.date | None:
        if not value:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = parse(value)
        return found

    return read


# The newest migration (duban/migrations.py). Migrations are append-only and applied in order, so a
# ledger that has this one has them all, and opening it needs no sqlite-utils (test_ledger checks it).
SCHEMA = "m014_clerk"


def probe(path: Path) -> None:
    """Refuse, without writing a byte, a file that is not a duban ledger or is from a newer duban."""
    ledger_file.probe(path, SCHEMA)


class Connection:
    """What the ledger needs of its database: ``execute`` and ``conn``, as a sqlite-utils ``Database``.

    A statement that writes outside a transaction is committed at once, as ``Database.execute``
    does. sqlite-utils itself is imported only to migrate: its import is ~90 ms, a third of a
    command's start-up.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence | dict | None = None) -> sqlite3.Cursor:
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql, parameters) if parameters is not None else conn.execute(sql)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if not was_in_transaction and conn.in_transaction and cursor.description is None \
                and sql.lstrip().split(None, 1)[0].upper() not in ("BEGIN", "SAVEPOINT"):
            conn.execute("COMMIT")
        return cursor

    def close(self) -> None:
        self.conn.close()


class Ledger(DailyJob):
    """A supervision ledger over a :class:`Connection` (or a sqlite-utils ``Database``).

    ``today`` is the business date every rule and every event uses; pass it in (tests,
    ``--today``) or let it default to the one clock function.
    """

    read_only = False

    def __init__(self, db: "Connection | Database", today: dt.date | None = None, migrate: bool = True):
        self.db = db
        self.today = today or clock.today()
        self.warnings: list[str] = []
        self._calendar: WorkCalendar | None = None
        self._settings: dict[str, Any] | None = None
        self._settings_on: dict[dt.date, dict[str, Any]] = {}  # settings in force on past days (show --as-of)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            self.migrate()

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, today: dt.date | None = None, create: bool = False) -> "Ledger":
        """Open the ledger file at ``path``; with ``create`` (``duban init`` only) make it if absent.

        An existing file is first looked at read-only (:func:`probe`): one that is not a duban
        ledger, or comes from a newer duban, is refused before a single byte of it changes.
        A ledger that cannot be written (read-only file, folder or mount) is opened read-only:
        every query works, and a write is refused as 只读.
        """
        path = Path(path)
        if not path.exists():
            if path.is_symlink():
                raise LedgerError(f"台账文件不存在：{path}（是指向不存在文件的符号链接）")
            if not create:
                raise LedgerError(f"台账文件不存在：{path}（请先运行 duban init，或用 --db 指定台账）")
            if path.parent and not path.parent.exists():
                raise LedgerError(f"目录不存在：{path.parent}")
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                raise LedgerError(f"台账文件 {path} 刚被另一进程创建，请重试") from None
            os.close(fd)
            try:
                return cls._connect(path, today, writable=True)
            except BaseException:
                with contextlib.suppress(OSError):
                    if path.stat().st_size == 0:
                        path.unlink()  # nothing was made: leave no empty file behind
                raise
        if path.is_dir():
            raise LedgerError(f"{path} 是目录，不是台账文件")
        if not stat.S_ISREG(path.stat().st_mode):
            raise LedgerError(f"{path} 不是普通文件（设备、管道或套接字），不是台账")
        probe(path)
        writable = os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)
        return cls._connect(path, today, writable)

    @classmethod
    def _connect(cls, path: Path, today: dt.date | None, writable: bool) -> "Ledger":
        try:
            if writable:
                db = Connection(sqlite3.connect(str(path)))
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
            else:
                db = Connection(read_only_connection(path))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"无法打开台账 {path}：{sqlite_error_text(exc)}") from None
        try:
            led = cls(db, today=today, migrate=writable)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"无法升级台账 {path}：{sqlite_error_text(exc)}") from None
        led.read_only = not writable
        if not writable and led.pending_schema():
            raise LedgerError(f"台账 {path} 需要升级到新版结构，但文件或其所在目录是只读的；"
                              "请在可写的位置运行一次 duban init 升级后再用")
        return led

    def pending_schema(self) -> bool:
        """Whether this ledger lacks the newest migration."""
        try:
            return self.db.execute("SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'duban' AND name = ?",
                                   [SCHEMA]).fetchone() is None
        except sqlite3.OperationalError:  # a new file: no migration table yet
            return True

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns their names."""
        if not self.pending_schema():
            return []
        from .migrations import migrations

        db = self._sqlite_utils()
        pending = [m.name for m in migrations.pending(db)]
        if pending:
            migrations.apply(db)
            self._calendar = None
        return pending

    def applied_migrations(self) -> list[str]:
        from .migrations import migrations

        return [m.name for m in migrations.applied(self._sqlite_utils())]

    def _sqlite_utils(self) -> "Database":
        """The ledger's connection as a sqlite-utils ``Database`` (for its migrations)."""
        from sqlite_utils import Database

        return self.db if isinstance(self.db, Database) else Database(self.db.conn, execute_plugins=False)

    # -- transactions and the event log --------------------------------------------------
    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One IMMEDIATE transaction: all of the write or none of it."""
        conn = self.db.conn
        if conn.in_transaction:
            raise RuntimeError("nested ledger write")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # SQLite may already have rolled back (a full disk, an I/O error): keep the real cause
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error:  # a full disk at commit: nothing was written; say why, not "no transaction"
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _log(self, kind: EventKind | str, detail: str, *, item_id: int | None = None,
             unit_id: int | None = None, data: dict | None = None) -> int:
        code = kind.code if isinstance(kind, EventKind) else kind
        return self._append_events([[item_id, unit_id, self.today.isoformat(), code, detail,
                                     json.dumps(data or {}, ensure_ascii=False), clock.now_utc()]])

    def _append_events(self, rows: Sequence[list]) -> int:
        """Append events (item_id, unit_id, at, kind, detail, data, logged_at) to the log, each chained
        to the one before (duban/chain.py), and move the chain head; returns the last event's id.

        The only place that inserts events: ``_log`` (one) and ``write_import`` (thousands at once).
        """
        if not self.db.conn.in_transaction:
            with self._write():
                return self._append_events(rows)
        head = self.db.execute("SELECT count, head FROM event_chain WHERE id = 1").fetchone()
        count, previous = head if head else (0, chain.GENESIS)
        next_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
        link, full = chain.link, []
        for n, row in enumerate(rows, next_id):
            values = [n, *row]
            previous = link(previous, values)
            values.append(previous)
            full.append(values)
        self.db.conn.executemany("INSERT INTO events (id, item_id, unit_id, at, kind, detail, data, logged_at, hash)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", full)
        last = next_id + len(full) - 1
        self.db.execute("INSERT INTO event_chain (id, count, head, last_id) VALUES (1, ?, ?, ?) ON CONFLICT(id)"
                        " DO UPDATE SET count = excluded.count, head = excluded.head, last_id = excluded.last_id",
                        [count + len(full), previous, last])
        return last

    # -- settings ---------------------------------------------------------------------
    @property
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            stored = {r[0]: r[1] for r in self.db.execute("SELECT key, value FROM settings")}
            bad: list[tuple[str, str, str]] = []
            self._settings = settings_mod.resolve(stored, bad)
            self.warnings += [settings_mod.bad_value_warning(*b) for b in bad]  # `check` reports them too
        return self._settings

    def settings_on(self, day: dt.date | None) -> dict[str, Any]:
        """The settings in force at the end of ``day``: today's, with later `setting_changed` events undone."""
        if day is None or day >= self.today:
            return self.settings
        cache = self._settings_on
        if day not in cache:
            stored = self.stored_settings()
            rows = self.db.execute("SELECT data FROM events WHERE kind = 'setting_changed' AND at > ? ORDER BY id DESC",
                                   [day.isoformat()]).fetchall()
            for (data,) in rows:
                for key, (old, _new) in json.loads(data).get("changes", {}).items():
                    if key in settings_mod.SETTINGS:
                        stored[key] = old
            cache[day] = settings_mod.resolve(stored)
        return cache[day]

    def stored_settings(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT key, value FROM settings")}

    def set_setting(self, key: str, text: str) -> Any:
        """Validate and store one setting; the change is an event on the log."""
        value = settings_mod.validate(key, text)
        with self._write():
            self._store_settings({key: settings_mod.to_text(value)}, f"设置 {key}")
        return value

    def apply_preset(self, name: str) -> dict[str, Any]:
        """Apply a named preset (三色, 四色, 11350, 默认); returns the settings after it."""
        if name not in settings_mod.PRESETS:
            raise InvalidInput(f"没有名为“{name}”的预设，可用：{'、'.join(settings_mod.PRESETS)}")
        _, values = settings_mod.PRESETS[name]
        with self._write():
            if values is None:
                values = {k: settings_mod.to_text(s.default) for k, s in settings_mod.SETTINGS.items()
                          if k not in settings_mod.KEEP_ON_RESET}
            self._store_settings(values, f"应用预设“{name}”")
        return self.settings

    def _store_settings(self, values: dict[str, str], what: str) -> None:
        old = dict(self.settings)
        for key, text in values.items():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, text],
            )
        changes = {k: [settings_mod.to_text(old[k]), v] for k, v in values.items() if settings_mod.to_text(old[k]) != v}
        listed = "；".join(f"{k}：{a} → {b}" for k, (a, b) in changes.items()) or "无变化"
        self._log("setting_changed", f"{what}（{listed}）", data={"changes": changes})
        self._settings = None
        self.warnings = [w for w in self.warnings if not any(w.startswith(f"警告：设置项 {k} ") for k in values)]
        self._settings_on.clear()

    # -- calendar -----------------------------------------------------------------------
    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = self._make_calendar()
        return self._calendar

    def _make_calendar(self, extra: Sequence[tuple[dt.date, bool, str | None]] = (),
                       extra_years: Iterable[int] = ()) -> WorkCalendar:
        """The ledger's calendar, with ``extra`` entries as if already entered (for ``--dry-run``)."""
        overrides = {}
        for day, workday in self.db.execute("SELECT day, workday FROM calendar_days"):
            try:  # a row written by hand or another tool must not stop every command
                when = dt.date.fromisoformat(day)
                if workday not in (0, 1) or clock.out_of_range(when):
                    raise ValueError(day)
            except (TypeError, ValueError):
                self.warnings.append(f"警告：日历表中“{day}”（workday={workday}）无效，已忽略；"
                                     "请用 duban check 查看并用 calendar add-holiday / add-workday 重新录入")
                continue
            overrides[when] = bool(workday)
        overrides.update({day: workday for day, workday, _ in extra})
        known = builtin_years()
        years = {r[0] for r in self.db.execute("SELECT year FROM calendar_years")} | set(extra_years)
        return WorkCalendar(overrides, entered_years={y for y in years if y not in known})

    def estimated_notice(self) -> str | None:
        """The one stderr line for a command whose answers depended on an estimated year, or None."""
        cal = self._calendar
        if cal is None or not cal.estimated_used:
            return None
        years = "、".join(f"{y}年" for y in sorted(cal.estimated_used))
        return (f"提示：{years}的节假日安排尚未录入，已按《全国年节及纪念日放假办法》的法定节假日估算（调休未知，"
                f"相关时限标记“时限待核”）；收到国务院办公厅通知后请运行 duban calendar import 通知.txt")

    def set_calendar_days(self, entries: Sequence[tuple[dt.date, bool, str | None]]) -> int:
        """Record holidays (``workday`` False) and make-up working days, all in one write."""
        return self.enter_calendar(entries).count

    def enter_calendar(self, entries: Sequence[tuple[dt.date, bool, str | None]], dry_run: bool = False,
                       years: Iterable[int] | None = None) -> "calendar_entry.CalendarEntry":
        """Enter days (or a whole year) of the holiday schedule, and recompute the deadlines it settles.

        In the same transaction every live assignment whose deadline was counted as N working days
        on an estimated year is recounted from its 交办 date: one `due_recomputed` event each
        (:mod:`duban.calendar_entry`). With ``dry_run`` nothing is written. ``years``: the years whose
        schedule this entry gives (a notice's year; by default every year of the entries).
        """
        from . import calendar_entry

        if not entries:
            raise InvalidInput("请至少给出一个日期")
        entries = sorted(entries)
        years = sorted(set(years) if years is not None else {d.year for d, _, _ in entries})
        if dry_run:
            plan = calendar_entry.plan(self._recompute_candidates(years), years, self._make_calendar(entries, years))
            self.warnings.extend(plan.warnings)
            return calendar_entry.CalendarEntry(len(entries), plan)
        with self._write():
            for day, workday, note in entries:
                self.db.execute(
                    "INSERT INTO calendar_days (day, workday, note) VALUES (?, ?, ?)"
                    " ON CONFLICT(day) DO UPDATE SET workday = excluded.workday, note = excluded.note",
                    [day.isoformat(), int(workday), note],
                )
            holidays = [d.isoformat() for d, w, _ in entries if not w]
            workdays = [d.isoformat() for d, w, _ in entries if w]
            parts = ([f"放假 {'、'.join(holidays)}"] if holidays else []) + (
                [f"调休上班 {'、'.join(workdays)}"] if workdays else [])
            data: dict[str, Any] = {"holidays": holidays, "workdays": workdays}
            # rows no command could have written (a bad date, workday not 0/1) go, on the record
            bad = [str(r[0]) for r in self.db.execute(f"SELECT day FROM calendar_days WHERE {BAD_CALENDAR_DAY}")]
            if bad:
                self.db.execute(f"DELETE FROM calendar_days WHERE {BAD_CALENDAR_DAY}")
                parts.append(f"删除无效日历行 {'、'.join(bad)}")
                data["removed_invalid"] = bad
            for year in years:
                self.db.execute("INSERT INTO calendar_years (year, entered_on) VALUES (?, ?)"
                                " ON CONFLICT(year) DO NOTHING", [year, self.today.isoformat()])
            data["years"] = years
            self._log("calendar_changed", "录入日历：" + "；".join(parts), data=data)
            self._calendar = None
            plan = calendar_entry.plan(self._recompute_candidates(years), years, self.calendar)
            latest = self._latest_event_dates([r.item.id for r in plan.recomputed])
            current: dict[int, Item] = {}
            for r in plan.recomputed:
                if (latest.get(r.item.id) or "") > self.today.isoformat():
                    plan.skipped.append(r)
                    self.warnings.append(f"提示：事项 #{r.item.id} 已有 {latest[r.item.id]} 的记录，未在 "
                                         f"{self.today.isoformat()} 重算其时限（{r.text}）")
                    continue
                item = current.get(r.item.id, r.item)
                current[r.item.id] = self._apply(item, EventKind.DUE_RECOMPUTED, r.detail,
                                                 Unit(id=r.assignment.unit_id, name=r.assignment.unit), r.data)
        self.warnings.extend(plan.warnings)
        return calendar_entry.CalendarEntry(len(entries), plan)

    def _recompute_candidates(self, years: Sequence[int]) -> list[Item]:
        """Items with a live deadline counted on an estimated year, or falling in one of ``years``."""
        marks = ",".join("?" * len(years))
        return self._items_where(
            "i.id IN (SELECT item_id FROM assignments WHERE status IN ('open', 'paused') AND due IS NOT NULL"
            f" AND (due_basis IN ('estimated', 'weekends') OR CAST(substr(due, 1, 4) AS INTEGER) IN ({marks})))",
            [*years])

    def _latest_event_dates(self, item_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        ids = sorted(set(item_ids))
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            found.update(self.db.execute(
                f"SELECT item_id, max(at) FROM events WHERE item_id IN ({','.join('?' * len(chunk))}) GROUP BY item_id",
                chunk).fetchall())
        return found

    def calendar_entries(self, year: int) -> list[tuple[dt.date, bool, str | None]]:
        rows = self.db.execute(
            f"SELECT day, workday, note FROM calendar_days WHERE day LIKE ? AND NOT ({BAD_CALENDAR_DAY})"
            " ORDER BY day", [f"{year:04d}-%"]
        )
        return [(dt.date.fromisoformat(d), bool(w), n) for d, w, n in rows]

    # -- units --------------------------------------------------------------------------
    def add_unit(self, name: str, aliases: Iterable[str] = (), parent: str | None = None,
                 contact: str | None = None, phone: str | None = None) -> Unit:
        name = (name or "").strip()
        if not name:
            raise InvalidInput("单位名称不能为空")
        aliases = [a.strip() for a in aliases if a and a.strip()]
        with self._write():
            if self._find_unit_id(name) is not None:
                raise InvalidInput(f"单位名称“{name}”已存在（或已是某单位的简称）")
            for alias in aliases:
                if alias == name or self._find_unit_id(alias) is not None:
                    raise InvalidInput(f"简称“{alias}”已被使用")
            if len(set(aliases)) != len(aliases):
                raise InvalidInput("简称有重复")
            parent_id = self.unit(parent).id if parent else None
            unit_id = self.db.execute(
                "INSERT INTO units (name, parent_id, contact, phone, created) VALUES (?, ?, ?, ?, ?)",
                [name, parent_id, contact, phone, self.today.isoformat()],
            ).lastrowid
            for alias in aliases:
                self.db.execute("INSERT INTO unit_aliases (alias, unit_id) VALUES (?, ?)", [alias, unit_id])
            self._log("unit_added", f"新增单位“{name}”", unit_id=unit_id,
                      data={"name": name, "aliases": aliases, "parent": parent, "contact": contact, "phone": phone})
        return self.unit(name)

    def _find_unit_id(self, name: str) -> int | None:
        row = self.db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()
        if row is None:
            row = self.db.execute("SELECT unit_id FROM unit_aliases WHERE alias = ?", [name]).fetchone()
        return row[0] if row else None

    def unit(self, name: str) -> Unit:
        """The unit called ``name`` (full name or alias); NotFound suggests close names."""
        name = (name or "").strip()
        if not name:
            raise InvalidInput("单位名称不能为空")
        unit_id = self._find_unit_id(name)
        if unit_id is None:
            known = [r[0] for r in self.db.execute("SELECT name FROM units UNION SELECT alias FROM unit_aliases")]
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.4)
            hint = f"，是否是：{'、'.join(close)}" if close else "（用 duban unit add 添加）"
            raise NotFound(f"未找到单位“{name}”{hint}")
        return self._units_where("u.id = ?", [unit_id])[0]

    def units(self) -> list[Unit]:
        return self._units_where("1", [])

    def _units_where(self, where: str, params: list) -> list[Unit]:
        rows = self.db.execute(
            f"""SELECT u.id, u.name, p.name, u.contact, u.phone,
                       (SELECT json_group_array(alias) FROM
                          (SELECT alias FROM unit_aliases WHERE unit_id = u.id ORDER BY alias))
                FROM units u LEFT JOIN units p ON p.id = u.parent_id
                WHERE {where} ORDER BY u.id""",
            params,
        ).fetchall()
        return [Unit(id=r[0], name=r[1], parent=r[2], contact=r[3], phone=r[4], aliases=tuple(json.loads(r[5])))
                for r in rows]

    # -- deadlines ------------------------------------------------------------------------
    def resolve_deadline(self, due: dt.date | None, within: int | None, start: dt.date | None = None,
                         what: str = "办理时限") -> Deadline:
        """A date given as is, or "N个工作日" counted after ``start`` (交办 date).

        Adds a warning when the answer depends on a year whose holidays are unknown, or
        when a given date is not a working day; ``what`` names the date in them (办理时限, 节点日期).
        """
        if due is not None and within is not None:
            raise InvalidInput("--due 与 --within 只能给出一个")
        start = start or self.today
        cal = self.calendar
        if due is not None and due.year not in YEARS:
            raise InvalidInput(f"{what} {due.isoformat()} 的年份超出范围（{YEARS.start}–{YEARS.stop - 1}）"
                               + ("；长期事项请不设时限" if what == "办理时限" else ""))
        if within is not None:
            if not 1 <= within <= MAX_WITHIN:
                raise InvalidInput(f"--within 应为 1 到 {MAX_WITHIN} 之间的工作日数，收到 {within}")
            span = cal.add_workdays(start, within)
            if span.uncovered:
                self._warn_uncovered(span.uncovered, f"{within}个工作日后的办理时限按法定节假日估算为 {span.value.isoformat()}")
                return Deadline(span.value, "estimated", within)
            return Deadline(span.value, "calendar", within)
        if due is not None:
            if not cal.covered(due.year):
                self._warn_uncovered((due.year,), f"无法确认{what} {due.isoformat()} 是否为工作日")
            elif not cal.is_workday(due):
                self.warnings.append(f"注意：{what} {due.isoformat()} 是{cal.describe(due)}，不是工作日")
        return Deadline(due, "given", None)

    def _warn_uncovered(self, years: Iterable[int], what: str) -> None:
        listed = "、".join(f"{y}年" for y in years)
        self.warnings.append(
            f"警告：日历尚未收录{listed}的节假日安排，{what}；"
            f"收到国务院办公厅通知后请用 duban calendar import 通知.txt 录入，按工作日数计算的时限将自动重算"
            f"（事项已标记“时限待核”）"
        )

    # -- items: reading -------------------------------------------------------------------
    def _load(self, item_id: int) -> Item:
        if not 0 < item_id <= MAX_ID:
            raise NotFound(f"未找到事项 #{item_id}")
        items = self._items_where("i.id = ?", [item_id])
        if not items:
            raise NotFound(f"未找到事项 #{item_id}")
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

    def view(self, item: Item, day: dt.date | None = None, parents: set[int] | None = None) -> ItemView:
        """The item with its light as on ``day`` (default: today).

        An item split into sub-items (``parents``: the ids known to have some, else asked) is lit
        by the worst of its own light and its open sub-items' (issue #17).
        """
        light, _ = rules.item_light(item, day or self.today, self.calendar, self.settings_on(day))
        if item.parent is None and (item.id in parents if parents is not None else self._has_children(item.id)):
            from .ledger_clerk import worst_light

            children = self._items_where("i.parent_id = ? AND i.status IN ('pending', 'open', 'paused', 'done')",
                                         [item.id])
            light = worst_light(light, [(c, rules.item_light(c, day or self.today, self.calendar, self.settings_on(day))[0])
                                        for c in children])
        feedbacks = [a.last_feedback for a in item.assignments if a.last_feedback]
        uncertain = any(rules.due_uncertain(a, self.calendar) for a in item.assignments if a.status.is_live)
        return ItemView(item=item, light=light, last_feedback=max(feedbacks) if feedbacks else None,
                        due_uncertain=uncertain)

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

    def list_items(self, flt: ListFilter = ListFilter()) -> list[ItemView]:
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
            where.append("i.id IN (SELECT item_id FROM assignments WHERE unit_id = ?)")
            params.append(unit.id)
        if flt.due_before is not None:
            where.append("i.due IS NOT NULL AND i.due < ?")
            params.append(flt.due_before.isoformat())
        if flt.light is Light.RED:  # only items with a deadline or a lead milestone already past can be red
            child_past_due = PAST_DUE_SQL.replace("i.id IN", "c.id IN", 1)  # … or one of their sub-items
            where.append(f"({PAST_DUE_SQL} OR i.id IN (SELECT c.parent_id FROM items c"
                         f" WHERE c.parent_id IS NOT NULL AND {child_past_due}))")
            params += [self.today.isoformat()] * 4
        if flt.klass is not None:
            where.append("i.class = ?")
            params.append(flt.klass.code)
        parents = self.parent_ids()
        views = [self.view(item, parents=parents) for item in self._items_where(" AND ".join(where), params)]
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

    # -- items: writing -------------------------------------------------------------------
    def _check_date_order(self, item_id: int) -> None:
        row = self.db.execute("SELECT max(at) FROM events WHERE item_id = ?", [item_id]).fetchone()
        if row and row[0] and row[0] > self.today.isoformat():
            raise InvalidInput(
                f"事项 #{item_id} 已有 {row[0]} 的记录，不能再记入更早日期 {self.today.isoformat()} 的操作"
            )

    def _apply(self, item: Item | None, kind: EventKind, detail: str, unit: Unit | None = None,
               data: dict | None = None, item_id: int | None = None) -> Item:
        change = lifecycle.Change(kind, self.today, unit.id if unit else None, unit.name if unit else None,
                                  data or {})
        new = lifecycle.apply(item, change)
        item_id = item.id if item is not None else item_id
        new.id = item_id
        self._log(kind, detail, item_id=item_id, unit_id=change.unit_id, data=change.data)
        self._store(new, item)
        return new

    def _store(self, new: Item, old: Item | None) -> None:
        self.db.execute(
            "UPDATE items SET status = ?, due = ?, within = ?, preset = ? WHERE id = ?",
            [new.status.code, _iso(new.due), new.within, new.preset, new.id],
        )
        old_milestones = {m.seq: m for m in (old.milestones if old else [])}
        for m in new.milestones:
            if old_milestones.get(m.seq) != m:
                self.db.execute(
                    "INSERT INTO milestones (item_id, seq, due, title, done_on) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(item_id, seq) DO UPDATE SET due = excluded.due, title = excluded.title,"
                    " done_on = excluded.done_on",
                    [new.id, m.seq, m.due.isoformat(), m.title, _iso(m.done_on)],
                )
        before = {a.unit_id: a for a in (old.assignments if old else [])}
        for a in new.assignments:
            if before.get(a.unit_id) == a:
                continue
            self.db.execute(UPSERT_ASSIGNMENT, assignment_row(new.id, a))

    def create(self, title: str, source: Source, *, ref: str | None = None, leader: str | None = None,
               klass: ItemClass = ItemClass.ROUTINE, content: str | None = None, standard: str | None = None,
               lead: str | None = None, co: Sequence[str] = (), due: dt.date | None = None,
               within: int | None = None, person: str | None = None,
               milestones: Sequence[tuple[dt.date, str]] = (), long_term: bool = False,
               parent: int | None = None, preset: str | None = None) -> ItemView:
        """Register an item (立项); with ``lead`` it is assigned (交办) at once.

        ``long_term`` (长期): no deadline at all, not the default one; lit by its feedback
        cadence and milestones only. ``preset`` (11350) applies that preset's deadline and
        first-feedback rule to this item only.
        """
        _item_preset(preset)
        if long_term and (due is not None or within is not None):
            raise InvalidInput("长期事项不设办理时限：--due 长期 不能与日期或 --within 同时给出")
        title = (title or "").strip()
        if not title:
            raise InvalidInput("事项名称不能为空")
        if co and not lead:
            raise InvalidInput("给出配合单位时须同时给出牵头单位（--lead）")
        if due is not None and within is not None:
            raise InvalidInput("--due 与 --within 只能给出一个")
        if due is not None and due < self.today:
            raise InvalidInput(f"办理时限 {due.isoformat()} 早于立项日期 {self.today.isoformat()}")
        with self._write():
            if parent is not None:
                from .ledger_clerk import check_parent

                check_parent(self._load(parent), self.today)
            units = self._assignment_units(lead, co) if lead else []
            self.resolve_deadline(due, within)  # validates before anything is written
            self.warnings.clear()
            item_id = self.db.execute(
                "INSERT INTO items (title, source, ref, leader, class, content, standard, created, status, parent_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                [title, source.code, ref, leader, klass.code, content, standard, self.today.isoformat(), parent],
            ).lastrowid
            data = {"title": title, "source": source.code, "ref": ref, "leader": leader, "class": klass.code,
                    "content": content, "standard": standard, "due": _iso(due), "within": within}
            if long_term:
                data["long_term"] = True
            if parent is not None:
                data["parent"] = parent
            if preset:
                data["preset"] = preset
            said = f"，分解自事项 #{parent}" if parent is not None else ""
            item = self._apply(None, EventKind.CREATED, f"立项：{title}（{source.label}）{said}", data=data,
                               item_id=item_id)
            if units:
                item = self._assign_units(item, units, due, within, person, long_term, preset)
            for when, what in milestones:
                item = self._add_milestone(item, when, what)
        return self.item(item_id)

    def _add_milestone(self, item: Item, due: dt.date, title: str) -> Item:
        self.resolve_deadline(due, None, what="节点日期")  # warns about a holiday or an unknown year
        return self._apply(item, EventKind.MILESTONE_ADDED, f"设定节点：{due.isoformat()} {title}",
                           data={"due": due.isoformat(), "title": title})

    def add_milestone(self, item_id: int, due: dt.date, title: str) -> ItemView:
        """节点: add a dated intermediate target; a missed one lights the item red."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            self._add_milestone(item, due, title)
        return self.item(item_id)

    def complete_milestone(self, item_id: int, seq: int) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            title = next((m.title for m in item.milestones if m.seq == seq), "")
            self._apply(item, EventKind.MILESTONE_DONE, f"完成节点{seq}：{title}", data={"seq": seq})
        return self.item(item_id)

    def _assignment_units(self, lead: str, co: Sequence[str]) -> list[tuple[Unit, Role]]:
        lead_unit = self.unit(lead)
        result = [(lead_unit, Role.LEAD)]
        seen = {lead_unit.id}
        for name in co:
            unit = self.unit(name)
            if unit.id in seen:
                raise InvalidInput(f"单位“{unit.name}”重复出现在牵头/配合单位中")
            seen.add(unit.id)
            result.append((unit, Role.CO))
        return result

    def _assign_units(self, item: Item, units: list[tuple[Unit, Role]], due: dt.date | None,
                      within: int | None, person: str | None, long_term: bool = False, preset: str | None = None) -> Item:
        if long_term:
            if due is not None or within is not None:
                raise InvalidInput("长期事项不设办理时限：--due 长期 不能与日期或 --within 同时给出")
        elif due is None and within is None and item.lead is not None and item.lead.due is None:
            pass  # co units added to a long-term item share its (absent) deadline
        elif due is None and within is None and item.lead is None and self._planned_long_term(item.id):
            pass  # registered as 长期 while pending
        elif due is None and within is None:
            if item.lead is not None and item.lead.due is not None:
                due = item.lead.due  # co units added later share the lead's deadline
            elif item.due is not None:
                due = item.due
            else:
                rules_now = rules.item_settings(dataclasses.replace(item, preset=preset or item.preset), self.settings)
                within = item.within or rules_now["default_due_workdays"]
        deadline = self.resolve_deadline(due, within, self.today)
        for unit, role in units:
            data = {"role": role.code, "due": _iso(deadline.due), "due_basis": deadline.basis,
                    "within": deadline.within, "person": person if role is Role.LEAD else None}
            if preset and preset != item.preset:
                data["preset"] = preset
            when = f"，办理时限 {deadline.due.isoformat()}" if deadline.due else "，长期事项，不设办理时限"
            item = self._apply(item, EventKind.ASSIGNED, f"交办{role.label}单位“{unit.name}”{when}", unit, data)
        return item

    def _planned_long_term(self, item_id: int) -> bool:
        """Whether the item was registered as 长期 (its `created` event says so)."""
        row = self.db.execute("SELECT json_extract(data, '$.long_term') FROM events WHERE item_id = ? AND kind = 'created'"
                              " ORDER BY id LIMIT 1", [item_id]).fetchone()
        return bool(row and row[0])

    def merge(self, keep: int, drop: int, reason: str) -> ItemView:
        """合并 (duban merge): DROP becomes 已合并, pointing to KEEP (see :func:`duban.ledger_clerk.merge`)."""
        from .ledger_clerk import merge

        return merge(self, keep, drop, reason)

    def edit(self, item_id: int, **fields: Any) -> ItemView:
        """更正 (duban edit): title, ref, leader, class, source, content, standard — one `amended` event."""
        from .ledger_clerk import edit

        return edit(self, item_id, fields)

    def assign(self, item_id: int, lead: str | None, co: Sequence[str] = (), due: dt.date | None = None,
               within: int | None = None, person: str | None = None, long_term: bool = False,
               preset: str | None = None) -> ItemView:
        """交办: give a pending item its lead (and co) units, or add co units to an assigned one."""
        _item_preset(preset)
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            if item.status in (Status.CANCELLED, Status.CLOSED):
                raise InvalidTransition(f"事项 #{item_id} 状态为“{item.status.label}”，不能交办")
            current = item.lead
            if lead is None and current is None:
                raise InvalidInput(f"事项 #{item_id} 尚未交办，请用 --lead 指定牵头单位")
            units: list[tuple[Unit, Role]] = []
            if lead is not None:
                lead_unit = self.unit(lead)
                if current is not None and current.unit_id != lead_unit.id:
                    raise InvalidInput(f"事项 #{item_id} 已由“{current.unit}”牵头，不能改为“{lead_unit.name}”")
                if current is None:
                    units.append((lead_unit, Role.LEAD))
            taken = {a.unit_id for a in item.assignments} | {u.id for u, _ in units}
            for name in co:
                unit = self.unit(name)
                if unit.id in taken:
                    raise InvalidInput(f"单位“{unit.name}”已是事项 #{item_id} 的责任单位")
                taken.add(unit.id)
                units.append((unit, Role.CO))
            if not units:
                raise InvalidInput(f"事项 #{item_id} 没有需要新交办的单位")
            self._assign_units(item, units, due, within, person, long_term, preset)
        return self.item(item_id)

    def _targets(self, item: Item, unit: str | None, statuses: Iterable[Status],
                 action: str) -> list[tuple[Unit, Assignment]]:
        """The assignments an action applies to: the named unit's, or every one in ``statuses``."""
        if unit is not None:
            u = self.unit(unit)
            for a in item.assignments:
                if a.unit_id == u.id:
                    return [(u, a)]
            raise InvalidInput(f"单位“{u.name}”不是事项 #{item.id} 的责任单位")
        statuses = set(statuses)
        found = [(Unit(id=a.unit_id, name=a.unit), a) for a in item.assignments if a.status in statuses]
        if not found:
            if not item.assignments:
                raise InvalidTransition(f"事项 #{item.id} 尚未交办，不能{action}")
            raise InvalidTransition(f"事项 #{item.id} 状态为“{item.status.label}”，没有可以{action}的单位")
        return found

    def _act(self, item_id: int, unit: str | None, statuses: Iterable[Status], action: str, kind: EventKind,
             detail: Callable[[str], str], data: dict | None = None) -> ItemView:
        """Apply one kind of event to the named unit's assignment, or to each one in ``statuses``."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, _ in self._targets(item, unit, statuses, action):
                item = self._apply(item, kind, detail(u.name), u, data)
        return self.item(item_id)

    def sign(self, item_id: int, unit: str) -> ItemView:
        return self._act(item_id, unit, (), "签收", EventKind.SIGNED, lambda u: f"“{u}”签收")

    def feedback(self, item_id: int, unit: str, text: str, percent: int | None = None) -> ItemView:
        text = (text or "").strip()
        shown = f"（完成{percent}%）" if percent is not None else ""
        return self._act(item_id, unit, (), "反馈", EventKind.FEEDBACK, lambda u: f"“{u}”反馈进展{shown}：{text}",
                         {"text": text, "percent": percent})

    def extend(self, item_id: int, to: dt.date, reason: str, unit: str | None = None) -> ItemView:
        """延期: move the deadline of the named unit, or of every unit still at work."""
        deadline = self.resolve_deadline(to, None)
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.OPEN, Status.PAUSED), "延期"):
                old = _iso(a.due) or "无"
                item = self._apply(item, EventKind.EXTENDED, f"“{u.name}”延期：{old} → {to.isoformat()}，理由：{reason}",
                                   u, {"from": _iso(a.due), "to": to.isoformat(), "reason": reason,
                                       "due_basis": deadline.basis})
        return self.item(item_id)

    def close(self, item_id: int, result: str, unit: str | None = None) -> ItemView:
        """办结: 销号 at once, or 待审核 when the ledger's ``review_required`` is on."""
        review = bool(self.settings["review_required"])
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.OPEN,), "办结"):
                on_time = a.due is None or self.today <= a.due
                tail = "，待审核" if review else "，销号"
                timing = "按期" if on_time else "逾期"
                item = self._apply(item, EventKind.CLOSED, f"“{u.name}”{timing}办结{tail}：{result}", u,
                                   {"result": result, "review": review, "on_time": on_time, "due": _iso(a.due)})
        return self.item(item_id)

    def review(self, item_id: int, approve: bool, reason: str | None = None, unit: str | None = None) -> ItemView:
        if approve:
            return self._act(item_id, unit, (Status.DONE,), "审核", EventKind.REVIEWED, lambda u: f"审核通过，“{u}”销号")
        return self._act(item_id, unit, (Status.DONE,), "退回", EventKind.RETURNED,
                         lambda u: f"退回“{u}”重办：{reason or ''}", {"reason": reason})

    def pause(self, item_id: int, reason: str, unit: str | None = None) -> ItemView:
        return self._act(item_id, unit, (Status.OPEN,), "暂缓", EventKind.PAUSED, lambda u: f"“{u}”暂缓：{reason}",
                         {"reason": reason})

    def resume(self, item_id: int, unit: str | None = None, note: str | None = None, keep_due: bool = False,
               due: dt.date | None = None, within: int | None = None) -> ItemView:
        """恢复办理. The clock stopped while paused (DOMAIN.md §4): the deadline moves later by the working
        days after the pause date up to and including today, unless ``keep_due``, a new ``due``/``within``,
        or the setting ``pause_extends_due`` off says otherwise."""
        if keep_due and (due is not None or within is not None):
            raise InvalidInput("--keep-due 与 --due/--within 只能给出一个")
        deadline = self.resolve_deadline(due, within) if (due is not None or within is not None) else None
        if deadline is not None:
            _check_not_before(deadline.due, self.today, "恢复办理后的时限")
        tail = f"：{note}" if note else ""
        cal = self.calendar
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, a in self._targets(item, unit, (Status.PAUSED,), "恢复办理"):
                new = (deadline.due, deadline.basis, deadline.within) if deadline is not None else None
                extend = self.settings["pause_extends_due"] and not keep_due
                data, said, uncovered = rules.resume_change(a, self._paused_on(item_id, a.unit_id), self.today, cal,
                                                            extend, new)
                data["note"] = note
                if uncovered:
                    self._warn_uncovered(uncovered, f"顺延后的办理时限按法定节假日估算为 {data['to']}")
                if keep_due and a.due is not None:
                    said = "，时限不变"
                item = self._apply(item, EventKind.RESUMED, f"“{u.name}”恢复办理{said}{tail}", u, data)
        return self.item(item_id)

    def _paused_on(self, item_id: int, unit_id: int) -> dt.date | None:
        row = self.db.execute("SELECT max(at) FROM events WHERE item_id = ? AND unit_id = ? AND kind = 'paused'",
                              [item_id, unit_id]).fetchone()
        return _date(row[0]) if row else None

    def cancel(self, item_id: int, reason: str, unit: str | None = None) -> ItemView:
        """撤销 the whole item (every unit still at work), or one co-operating unit."""
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            data = {"reason": reason}
            if not item.assignments and unit is None:
                self._apply(item, EventKind.CANCELLED, f"撤销事项：{reason}", None, data)
            else:
                targets = self._targets(item, unit, (Status.OPEN, Status.PAUSED, Status.DONE), "撤销")
                if unit is not None and targets[0][1].role is Role.LEAD:
                    raise InvalidInput("牵头单位的交办不能单独撤销；如事项不再需要办理，请不带 --unit 撤销整个事项")
                for u, _ in targets:
                    item = self._apply(item, EventKind.CANCELLED, f"撤销“{u.name}”的交办：{reason}", u, data)
        return self.item(item_id)

    def reopen(self, item_id: int, reason: str, unit: str | None = None, due: dt.date | None = None,
               within: int | None = None) -> ItemView:
        """重启 a closed item (反弹), optionally with a new deadline."""
        deadline = self.resolve_deadline(due, within) if (due or within) else None
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            for u, _ in self._targets(item, unit, (Status.CLOSED,), "重启"):
                data = {"reason": reason}
                if deadline is not None:
                    data.update(due=_iso(deadline.due), due_basis=deadline.basis, within=deadline.within)
                item = self._apply(item, EventKind.REOPENED, f"“{u.name}”重启：{reason}", u, data)
        return self.item(item_id)

    def revisit(self, item_id: int, satisfaction: Satisfaction, note: str | None = None) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            tail = f"：{note}" if note else ""
            self._apply(item, EventKind.REVISITED, f"回访：{satisfaction.label}{tail}", None,
                        {"satisfaction": satisfaction.code, "note": note})
        return self.item(item_id)

    def escalate(self, item_id: int, kind: EscalationKind, unit: str | None = None, note: str | None = None) -> ItemView:
        with self._write():
            item = self._load(item_id)
            self._check_date_order(item_id)
            u = self.unit(unit) if unit else None
            tail = f"：{note}" if note else ""
            who = f"对“{u.name}”" if u else ""
            self._apply(item, EventKind.ESCALATED, f"{who}{kind.label}{tail}", u, {"kind": kind.code, "note": note})
        return self.item(item_id)

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
        Each new item is one `imported` event applied by :mod:`duban.lifecycle`, exactly as
        :meth:`_apply` does; the rows are then written with ``executemany`` (10,000 rows a
        run), so what is stored is still what the log replays to. Each row's ``data`` gets
        its ``units`` (ids and full names) filled in here, once the units exist.
        """
        today, logged = self.today.isoformat(), clock.now_utc()
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for 10,000 events
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
            items, events, assignments, keys = [], [], [], []
            for row in rows:
                units = [(index[name], role) for name, role in row.units]
                d = row.data
                d["units"] = [{"unit_id": u.id, "unit": u.name, "role": role.code} for u, role in units]
                try:
                    item = lifecycle.apply(None, lifecycle.Change(EventKind.IMPORTED, self.today, units[0][0].id,
                                                                  units[0][0].name, d))
                except DubanError as exc:
                    raise type(exc)(f"{row.where}：{exc.message}") from None
                item.id = item_id = next_id
                next_id += 1
                ids.append(item_id)
                items.append([item_id, item.title, item.source.code, item.ref, item.leader, item.klass.code,
                              item.content, item.standard, _iso(item.created), item.status.code, _iso(item.due),
                              item.within])
                events.append([item_id, units[0][0].id, today, EventKind.IMPORTED.code, row.detail,
                               encode(d), logged])
                for a in item.assignments:
                    assignments.append(assignment_row(item_id, a))
                keys.append([row.key, item_id, d.get("progress"), d["file"], d["sheet"], d["row"], today, today])
            conn = self.db.conn
            conn.executemany("INSERT INTO items (id, title, source, ref, leader, class, content, standard, created,"
                             " status, due, within) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
            self._append_events(events)
            conn.executemany(INSERT_ASSIGNMENT, assignments)
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


@dataclass(frozen=True)
class ImportRow:
    """One sheet row to import: its key, units by name (lead first) and the `imported` event's data."""

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
