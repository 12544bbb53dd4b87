"""Fuzz (issue #14): hundreds of generated bad inputs thrown at every command.

Each input is a command template with one slot filled by a value that must be refused there
(a bad or far date, a bad id, an empty or unknown unit, a bad choice, a bad number, bytes that
are not UTF-8, an empty required text). For each one: exit code 1 or 2, a Chinese message on
stderr starting 错误：, no traceback, no 内部错误, and the ledger's content (every row of every
table) unchanged. The figures are printed (pytest -s) for the issue's note.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_safety import logical  # every row of every table

SURROGATE = "\udcff"  # what a byte that is not UTF-8 becomes in sys.argv
LONG = "很长的名称" * 300

BAD_DATES = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "2026-02-30", "2026-13-01", "明天", " ",
             SURROGATE, "2026-11-16T08:00", "20261116", "2026/02/29", "9" * 30, "", "2026-11-31"]
BAD_IDS = ["0", "99999", "99999999999999999999", "abc", "", "1.5", SURROGATE, "0x1", "1e3"]
BAD_UNITS = ["", " ", "不存在的局", SURROGATE, LONG, "市交通运输局\x00"]
BAD_CHOICES = ["", "紫", SURROGATE, "red;drop table", "绿灯灯", LONG]
BAD_COUNTS = ["0", "1001", "abc", "99999999999999999999", "", "2.5", SURROGATE]
BAD_TEXTS = ["", "   "]
BAD_WEEKS = ["2026-W54", "9999-W01", "0001-W01", "2026W", "W47", "", SURROGATE, "2026-W00", "2099-W53", "2030-W01"]
BAD_QUARTERS = ["2026Q5", "9999Q4", "0001Q1", "Q4", "", SURROGATE, "2026年第五季度", "2030Q1"]

# (template, values): "{}" is the slot. Every filled template must be refused.
TEMPLATES: list[tuple[list[str], list[str]]] = [
    (["--today", "{}", "list"], [d for d in BAD_DATES if d]),  # an empty DUBAN_TODAY means "not set"
    (["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--due", "{}"], BAD_DATES),
    (["extend", "1", "--to", "{}", "--reason", "等待批复"], BAD_DATES),
    (["show", "1", "--as-of", "{}"], BAD_DATES),
    (["list", "--due-before", "{}"], BAD_DATES),
    (["report", "stats", "--from", "{}"], BAD_DATES),
    (["report", "stats", "--to", "{}"], BAD_DATES),
    (["calendar", "add-holiday", "{}"], BAD_DATES),
    (["milestone", "add", "1", "{}", "完成方案"], BAD_DATES),
    (["reopen", "2", "--reason", "反弹", "--due", "{}"], BAD_DATES),
    (["show", "{}"], BAD_IDS),
    (["log", "{}"], BAD_IDS),
    (["sign", "{}", "--unit", "交通局"], BAD_IDS),
    (["feedback", "{}", "已部署", "--unit", "交通局"], BAD_IDS),
    (["close", "{}", "--result", "已完成"], BAD_IDS),
    (["milestone", "done", "1", "{}"], BAD_IDS),
    (["create", "新事项", "--source", "领导批示", "--lead", "{}"], BAD_UNITS),
    (["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--co", "{}"], BAD_UNITS),
    (["sign", "1", "--unit", "{}"], BAD_UNITS),
    (["feedback", "1", "已部署", "--unit", "{}"], BAD_UNITS),
    (["escalate", "1", "--kind", "约谈", "--unit", "{}"], BAD_UNITS),
    (["list", "--unit", "{}"], BAD_UNITS),
    (["overdue", "--unit", "{}"], BAD_UNITS),
    (["unit", "add", "市新设局", "--parent", "{}"], BAD_UNITS),
    (["create", "新事项", "--source", "{}"], BAD_CHOICES),
    (["create", "新事项", "--source", "领导批示", "--class", "{}"], BAD_CHOICES),
    (["list", "--light", "{}"], BAD_CHOICES),
    (["list", "--status", "{}"], BAD_CHOICES[1:]),  # (an empty filter is no filter)
    (["escalate", "1", "--kind", "{}"], BAD_CHOICES),
    (["revisit", "2", "--satisfaction", "{}"], BAD_CHOICES),
    (["remind", "--channel", "{}"], BAD_CHOICES[1:]),
    (["list", "--format", "{}"], BAD_CHOICES),
    (["rules", "preset", "{}"], BAD_CHOICES),
    (["create", "新事项", "--source", "领导批示", "--lead", "交通局", "--within", "{}"], BAD_COUNTS),
    (["feedback", "1", "已部署", "--unit", "交通局", "--percent", "{}"], ["101", "-1", "abc", "", SURROGATE]),
    (["report", "weekly", "--issue", "{}"], ["0", "10000", "abc", SURROGATE]),
    (["check", "--sample", "{}"], ["0", "-1", "x", SURROGATE]),
    (["calendar", "show", "{}"], ["1999", "2100", "9999", "abc", SURROGATE]),
    (["create", "{}", "--source", "领导批示"], BAD_TEXTS + [SURROGATE]),
    (["extend", "1", "--to", "2026-12-31", "--reason", "{}"], BAD_TEXTS + [SURROGATE]),
    (["close", "1", "--result", "{}"], BAD_TEXTS + [SURROGATE]),
    (["pause", "1", "--reason", "{}"], BAD_TEXTS + [SURROGATE]),
    (["cancel", "1", "--reason", "{}"], BAD_TEXTS + [SURROGATE]),
    (["feedback", "1", "{}", "--unit", "交通局"], BAD_TEXTS + [SURROGATE]),
    (["unit", "add", "{}"], BAD_TEXTS + [SURROGATE]),
    (["report", "weekly", "--week", "{}"], BAD_WEEKS),
    (["report", "ranking", "--quarter", "{}"], BAD_QUARTERS),
    (["rules", "set", "near_due_workdays", "{}"], ["abc", "-1", "61", "", SURROGATE, "3.5"]),
    (["rules", "set", "light_preset", "{}"], ["五色", "", SURROGATE]),
    (["rules", "set", "review_required", "{}"], ["也许", "", "2"]),
    (["rules", "set", "{}", "3"], ["no_such_key", "", SURROGATE]),
    (["import", "{}"], ["/nonexistent/台账.xlsx", "", "{bad_xlsx}", "{text_file}", SURROGATE + ".xlsx"]),
    (["calendar", "import", "{}"], ["/nonexistent/日历.txt", "{bad_calendar}", "{far_calendar}", "{binary_file}"]),
    (["export", "{}"], ["x.csv", "{missing_dir}/台账.xlsx", "{fifo}", SURROGATE + ".xlsx"]),
    (["overdue", "--out", "{}"], ["{missing_dir}/x.csv", "{fifo}", "{tmp}/x.csv/", "{tmp}"]),
    (["backup", "{}"], ["{missing_dir}/备份.db", "{fifo}", "{db}", "{db}-wal"]),
]

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(units, tmp_path):
    """#1 open (交通局), #2 closed, #3 pending; files for the file-taking commands."""
    assert units("create", "修复东街路灯", "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-30").exit_code == 0
    assert units("create", "清理河道", "--source", "领导批示", "--lead", "财政局", "--due", "2026-11-30").exit_code == 0
    assert units("close", "2", "--result", "已清理").exit_code == 0
    assert units("create", "待交办事项", "--source", "会议议定").exit_code == 0
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "text.xlsx").write_text("序号,事项\n1,修路\n", encoding="utf-8")
    (tmp_path / "bad_calendar.txt").write_text("2027-01-01,休\n2027-01-02,也许\n", encoding="utf-8")
    (tmp_path / "far_calendar.txt").write_text("2027-01-01,休\n0001-01-01,休\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00garbage")
    os.mkfifo(tmp_path / "fifo.csv")
    return units


def inputs(tmp_path: Path, db: Path) -> list[list[str]]:
    places = {"bad_xlsx": tmp_path / "bad.xlsx", "text_file": tmp_path / "text.xlsx",
              "bad_calendar": tmp_path / "bad_calendar.txt", "far_calendar": tmp_path / "far_calendar.txt",
              "binary_file": tmp_path / "binary.txt", "missing_dir": tmp_path / "没有这个目录",
              "fifo": tmp_path / "fifo.csv", "tmp": tmp_path, "db": db}
    made = []
    for template, values in TEMPLATES:
        for value in values:
            if value.startswith("{") and value.strip("{}").split("}")[0] in places:
                value = value.format(**places)
            made.append([value if part == "{}" else part for part in template])
    return made


def test_hundreds_of_bad_inputs_are_refused_cleanly(world, tmp_path, capsys):
    db = Path(os.environ["DUBAN_DB"])
    before = logical(db)
    cases = inputs(tmp_path, db)
    assert len(cases) >= 300
    failures, codes = [], {1: 0, 2: 0}
    internal = changed = 0
    for argv in cases:
        result = world(*argv)
        err = result.stderr
        problem = None
        if result.exit_code not in (1, 2):
            problem = f"exit {result.exit_code}"
        elif "Traceback" in result.output or "内部错误" in err:
            internal += 1
            problem = "internal error"
        elif not err.startswith("错误：") and not any(line.startswith("错误：") for line in err.splitlines()):
            problem = "no 错误： line"
        elif not CHINESE.search(err.split("错误：", 1)[1]):
            problem = "message not Chinese"
        else:
            codes[result.exit_code] += 1
        after = logical(db)
        if after != before:
            changed += 1
            problem = (problem or "") + " ledger changed"
            before = after
        if problem:
            failures.append((argv, problem, result.exit_code, err[:300]))
    with capsys.disabled():
        print(f"\nfuzz: {len(cases)} bad inputs, exit 1: {codes[1]}, exit 2: {codes[2]}, internal errors: {internal},"
              f" ledger changed: {changed}, failures: {len(failures)}")
    assert failures == [], "\n".join(map(repr, failures))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left
    assert not (tmp_path / "没有这个目录").exists()


def test_the_generator_covers_every_command_group():
    commands = {t[0] if t[0] != "--today" else t[2] for t, _ in TEMPLATES}
    assert {"create", "extend", "show", "list", "report", "calendar", "milestone", "reopen", "log", "sign", "feedback",
            "close", "escalate", "overdue", "unit", "revisit", "remind", "rules", "check", "pause", "cancel", "import",
            "export", "backup"} <= commands
