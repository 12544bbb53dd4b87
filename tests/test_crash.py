"""kill -9 (issue #14): `import`, `report weekly` and `backup` killed at random points.

Real processes, killed with SIGKILL after a random delay spread over the command's own run time
(measured first). After each kill: the ledger passes `duban check`; an import left all of its
rows or none; every output file present is whole (a zip Word/Excel opens, a backup passes
integrity_check); and the next run completes, removes the killed run's temp files and, for the
weekly report, keeps the same 期号. The figures are printed (pytest -s) for the issue's note.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from duban.ledger import Ledger
from duban.models import Source

TODAY = "2026-11-20"
ROWS = 1000
TRIALS = 6


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": TODAY}
    return subprocess.run([sys.executable, "-m", "duban.cli", *args], env=env, capture_output=True, text=True)


def start(db: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": TODAY}
    return subprocess.Popen([sys.executable, "-m", "duban.cli", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def timed(db: Path, *args: str) -> float:
    began = time.perf_counter()
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - began


def moment(rng: random.Random, trial: int, took: float) -> float:
    """Anywhere in the run for even trials; near its end (when the files are written) for odd ones."""
    return rng.uniform(0.1, took) if trial % 2 == 0 else rng.uniform(0.7 * took, 1.05 * took)


def kill_after(db: Path, delay: float, *args: str) -> bool:
    """Start the command, SIGKILL it after ``delay`` s; True if it was killed (not already done)."""
    proc = start(db, *args)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL


def check_passes(db: Path) -> None:
    result = run(db, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "未发现问题" in result.stdout


def temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name]


def whole_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    except zipfile.BadZipFile:
        return False


def ledger_with_items(path: Path, n: int) -> Path:
    led = Ledger.open(path, today=dt.date(2026, 11, 2), create=True)
    led.add_unit("市交通运输局", aliases=["交通局"])
    led.add_unit("市财政局", aliases=["财政局"])
    with led._write():
        led._write = lambda: __import__("contextlib").nullcontext()  # one transaction for the setup
        try:
            for i in range(n):
                led.create(f"事项{i}", Source.OTHER, lead="交通局" if i % 2 else "财政局", due=dt.date(2026, 11, 13))
        finally:
            del led._write
    led.db.close()
    return path


@pytest.fixture(scope="module")
def figures():
    found: dict[str, list[str]] = {}
    yield found
    print("\nkill -9 trials:", "; ".join(f"{k}: {', '.join(v)}" for k, v in found.items()))


def test_kill_9_during_import_leaves_all_rows_or_none(tmp_path, figures):
    from openpyxl import Workbook

    book = tmp_path / "台账.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "督办事项", "来源", "牵头单位", "完成时限", "进展情况"])
    for n in range(1, ROWS + 1):
        ws.append([n, f"导入的事项{n}", "领导批示", "市交通运输局", "2026年12月31日", f"进展{n}"])
    wb.save(book)
    template = ledger_with_items(tmp_path / "模板.db", 0)
    reference = tmp_path / "参照.db"
    reference.write_bytes(template.read_bytes())
    took = timed(reference, "import", str(book))
    rng = random.Random(14)
    outcomes = []
    for trial in range(TRIALS):
        db = tmp_path / f"台账{trial}.db"
        db.write_bytes(template.read_bytes())
        killed = kill_after(db, moment(rng, trial, took), "import", str(book))
        items = sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0]
        assert items in (0, ROWS), (trial, items)
        outcomes.append(f"{'killed' if killed else 'finished'}→{items}")
        check_passes(db)
        again = run(db, "import", str(book))
        assert again.returncode == 0, again.stderr
        assert sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0] == ROWS
        check_passes(db)
    figures["import"] = outcomes


def test_kill_9_during_report_weekly_leaves_whole_files_and_keeps_the_issue_number(tmp_path, figures):
    db = ledger_with_items(tmp_path / "台账.db", 600)
    reference = tmp_path / "参照.db"
    reference.write_bytes(db.read_bytes())
    took = timed(reference, "report", "weekly", "--out", str(tmp_path / "参照"))
    rng = random.Random(47)
    outcomes = []
    for trial in range(TRIALS):
        out = tmp_path / f"专报{trial}"
        killed = kill_after(db, moment(rng, trial, took), "report", "weekly", "--out", str(out))
        check_passes(db)
        done = [p for p in out.iterdir() if not p.name.startswith(".")] if out.exists() else []
        assert all(whole_zip(p) for p in done), done
        left = temps(out) if out.exists() else []
        outcomes.append(f"{'killed' if killed else 'finished'}: {len(done)} files, {len(left)} temp")
        result = run(db, "report", "weekly", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert "第1期" in result.stdout  # a re-run of the same week keeps its 期号
        assert temps(out) == []
        assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".xlsx"]
        assert all(whole_zip(p) for p in out.iterdir())
    assert sqlite3.connect(db).execute("SELECT count(*) FROM reports").fetchone() == (1,)
    check_passes(db)
    figures["report weekly"] = outcomes


def test_kill_9_during_backup_leaves_a_whole_backup_or_none_and_the_next_run_cleans_up(tmp_path, figures):
    db = ledger_with_items(tmp_path / "台账.db", 3000)
    took = timed(db, "backup", str(tmp_path / "参照.db"))
    rng = random.Random(7)
    outcomes = []
    folder = tmp_path / "备份"
    folder.mkdir()
    for trial in range(TRIALS):
        target = folder / f"备份{trial}.db"
        killed = kill_after(db, moment(rng, trial, took), "backup", str(target))
        if target.exists():
            conn = sqlite3.connect(target)
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM items").fetchone() == (3000,)
            conn.close()
        left = temps(folder)
        outcomes.append(f"{'killed' if killed else 'finished'}: backup {'whole' if target.exists() else 'absent'}, "
                        f"{len(left)} temp")
        check_passes(db)
        result = run(db, "backup", str(folder / f"再备份{trial}.db"))
        assert result.returncode == 0, result.stderr
        assert temps(folder) == []  # the killed run's temp copy is gone
    figures["backup"] = outcomes
