"""The ledger: one SQLite file, its migrations, transactions, the event log and queries.

``Ledger(db, today=...)`` is the library API; the CLI is a thin layer over it. Every
write runs in one ``BEGIN IMMEDIATE`` transaction, appends its events and stores the
state that :func:`duban.lifecycle.apply` derives from them — so what is stored is
always what the log says. Queries return plain dataclasses from :mod:`duban.models`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import chain, clock
from . import settings as settings_mod
from .errors import InvalidInput, LedgerError, NotFound, sqlite_error_text
from .models import (
    EventKind,
    Unit,
)
from .ledger_calendar import CalendarBook
from .ledger_daily import DailyJob
from .ledger_import import ImportRow, ImportWrites, ProgressUpdate  # noqa: F401 (part of the API)
from .ledger_items import ItemWrites
from .ledger_reads import ItemReads
from .ledger_lights import ScheduleReads
from .ledger_schedule import ScheduleBook
from .workdays import WorkCalendar
from . import ledger_file
from .ledger_file import APPLICATION_ID, BUSY_TIMEOUT_MS, read_only_connection  # noqa: F401 (part of the API)

if TYPE_CHECKING:  # pragma: no cover
    from sqlite_utils import Database

from .ledger_rows import (  # noqa: F401 (the SQL fragments and ListFilter are part of the API)
    BAD_CALENDAR_DAY,
    CHASE_LEVEL_SQL,
    Deadline,
    ListFilter,
    MAX_WITHIN,
    PAST_DUE_SQL,
    YEARS,
)

# The newest migration (duban/migrations.py). Migrations are append-only and applied in order, so a
# ledger that has this one has them all, and opening it needs no sqlite-utils (test_ledger checks it).
SCHEMA = "m016_undo"
# m015_schedules (issue #16) was written beside m016_undo and comes before it in the list: a ledger made
# between the two has m016 without m015, so opening checks for both before skipping the migrations.
_NEWEST = ("m015_schedules", SCHEMA)


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


class Ledger(CalendarBook, ItemReads, ItemWrites, ImportWrites, DailyJob, ScheduleBook, ScheduleReads):
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
        self._schedule_dirty: set[int] = set()  # items whose schedules this write must recompute
        self._command: list[int] | None = None  # the first and last event of the write under way
        #: what the command line called the command that writes (``duban undo`` names it), if known
        self.command_name: str | None = None
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            self.migrate()
            self._ensure_schedules()

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
            return self.db.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'duban'"
                                   f" AND name IN ({', '.join('?' * len(_NEWEST))})", _NEWEST).fetchone()[0] < len(_NEWEST)
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
        self._command = None
        self._schedule_forget()
        try:
            yield
            self._flush_schedules()  # the lights this write changed: in this transaction, or listed for after it
            if self._command is not None:  # the events of one transaction are one command (duban undo)
                self.db.execute("INSERT INTO commands (first_event, last_event, name, at) VALUES (?, ?, ?, ?)",
                                [*self._command, self.command_name, self.today.isoformat()])
        except BaseException:
            self._schedule_forget()
            self._schedule_build_after = False
            # SQLite may already have rolled back (a full disk, an I/O error): keep the real cause
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error:  # a full disk at commit: nothing was written; say why, not "no transaction"
                self._schedule_build_after = False
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            if self._schedule_build_after:  # a large write's schedules, a slice per transaction
                self._schedule_build_after = False
                self._build_pending()

    def _log(self, kind: EventKind | str, detail: str, *, item_id: int | None = None,
             unit_id: int | None = None, data: dict | None = None) -> int:
        code = kind.code if isinstance(kind, EventKind) else kind
        return self._append_events([[item_id, unit_id, self.today.isoformat(), code, detail,
                                     json.dumps(data or {}, ensure_ascii=False), clock.now_utc()]])

    def _append_events(self, rows: Iterable[list]) -> int:
        """Append events (item_id, unit_id, at, kind, detail, data, logged_at) to the log, each chained
        to the one before (duban/chain.py), and move the chain head; returns the last event's id.

        The only place that inserts events: ``_log`` (one) and ``write_import`` (thousands at once,
        given as a generator: each event is made, hashed and stored in turn, so that ten thousand
        JSON texts never sit in memory together).
        """
        if not self.db.conn.in_transaction:
            with self._write():
                return self._append_events(rows)
        head = self.db.execute("SELECT count, head FROM event_chain WHERE id = 1").fetchone()
        count, previous = head if head else (0, chain.GENESIS)
        next_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM event_log").fetchone()[0]
        last = [next_id - 1, previous]  # the last event stored and its hash

        def chained() -> Iterator[list]:
            link, n, hashed = chain.link, next_id, previous
            for row in rows:
                values = [n, *row]
                hashed = link(hashed, values)
                values.append(hashed)
                last[:] = n, hashed
                yield values
                n += 1

        self.db.conn.executemany("INSERT INTO event_log (id, item_id, unit_id, at, kind, detail, data, logged_at, hash)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", chained())
        added = last[0] - next_id + 1
        self.db.execute("INSERT INTO event_chain (id, count, head, last_id) VALUES (1, ?, ?, ?) ON CONFLICT(id)"
                        " DO UPDATE SET count = excluded.count, head = excluded.head, last_id = excluded.last_id",
                        [count + added, last[1], last[0]])
        if added:
            self._command = [self._command[0] if self._command else next_id, last[0]]
        return last[0]

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
        fresh = self._stored_fingerprint() == self._current_fingerprint()  # schedules in step before this write
        unset = sorted(set(values) - set(self.stored_settings()))  # at their default: no row (duban undo)
        for key, text in values.items():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, text],
            )
        changes = {k: [settings_mod.to_text(old[k]), v] for k, v in values.items() if settings_mod.to_text(old[k]) != v}
        listed = "；".join(f"{k}：{a} → {b}" for k, (a, b) in changes.items()) or "无变化"
        self._log("setting_changed", f"{what}（{listed}）", data={"changes": changes, "unset": unset})
        self._settings = None
        self._schedule_settings(set(changes), fresh)
        self.warnings = [w for w in self.warnings if not any(w.startswith(f"警告：设置项 {k} ") for k in values)]
        self._settings_on.clear()

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
