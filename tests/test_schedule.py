"""Lights as stored schedules (issue #16): the workdays table and the equivalence property.

The schedules are the rules of duban/rules.py evaluated at write time; what a read takes from them
must be, on every day, exactly what the rules compute from the item directly. Hypothesis generates
ledgers (the simulated office of test_office_sim, plus milestones, sub-items, long-term and 11350
items, signing, settings and calendar edits) and compares every item and open assignment on every
day of a window. DUBAN_SCHEDULE_EXAMPLES raises the number of ledgers (the default keeps it fast).
"""

from __future__ import annotations

import datetime as dt
import os

import chinese_calendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from duban import rules
from duban.errors import DubanError
from duban.ledger import Ledger
from duban.ledger_clerk import item_result
from duban.models import Source, Status

from test_office_sim import ACTIONS, UNITS, Office

ONE = dt.timedelta(days=1)


def _table(led: Ledger) -> dict[dt.date, tuple[int, int]]:
    return {dt.date.fromisoformat(d): (o, w) for d, o, w in led.db.execute("SELECT date, ordinal, is_workday FROM workdays")}


def _agrees(led: Ledger, years: range) -> None:
    table = _table(led)
    cal = led._make_calendar()
    day, end = dt.date(years.start, 1, 1), dt.date(years.stop - 1, 12, 31)
    anchor = dt.date(years.start, 1, 1)  # (working days in (anchor, day] = the difference of ordinals)
    while day <= end:
        ordinal, workday = table[day]
        assert bool(workday) == cal.is_workday(day), day
        assert ordinal - table[anchor][0] == cal.workdays_between(anchor, day).value, day
        day += ONE


def test_the_workdays_table_agrees_with_the_calendar_on_every_day():
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 20))
    table = _table(led)
    # a new ledger's table: from the year before its first write to the second year after it
    assert min(table) == dt.date(2025, 1, 1) and max(table) == dt.date(2028, 12, 31)
    assert table[dt.date(2025, 1, 1)] == (0, 0)  # 元旦: no working day yet
    _agrees(led, range(2025, 2029))
    # 2026-01-04, a Sunday worked for 元旦 (国办发明电〔2025〕7号); 2027-01-01, 元旦 of an estimated year
    assert chinese_calendar.is_workday(dt.date(2026, 1, 4)) and table[dt.date(2026, 1, 4)][1] == 1
    assert table[dt.date(2027, 1, 1)][1] == 0
    assert led.db.execute("SELECT note FROM workdays WHERE date = '2027-01-01'").fetchone()[0] == "法定节假日（元旦，估算）"
    # "逾期N个工作日" is a subtraction: 2026-12-31 → 2027-01-04 is one working day (元旦 and a weekend between)
    assert table[dt.date(2027, 1, 4)][0] - table[dt.date(2026, 12, 31)][0] == 1


def test_a_calendar_entry_rebuilds_the_table_from_its_first_day_in_the_same_write():
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 20))
    before = _table(led)
    # 2027 as the notice might give it: 元旦 01-01..03 off, Saturday 01-09 worked
    led.set_calendar_days([(dt.date(2027, 1, 1), False, "元旦"), (dt.date(2027, 1, 4), False, "元旦"),
                           (dt.date(2027, 1, 9), True, "元旦调休")])
    after = _table(led)
    assert after[dt.date(2027, 1, 4)][1] == 0 and after[dt.date(2027, 1, 9)][1] == 1
    assert {d: v for d, v in after.items() if d < dt.date(2027, 1, 1)} == \
        {d: v for d, v in before.items() if d < dt.date(2027, 1, 1)}
    _agrees(led, range(2026, 2029))
    assert led.db.execute("SELECT note FROM workdays WHERE date = '2027-01-09'").fetchone()[0] == "工作日（台账录入）"


# -- the equivalence property -------------------------------------------------------------------------

EXTRA = ("milestone", "milestone_done", "sub_item", "long_term", "preset", "sign", "setting", "holiday",
         "workday")
SETTINGS = (("near_due_workdays", ("1", "3", "5")), ("light_preset", ("三色", "四色")),
            ("cadence_routine", ("周", "旬", "月", "5")), ("level2_overdue_workdays", ("3", "5", "8")),
            ("sign_within_workdays", ("1", "2", "4")), ("progress_lag_points", ("10", "20")),
            ("cadence_co_units", ("true", "false")), ("first_feedback_workdays", ("0", "3")),
            ("level2_unanswered_reminders", ("1", "2")), ("remind_interval_workdays", ("1", "3")),
            ("score_base", ("100", "90")), ("office_name", ("督查室", "督查科")))  # (no light reads the last two)

step = st.tuples(st.integers(0, 4), st.sampled_from(ACTIONS + EXTRA), st.integers(0, 7), st.integers(0, 3),
                 st.integers(1, 30))


class ScheduledOffice(Office):
    def play(self, steps, after=None) -> Ledger:
        """Each step in turn (days passing, then an action; a refused action is a clerk's mistake, kept out),
        calling ``after(k)`` after step k where given; returns the ledger."""
        led = self.led
        for k, (gap, kind, which, pick, n) in enumerate(steps):
            led.today += dt.timedelta(days=gap)
            try:
                self.act(kind, which, pick, n)
            except DubanError:
                pass
            if after is not None:
                after(k)
        return led

    def act(self, kind: str, which: int, pick: int, n: int) -> None:
        led = self.led
        ids = [r[0] for r in led.db.execute("SELECT id FROM items ORDER BY id")]
        item_id = ids[which % len(ids)] if ids else None
        if kind == "long_term":
            led.create(f"长期{n}", Source.LEADER_INSTRUCTION, lead=UNITS[pick], long_term=True)
        elif kind == "preset":
            led.create(f"领导交办{n}", Source.LEADER_INSTRUCTION, lead=UNITS[pick], co=[UNITS[(pick + 2) % 4]],
                       preset="11350")
        elif kind == "setting":
            key, values = SETTINGS[(which + n) % len(SETTINGS)]
            led.set_setting(key, values[pick % len(values)])
        elif kind in ("holiday", "workday"):
            day = led.today + dt.timedelta(days=3 * n - 30)  # a past day, or up to two months ahead
            led.set_calendar_days([(day, kind == "workday", "调整")])
        elif kind in ACTIONS:
            super().act(kind, which, pick, n)
        elif item_id is None:
            return
        elif kind == "milestone":
            led.add_milestone(item_id, led.today + dt.timedelta(days=n), f"节点{n}")
        elif kind == "milestone_done":
            item = led._load(item_id)
            if item.milestones:
                led.complete_milestone(item_id, item.milestones[pick % len(item.milestones)].seq)
        elif kind == "sub_item":
            led.create(f"子事项{n}", Source.LEADER_INSTRUCTION, lead=UNITS[pick], within=n, parent=item_id)
        elif kind == "sign":
            item = led._load(item_id)
            if item.assignments:
                led.sign(item_id, item.assignments[pick % len(item.assignments)].unit)


def _direct(led: Ledger, day: dt.date) -> tuple[dict, dict]:
    """What the rules say on ``day``, computed from the items themselves (current settings and calendar)."""
    cal, conf = led._make_calendar(), led.settings
    items = led._items_where("1", [])
    parents = led.parent_ids()
    live = led._live_children(sorted(parents))
    own, units = {}, {}
    for item in items:
        kids = live.get(item.id, []) if item.parent is None and item.id in parents else None
        r = item_result(item, kids, day, cal, conf)
        own[item.id] = (r.light.code if r.light else None, r.reason, r.workdays_left, r.overdue_workdays,
                        r.late_workdays)
        for a in item.assignments:
            if a.status is not Status.OPEN:
                continue
            result = rules.assignment_light(a, item, day, cal, conf)
            chased = led.db.execute(
                "SELECT count(*) FROM events WHERE item_id = ? AND unit_id = ? AND kind = 'reminded' AND at > ?"
                " AND at <= ? AND COALESCE(json_extract(data, '$.level'), 1) >= 1",
                [item.id, a.unit_id, a.last_feedback.isoformat() if a.last_feedback else "", day.isoformat()],
            ).fetchone()[0]
            level = rules.escalation(result, chased, conf)
            units[(item.id, a.unit_id)] = (result.light.code if result.light else None, result.reason,
                                           result.workdays_left, result.overdue_workdays, result.late_workdays,
                                           result.feedback_late_workdays, level.level, level.reason)
    return own, units


def _stored(led: Ledger, day: dt.date) -> tuple[dict, dict]:
    own = {k[0]: (v["light"], v["reason"], v["workdays_left"], v["overdue_workdays"], v["late_workdays"])
           for k, v in led.schedule_on(day).items()}
    units = {k: (v["light"], v["reason"], v["workdays_left"], v["overdue_workdays"], v["late_workdays"],
                 v["feedback_late_workdays"], v["level"], v["level_reason"])
             for k, v in led.schedule_on(day, units=True).items()}
    return own, units


def check_equivalent(led: Ledger, first: dt.date, last: dt.date) -> int:
    day, days = first, 0
    while day <= last:
        assert _stored(led, day) == _direct(led, day), f"{day} 的亮灯与规则直接计算的不一致"
        day += ONE
        days += 1
    return days


EXAMPLES = int(os.environ.get("DUBAN_SCHEDULE_EXAMPLES", "12"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=3, max_size=30))
def test_what_the_schedule_says_is_what_the_rules_say_on_every_day(steps):
    office = ScheduledOffice()
    led = office.led

    def half_way(k: int) -> None:  # the next three weeks as the ledger then stood
        if k == len(steps) // 2:
            check_equivalent(led, led.today, led.today + dt.timedelta(days=21))

    office.play(steps, half_way)
    # every day from the last write (schedules serve today and later) to well past the deadlines seen
    check_equivalent(led, led.today, led.today + dt.timedelta(days=75))


@settings(max_examples=max(3, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=3, max_size=30))
def test_schedules_built_in_slices_after_the_write_say_what_the_rules_say(steps):
    """The same property with slices of 3 items: every write touching more than 3 items leaves them
    to schedule_pending and builds them once it has committed, 3 per transaction."""
    office = ScheduledOffice()
    led = office.led
    led._schedule_slice = 3

    def nothing_left(k: int) -> None:
        assert led.db.execute("SELECT count(*) FROM schedule_pending").fetchone()[0] == 0

    office.play(steps, nothing_left)
    check_equivalent(led, led.today, led.today + dt.timedelta(days=60))


def test_a_setting_on_a_large_ledger_is_recomputed_a_slice_per_transaction(monkeypatch):
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    for n in range(7):
        led.create(f"事项{n}", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 10 + n))
    led._schedule_slice = 2
    opened = []
    write = Ledger._write

    def counted(self):
        opened.append(self.db.execute("SELECT count(*) FROM schedule_pending").fetchone()[0])
        return write(self)

    monkeypatch.setattr(Ledger, "_write", counted)
    led.set_setting("near_due_workdays", "5")
    # the setting's own write, then 4 slices of at most 2 items (7 items), then one that finds none left
    assert opened == [0, 7, 5, 3, 1, 0]
    assert led.schedule_on(dt.date(2026, 11, 4))[(1, None)]["reason"] == "距办理时限还有4个工作日（临期阈值5个工作日）"
    check_equivalent(led, led.today, dt.date(2026, 12, 31))


def test_a_reminder_settings_and_a_calendar_entry_move_the_schedule_in_their_own_write():
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 4))
    day = dt.date(2026, 11, 10)
    assert led.schedule_on(day)[(1, None)]["reason"] == "已逾期4个工作日（办理时限 2026-11-04）"
    led.set_calendar_days([(dt.date(2026, 11, 9), False, "本地假日")])
    assert led.schedule_on(day)[(1, None)]["reason"] == "已逾期3个工作日（办理时限 2026-11-04）"
    led.set_setting("light_preset", "四色")
    led.today = dt.date(2026, 11, 3)
    assert led.schedule_on(dt.date(2026, 11, 3))[(1, None)]["light"] == "blue"
    check_equivalent(led, led.today, dt.date(2027, 2, 1))


def test_a_calendar_entry_recomputes_only_the_items_whose_schedules_look_as_far_as_its_day():
    """An item long past its deadline and every escalation threshold keeps its rows (the same rowids)
    when a holiday after its horizon is entered; an item due after that day is recomputed; and both
    still say what the rules say, before and after the entered day."""
    led = Ledger(Database(memory=True), today=dt.date(2026, 3, 2))
    led.add_unit("市财政局")
    led.create("旧事项", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 3, 20))
    led.today = dt.date(2026, 11, 2)
    led.create("新事项", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2027, 1, 20))
    horizons = dict(led.db.execute("SELECT item_id, horizon FROM schedule_items"))
    assert horizons[1] < "2027-01-18" <= horizons[2]

    def rowids(item_id: int) -> list[int]:
        return [r[0] for r in led.db.execute("SELECT rowid FROM schedules WHERE item_id = ? ORDER BY rowid", [item_id])]

    def starts(item_id: int) -> list[str]:
        return [r[0] for r in led.db.execute("SELECT from_date FROM schedules WHERE item_id = ? AND unit_id IS NULL"
                                             " ORDER BY from_date", [item_id])]

    old, new = rowids(1), starts(2)
    before = led.schedule_on(dt.date(2027, 1, 25))[(1, None)]["reason"]
    led.set_calendar_days([(dt.date(2027, 1, 18), False, "本地假日")])
    assert rowids(1) == old  # the old item's rows stand (rewritten rows would have new rowids)
    assert starts(2) != new  # the new one's were recomputed: its 临期 starts a working day earlier
    after = led.schedule_on(dt.date(2027, 1, 25))[(1, None)]["reason"]
    assert (before, after) == ("已逾期" + str(int(before[3:6])) + "个工作日（办理时限 2026-03-20）", after)
    assert int(after[3:6]) == int(before[3:6]) - 1  # its count read through the new calendar: one day fewer
    check_equivalent(led, led.today, dt.date(2027, 3, 1))


def _listed(led: Ledger, flt) -> list[dict]:
    from duban import render

    return [render.item_record(v) for v in led.list_items(flt, scheduled=True)]


@settings(max_examples=max(3, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=3, max_size=25), st.integers(0, 60))
def test_list_and_overdue_read_the_schedule_and_say_what_the_rules_say(steps, later):
    from duban.ledger_rows import ListFilter
    from duban.models import Light

    led = ScheduledOffice().play(steps)
    led.today += dt.timedelta(days=later)
    for flt in (ListFilter(), ListFilter(light=Light.RED), ListFilter(light=Light.YELLOW), ListFilter(no_light=True),
                ListFilter(include_finished=True, sort="light")):
        led._schedule_ok = True
        assert led.schedules_usable()
        scheduled = _listed(led, flt)
        led._schedule_ok = False  # as a ledger whose schedules were built by other rules: lit in Python
        assert scheduled == _listed(led, flt)
    led._schedule_ok = True
    scheduled = _overdue(led)
    led._schedule_ok = False
    assert scheduled == _overdue(led)


def _overdue(led: Ledger) -> list[dict]:
    from duban import chase
    from duban.render_daily import overdue_record

    return [overdue_record(s, led.today) for s in chase.overdue(led.standings(overdue_only=True))]


def test_opening_a_ledger_of_the_previous_release_builds_its_schedules_and_keeps_every_row(tmp_path):
    import sqlite3

    from duban import render
    from duban.ledger_rows import ListFilter

    path = tmp_path / "old.db"
    led = Ledger.open(path, create=True, today=dt.date(2026, 10, 8))
    for name in UNITS:
        led.add_unit(name)
    led.create("修路", Source.LEADER_INSTRUCTION, lead=UNITS[0], co=[UNITS[1]], within=5)
    led.create("修桥", Source.LEADER_INSTRUCTION, lead=UNITS[2], due=dt.date(2026, 10, 30))
    led.add_milestone(2, dt.date(2026, 10, 20), "方案")
    led.today = dt.date(2026, 10, 20)
    led.remind(__import__("duban.models", fromlist=["Channel"]).Channel.SYSTEM)
    led.db.close()
    # the file as the release before m015 left it (m016_undo applied): none of m015's tables, views or its record
    conn = sqlite3.connect(path)
    for view in ("台账", "逾期清单"):
        conn.execute(f"DROP VIEW {view}")
    for table in ("schedules", "workdays", "schedule_state"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm015_schedules'")
    conn.commit()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    conn.close()

    day = dt.date(2026, 11, 3)
    led = Ledger.open(path, today=day)
    assert led.applied_migrations()[-1] == "m015_schedules"
    conn = sqlite3.connect(path)
    after = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    assert after.pop("_sqlite_migrations")[:-1] == before.pop("_sqlite_migrations")  # one more: m015
    assert after == before and len(before["event_log"]) > 5
    assert conn.execute("SELECT count(DISTINCT item_id) FROM schedules").fetchone() == (2,)
    assert led.schedules_usable()
    listed = [render.item_record(v) for v in led.list_items(ListFilter(), scheduled=True)]
    led._schedule_ok = False
    assert listed == [render.item_record(v) for v in led.list_items(ListFilter())]
    assert [r["light"] for r in listed] == ["red", "red"]
    check_equivalent(led, day, dt.date(2026, 12, 31))


def test_a_day_before_the_schedule_was_built_is_lit_in_python():
    from duban import render
    from duban.ledger_rows import ListFilter

    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 4))
    led.today = dt.date(2026, 11, 20)
    led.feedback(1, "市财政局", "推进中")  # the schedule is now built from 11-20 on
    led.today = dt.date(2026, 11, 10)
    assert led.schedule_on(led.today) == {}
    listed = [render.item_record(v) for v in led.list_items(ListFilter(), scheduled=True)]
    assert listed[0]["light_reason"] == "已逾期4个工作日（办理时限 2026-11-04）"
    assert [s.late_workdays for s in led.standings(overdue_only=True)] == [4]


def test_a_setting_written_by_hand_is_not_read_from_stale_schedules(tmp_path):
    import sqlite3

    from duban import render
    from duban.ledger_rows import ListFilter

    path = tmp_path / "l.db"
    led = Ledger.open(path, create=True, today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 10))
    led.db.close()
    conn = sqlite3.connect(path)  # another tool: near_due_workdays 3 → 6, nothing told to duban
    conn.execute("INSERT INTO settings (key, value) VALUES ('near_due_workdays', '6')")
    conn.commit()
    conn.close()
    led = Ledger.open(path, today=dt.date(2026, 11, 3))  # opening rebuilds what the edit made stale
    assert led.schedules_usable()
    [record] = [render.item_record(v) for v in led.list_items(ListFilter(), scheduled=True)]
    assert (record["light"], record["light_reason"]) == ("yellow", "距办理时限还有5个工作日（临期阈值6个工作日）")


def _rowids(led: Ledger, item_id: int) -> list[int]:
    return [r[0] for r in led.db.execute("SELECT rowid FROM schedules WHERE item_id = ? ORDER BY rowid", [item_id])]


def test_a_setting_recomputes_only_the_schedules_it_can_change():
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 10))
    led.create("修路", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 20))
    led.close(2, "已完工")
    read = led._settings_read()
    assert "near_due_workdays" in read and "light_preset" in read
    assert "office_name" not in read and "score_base" not in read
    open_rows, closed_rows = _rowids(led, 1), _rowids(led, 2)
    # a setting no rule reads: every row stays as it is, and the schedules are still read (stamp renewed)
    led.set_setting("office_name", "督查科")
    led.set_setting("score_base", "90")
    assert (_rowids(led, 1), _rowids(led, 2)) == (open_rows, closed_rows)
    assert led.schedules_usable()
    # a rule's setting: the open item is recomputed, the closed one (grey whatever the rules) keeps its row
    led.set_setting("near_due_workdays", "6")
    assert _rowids(led, 1) != open_rows and _rowids(led, 2) == closed_rows
    assert led.schedule_on(dt.date(2026, 11, 2))[(1, None)]["reason"] == "距办理时限还有6个工作日（临期阈值6个工作日）"
    assert led.schedules_usable()
    check_equivalent(led, led.today, dt.date(2026, 12, 31))


def test_the_workdays_table_grows_back_when_a_schedule_counts_from_an_earlier_year():
    led = Ledger(Database(memory=True), today=dt.date(2021, 2, 1))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2021, 3, 1))
    assert min(_table(led)) == dt.date(2020, 1, 1)
    # the schedules built afresh in 2026 (as when a ledger of the previous release is opened): the table
    # would begin in 2025, but the open deadline of 2021 is counted from (逾期N个工作日), so it grows back
    led.db.execute("DELETE FROM workdays")
    led.db.execute("DELETE FROM schedule_state")
    led = Ledger(led.db, today=dt.date(2026, 11, 20))
    assert min(_table(led)) == dt.date(2021, 1, 1) and led.schedules_usable()
    _agrees(led, range(2021, 2028))
    assert led.schedule_on(led.today)[(1, None)]["code"] == "overdue"
    check_equivalent(led, led.today, dt.date(2026, 12, 31))
    # a write dated before the table grows it too, and its day is read from the schedules
    led.today = dt.date(2019, 6, 3)
    led.add_unit("市教育局")
    led.create("修路", Source.LEADER_INSTRUCTION, lead="市教育局", within=5)
    assert min(_table(led)) == dt.date(2019, 1, 1) and led.schedules_usable()
    _agrees(led, range(2019, 2028))
    # … and a deadline far ahead grows it forward (to the end of that year), a write dated later too
    led.today = dt.date(2026, 11, 20)
    led.create("修港", Source.LEADER_INSTRUCTION, lead="市教育局", due=dt.date(2031, 6, 30))
    assert max(_table(led)) == dt.date(2031, 12, 31)
    _agrees(led, range(2026, 2032))
    assert led.schedule_on(led.today)[(3, None)]["workdays_left"] == \
        led._make_calendar().workdays_between(led.today, dt.date(2031, 6, 30)).value
    led.today = dt.date(2033, 3, 1)
    led._schedule_ok = None
    assert not led.schedules_usable()  # past the table's end: lit in Python until a write reaches it
    led.feedback(3, "市教育局", "推进中")
    assert max(_table(led)) == dt.date(2033, 12, 31) and led.schedules_usable()
    assert led.schedule_on(led.today)[(3, None)]["code"] == "overdue"
    day = led.today
    while day <= dt.date(2019, 8, 1):  # (#1's schedule begins in 2026: on these days it is lit in Python)
        assert _stored(led, day)[0][2] == _direct(led, day)[0][2], day
        day += ONE


def test_the_day_unsigned_could_show_is_a_change_day_only_where_it_shows():
    # a unit that signed (or reported) never shows 未签收: its 签收 limit is no day to evaluate (a third
    # of an import's evaluations were that day, each giving the answer of the day before)
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.add_unit("市教育局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", co=["市教育局"], due=dt.date(2026, 12, 30))
    led.create("修路", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 12, 30))
    led.sign(2, "市财政局")
    cal, conf = led._make_calendar(), led.settings
    limit = dt.date(2026, 11, 5)  # 2 working days to sign: 未签收 from the third, 11-05
    first, second = led._load(1), led._load(2)
    assert limit in rules.change_dates(first.assignments[0], first, cal, conf)
    assert limit not in rules.change_dates(first.assignments[1], first, cal, conf)  # 配合单位: not held to it
    assert limit not in rules.change_dates(second.assignments[0], second, cal, conf)  # signed
    assert led.schedule_on(limit)[(1, None)]["reason"].startswith("交办3个工作日未签收")
    check_equivalent(led, led.today, dt.date(2027, 1, 15))


def test_undo_takes_the_schedules_back_with_the_command():
    from duban import undo

    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 10))
    led.create("修路", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 30))
    undo.undo(led)  # the second create: the item leaves the ledger, and its schedule with it
    assert led.db.execute("SELECT DISTINCT item_id FROM schedules").fetchall() == [(1,)]
    led.set_setting("near_due_workdays", "6")
    assert led.schedule_on(led.today)[(1, None)]["light"] == "yellow"
    undo.undo(led)  # the setting back to its default (3): the light of 11-02 back to green
    assert led.schedule_on(led.today)[(1, None)]["light"] == "green" and led.schedules_usable()
    check_equivalent(led, led.today, dt.date(2026, 12, 31))


def test_a_setting_set_to_the_value_it_had_keeps_the_schedules_usable():
    """Writing a setting's default out (no value changes) must not leave the schedules looking stale, which
    would light every read in Python and rebuild every schedule at the next open."""
    led = Ledger(Database(memory=True), today=dt.date(2026, 11, 2))
    led.add_unit("市财政局")
    led.create("修桥", Source.LEADER_INSTRUCTION, lead="市财政局", due=dt.date(2026, 11, 20))
    assert led.schedules_usable()
    led.set_setting("level2_overdue_workdays", str(led.settings["level2_overdue_workdays"]))
    assert led._stored_fingerprint() == led._current_fingerprint()  # (as the next command finds them)
    led._schedule_ok = None
    assert led.schedules_usable()
