"""A simulated office: weeks of plausible activity, and invariants checked on every day.

Hypothesis generates the clerk's actions (create with co units, feedback, pause, resume, extend,
close, 不满意 回访 then reopen, 督办升级, 撤回) spread over weeks, plus the morning ``remind`` run; the
simulation applies them day by day through the library API. Actions the ledger refuses must write
nothing. After every day it checks what must hold whatever happened:

- the stored state of every item equals its replayed log;
- the light counts of ``list`` add up to the items still at work;
- a past week's statistics, taken when the week ended, never change afterwards;
- lateness once incurred never vanishes from the quarter's ranking (a unit's deductions for late
  closure and overdue days, up to the end of each day past, only grow — the day in progress is
  not yet incurred: an extension approved today rules today);
- an item shown as of a past day holds nothing recorded after that day.

A failure shrinks to the few actions that break an invariant.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from duban import reports, scoring, undo
from duban.errors import DubanError
from duban.ledger import Ledger, ListFilter
from duban.models import Channel, EscalationKind, ItemClass, Satisfaction, Source, Status

START = dt.date(2026, 10, 8)  # the Thursday after 国庆
UNITS = ("市交通运输局", "市财政局", "市住房和城乡建设局", "城东区人民政府")
ACTIONS = ("create", "create", "feedback", "feedback", "pause", "resume", "extend", "close", "close",
           "revisit_reopen", "escalate", "remind", "undo")

LATENESS = ("逾期办结", "逾期工作日")  # the ranking's deductions for lateness incurred

action = st.tuples(
    st.integers(0, 3),                 # days after the previous action
    st.sampled_from(ACTIONS),
    st.integers(0, 7),                 # which item (modulo the items created so far)
    st.integers(0, 3),                 # which unit / class / satisfaction
    st.integers(1, 30),                # a number: working days, percent/4, days of extension
)


class Office:
    def __init__(self) -> None:
        self.led = Ledger(Database(memory=True), today=START)
        for name in UNITS:
            self.led.add_unit(name)
        self.week_stats: dict[str, list[dict]] = {}
        self.lateness: dict[tuple[str, str], float] = {}

    # -- the clerk --------------------------------------------------------------------------------
    def act(self, kind: str, which: int, pick: int, n: int) -> None:
        led = self.led
        ids = [r[0] for r in led.db.execute("SELECT id FROM items ORDER BY id")]
        if kind == "create":
            co = [UNITS[(pick + 1) % len(UNITS)]] if n % 2 else []
            led.create(f"事项{len(ids) + 1}", Source.LEADER_INSTRUCTION, klass=list(ItemClass)[pick],
                       lead=UNITS[pick], co=co, within=n)
            return
        if kind == "remind":
            led.remind(Channel.WRITTEN)
            return
        if kind == "undo":  # the latest command of today taken back (refused for another day's or a 催办)
            undo.undo(led)
            return
        if not ids:
            return
        item_id = ids[which % len(ids)]
        item = led.item(item_id).item
        lead = item.lead.unit if item.lead else None
        unit = lead if not item.co or pick % 2 == 0 else item.co[0].unit
        if kind == "feedback":
            led.feedback(item_id, unit, "按计划推进", percent=min(100, n * 4))
        elif kind == "pause":
            led.pause(item_id, "待领导研究", unit=unit)
        elif kind == "resume":
            led.resume(item_id, unit=unit)
        elif kind == "extend":
            led.extend(item_id, led.today + dt.timedelta(days=n), "客观原因", unit=unit)
        elif kind == "close":
            led.close(item_id, "已完成", unit=unit)
        elif kind == "revisit_reopen":
            satisfaction = list(Satisfaction)[pick % 3]
            led.revisit(item_id, satisfaction)
            if satisfaction is Satisfaction.UNSATISFIED:
                led.reopen(item_id, "回访不满意", within=n)
        elif kind == "escalate":
            led.escalate(item_id, list(EscalationKind)[pick % 3], unit=unit)

    def try_act(self, *args) -> None:
        before = self.led.db.execute("SELECT count(*) FROM events").fetchone()[0]
        try:
            self.act(*args)
        except DubanError:
            after = self.led.db.execute("SELECT count(*) FROM events").fetchone()[0]
            # a refused action writes nothing (revisit + reopen are two commands: the first may stand)
            assert after - before <= (1 if args[0] == "revisit_reopen" else 0)

    # -- what must hold on every day -----------------------------------------------------------------
    def check_day(self) -> None:
        led = self.led
        ids = [r[0] for r in led.db.execute("SELECT id FROM items ORDER BY id")]
        for item_id in ids:
            assert led._load(item_id) == led.replayed(item_id), f"事项 #{item_id} 存储与记录回放不一致"
        views = led.list_items(ListFilter())
        live = led.db.execute(
            "SELECT count(*) FROM items WHERE status IN ('pending', 'open', 'paused', 'done')").fetchone()[0]
        lit = sum(1 for v in views if v.light.light is not None)
        grey = sum(1 for v in views if v.light.light is None)
        assert lit + grey == live == len(views)
        for v in views:
            opened = [a for a in v.item.assignments if a.status is Status.OPEN]
            assert (v.light.light is not None) == bool(opened), f"事项 #{v.item.id} 在办却不亮灯，或不在办却亮灯"
        self.check_past_weeks()
        self.check_lateness()
        self.check_as_of(ids)

    def check_past_weeks(self) -> None:
        led = self.led
        today = led.today
        last_sunday = today - dt.timedelta(days=today.isoweekday())  # the latest week already over
        monday = last_sunday - dt.timedelta(days=6)
        if monday >= START:
            label = monday.isoformat()
            figures = [g.record() for g in reports.stats(led, reports.span(monday, last_sunday, today), "unit")]
            if label in self.week_stats:
                assert figures == self.week_stats[label], f"{label} 这一周的统计在事后变了"
            else:
                self.week_stats[label] = figures

    def check_lateness(self) -> None:
        led = self.led
        yesterday = led.today - dt.timedelta(days=1)
        if yesterday < dt.date(2026, 10, 1):
            return
        period = reports.span(dt.date(2026, 10, 1), yesterday, led.today)
        for u in scoring.ranking(led, period):
            late = sum(line["points"] for line in u.lost if line["reason"] in LATENESS)
            seen = self.lateness.get((u.unit, u.role), 0)
            assert late <= seen, f"“{u.unit}”已扣的逾期分 {seen} 变成了 {late}"
            self.lateness[u.unit, u.role] = late

    def check_as_of(self, ids: list[int]) -> None:
        led = self.led
        yesterday = led.today - dt.timedelta(days=1)
        for item_id in ids:
            events = led.events(item_id, until=yesterday)
            assert all(e.at <= yesterday for e in events)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=5, max_size=45))
def test_an_office_over_weeks_keeps_every_invariant(steps):
    office = Office()
    for gap, kind, which, pick, n in steps:
        for _ in range(gap):
            office.led.today += dt.timedelta(days=1)
            office.check_day()
        office.try_act(kind, which, pick, n)
    office.check_day()


def test_an_extension_of_an_overdue_item_keeps_the_days_already_past():
    # created with 1 working day (due 10-09), extended on 10-14, then closed: the working days past
    # already (Saturday 10-10, a 调休 working day, 10-12 and 10-13) stay charged; 10-14 falls under the new deadline
    office = Office()
    for gap, kind, which, pick, n in [(0, "create", 0, 0, 1), (6, "extend", 0, 0, 10), (2, "close", 0, 0, 1)]:
        for _ in range(gap):
            office.led.today += dt.timedelta(days=1)
            office.check_day()
        office.try_act(kind, which, pick, n)
    office.check_day()
    assert office.lateness[UNITS[0], "lead"] == -1.5
