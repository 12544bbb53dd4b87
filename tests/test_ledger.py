"""The ledger as a library: migrations, atomic writes, the log and replay."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from duban import ledger as ledger_mod
from duban import lifecycle, rules
from duban.errors import InvalidInput, InvalidTransition, LedgerError, NotFound
from duban.ledger import Ledger, ListFilter
from duban.migrations import migrations
from duban.models import EventKind, ItemClass, Light, Source, Status

D = dt.date.fromisoformat


def table_counts(led: Ledger) -> dict[str, int]:
    return {t: led.db[t].count for t in ("items", "assignments", "events", "units", "settings", "calendar_days")}


def stored_matches_replay(led: Ledger, item_id: int) -> None:
    stored = led.item(item_id).item
    replayed = led.replayed(item_id)
    assert replayed == stored


# -- migrations ---------------------------------------------------------------------------


def test_new_ledger_has_every_migration(tmp_path):
    led = Ledger.open(tmp_path / "new.db", create=True)
    assert led.applied_migrations() == [m.name for m in migrations._migrations]


def test_schema_names_the_newest_migration():
    # opening a ledger skips sqlite-utils when SCHEMA is applied: a new migration must move it
    assert ledger_mod.SCHEMA == migrations._migrations[-1].name


def test_a_ledger_missing_only_the_newest_migration_gets_it(tmp_path):
    path = tmp_path / "old.db"
    Ledger.open(path, create=True).db.close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [ledger_mod.SCHEMA])
    conn.execute("DROP VIEW events")  # m016_undo: the log stays in event_log, the view of live events comes back
    conn.commit()
    conn.close()
    led = Ledger.open(path)
    assert led.applied_migrations()[-1] == ledger_mod.SCHEMA
    assert led.db.execute("SELECT type FROM sqlite_master WHERE name = 'events'").fetchone() == ("view",)


def test_a_write_outside_a_transaction_is_committed(tmp_path):
    # Connection.execute commits a lone write at once, as sqlite-utils' Database.execute does
    path = tmp_path / "t.db"
    led = Ledger.open(path, create=True)
    led.db.execute("INSERT INTO settings (key, value) VALUES ('office_name', '测试督查室')")
    assert not led.db.conn.in_transaction
    other = sqlite3.connect(path)
    assert other.execute("SELECT value FROM settings WHERE key = 'office_name'").fetchone() == ("测试督查室",)


def test_new_ledger_file_is_owner_only(tmp_path):
    path = tmp_path / "private.db"
    Ledger.open(path, create=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_opening_an_old_ledger_upgrades_it_and_keeps_every_row(tmp_path):
    """A ledger written by the first schema (before m002) is upgraded in place."""
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_indexes")
    old.execute("INSERT INTO units (id, name, created) VALUES (1, '市交通运输局', '2026-01-05')")
    old.execute(
        "INSERT INTO items (id, title, source, class, created, status, due)"
        " VALUES (1, '旧台账事项', 'leader_instruction', 'routine', '2026-01-05', 'open', '2026-02-10')"
    )
    old.execute(
        "INSERT INTO assignments (item_id, unit_id, role, status, assigned_on, due, original_due)"
        " VALUES (1, 1, 'lead', 'open', '2026-01-05', '2026-02-10', '2026-02-10')"
    )
    old.execute(
        "INSERT INTO events (item_id, unit_id, at, kind, detail, data, logged_at) VALUES"
        " (1, NULL, '2026-01-05', 'created', '立项', '{\"title\": \"旧台账事项\", \"source\": \"leader_instruction\"}', 'x'),"
        " (1, 1, '2026-01-05', 'assigned', '交办', '{\"role\": \"lead\", \"due\": \"2026-02-10\"}', 'x')"
    )
    old.conn.commit()
    old.close()

    led = Ledger.open(path, today=D("2026-02-11"))
    assert "m002_indexes" in led.applied_migrations()
    assert led.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_assignments_open'").fetchone() == (1,)
    view = led.item(1)
    assert view.item.title == "旧台账事项"
    assert view.item.lead.unit == "市交通运输局"
    assert view.light.light is Light.RED
    assert [e.kind for e in led.events(1)] == [EventKind.CREATED, EventKind.ASSIGNED]
    stored_matches_replay(led, 1)


def test_init_twice_never_wipes(tmp_path):
    path = tmp_path / "l.db"
    led = Ledger.open(path, create=True, today=D("2026-11-16"))
    led.add_unit("市财政局")
    led.db.close()
    again = Ledger.open(path, create=True)
    assert [u.name for u in again.units()] == ["市财政局"]


@pytest.mark.parametrize(
    "content, message",
    [(b"this is not a database at all" * 100, "不是有效的 SQLite"), (b"", None)],
)
def test_opening_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    if message is None:  # an empty file is not a ledger: refused, by init too, and left 0 bytes
        for create in (False, True):
            with pytest.raises(LedgerError, match="是空文件，不是 duban 台账"):
                Ledger.open(path, create=create)
        assert path.read_bytes() == b""
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.db"]
        return
    with pytest.raises(LedgerError, match=message):
        Ledger.open(path)


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    Database(path)["people"].insert({"name": "x"})
    with pytest.raises(LedgerError, match="不是 duban 台账"):
        Ledger.open(path)
    assert Database(path).table_names() == ["people"]


def test_missing_file_is_not_created_without_init(tmp_path):
    with pytest.raises(LedgerError, match="duban init"):
        Ledger.open(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


# -- atomic writes ------------------------------------------------------------------------


def test_failed_write_leaves_nothing(ledger):
    """The third co unit is unknown: neither the item nor any assignment or event is kept."""
    before = table_counts(ledger)
    with pytest.raises(NotFound):
        ledger.create("事项", Source.OTHER, lead="交通局", co=["财政局", "不存在的局"])
    assert table_counts(ledger) == before


def test_failure_midway_through_several_units_rolls_back(ledger):
    ledger.create("事项", Source.OTHER, lead="交通局", co=["财政局"], within=5)
    ledger.close(1, "完成", unit="财政局")
    before = table_counts(ledger)
    events_before = [e.id for e in ledger.events(1)]
    # closing "every unit" must fail as a whole: the co unit is already closed, the lead is fine,
    # but an empty result is rejected by the state machine for the first unit
    with pytest.raises(InvalidInput):
        ledger.close(1, "   ")
    assert table_counts(ledger) == before
    assert [e.id for e in ledger.events(1)] == events_before


def test_each_write_appends_events_and_state_equals_replay(ledger):
    ledger.create("主干道整治", Source.LEADER_INSTRUCTION, lead="交通局", co=["财政局", "住建局"], within=10)
    ledger.today = D("2026-11-18")
    ledger.sign(1, "交通局")
    ledger.feedback(1, "交通局", "完成方案", percent=30)
    ledger.extend(1, D("2026-12-31"), "需省级批复", unit="住建局")
    ledger.pause(1, "待常务会研究", unit="财政局")
    ledger.today = D("2026-11-25")
    ledger.resume(1, unit="财政局")
    ledger.close(1, "完成")
    ledger.today = D("2026-12-01")
    ledger.reopen(1, "问题反弹", unit="交通局", within=5)
    kinds = [e.kind.code for e in ledger.events(1)]
    assert kinds == ["created", "assigned", "assigned", "assigned", "signed", "feedback", "extended", "paused",
                     "resumed", "closed", "closed", "closed", "reopened"]
    stored_matches_replay(ledger, 1)


# -- history as of a date -----------------------------------------------------------------


def test_item_as_of_a_past_date(ledger):
    ledger.today = D("2026-09-30")
    ledger.create("国庆前交办", Source.MEETING_DECISION, lead="交通局", within=3)
    assert ledger.item(1).item.due == D("2026-10-10")
    ledger.today = D("2026-10-14")
    ledger.close(1, "已完成")
    past = ledger.item_as_of(1, D("2026-10-12"))
    assert past.item.status is Status.OPEN
    assert past.light.light is Light.RED
    assert past.light.overdue_workdays == 1
    assert ledger.item_as_of(1, D("2026-10-14")).item.status is Status.CLOSED
    with pytest.raises(NotFound, match="尚未立项"):
        ledger.item_as_of(1, D("2026-09-29"))


def test_writes_may_not_go_back_in_time(ledger):
    ledger.today = D("2026-11-20")
    ledger.create("事项", Source.OTHER, lead="交通局")
    ledger.today = D("2026-11-19")
    with pytest.raises(InvalidInput, match="不能再记入更早日期"):
        ledger.feedback(1, "交通局", "补录")


# -- deadlines and the calendar -----------------------------------------------------------


def test_default_deadline_is_fifteen_working_days(ledger):
    view = ledger.create("未定时限", Source.OTHER, lead="交通局")
    assert view.item.due == D("2026-12-07")  # 15 working days after Mon 2026-11-16


def test_uncovered_year_is_estimated_flagged_and_warned(ledger):
    first_unknown = ledger.calendar.add_workdays(D("2026-12-31"), 1).value.year
    ledger.today = D(f"{first_unknown - 1}-12-20")
    view = ledger.create("跨年事项", Source.OTHER, lead="交通局", within=15)
    assert view.item.due.year == first_unknown
    assert view.due_uncertain is True
    assert any(f"{first_unknown}年" in w and "按法定节假日估算" in w and "duban calendar import 通知.txt" in w
               for w in ledger.warnings)


def test_entered_holidays_cover_a_new_year(ledger):
    year = 2040  # far beyond any chinese-calendar release
    ledger.set_calendar_days([(D(f"{year}-01-01"), False, "元旦"), (D(f"{year}-01-02"), False, "元旦")])
    assert ledger.calendar.covered(year)
    assert not ledger.calendar.is_workday(D(f"{year}-01-02"))  # a Monday made a holiday


def test_given_deadline_on_a_holiday_warns(ledger):
    ledger.today = D("2026-09-28")
    ledger.create("事项", Source.OTHER, lead="交通局", due=D("2026-10-03"))
    assert any("不是工作日" in w for w in ledger.warnings)


# -- lights ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, light, left, overdue",
    [
        ("2026-11-16", Light.GREEN, 5, 0),  # created Mon, due Mon 11-23 (5 working days)
        ("2026-11-18", Light.YELLOW, 3, 0),
        ("2026-11-23", Light.YELLOW, 0, 0),  # 今日到期
        ("2026-11-24", Light.RED, 0, 1),
        ("2026-11-30", Light.RED, 0, 5),
    ],
)
def test_light_over_time(ledger, today, light, left, overdue):
    ledger.create("事项", Source.OTHER, lead="交通局", within=5)
    ledger.today = D(today)
    result = ledger.item(1).light
    assert (result.light, result.workdays_left, result.overdue_workdays) == (light, left, overdue)


def test_overdue_counts_working_days_across_a_holiday(ledger):
    ledger.today = D("2026-09-21")
    ledger.create("节前到期", Source.OTHER, lead="交通局", due=D("2026-09-29"))
    ledger.today = D("2026-10-09")
    result = ledger.item(1).light
    # after 09-29: 09-30 worked, 10-01..07 holiday, 10-08 and 10-09 worked
    assert (result.light, result.overdue_workdays) == (Light.RED, 3)
    assert result.reason == "已逾期3个工作日（办理时限 2026-09-29）"


def test_item_light_is_the_worst_open_assignment(ledger):
    ledger.create("事项", Source.OTHER, lead="交通局", co=["财政局"], within=10)
    ledger.sign(1, "交通局")
    ledger.extend(1, D("2026-12-31"), "牵头单位需更多时间", unit="交通局")
    ledger.today = D("2026-12-01")
    view = ledger.item(1)
    assert view.light.light is Light.RED
    assert view.light.reason.startswith("配合单位“市财政局”：已逾期")
    ledger.close(1, "配合完成", unit="财政局")
    assert ledger.item(1).light.light is Light.GREEN


def test_list_filters(ledger):
    ledger.create("绿", Source.LEADER_INSTRUCTION, lead="交通局", within=10)
    ledger.create("黄", Source.MEETING_DECISION, lead="财政局", within=2)
    ledger.create("待交办", Source.PUBLIC_REQUEST)
    ledger.create("已办结", Source.OTHER, lead="住建局")
    ledger.close(4, "完成")
    titles = lambda flt: [v.item.title for v in ledger.list_items(flt)]  # noqa: E731
    assert titles(ListFilter()) == ["绿", "黄", "待交办"]
    assert titles(ListFilter(include_finished=True)) == ["绿", "黄", "待交办", "已办结"]
    assert titles(ListFilter(light=Light.YELLOW)) == ["黄"]
    assert titles(ListFilter(no_light=True)) == ["待交办"]
    assert titles(ListFilter(unit="交通局")) == ["绿"]
    assert titles(ListFilter(source=Source.PUBLIC_REQUEST)) == ["待交办"]
    assert titles(ListFilter(status=Status.CLOSED)) == ["已办结"]
    assert titles(ListFilter(due_before=D("2026-11-20"))) == ["黄"]


# -- the state machine as a property --------------------------------------------------------

ACTIONS = ["sign", "feedback", "extend", "pause", "resume", "close", "cancel", "reopen", "approve", "return"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.booleans(), st.integers(0, 3)), max_size=25),
       st.booleans())
def test_any_sequence_of_actions_keeps_state_equal_to_replay(steps, review):
    """Whatever a clerk does, allowed or refused, the stored item is what the log replays to."""
    led = Ledger(Database(memory=True), today=D("2026-11-02"))
    for name in ("甲局", "乙局"):
        led.add_unit(name)
    if review:
        led.set_setting("review_required", "true")
    led.create("事项", Source.OTHER, lead="甲局", co=["乙局"], within=10)
    for action, co_only, days in steps:
        led.today += dt.timedelta(days=days)
        unit = "乙局" if co_only else None
        calls = {
            "sign": lambda: led.sign(1, unit or "甲局"),
            "feedback": lambda: led.feedback(1, unit or "甲局", "进展", percent=50),
            "extend": lambda: led.extend(1, led.today + dt.timedelta(days=40), "理由", unit),
            "pause": lambda: led.pause(1, "理由", unit),
            "resume": lambda: led.resume(1, unit),
            "close": lambda: led.close(1, "完成", unit),
            "cancel": lambda: led.cancel(1, "理由", "乙局"),
            "reopen": lambda: led.reopen(1, "反弹", unit),
            "approve": lambda: led.review(1, True, unit=unit),
            "return": lambda: led.review(1, False, "补材料", unit),
        }
        before = led.db["events"].count
        try:
            calls[action]()
        except (InvalidInput, InvalidTransition):
            assert led.db["events"].count == before
    stored_matches_replay(led, 1)
    statuses = {a.status for a in led.item(1).item.assignments}
    assert lifecycle.rollup(led.item(1).item) in statuses | {Status.CANCELLED}


def test_database_is_locked_only_briefly(tmp_path):
    """A second connection holding the write lock delays, but does not break, a write."""
    path = tmp_path / "l.db"
    led = Ledger.open(path, create=True, today=D("2026-11-16"))
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('office_name', '某市督查室')")
    other.commit()
    led.add_unit("市财政局")
    assert [u.name for u in led.units()] == ["市财政局"]
    assert led.settings["office_name"] == "某市督查室"


def test_feedback_clock_restarts_after_a_pause(ledger):
    """Paused days are not late reporting: after resume the cadence counts from the resume date."""
    ledger.create("速办事项", Source.LEADER_INSTRUCTION, lead="交通局", within=30, klass=ItemClass.QUICK)
    ledger.today = D("2026-11-17")
    ledger.pause(1, "待领导研究")
    ledger.today = D("2026-12-01")
    ledger.resume(1)
    lead = ledger.item(1).item.lead
    assert lead.restarted_on == D("2026-12-01")
    due, basis = rules.feedback_due(ledger.item(1).item, lead, ledger.calendar, ledger.settings)
    assert due == D("2026-12-04")  # 3 working days after the resume, not after the 交办
    assert basis == "2026-12-01恢复办理后尚无反馈，每3个工作日应于2026-12-04前反馈"
    assert ledger.item(1).light.light is Light.GREEN
    ledger.today = D("2026-12-07")
    assert ledger.item(1).light.light is Light.YELLOW
    stored_matches_replay(ledger, 1)
