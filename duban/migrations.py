"""Named, append-only schema migrations (sqlite-utils ``Migrations``).

Never edit or reorder a migration that has shipped; add a new one. No migration drops
a ledger table or loses a row.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from .models import LEVEL_LABELS, Light, Source, Status

migrations = Migrations("duban")


def _run(db: Database, script: str) -> None:
    """Run each statement inside the migration's transaction.

    (``executescript`` would COMMIT first and break the migration's atomicity.)
    """
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations(name="m001_core")
def m001_core(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            parent_id INTEGER REFERENCES units(id),
            contact TEXT,
            phone TEXT,
            created TEXT NOT NULL
        );
        CREATE TABLE unit_aliases (
            alias TEXT PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id)
        );
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            ref TEXT,
            leader TEXT,
            class TEXT NOT NULL,
            content TEXT,
            standard TEXT,
            created TEXT NOT NULL,
            status TEXT NOT NULL,
            due TEXT,
            within INTEGER
        );
        CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            role TEXT NOT NULL,
            status TEXT NOT NULL,
            assigned_on TEXT,
            due TEXT,
            due_basis TEXT NOT NULL DEFAULT 'given',
            person TEXT,
            signed_on TEXT,
            last_feedback TEXT,
            percent INTEGER,
            closed_on TEXT,
            result TEXT,
            extensions INTEGER NOT NULL DEFAULT 0,
            original_due TEXT,
            UNIQUE (item_id, unit_id)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            item_id INTEGER REFERENCES items(id),
            unit_id INTEGER REFERENCES units(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            logged_at TEXT NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE calendar_days (
            day TEXT PRIMARY KEY,
            workday INTEGER NOT NULL,
            note TEXT
        );
        """
    )


@migrations(name="m002_indexes")
def m002_indexes(db: Database) -> None:
    """Indexes for the daily queries: open work by status and deadline, history by item."""
    _run(
        db,
        """
        CREATE INDEX IF NOT EXISTS idx_items_status ON items(status);
        CREATE INDEX IF NOT EXISTS idx_assignments_item ON assignments(item_id);
        CREATE INDEX IF NOT EXISTS idx_assignments_open ON assignments(status, due);
        CREATE INDEX IF NOT EXISTS idx_assignments_unit ON assignments(unit_id, status);
        CREATE INDEX IF NOT EXISTS idx_events_item ON events(item_id, id);
        CREATE INDEX IF NOT EXISTS idx_events_unit ON events(unit_id, kind, at);
        """
    )


@migrations(name="m003_milestones")
def m003_milestones(db: Database) -> None:
    """节点: dated intermediate targets of an item (DOMAIN.md §4)."""
    _run(
        db,
        """
        CREATE TABLE milestones (
            item_id INTEGER NOT NULL REFERENCES items(id),
            seq INTEGER NOT NULL,
            due TEXT NOT NULL,
            title TEXT NOT NULL,
            done_on TEXT,
            PRIMARY KEY (item_id, seq)
        );
        CREATE INDEX IF NOT EXISTS idx_milestones_open ON milestones(done_on, due)
        """,
    )


@migrations(name="m004_restarted_on")
def m004_restarted_on(db: Database) -> None:
    """When an assignment last resumed, was reopened or returned: its feedback clock restarts there."""
    db.execute("ALTER TABLE assignments ADD COLUMN restarted_on TEXT")


@migrations(name="m005_import_keys")
def m005_import_keys(db: Database) -> None:
    """duban import: one stable key per imported sheet row (normalised title + lead unit), so a
    re-import finds the item it made instead of adding a duplicate; ``progress`` is the 进展情况
    text last imported, so a changed one becomes a feedback event."""
    _run(
        db,
        """
        CREATE TABLE import_keys (
            key TEXT PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id),
            progress TEXT,
            file TEXT NOT NULL,
            sheet TEXT NOT NULL,
            row INTEGER NOT NULL,
            imported_on TEXT NOT NULL,
            updated_on TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_import_keys_item ON import_keys(item_id)
        """,
    )


@migrations(name="m006_reports")
def m006_reports(db: Database) -> None:
    """督查专报 issue numbers (期号): one per report kind and period, kept when a week is re-run."""
    _run(
        db,
        """
        CREATE TABLE reports (
            kind TEXT NOT NULL,
            period TEXT NOT NULL,
            issue_no INTEGER NOT NULL,
            first_issued TEXT NOT NULL,
            last_issued TEXT NOT NULL,
            PRIMARY KEY (kind, period)
        )
        """,
    )


@migrations(name="m007_reminder_index")
def m007_reminder_index(db: Database) -> None:
    """催办 history per assignment (the daily job, escalation levels) from a small partial index
    instead of reading every event of every open item. Adds an index only; no data changes."""
    _run(
        db,
        """
        CREATE INDEX IF NOT EXISTS idx_events_reminded ON events(item_id, unit_id, at)
            WHERE kind = 'reminded'
        """,
    )


@migrations(name="m008_event_chain")
def m008_event_chain(db: Database) -> None:
    """The tamper-evident log (duban/chain.py): each event's hash over its content and the previous
    event's hash, computed here for the events already there; the chain head in ``event_chain``;
    and the file marked as a duban ledger (PRAGMA application_id)."""
    from .chain import COLUMNS, GENESIS, link
    from .ledger import APPLICATION_ID  # "dbn1" at offset 68 of the file header

    db.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    db.execute("CREATE TABLE event_chain (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL,"
               " head TEXT NOT NULL, last_id INTEGER NOT NULL)")
    head, count, last_id = GENESIS, 0, 0
    while True:  # in chunks: a ledger may hold millions of events
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM events WHERE id > ? ORDER BY id LIMIT 20000",
                          [last_id]).fetchall()
        if not rows:
            break
        batch = []
        for row in rows:
            head = link(head, row)
            batch.append((head, row[0]))
        db.conn.executemany("UPDATE events SET hash = ? WHERE id = ?", batch)
        count, last_id = count + len(rows), rows[-1][0]
    db.execute("INSERT INTO event_chain (id, count, head, last_id) VALUES (1, ?, ?, ?)", [count, head, last_id])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


@migrations(name="m009_report_issues")
def m009_report_issues(db: Database) -> None:
    """What an issued 专报 covered, so that generating its week again gives the same report (issue #12):
    the year it is numbered in (also the year of its 今年以来 figures), the first day of its period and
    its as-of date (the last day the figures count). Rows issued before are filled in as they were
    made: the week's own year, from its Monday to the earlier of its Sunday and the day last issued."""
    import datetime as dt

    _run(
        db,
        """
        CREATE TABLE IF NOT EXISTS report_issues (
            kind TEXT NOT NULL,
            period TEXT NOT NULL,
            year INTEGER NOT NULL,
            start TEXT NOT NULL,
            as_of TEXT NOT NULL,
            PRIMARY KEY (kind, period)
        )
        """,
    )
    rows = db.execute("SELECT kind, period, last_issued FROM reports WHERE kind = 'weekly'").fetchall()
    for kind, period, last_issued in rows:
        try:
            year, week = int(period[:4]), int(period[6:])
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            continue
        as_of = min((monday + dt.timedelta(days=6)).isoformat(), last_issued)
        db.execute("INSERT OR IGNORE INTO report_issues (kind, period, year, start, as_of) VALUES (?, ?, ?, ?, ?)",
                   [kind, period, year, monday.isoformat(), as_of])


@migrations(name="m010_document_numbers")
def m010_document_numbers(db: Database) -> None:
    """文号: one series per year for every document duban issues (催办 notices, 任务交办单, 任务销号单).

    A number is taken in the transaction that records what the document says (the `reminded`
    events, or the `issued` event of a 交办单/销号单) and is never given again: (year, no) is
    unique. ``key`` names what the document is about, so that printing it again finds its number
    (``notice:<date>:<unit id>:<level>:<n>``, ``交办单:<item id>``, ``销号单:<item id>:<closed on>``).
    """
    _run(
        db,
        """
        CREATE TABLE document_numbers (
            year INTEGER NOT NULL,
            no INTEGER NOT NULL,
            ref TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            issued_on TEXT NOT NULL,
            item_id INTEGER REFERENCES items(id),
            unit_id INTEGER REFERENCES units(id),
            PRIMARY KEY (year, no)
        )
        """,
    )


@migrations(name="m011_calendar_clock")
def m011_calendar_clock(db: Database) -> None:
    """The clock of an assignment (issue 13): the N a deadline was counted from (so it can be recomputed
    when a year's holiday notice is entered, and moved by the working days spent paused), the date the
    序时 baseline restarts after a reopen, and a rules preset applied to one item only.

    Existing rows get their N from the 交办/导入 event that set the deadline still in force, exactly as
    a replay of their events now gives. ``calendar_years`` lists the years whose schedule was entered
    (a notice for 2028 also holds 2027-12-31, which does not make 2027 known); a year with entered days
    counted as entered before, and still does."""
    _run(
        db,
        """
        ALTER TABLE assignments ADD COLUMN within INTEGER;
        ALTER TABLE assignments ADD COLUMN progress_since TEXT;
        ALTER TABLE items ADD COLUMN preset TEXT;
        CREATE TABLE calendar_years (
            year INTEGER PRIMARY KEY,
            entered_on TEXT NOT NULL
        );
        INSERT INTO calendar_years (year, entered_on)
            SELECT DISTINCT CAST(substr(day, 1, 4) AS INTEGER), date('now') FROM calendar_days;
        UPDATE assignments SET within = (
            SELECT json_extract(e.data, '$.within') FROM events e
            WHERE e.item_id = assignments.item_id AND e.kind IN ('assigned', 'imported')
              AND (e.unit_id = assignments.unit_id OR e.kind = 'imported')
              AND json_extract(e.data, '$.due') IS assignments.due
              AND coalesce(json_extract(e.data, '$.due_basis'), 'given') != 'given'
            ORDER BY e.id DESC LIMIT 1)
        WHERE due_basis != 'given' AND extensions = 0
          AND NOT EXISTS (SELECT 1 FROM events r WHERE r.item_id = assignments.item_id
                          AND r.unit_id = assignments.unit_id AND r.kind = 'reopened'
                          AND json_extract(r.data, '$.due') IS NOT NULL)
        """,
    )


@migrations(name="m014_clerk")
def m014_clerk(db: Database) -> None:
    """分解 (issue #17): a sub-item points to the item it was split from (``create --parent``)."""
    if "parent_id" not in {c.name for c in db["items"].columns}:  # re-run safely, as the others are
        db.execute("ALTER TABLE items ADD COLUMN parent_id INTEGER REFERENCES items(id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_items_parent ON items(parent_id) WHERE parent_id IS NOT NULL")


@migrations(name="m015_schedules")
def m015_schedules(db: Database) -> None:
    """Lights as stored schedules (issue #16).

    ``workdays``: every date of the window (2000 to the package's last year + 10) with its working-day
    ordinal. ``schedules``: per item (``unit_id`` NULL) and per open assignment, the light, reason
    and counts on each stretch ``[from_date, until_date)`` of days, the counts as a date to count from
    (duban/schedule.py). ``schedule_state``: the rules and calendar package they were built with, and a digest of the
    settings and calendar rows (a hand edit of those tables makes duban light in Python until rebuilt).
    ``schedule_items``: each item's horizon, the last day its schedule looked at (a calendar entry after
    it cannot change the item's rows: duban/schedule.py ``horizon``). ``schedule_pending``: the items an import wrote, whose schedules the next command builds (an import
    stays as fast as reading the sheet, issue #15); until then they are lit in Python.
    The rows themselves are written by the ledger right after the migrations (Ledger._ensure_schedules),
    with the rules of the duban that opened the file; the views read them (docs/数据模型.md).
    """
    _run(
        db,
        """
        CREATE TABLE IF NOT EXISTS workdays (
            date TEXT PRIMARY KEY,
            ordinal INTEGER NOT NULL,
            is_workday INTEGER NOT NULL,
            note TEXT
        );
        CREATE TABLE IF NOT EXISTS schedules (
            item_id INTEGER NOT NULL REFERENCES items(id),
            unit_id INTEGER REFERENCES units(id),
            from_date TEXT NOT NULL,
            until_date TEXT NOT NULL,
            light TEXT,
            code TEXT,
            level INTEGER,
            reason TEXT NOT NULL,
            workdays_left TEXT,
            overdue_workdays TEXT,
            late_workdays TEXT,
            feedback_late_workdays TEXT,
            status_text TEXT,
            level_reason TEXT,
            chase_reason TEXT,
            missed TEXT,
            pressure INTEGER,
            kinds TEXT,
            findings TEXT,
            feedback_due TEXT
        );
        CREATE INDEX IF NOT EXISTS idx_schedules_item ON schedules(item_id, unit_id, from_date);
        CREATE INDEX IF NOT EXISTS idx_schedules_light ON schedules(light, until_date, from_date);
        CREATE TABLE IF NOT EXISTS schedule_items (
            item_id INTEGER PRIMARY KEY REFERENCES items(id),
            horizon TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_schedule_items_horizon ON schedule_items(horizon);
        CREATE TABLE IF NOT EXISTS schedule_pending (
            item_id INTEGER PRIMARY KEY REFERENCES items(id)
        );
        CREATE TABLE IF NOT EXISTS schedule_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            fingerprint TEXT NOT NULL,
            inputs TEXT NOT NULL,
            built_on TEXT NOT NULL
        )
        """,
    )
    db.execute(LEDGER_VIEW)
    db.execute(OVERDUE_VIEW)


# -- the views of m015 (docs/数据模型.md): today's lights for any SQLite tool --------------------------
# A stored count is "s" + date (working days after that date up to today), "e" + date (from today up to
# that date) or a number; stored words hold at most one such count between U+E000 and U+E001
# (duban/schedule.py). Today is date('now','localtime'), its ordinal from the workdays table.

def _count(x: str) -> str:
    day = f"(SELECT w.ordinal FROM workdays w WHERE w.date = substr({x}, 2))"
    return (f"(CASE substr({x}, 1, 1) WHEN 's' THEN max(0, 今天.序 - {day}) WHEN 'e' THEN max(0, {day} - 今天.序)"
            f" ELSE CAST({x} AS INTEGER) END)")


def _words(x: str) -> str:
    at = f"instr({x}, char(57344))"
    return (f"(CASE WHEN {at} = 0 THEN {x} ELSE substr({x}, 1, {at} - 1)"
            f" || {_count(f'substr({x}, {at} + 1, 11)')} || substr({x}, {at} + 13) END)")


_TODAY = ("今天 AS (SELECT date('now', 'localtime') AS 日,"
          " (SELECT ordinal FROM workdays WHERE date = date('now', 'localtime')) AS 序)")


def _labels(x: str, pairs, other: str) -> str:
    """A CASE giving the Chinese word of each code (from duban.models: one list of the words)."""
    return f"CASE {x} " + " ".join(f"WHEN {k!r} THEN '{v}'" for k, v in pairs) + f" ELSE {other} END"


_LIGHT = _labels("{x}", [(m.code, m.label) for m in Light], "'不亮灯'")
_SOURCE = _labels("i.source", [(m.code, m.label) for m in Source], "i.source")
_STATUS = _labels("i.status", [(m.code, m.label) for m in Status], "i.status")
_LEVEL = _labels("现.level", sorted(LEVEL_LABELS.items()), "NULL")

# an item with no usable row today (an import's, until the next command builds it; a date outside the
# workdays table; a view read on a day before the schedules were built): not "不亮灯" but said so
_UNLIT = "(现.item_id IS NULL OR 现.code = 'python')"
PENDING_WORDS = "亮灯尚未算入台账文件，运行任一 duban 命令后显示"

LEDGER_VIEW = f"""CREATE VIEW IF NOT EXISTS 台账 AS
WITH {_TODAY},
现 AS (SELECT s.* FROM schedules s, 今天 WHERE s.unit_id IS NULL AND s.from_date <= 今天.日 AND s.until_date > 今天.日)
SELECT i.id AS 编号, i.title AS 事项, {_SOURCE} AS 来源, i.ref AS 文号, i.leader AS 批示领导,
       (SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.item_id = i.id AND a.role = 'lead'
        ORDER BY a.id LIMIT 1) AS 牵头单位,
       (SELECT group_concat(name, '、') FROM (SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id
        WHERE a.item_id = i.id AND a.role = 'co' ORDER BY a.id)) AS 配合单位,
       i.due AS 办理时限, {_STATUS} AS 状态,
       CASE WHEN {_UNLIT} THEN '待计算' ELSE {_LIGHT.format(x='现.light')} END AS 亮灯,
       CASE WHEN {_UNLIT} THEN '{PENDING_WORDS}' ELSE {_words('现.reason')} END AS 亮灯原因, {_count('现.workdays_left')} AS 剩余工作日,
       {_count('现.overdue_workdays')} AS 逾期工作日, i.created AS 立项日期, i.parent_id AS 上级事项,
       今天.日 AS 截至日期
FROM items i CROSS JOIN 今天 LEFT JOIN 现 ON 现.item_id = i.id
WHERE i.status IN ('pending', 'open', 'paused', 'done') AND i.created <= 今天.日"""

OVERDUE_VIEW = f"""CREATE VIEW IF NOT EXISTS 逾期清单 AS
WITH {_TODAY},
现 AS (SELECT s.* FROM schedules s, 今天 WHERE s.unit_id IS NOT NULL AND s.from_date <= 今天.日 AND s.until_date > 今天.日)
SELECT i.id AS 编号, i.title AS 事项, u.name AS 责任单位, CASE a.role WHEN 'lead' THEN '牵头' ELSE '配合' END AS 角色,
       a.due AS 办理时限, 现.missed AS 未完成日期, {_count('现.late_workdays')} AS 逾期工作日,
       {_words('现.status_text')} AS 状态,
       {_LEVEL} AS 催办等级,
       {_words('现.level_reason')} AS 等级原因, a.last_feedback AS 最近反馈, a.percent AS 完成百分比,
       u.contact AS 联系人, u.phone AS 电话, {_words('现.reason')} AS 亮灯原因, 今天.日 AS 截至日期
FROM 现 CROSS JOIN 今天 JOIN items i ON i.id = 现.item_id JOIN assignments a ON a.item_id = 现.item_id AND a.unit_id = 现.unit_id
     JOIN units u ON u.id = 现.unit_id
WHERE 现.light = 'red' AND i.created <= 今天.日
  AND 现.item_id IN (SELECT item_id FROM 现 WHERE code IN ('overdue', 'milestone'))"""


@migrations(name="m016_undo")
def m016_undo(db: Database) -> None:
    """撤回 (``duban undo``, issue #17): a command taken back stays in the log, voided.

    The events keep their rows and their chain (duban/chain.py) in ``event_log``; ``events`` becomes a
    view of the live ones, those no `undone` event voided, so every reading of the log (replay, reports,
    counts) leaves a voided command out without having to remember to. ``voided_events`` is derived from
    the `undone` events (``duban check`` compares them) and written in the same transaction. ``commands``
    groups the events of each write transaction (one command), first to last event id; the events written
    before this migration belong to no command and cannot be taken back."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    if "event_log" not in tables:
        db.execute("ALTER TABLE events RENAME TO event_log")
    _run(
        db,
        """
        CREATE TABLE IF NOT EXISTS voided_events (
            event_id INTEGER PRIMARY KEY,
            undone_by INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS commands (
            id INTEGER PRIMARY KEY,
            first_event INTEGER NOT NULL,
            last_event INTEGER NOT NULL,
            name TEXT,
            at TEXT NOT NULL
        );
        CREATE VIEW IF NOT EXISTS events AS
            SELECT * FROM event_log WHERE id NOT IN (SELECT event_id FROM voided_events)
        """,
    )
