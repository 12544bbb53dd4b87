"""How long `duban remind --out` holds the ledger's write lock (issue #14, point 6).

    python bench/remind_lock.py /tmp/duban-bench/20k.db --days 2026-11-16 2026-11-20 2026-12-21

Copies the ledger (made by bench/generate.py), runs `duban remind --out DIR` in this process on
each day in turn, and times every write transaction (``Ledger._write``: from BEGIN IMMEDIATE to
COMMIT, i.e. while other writers wait). Prints, per day: reminders recorded, notices written, the
whole command's time and the longest write transaction.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from duban.ledger import Ledger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--days", nargs="+", default=["2026-11-16", "2026-11-20", "2026-12-21"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="duban-lock-"))
    db = work / "ledger.db"
    shutil.copy(args.ledger, db)
    held: list[float] = []
    original = Ledger._write

    @contextlib.contextmanager
    def timed(self):
        start = time.perf_counter()
        try:
            with original(self):
                yield
        finally:
            held.append(time.perf_counter() - start)

    Ledger._write = timed
    from typer.testing import CliRunner

    from duban.cli import app

    print("| 日期 | 催办记录 | 通知（份） | 命令用时 | 最长写事务（持锁） |")
    print("|---|---|---|---|---|")
    for day in args.days:
        held.clear()
        out = work / day
        start = time.perf_counter()
        result = CliRunner().invoke(app, ["--db", str(db), "--today", day, "remind", "--out", str(out),
                                          "--format", "json"])
        took = time.perf_counter() - start
        if result.exit_code != 0:
            raise SystemExit(f"{day}: exit {result.exit_code}: {result.stderr}")
        recorded = result.stdout.count('"id":')
        notices = len(list(out.glob("*.docx"))) if out.exists() else 0
        print(f"| {day} | {recorded} | {notices} | {took:.2f} s | {max(held, default=0) * 1000:.0f} ms |")
    shutil.rmtree(work)
    os.environ.pop("DUBAN_DB", None)


if __name__ == "__main__":
    main()
