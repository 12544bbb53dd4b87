"""The ledger file before it is opened for use: is it a duban ledger, and can it be written?

A duban ledger carries SQLite's ``application_id`` :data:`APPLICATION_ID` ("dbn1" at offset 68 of
the file header; set by migration m008_event_chain, so older ledgers get it when upgraded).
:func:`probe` looks at a file through a read-only connection and refuses, before a single byte
changes, one that is not a ledger (an empty file, another program's database, even one with an
``items`` table) or was written by a newer duban (a migration this one does not know).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from .errors import LedgerError, sqlite_error_text

BUSY_TIMEOUT_MS = 10_000

APPLICATION_ID = 0x64626E31  # PRAGMA application_id of a duban ledger ("dbn1"); set by m008_event_chain


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change a byte of ``path`` (mode=ro; ``immutable`` where even the WAL
    index cannot be opened, as on a read-only mount)."""
    uri = f"file:{quote(str(path.absolute()))}"
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # a writer at work is waited for, not bypassed
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if not any(w in str(exc).lower() for w in ("unable to open", "readonly")):
            conn.close()
            raise
        # a WAL ledger whose index (-shm) cannot be made: a read-only folder or mount, where nobody
        # can be writing; read the file as it is
        conn.close()
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    return conn


def probe(path: Path, schema: str) -> None:
    """Refuse, without writing to it, a file that is not a duban ledger or comes from a newer duban.

    A ledger carries :data:`APPLICATION_ID`; one made before m008_event_chain is recognised by its
    migrations (m001_core) and its items table, and gets the mark when it is upgraded.
    """
    try:
        conn = read_only_connection(path)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'duban'")] \
                if "_sqlite_migrations" in tables else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"无法打开台账 {path}：{sqlite_error_text(exc)}") from None
    if app_id == APPLICATION_ID or (app_id == 0 and "items" in tables and "m001_core" in names):
        newer = sorted(n for n in names if n > schema)
        if newer:
            raise LedgerError(f"台账 {path} 由更新版本的 duban 建立或升级（结构版本 {newer[-1]}，"
                              f"本程序只认识到 {schema}），请升级 duban 后再用；文件未作任何改动")
        if "items" in tables:
            return
    if path.stat().st_size == 0:
        raise LedgerError(f"{path} 是空文件，不是 duban 台账（文件未作改动；如需新建台账，请换一个文件名运行 duban init）")
    if "items" not in tables:
        raise LedgerError(f"{path} 不是 duban 台账（其中没有督办事项表）")
    raise LedgerError(f"{path} 不是 duban 台账（没有 duban 台账的标记；文件未作任何改动）")
