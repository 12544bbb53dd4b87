"""The commands that read today's lights from the stored schedules (issue #16) say what the rules say.

For each, on ledgers generated as in tests/test_schedule.py (the simulated office, with milestones,
sub-items, presets, signing, settings and calendar edits, and the morning ``remind``), the output read
from the schedules equals the output computed in Python (``_schedule_ok = False``: as a ledger whose
schedules were built by other rules), some days after the last write.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from duban.ledger import Ledger
from duban.models import Channel

from test_schedule import EXAMPLES, ScheduledOffice, step

runs = settings(max_examples=max(3, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _office(steps, later: int) -> Ledger:
    led = ScheduledOffice().play(steps)
    led.today += dt.timedelta(days=later)
    return led


def _copy(led: Ledger) -> Ledger:
    """The ledger as the next command opens it."""
    conn = sqlite3.connect(":memory:")
    led.db.conn.backup(conn)
    return Ledger(Database(conn), today=led.today)


def _reminded(led: Ledger, dry_run: bool) -> list[dict]:
    from duban.render_daily import reminder_record

    return [reminder_record(r, "系统") for r in led.remind(Channel.SYSTEM, dry_run=dry_run)]


def _events(led: Ledger) -> list[tuple]:
    return led.db.execute("SELECT item_id, unit_id, at, kind, detail, data FROM events ORDER BY id").fetchall()


@runs
@given(st.lists(step, min_size=3, max_size=25), st.integers(0, 30))
def test_remind_reads_the_schedule_and_chases_whom_the_rules_chase(steps, later):
    made = _office(steps, later)
    led, python = _copy(made), _copy(made)  # opened by the next command (which builds what a write left)
    python._schedule_ok = False  # lit in Python
    assert led.schedules_usable() and not python.schedules_usable()
    assert _reminded(led, True) == _reminded(python, True)
    assert _reminded(led, False) == _reminded(python, False)  # recorded: the same events, 文号 and words
    assert _events(led) == _events(python)
    led.today += dt.timedelta(days=3)  # the next run, some days on: the levels reached since
    python.today = led.today
    led._schedule_ok, python._schedule_ok = None, False
    assert _reminded(led, True) == _reminded(python, True)


def _lit_in_python(*args, **kwargs):
    raise AssertionError("亮灯应从日程读取，而不是在 Python 中计算")


class _NoLighting:
    """duban.rules as chase.py sees it, with lighting refused (escalation, a rule on a light given, stays)."""

    def __getattr__(self, name):
        from duban import rules

        return _lit_in_python if name in ("assignment_light", "item_light") else getattr(rules, name)


def _bridge_and_road(*more: tuple[str, dt.date]) -> Ledger:
    """修桥 (due 11-04, a co unit) and 修路 (due 11-12), created on 2026-11-02; the ledger on 11-09."""
    from duban.models import Source

    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.add_unit("市交通运输局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", co=["市交通运输局"], due=dt.date(2026, 11, 4))
    for title, due in (("修路", dt.date(2026, 11, 12)), *more):
        led.create(title, Source.LEADER_INSTRUCTION, lead="市交通运输局", due=due)
    led.today = dt.date(2026, 11, 9)
    return led


def test_remind_lights_nothing_in_python_when_the_schedules_are_usable(monkeypatch):
    from duban import chase, rules

    led = _bridge_and_road()
    with monkeypatch.context() as m:
        m.setattr(chase, "rules", _NoLighting())  # the plan lights nothing (the write after it builds schedules)
        done = _reminded(led, False)
    assert [(r["id"], r["unit"], r["level_label"], r["status_text"], r["reason"], r["doc_ref"]) for r in done] == [
        (1, "市交通运输局", "催办", "逾期3个工作日", "已逾期3个工作日（办理时限 2026-11-04）", "督办〔2026〕1号"),
        (2, "市交通运输局", "提醒", "剩余3个工作日", "距办理时限还有3个工作日（临期阈值3个工作日）", "督办〔2026〕2号"),
        (1, "市财政局", "催办", "逾期3个工作日", "已逾期3个工作日（办理时限 2026-11-04）", "督办〔2026〕3号")]
    led.today = dt.date(2026, 11, 18)
    monkeypatch.setattr(rules, "assignment_light", _lit_in_python)
    monkeypatch.setattr(rules, "item_light", _lit_in_python)
    planned = _reminded(Ledger(led.db, today=led.today), True)
    assert [(r["id"], r["unit"], r["level_label"], r["status_text"], r["reason"], r["reminders_before"],
             r["reply_by"]) for r in planned] == [
        (1, "市交通运输局", "督办单", "逾期10个工作日", "已逾期10个工作日（办理时限 2026-11-04）；已催办1次仍无反馈", 1,
         "2026-11-23"),
        (2, "市交通运输局", "催办", "逾期4个工作日", "已逾期4个工作日（办理时限 2026-11-12）", 0, "2026-11-23"),
        (1, "市财政局", "督办单", "逾期10个工作日", "已逾期10个工作日（办理时限 2026-11-04）；已催办1次仍无反馈", 1,
         "2026-11-23")]


def _reports(led: Ledger) -> dict:
    """report stats (all, by unit, by source), report ranking and the weekly 专报's figures, as of today."""
    import dataclasses

    from duban import reports, scoring, weekly

    whole = reports.span(None, None, led.today)
    this_week = reports.week(None, led.today)
    views = weekly.views_as_of(led, this_week.end)
    return {
        "stats": [[g.record() for g in reports.stats(led, whole, by)] for by in (None, "unit", "source")],
        "stats_week": [g.record() for g in reports.stats(led, this_week, "unit")],
        "ranking": [s.record() for s in scoring.ranking(led, reports.quarter(None, led.today))],
        "weekly": dataclasses.asdict(weekly.weekly(led, this_week, 1, items={v.item.id: v.item for v in views})),
    }


@runs
@given(st.lists(step, min_size=3, max_size=25), st.integers(0, 40))
def test_the_reports_read_the_schedule_and_count_what_the_rules_count(steps, later):
    made = _office(steps, later)
    led, python = _copy(made), _copy(made)
    python._schedule_ok = False
    assert led.schedules_usable() and not python.schedules_usable()
    assert _reports(led) == _reports(python)


def test_report_stats_and_ranking_light_nothing_in_python_when_the_schedules_are_usable(monkeypatch):
    from duban import reports, rules, scoring

    led = _bridge_and_road(("修渠", dt.date(2026, 12, 30)))
    led.remind(Channel.SYSTEM)
    monkeypatch.setattr(rules, "assignment_light", _lit_in_python)
    monkeypatch.setattr(rules, "item_light", _lit_in_python)
    led = Ledger(led.db, today=dt.date(2026, 11, 18))
    got = [(g["group"], g["total"], g["open"], g["overdue"], g["on_track"], g["progress_rate"])
           for g in (g.record() for g in reports.stats(led, reports.span(None, None, led.today), "unit"))]
    assert got == [("市交通运输局", 2, 2, 1, 1, 0.5), ("市财政局", 1, 1, 1, 0, 0.0), ("全部", 3, 3, 2, 1, 0.3333)]
    ranked = [(s["unit"], s["role"], s["score"], s["details"])
              for s in (s.record() for s in scoring.ranking(led, reports.quarter(None, led.today)))]
    assert ranked == [("市交通运输局", "lead", 98, ["#2 本期逾期4个工作日"]), ("市财政局", "lead", 94, ["#1 本期逾期10个工作日"]),
                      ("市交通运输局", "co", 94, ["#1 本期逾期10个工作日"])]


def _exported(led: Ledger) -> list:
    """The cells of every sheet of ``duban export`` (all items at work, and --all), and the 专报's 台账 views."""
    from duban import render, weekly
    from duban.commands.export import list_filter
    from duban.exporter import build_workbook

    sheets = []
    for everything in (False, True):
        views = led.list_items(list_filter(None, None, None, None, None, everything), scheduled=True)
        book = build_workbook(led, views, "台账", None)
        sheets.append([book.rows, *(list(ws.iter_rows(values_only=True)) for ws in book.workbook.worksheets)])
    views = weekly.views_as_of(led, led.today)
    return [sheets, [render.item_record(v) for v in views]]


@settings(max_examples=max(2, EXAMPLES // 6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=3, max_size=25), st.integers(0, 40))
def test_export_reads_the_schedule_and_writes_the_cells_the_rules_give(steps, later):
    made = _office(steps, later)
    led, python = _copy(made), _copy(made)
    python._schedule_ok = False
    assert _exported(led) == _exported(python)


def test_export_lights_nothing_in_python_and_says_each_kind_of_deadline_cell(monkeypatch):
    from duban import rules
    from duban.exporter import left_cell
    from duban.ledger_rows import ListFilter
    from duban.models import Source

    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    for title, due in (("今日", dt.date(2026, 11, 20)), ("周六", dt.date(2026, 11, 21)), ("昨日", dt.date(2026, 11, 19)),
                       ("下周", dt.date(2026, 11, 27))):
        led.create(title, Source.LEADER_INSTRUCTION, lead="市财政局", due=due)
    led.create("长期", Source.LEADER_INSTRUCTION, lead="市财政局", long_term=True)
    monkeypatch.setattr(rules, "assignment_light", _lit_in_python)
    monkeypatch.setattr(rules, "item_light", _lit_in_python)
    friday = Ledger(led.db, today=dt.date(2026, 11, 20))
    assert [left_cell(v) for v in friday.list_items(ListFilter(), scheduled=True)] == \
        ["今日到期", "到期前无工作日", -1, 5, "长期"]
    sunday = Ledger(led.db, today=dt.date(2026, 11, 22))
    assert [left_cell(v) for v in sunday.list_items(ListFilter(), scheduled=True)] == \
        ["已过期限", "已过期限", -1, 5, "长期"]


@runs
@given(st.lists(step, min_size=3, max_size=25), st.integers(0, 30))
def test_show_reads_the_schedule_and_says_what_the_rules_say(tmp_path_factory, steps, later):
    """`show ID` (JSON, and the table with --explain) reads today's lights, findings and levels from the
    schedules, and says what lighting the item in Python says."""
    import pytest
    from typer.testing import CliRunner

    from duban.cli import app

    made = _office(steps, later)
    path = tmp_path_factory.mktemp("show") / "台账.db"
    made.db.conn.backup(sqlite_file := sqlite3.connect(path))
    sqlite_file.close()
    runner, env = CliRunner(), {"DUBAN_TODAY": made.today.isoformat(), "COLUMNS": "120"}
    ids = [r[0] for r in made.db.execute("SELECT id FROM items WHERE created <= ? ORDER BY id", [made.today.isoformat()])]

    def shown() -> list[str]:
        out = []
        for item_id in ids:
            for args in (["--format", "json"], ["--explain"]):
                result = runner.invoke(app, ["--db", str(path), "show", str(item_id), *args], env=env)
                assert result.exit_code == 0, result.output
                out.append(result.stdout)
        return out

    read = shown()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Ledger, "schedules_usable", lambda self: False)  # lit in Python
        assert shown() == read
