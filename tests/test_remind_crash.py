"""kill -9 during `remind --out` (issue #14, point 6): notices are written after the commit, from the
recorded events, so a crash leaves at worst recorded reminders whose notices `remind --reprint`
regenerates — never a notice without its events, never a "-2" copy."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duban import documents, notices
from duban.ledger import Ledger
from duban.models import ItemClass, Source

DAY = "2026-11-16"
UNITS = 8  # two notices each (a 催办通知 and a 提醒函): 16 notices, about a second of Word files


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "ledger.db"
    led = Ledger.open(path, today=dt.date(2026, 11, 2), create=True)
    for n in range(UNITS):
        led.add_unit(f"第{n + 1}责任单位", contact=f"联络员{n + 1}", phone=f"0771-55501{n:02d}")
        led.create(f"逾期事项{n + 1}", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead=f"第{n + 1}责任单位",
                   due=dt.date(2026, 11, 4))
        led.create(f"临期事项{n + 1}", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead=f"第{n + 1}责任单位",
                   due=dt.date(2026, 11, 18))
    led.db.close()
    return path


def run(db: Path, *args: str, wait: bool = True):
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": DAY, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "duban.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if wait:
        proc.communicate(timeout=120)
    return proc


def notice_files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith(".")) if out.exists() else []


def check_invariants(db: Path, out: Path) -> tuple[int, int]:
    """Every notice file on disk is one of the notices of the recorded events, whole and exact."""
    led = Ledger.open(db, today=dt.date.fromisoformat(DAY))
    try:
        recorded = documents.reminded_events(led, dt.date.fromisoformat(DAY))
        expected = {n.filename(""): n for n in documents.notices_of(led, recorded)}
    finally:
        led.db.close()
    assert len(recorded) in (0, 2 * UNITS)            # the reminders: all of them or none
    files = notice_files(out)
    for path in files:
        assert not re.search(r"-\d+\.(docx|txt)$", path.name), path.name   # no numbered copies
        stem = path.name.rsplit(".", 1)[0]
        assert stem in expected, f"{path.name} has no recorded reminders"
        if path.suffix == ".txt":
            assert path.read_text(encoding="utf-8") == notices.text(expected[stem])
    return len(recorded), len(files)


def test_kill_9_during_remind_out_never_leaves_a_notice_without_events(template, tmp_path):
    rng = random.Random(12)
    outcomes = []
    # a kill at once, at random moments, and as soon as the first notice appears (mid-writing)
    plans = [0.0, "first", rng.uniform(0.3, 1.5), rng.uniform(0.8, 2.5)]
    for n, when in enumerate(plans):
        db = tmp_path / f"t{n}.db"
        shutil.copy(template, db)
        out = tmp_path / f"out{n}"
        proc = run(db, "remind", "--out", str(out), wait=False)
        if when == "first":
            deadline = time.monotonic() + 60
            while not any(p.suffix == ".docx" for p in notice_files(out)) and proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            time.sleep(when)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        events, files = check_invariants(db, out)
        outcomes.append((events, files))
        # the rerun records nothing new; --reprint completes the day's notices, replacing what is there
        assert run(db, "remind", "--out", str(out)).returncode == 0
        assert run(db, "remind", "--reprint", DAY, "--out", str(out)).returncode == 0
        events_after, files_after = check_invariants(db, out)
        assert events_after == 2 * UNITS                   # (a run killed before its commit is redone)
        assert files_after == 2 * 2 * UNITS                # every notice, .docx and .txt, once
    # the kill as soon as the first notice appeared caught a run between its commit and its last notice
    print("kill -9 outcomes (reminders recorded, notice files on disk):", outcomes)
    assert any(events == 2 * UNITS and 0 < files < 4 * UNITS for events, files in outcomes), outcomes
