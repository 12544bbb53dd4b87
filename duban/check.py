"""Integrity and domain checks of a ledger file (``duban check``) and online backups (``duban backup``).

``check_ledger(path)`` never raises for a damaged file: whatever is wrong becomes a
:class:`Problem` with a stable English ``code``, a severity and a Chinese message, so a
cron job can act on the codes and a clerk can read the messages. All reads run inside
one read transaction, so a writer working at the same time cannot produce a false
finding (in WAL mode readers see one snapshot and do not block writers).

``duban backup`` is in :mod:`duban.backup`.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from . import check_log, check_replay, check_schedule
from .chain import short as chain_short
from .errors import DubanError, LedgerError
from .models import EventKind, ItemClass, Role, Source, Status
from .undo import check_voided

ERROR = "error"
WARNING = "warning"

# Every code a finding can carry: its severity and what it means (for the README and `--help`).
CODES: dict[str, tuple[str, str]] = {
    "unreadable": (ERROR, "文件不是 SQLite 数据库或已损坏，无法读取"),
    "integrity": (ERROR, "SQLite 完整性检查（integrity_check）发现损坏"),
    "not_a_ledger": (ERROR, "文件不是 duban 台账"),
    "foreign_key": (ERROR, "引用了不存在的记录（foreign_key_check）"),
    "assignment_without_unit": (ERROR, "交办记录的责任单位不存在"),
    "assignment_without_item": (ERROR, "交办记录所属的事项不存在"),
    "event_without_item": (ERROR, "记录所属的事项不存在"),
    "item_without_events": (ERROR, "事项没有任何记录（留痕缺失）"),
    "item_not_created_first": (ERROR, "事项的第一条记录不是立项（或导入）"),
    "bad_code": (ERROR, "状态、角色、来源、类别或记录类型的取值无法识别"),
    "bad_event": (ERROR, "记录的日期或结构化数据（data）无效"),
    "events_out_of_order": (ERROR, "事项的记录日期倒序（后记入的记录日期更早）"),
    "closed_without_result": (ERROR, "已办结或已销号的交办没有办结情况"),
    "projection_mismatch": (ERROR, "保存的事项状态与按记录重放的结果不一致"),
    "replay_failed": (ERROR, "事项的记录无法按办理流程重放"),
    "due_not_workday": (WARNING, "在办事项的办理时限或节点日期不是工作日"),
    "due_year_uncovered": (WARNING, "在办事项的时限落在日历未收录节假日安排的年份"),
    "due_estimated": (WARNING, "时限曾按估算的日历计算且无法自动重算，该年日历现已收录，请核对"),
    "newer_schema": (ERROR, "台账由更新版本的 duban 建立或升级，本程序无法核对"),
    "event_chain_broken": (ERROR, "留痕链断开：记录被修改、删除或插入过（check_log.py）"),
    "event_chain_head": (ERROR, "保存的留痕链头与记录不符：最新的记录被删除或链头被改动"),
    "schedule_mismatch": (ERROR, "存的亮灯日程与按规则现算的今天的亮灯不一致（视图和 list 会读到错的亮灯）"),
    "voided_mismatch": (ERROR, "标为已撤回的记录与留痕中的撤回记录（duban undo）不一致"),
    "duplicate_issue_no": (ERROR, "督查专报期号重复"),
    "bad_setting": (ERROR, "保存的设置值无效（各命令暂按默认值执行）"),
    "unknown_setting": (WARNING, "设置表中有无法识别的设置项"),
    "bad_calendar_day": (ERROR, "日历表中有无效的行（各命令已忽略）"),
    "likely_duplicate": (WARNING, "同一牵头单位的两个在办事项名称相近，可能重复立项（可用 duban merge 合并）"),
}

FIRST_KINDS = ("created", "imported")  # the events that bring an item into the ledger
LIVE = ("open", "paused")  # assignments whose deadline still matters


@dataclass(frozen=True)
class Problem:
    """One finding: stable code, severity, the item/unit it concerns, a Chinese message."""

    code: str
    message: str
    item_id: int | None = None
    unit: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def record(self) -> dict:
        return {"code": self.code, "severity": self.severity, "item_id": self.item_id, "unit": self.unit,
                "message": self.message}


RECORD_KEYS = ("code", "severity", "item_id", "unit", "message")


@dataclass
class CheckReport:
    path: Path
    problems: list[Problem] = field(default_factory=list)
    items: int | None = None  # None: the file could not be read far enough to count
    events: int | None = None
    replayed: int = 0
    integrity: str = "integrity_check"
    chain: tuple[int, str] | None = None  # the event chain's head as recomputed: (events, hash)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == WARNING)

    def summary(self) -> str:
        if self.items is None:
            return f"检查 {self.path}：文件无法读取、已损坏或不是台账，未做其他检查；错误 {self.errors} 项"
        scope = f"事项 {self.items} 项、记录 {self.events} 条"
        replay = f"，按记录重放核对 {self.replayed} 项" if self.replayed else "，未做记录重放核对"
        verdict = "未发现问题" if not self.problems else f"错误 {self.errors} 项，警告 {self.warnings} 项"
        head = f"；留痕链 {self.chain[0]} 条，链头 {chain_short(self.chain[1])}" if self.chain else ""
        return f"检查 {self.path}（{self.integrity}{replay}；{scope}{head}）：{verdict}"


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to an existing file; never creates one. Read-only where the file or its folder
    cannot be written (a read-only mount): checking and backing up only read."""
    from .ledger import read_only_connection

    if not _can_write(path):
        return read_only_connection(path)
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _existing(path: Path) -> Path:
    if not path.exists():
        raise LedgerError(f"台账文件不存在：{path}（请用 --db 指定台账）")
    if path.is_dir():
        raise LedgerError(f"{path} 是目录，不是台账文件")
    return path


# -- check ------------------------------------------------------------------------------------


def check_ledger(path: str | os.PathLike, today: dt.date | None = None, quick: bool = False,
                 sample: int | None = None, rng: random.Random | None = None) -> CheckReport:
    """Run every check on the ledger at ``path``.

    ``quick`` uses ``PRAGMA quick_check`` and does not replay the event log; ``sample``
    replays that many randomly chosen items instead of all of them.
    """
    path = _existing(Path(path))
    report = CheckReport(path, integrity="quick_check" if quick else "integrity_check")
    from .ledger import probe

    try:
        probe(path)
    except LedgerError as exc:
        if not exc.message.startswith("无法打开"):  # a damaged file: the checks below say how
            report.problems.append(Problem("newer_schema" if "更新版本" in exc.message else "not_a_ledger",
                                           exc.message))
            return report
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        report.problems.append(Problem("unreadable", f"无法打开 {path}：{exc}"))
        return report
    try:
        _run(conn, report, today, quick, sample, rng or random.Random())
    finally:
        conn.close()
    return report


def _run(conn: sqlite3.Connection, report: CheckReport, today: dt.date | None, quick: bool,
         sample: int | None, rng: random.Random) -> None:
    add = report.problems.append
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        add(Problem("unreadable", f"文件不是有效的 SQLite 数据库或已损坏：{exc}"))
        return
    if "items" not in tables or "_sqlite_migrations" not in tables:
        add(Problem("not_a_ledger", "文件中没有督办台账的表（items、_sqlite_migrations），不是 duban 台账"))
        return
    if not _integrity(conn, report, quick):
        return  # the structure is damaged: domain checks would only repeat it
    try:
        led = _ledger(conn, today)
        if led.pending_schema():
            add(Problem("unreadable", "台账需要升级到新版结构，但文件或其所在目录是只读的，无法核对；"
                                      "请在可写的位置运行一次 duban init 升级"))
            return
    except (sqlite3.DatabaseError, DubanError) as exc:
        add(Problem("unreadable", f"无法读取或升级台账结构：{getattr(exc, 'message', exc)}"))
        return
    wrong: list[int] = []
    conn.execute("BEGIN")  # one snapshot for every check below
    try:
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        report.events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        report.items = items
        for step in (_foreign_keys, _codes, _events, _first_events, _event_order, _results, _deadlines, _duplicates):
            step(conn, led, add)
        for log_step in (check_log.check_settings, check_log.check_calendar, check_log.check_issue_numbers,
                         check_voided):
            log_step(conn, add, Problem)
        report.chain = check_log.check_chain(conn, add, Problem)
        if quick or sample is not None:
            _rollup(conn, add)
        if not quick or sample is not None:
            ids = None
            if sample is not None:
                every = [r[0] for r in conn.execute("SELECT id FROM items")]
                ids = sorted(rng.sample(every, min(sample, len(every))))
            report.replayed = check_replay.replay(conn, led, ids, add, Problem)
            known = {p.item_id for p in report.problems if p.severity == ERROR and p.item_id is not None}
            wrong = check_schedule.check_schedules(led, ids, add, Problem, skip=known)
    except sqlite3.DatabaseError as exc:
        add(Problem("integrity", f"检查途中读取失败，台账可能已损坏：{exc}"))
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    check_schedule.rebuild_later(led, wrong)  # (after the snapshot: derived rows only, no event)


def _ledger(conn: sqlite3.Connection, today: dt.date | None):
    """The Ledger over this connection; an older ledger is upgraded as any command would."""
    from .ledger import Connection, Ledger

    writable = _can_write(Path(conn.execute("PRAGMA database_list").fetchone()[2] or "."))
    led = Ledger(Connection(conn), today=today, migrate=writable)
    led.read_only = not writable
    return led


def _can_write(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)


def _integrity(conn: sqlite3.Connection, report: CheckReport, quick: bool) -> bool:
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(50)")]
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem("integrity", f"SQLite 完整性检查无法完成，文件已损坏：{exc}"))
        return False
    if rows == ["ok"]:
        return True
    for line in rows:
        report.problems.append(Problem("integrity", f"SQLite 完整性检查：{line}"))
    return False


def _foreign_keys(conn: sqlite3.Connection, led, add) -> None:
    unit_names = dict(conn.execute("SELECT id, name FROM units"))
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
        if table == "assignments":
            item_id, unit_id = conn.execute("SELECT item_id, unit_id FROM assignments WHERE rowid = ?",
                                            [rowid]).fetchone()
            if parent == "units":
                add(Problem("assignment_without_unit", f"事项 #{item_id} 的交办记录指向不存在的单位（编号 {unit_id}）",
                            item_id))
            else:
                add(Problem("assignment_without_item", f"交办记录（编号 {rowid}）所属的事项 #{item_id} 不存在",
                            item_id, unit_names.get(unit_id)))
        elif table == "event_log" and conn.execute("SELECT 1 FROM voided_events WHERE event_id = ?",
                                                   [rowid]).fetchone():
            continue  # a command taken back (duban undo) made the item or unit its voided events name
        elif table in ("events", "event_log") and parent == "items":
            item_id = conn.execute(f"SELECT item_id FROM {table} WHERE rowid = ?", [rowid]).fetchone()[0]
            add(Problem("event_without_item", f"记录（编号 {rowid}）所属的事项 #{item_id} 不存在", item_id))
        else:
            add(Problem("foreign_key", f"表 {table} 第 {rowid} 行引用了表 {parent} 中不存在的记录"))


def _codes(conn: sqlite3.Connection, led, add) -> None:
    """Codes the enums do not know (one scan per table)."""
    for table, id_col, columns in (
        ("items", "id", (("status", "状态", Status), ("source", "立项依据", Source), ("class", "类别", ItemClass))),
        ("assignments", "item_id", (("status", "交办状态", Status), ("role", "角色", Role))),
    ):
        params: list = []
        tests = []
        for column, _, enum in columns:
            known = [m.code for m in enum]
            tests.append(f"{column} NOT IN ({','.join('?' * len(known))})")
            params += known
        names = ", ".join(c for c, _, _ in columns)
        rows = conn.execute(f"SELECT {id_col}, {names} FROM {table} WHERE {' OR '.join(tests)}", params)
        for item_id, *values in rows:
            for (column, label, enum), value in zip(columns, values):
                if value not in {m.code for m in enum}:
                    add(Problem("bad_code", f"事项 #{item_id} 的{label}“{value}”无法识别", item_id))


def _events(conn: sqlite3.Connection, led, add) -> None:
    """Each event of an item: a known kind, a real date, valid JSON data (SQL picks out the bad ones)."""
    known = [m.code for m in EventKind]
    rows = conn.execute(
        f"""SELECT id, item_id, kind, at, date(at) IS at, json_valid(data) FROM events
            WHERE item_id IS NOT NULL
              AND (kind NOT IN ({','.join('?' * len(known))}) OR date(at) IS NOT at OR NOT json_valid(data))""",
        known,
    )
    for event_id, item_id, kind, at, good_date, good_data in rows:
        if kind not in known:
            add(Problem("bad_code", f"事项 #{item_id} 的记录（编号 {event_id}）类型“{kind}”无法识别", item_id))
        if not good_date:
            add(Problem("bad_event", f"事项 #{item_id} 的记录（编号 {event_id}）日期“{at}”无效", item_id))
        if not good_data:
            add(Problem("bad_event", f"事项 #{item_id} 的记录（编号 {event_id}）结构化数据不是有效的 JSON", item_id))


def _event_order(conn: sqlite3.Connection, led, add) -> None:
    """An item's event dates going backwards by id (the ledger refuses such writes).

    One pass over the table in id order, remembering each item's latest date: several times
    faster than a window function over the (item_id, id) index on a large ledger.
    """
    last: dict[int, str] = {}
    get = last.get
    for item_id, at in conn.execute("SELECT item_id, at FROM events WHERE item_id IS NOT NULL ORDER BY id"):
        before = get(item_id)
        if before is not None and at < before:
            add(Problem("events_out_of_order", f"事项 #{item_id} 有日期为 {at} 的记录记在了 {before} 的记录之后",
                        item_id))
        else:
            last[item_id] = at


def _first_events(conn: sqlite3.Connection, led, add) -> None:
    rows = conn.execute(
        "SELECT i.id, (SELECT kind FROM events e WHERE e.item_id = i.id ORDER BY e.id LIMIT 1) FROM items i"
    )
    for item_id, kind in rows:
        if kind is None:
            add(Problem("item_without_events", f"事项 #{item_id} 没有任何记录，无法追溯其办理过程", item_id))
        elif kind not in FIRST_KINDS:
            add(Problem("item_not_created_first", f"事项 #{item_id} 的第一条记录是“{kind}”而不是立项或导入", item_id))


def _results(conn: sqlite3.Connection, led, add) -> None:
    rows = conn.execute(
        """SELECT a.item_id, u.name, a.status FROM assignments a LEFT JOIN units u ON u.id = a.unit_id
           WHERE a.status IN ('done', 'closed') AND (a.result IS NULL OR trim(a.result) = '')"""
    )
    for item_id, unit, status in rows:
        label = Status(status).label
        add(Problem("closed_without_result", f"事项 #{item_id} 在“{unit}”处{label}，但没有填写办结情况", item_id, unit))


def _deadlines(conn: sqlite3.Connection, led, add) -> None:
    cal = led.calendar
    rows = conn.execute(
        f"""SELECT a.item_id, u.name, a.due, a.due_basis, NULL, a.within FROM assignments a
                LEFT JOIN units u ON u.id = a.unit_id
            WHERE a.status IN ({','.join('?' * len(LIVE))}) AND a.due IS NOT NULL
            UNION ALL
            SELECT m.item_id, NULL, m.due, 'given', m.seq, NULL FROM milestones m JOIN items i ON i.id = m.item_id
            WHERE m.done_on IS NULL AND i.status IN ('pending', 'open', 'paused')
            ORDER BY 1""",
        list(LIVE),
    )
    workday: dict[dt.date, bool] = {}
    for item_id, unit, due_text, basis, seq, within in rows:
        try:
            due = dt.date.fromisoformat(due_text)
        except (TypeError, ValueError):
            add(Problem("bad_event", f"事项 #{item_id} 的日期“{due_text}”无效", item_id, unit))
            continue
        if due not in workday:
            workday[due] = cal.is_workday(due)
        what = f"第{seq}个节点日期" if seq is not None else "办理时限"
        who = f"在“{unit}”处的" if unit else "的"
        if not cal.covered(due.year):
            add(Problem("due_year_uncovered",
                        f"事项 #{item_id} {who}{what} {due_text} 在 {due.year} 年，日历尚未收录该年节假日安排"
                        f"（收到通知后用 duban calendar import 通知.txt 录入）", item_id, unit))
        elif not workday[due]:
            add(Problem("due_not_workday", f"事项 #{item_id} {who}{what} {due_text} 是{cal.describe(due)}，不是工作日",
                        item_id, unit))
        elif basis in ("weekends", "estimated") and within is None:  # with its N it was recomputed on entry
            add(Problem("due_estimated", f"事项 #{item_id} {who}办理时限 {due_text} 是按估算的日历计算的（工作日数未记录，"
                        f"无法自动重算），{due.year} 年日历现已收录，请核对后用 duban extend 调整", item_id, unit))


def _duplicates(conn: sqlite3.Connection, led, add) -> None:
    """Items in current work with the same lead unit and similar titles (同一事由, seeds/003:L1127)."""
    from .ledger_clerk import likely_duplicates

    rows = conn.execute(
        """SELECT i.id, i.title, a.unit_id, i.parent_id, u.name FROM items i
           JOIN assignments a ON a.item_id = i.id AND a.role = 'lead' JOIN units u ON u.id = a.unit_id
           WHERE i.status IN ('open', 'paused', 'done')"""
    ).fetchall()
    info = {r[0]: (r[1], r[4]) for r in rows}
    for first, second in likely_duplicates([r[:4] for r in rows]):
        (title_a, unit), (title_b, _) = info[first], info[second]
        add(Problem("likely_duplicate", f"事项 #{first}“{title_a}”与 #{second}“{title_b}”的牵头单位都是“{unit}”，"
                    f"名称相近，可能重复立项；如为同一事由，可用 duban merge {first} {second} --reason 理由 合并",
                    second, unit))


def _rollup(conn: sqlite3.Connection, add) -> None:
    """Without a replay: each item's stored status and deadline against its assignments (SQL only)."""
    rows = conn.execute(
        """WITH agg AS (
               SELECT item_id,
                      max(status = 'open') AS o, max(status = 'paused') AS p, max(status = 'done') AS d,
                      max(status = 'closed') AS c, max(status = 'merged') AS m, max(role = 'lead') AS has_lead,
                      max(CASE WHEN role = 'lead' THEN status END) AS lead_status,
                      max(CASE WHEN role = 'lead' THEN coalesce(due, '') END) AS lead_due
               FROM assignments GROUP BY item_id)
           SELECT id, status, expected, due, lead_due FROM (
               SELECT i.id, i.status, i.due, agg.lead_due, agg.has_lead,
                      CASE WHEN agg.item_id IS NULL THEN NULL
                           WHEN i.status = 'merged' THEN 'merged'
                           WHEN o THEN 'open' WHEN p THEN 'paused' WHEN d THEN 'done' WHEN m THEN 'merged'
                           WHEN c AND (NOT has_lead OR lead_status = 'closed') THEN 'closed'
                           ELSE 'cancelled' END AS expected
               FROM items i LEFT JOIN agg ON agg.item_id = i.id)
           WHERE (expected IS NULL AND status NOT IN ('pending', 'cancelled', 'merged'))
              OR (expected IS NOT NULL AND status IS NOT expected)
              OR (has_lead AND coalesce(due, '') IS NOT lead_due)"""
    )
    for item_id, status, expected, due, lead_due in rows:
        if expected is None:
            text = f"状态为“{_status(status)}”，但没有任何交办记录"
        elif status != expected:
            text = f"保存的状态为“{_status(status)}”，按各单位的交办状态应为“{_status(expected)}”"
        else:
            text = f"保存的办理时限为 {due or '无'}，牵头单位的时限为 {lead_due or '无'}"
        add(Problem("projection_mismatch", f"事项 #{item_id} {text}", item_id))


def _status(code: str) -> str:
    try:
        return f"{Status(code).label}（{code}）"
    except ValueError:
        return code


# -- replay ---------------------------------------------------------------------------------
