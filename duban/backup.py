"""``duban backup``: an online copy of the live ledger.

``backup(path, dest)`` copies the ledger with SQLite's online backup API into a temporary file
beside the destination (duban/files.py: cleaned by the next run if this one is killed), checks
the copy, and renames it into place. Only a duban ledger is copied, and only over a regular file.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .check import _connect, _existing
from .errors import InvalidInput, LedgerError
from .files import atomic_path, bounded_name


@dataclass(frozen=True)
class BackupResult:
    path: Path
    items: int
    events: int


def default_backup_name(ledger_path: Path, today: dt.date) -> str:
    """``<ledger-stem>-YYYYMMDD-HHMMSS.db``: the business date and the local time of day."""
    local = dt.datetime.fromisoformat(clock.now_utc()).astimezone()
    return f"{bounded_name(ledger_path.stem, 120, keep_ext=False)}-{today:%Y%m%d}-{local:%H%M%S}.db"


def backup_target(ledger_path: Path, dest: str | os.PathLike | None, today: dt.date) -> Path:
    """Where the copy goes: DEST, or the default name beside the ledger / inside the directory DEST."""
    if dest is not None and str(dest).endswith(("/", os.sep)) and not Path(dest).is_dir():
        raise InvalidInput(f"目录不存在：{dest}（备份不自动创建目录，以免网络盘未挂载时备份落在本机；"
                           f"确认路径后先建好目录，如 mkdir -p {dest}）")
    dest = Path(dest) if dest is not None else None
    folder = ledger_path.parent if dest is None else dest if dest.is_dir() else None
    if folder is None:
        target = dest
    else:
        name = default_backup_name(ledger_path, today)
        target = folder / name
        n = 2
        while target.exists():  # two backups within the same second
            target = folder / f"{Path(name).stem}-{n}.db"
            n += 1
    if target.resolve() == ledger_path.resolve():
        raise InvalidInput(f"备份文件不能是台账本身：{target}")
    if target.name.endswith(("-wal", "-shm", "-journal")) and target.with_name(
            target.name.rsplit("-", 1)[0]).resolve() == ledger_path.resolve():
        raise InvalidInput(f"备份文件不能是台账的日志文件：{target}")
    return target


def backup(ledger_path: str | os.PathLike, dest: str | os.PathLike | None = None,
           today: dt.date | None = None) -> BackupResult:
    """Copy the live ledger consistently (online backup API), verify the copy, rename it into place.

    The copy is one snapshot: writers may go on meanwhile (WAL), and every item in it has
    all of its events. The file is a single self-contained database (journal_mode DELETE),
    mode 0600.
    """
    from .ledger import probe

    src_path = _existing(Path(ledger_path))
    try:
        probe(src_path)  # not a ledger, or from a newer duban: refused before anything is written
    except LedgerError as exc:
        raise LedgerError(exc.message.replace("无法打开台账", "无法读取台账", 1)) from None
    target = backup_target(src_path, dest, today or clock.today())
    try:
        source = _connect(src_path)
        tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"无法读取台账 {src_path}：文件不是有效的 SQLite 数据库或已损坏（{exc}）") from None
    try:
        if "items" not in tables:
            raise LedgerError(f"{src_path} 不是 duban 台账（其中没有督办事项表）")
        with atomic_path(target, mode=0o600) as tmp:
            copy = sqlite3.connect(tmp, isolation_level=None)
            try:
                try:
                    source.backup(copy)
                except sqlite3.DatabaseError as exc:
                    raise LedgerError(f"备份失败，台账可能已损坏：{exc}（未写入备份文件）") from None
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
                rows = [r[0] for r in copy.execute("PRAGMA integrity_check(20)")]
                if rows != ["ok"]:
                    raise LedgerError(f"备份副本未通过完整性检查：{'；'.join(rows)}（未写入备份文件）")
                items = copy.execute("SELECT count(*) FROM items").fetchone()[0]
                events = copy.execute("SELECT count(*) FROM events").fetchone()[0]
            finally:
                copy.close()
    finally:
        source.close()
    return BackupResult(target, items, events)
