"""bench/generate.py makes ledgers that `duban check` passes (issue #16's benchmarks stand on them):
the event chain is whole (the units' events are re-stamped and then chained anew, the items' events are
chained as they are appended) and each assignment's stored state is what its events replay to (its N
working days included)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from generate import generate  # noqa: E402


@pytest.mark.parametrize("backlog", [False, True], ids=["normal", "backlog"])
def test_generated_ledger_passes_check(duban, tmp_path, monkeypatch, backlog):
    db = tmp_path / "gen.db"
    counts = generate(db, 400, seed=3, today=dt.date(2026, 11, 16), quiet=True, backlog=backlog)
    monkeypatch.setenv("DUBAN_DB", str(db))
    result = duban("check", "--format", "json")
    found = json.loads(result.stdout)
    assert [f for f in found if f["severity"] == "error"] == []
    assert result.exit_code == 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count, last_id FROM event_chain").fetchone() == (counts["events"] + 40,
                                                                                       counts["events"] + 40)
        # N-working-day deadlines keep their N; an extended one is a given date
        assert conn.execute("SELECT count(*) FROM assignments WHERE within IS NULL AND due_basis != 'given'"
                            ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM assignments WHERE within IS NOT NULL AND due_basis = 'given'"
                            ).fetchone() == (0,)
    finally:
        conn.close()
