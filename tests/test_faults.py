"""Faults (issue #7): kill -9 in the middle of a write, several writers at once, backups while
someone writes, and ledger files readable only by their owner.

The processes here are real (subprocess), because the point is what another process sees
in the file: a killed writer must leave all of a transaction or none of it; concurrent
writers must all succeed within the busy timeout.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duban import backup, check
from duban.ledger import Ledger
from duban.models import Source

TODAY = dt.date(2026, 11, 16)

# A writer that never stops: ``batch`` creates (each: 立项 + 交办 = 2 events) per transaction,
# printing a line after each commit. batch == 1 uses the ordinary one-write-per-create API;
# a larger batch runs the creates inside ONE _write() block, as a large import would. Each writer
# numbers its own items (so that `check` sees no likely duplicates across restarted writers).
WRITER = r"""
import contextlib, datetime as dt, os, sys
from duban.ledger import Ledger
from duban.models import Source

led = Ledger.open(sys.argv[1], today=dt.date(2026, 11, 16))
batch = int(sys.argv[2])
feedback = len(sys.argv) > 3
n = 0
while True:
    if batch == 1:
        n += 1
        view = led.create(f"写入者{os.getpid()}的事项{n}", Source.OTHER, lead="交通局", within=10)
        if feedback:
            led.feedback(view.item.id, "交通局", "已部署", 10)
    else:
        with led._write():
            led._write = contextlib.nullcontext  # the creates below join this one transaction
            try:
                for _ in range(batch):
                    n += 1
                    led.create(f"写入者{os.getpid()}的事项{n}", Source.OTHER, lead="交通局", within=10)
            finally:
                del led._write
    print("committed", flush=True)
"""


def new_ledger(path: Path) -> Path:
    led = Ledger.open(path, today=TODAY, create=True)
    led.add_unit("市交通运输局", aliases=["交通局"])
    led.add_unit("市财政局", aliases=["财政局"])
    led.db.conn.close()
    return path


def count(path: Path, query: str) -> int:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def start_writer(path: Path, batch: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(batch), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_commit(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()
    if line != "committed\n":
        proc.kill()
        raise AssertionError(f"writer did not start: {line!r} {proc.stderr.read()}")


def kill(proc: subprocess.Popen) -> int:
    """SIGKILL; the number of commits the writer reported after the first one."""
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return out.count("committed\n")


# -- kill -9 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 150], ids=["one-write-per-item", "one-big-transaction"])
def test_kill_9_during_writes_leaves_whole_transactions_and_a_ledger_that_passes_check(duban, tmp_path, batch):
    path = new_ledger(tmp_path / "台账.db")
    rng = random.Random(batch)
    for trial in range(3):
        before = count(path, "SELECT count(*) FROM items")
        proc = start_writer(path, batch)
        wait_for_commit(proc)
        time.sleep(rng.uniform(0.0, 0.4))  # a random moment, most likely inside a transaction
        reported = 1 + kill(proc)
        added = count(path, "SELECT count(*) FROM items") - before
        # all of each transaction or none of it: whole batches, at least those reported committed
        assert added % batch == 0, (trial, added)
        assert reported * batch <= added <= (reported + 1) * batch, (trial, reported, added)
        # every item has exactly its two events (立项, 交办) and its assignment
        assert count(path, "SELECT count(*) FROM items i WHERE "
                           "(SELECT count(*) FROM events e WHERE e.item_id = i.id) != 2") == 0
        assert count(path, "SELECT count(*) FROM assignments") == count(path, "SELECT count(*) FROM items")
        result = duban("--db", str(path), "check")
        assert result.exit_code == 0, result.output
        assert "未发现问题" in result.stdout
    led = Ledger.open(path, today=TODAY)  # and it still takes writes
    assert led.create("之后的事项", Source.OTHER, lead="财政局", within=5).item.id > 0


# -- several writers at once ---------------------------------------------------------------------


def test_four_cli_writers_at_once_all_succeed_and_every_event_is_there(tmp_path):
    path = new_ledger(tmp_path / "台账.db")
    led = Ledger.open(path, today=TODAY)
    led.create("共同反馈的事项", Source.OTHER, lead="交通局", co=["财政局"], within=10)
    led.db.conn.close()
    events_before = count(path, "SELECT count(*) FROM events")
    env = {**os.environ, "DUBAN_DB": str(path), "DUBAN_TODAY": TODAY.isoformat()}
    duban = [sys.executable, "-m", "duban.cli"]
    rounds = 4
    workers = []
    for w in range(4):
        if w % 2 == 0:  # the clerk registering items
            cmds = [duban + ["create", f"写入者{w}的事项{i}", "--source", "其他", "--lead", "交通局", "--within", "10"]
                    for i in range(rounds)]
        else:  # a unit's liaison, or cron, reporting on the same item
            unit = "交通局" if w == 1 else "财政局"
            cmds = [duban + ["feedback", "1", f"第{i}次反馈", "--unit", unit] for i in range(rounds)]
        script = "\n".join(f"{' '.join(map(_quote, c))} >/dev/null || exit $?" for c in cmds)
        workers.append(subprocess.Popen(["sh", "-c", script], env=env, stderr=subprocess.PIPE, text=True))
    for proc in workers:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    creates, feedbacks = 2 * rounds, 2 * rounds
    assert count(path, "SELECT count(*) FROM events") == events_before + 2 * creates + feedbacks
    assert count(path, "SELECT count(*) FROM items") == 1 + creates
    assert count(path, "SELECT count(*) FROM events WHERE item_id = 1 AND kind = 'feedback'") == feedbacks
    report = check.check_ledger(path, today=TODAY)
    assert report.problems == []


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


# -- backups while someone writes ---------------------------------------------------------------


def test_backup_while_a_writer_keeps_writing_is_consistent(duban, tmp_path):
    path = new_ledger(tmp_path / "台账.db")
    proc = start_writer(path, 1, "feedback")  # each item: create (2 events), then feedback (1 more)
    try:
        wait_for_commit(proc)
        copies = []
        for n in range(3):
            copies.append(backup.backup(path, tmp_path / f"copy{n}.db", today=TODAY))
            time.sleep(0.1)
    finally:
        kill(proc)
    sizes = [c.items for c in copies]
    assert sizes == sorted(sizes) and sizes[0] >= 1
    for c in copies:
        assert stat.S_IMODE(c.path.stat().st_mode) == 0o600
        assert count(c.path, "SELECT count(*) FROM items") == c.items
        # each item in the copy has its whole log: 2 events, or 3 once its feedback committed
        assert count(c.path, "SELECT count(*) FROM items i WHERE "
                             "(SELECT count(*) FROM events e WHERE e.item_id = i.id) NOT IN (2, 3)") == 0
        result = duban("--db", str(c.path), "check")  # replays every item against what is stored
        assert result.exit_code == 0, result.output
        assert "未发现问题" in result.stdout
        assert Ledger.open(c.path, today=TODAY).item(1).item.lead.last_feedback == TODAY


# -- file modes -----------------------------------------------------------------------------------


@pytest.fixture
def open_umask():
    """Even with umask 000 (everything world-readable by default) the ledger stays private."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_new_ledger_and_its_wal_files_are_mode_0600(duban, tmp_path, open_umask):
    path = tmp_path / "台账.db"
    result = duban("--db", str(path), "init")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    led = Ledger.open(path, today=TODAY)
    led.add_unit("市交通运输局")  # a write: the -wal and -shm files exist while the ledger is open
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        assert side.exists()
        assert stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
    led.db.conn.close()


def test_backups_are_mode_0600(duban, tmp_path, open_umask):
    path = tmp_path / "台账.db"
    assert duban("--db", str(path), "init").exit_code == 0
    assert duban("--db", str(path), "backup", str(tmp_path / "备份.db")).exit_code == 0
    assert stat.S_IMODE((tmp_path / "备份.db").stat().st_mode) == 0o600
    folder = tmp_path / "夜间"
    folder.mkdir()
    assert duban("--db", str(path), "backup", str(folder)).exit_code == 0
    [copy] = folder.iterdir()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
