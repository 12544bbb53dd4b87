"""Opening a ledger to read it and nothing else (``duban rollup``: a city reads its counties' ledgers).

The file is opened through SQLite's URI ``mode=ro``: SQLite itself refuses every write,
so no migration, no journal-mode switch and no stray setting can change a byte of it. A
county clerk may be writing at the same time: a reader of a WAL-mode ledger sees the last
committed state (it shares the clerk's ``-wal``/``-shm`` files, which SQLite creates beside
the ledger when they are missing; the ledger file itself is never written).

A ledger is read through its own schema version when every table and column the reports
read is there (the later migrations it lacks only add indexes or tables the reports do not
use); otherwise it is refused with its version named, never upgraded.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .errors import LedgerError
from .ledger import BUSY_TIMEOUT_MS, SCHEMA, Connection, Ledger

#: The migrations a ledger must have for the reports to read it (duban/migrations.py):
#: m003 adds the milestones a light is judged by, m004, m011 and m014 columns every item or
#: assignment is read with. The others (import keys, report numbers, an index, the event chain,
#: document numbers) are not needed to read.
NEEDED = ("m001_core", "m002_indexes", "m003_milestones", "m004_restarted_on", "m011_calendar_clock", "m014_clerk")


def _uri(path: Path, immutable: bool = False) -> str:
    query = "immutable=1" if immutable else "mode=ro"
    return f"file:{quote(str(path.resolve()))}?{query}"


def open_readonly(path: str | os.PathLike, today: dt.date | None = None) -> Ledger:
    """The ledger at ``path`` opened read-only (SQLite refuses any write), as a :class:`Ledger`."""
    path = Path(path)
    if not path.exists():
        raise LedgerError(f"台账文件不存在：{path}")
    if path.is_dir():
        raise LedgerError(f"{path} 是目录，不是台账文件")
    try:
        conn = sqlite3.connect(_uri(path), uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"无法只读打开台账 {path}：文件不是有效的 SQLite 数据库或已损坏（{exc}）") from None
    if "items" not in tables or "_sqlite_migrations" not in tables:
        conn.close()
        raise LedgerError(f"{path} 不是 duban 台账（其中没有督办事项表）")
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'duban' ORDER BY rowid")]
    version = applied[-1] if applied else "无"
    missing = [name for name in NEEDED if name not in applied]
    if missing:
        conn.close()
        raise LedgerError(f"台账 {path} 的结构版本为 {version}，缺少 {'、'.join(missing)}，汇总只读不升级；"
                          f"请先在该台账所在处用新版 duban 打开一次（自动升级到 {SCHEMA}）")
    from .migrations import migrations

    known = {m.name for m in migrations._migrations}  # noqa: SLF001 - the list of names duban knows
    newer = [name for name in applied if name not in known]
    if newer:
        conn.close()
        raise LedgerError(f"台账 {path} 由较新版本的 duban 建立（结构版本 {newer[-1]}），请升级 duban 后再汇总")
    conn.execute("PRAGMA query_only = ON")
    return Ledger(Connection(conn), today=today, migrate=False)


def schema_version(led: Ledger) -> str:
    """The newest migration applied to the ledger."""
    row = led.db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'duban'"
                         " ORDER BY rowid DESC LIMIT 1").fetchone()
    return row[0] if row else "无"
