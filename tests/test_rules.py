"""Tests for the pure rules in duban.rules: cadence, 序时进度, lights and escalation.

DOMAIN.md §4 (deadlines, feedback cadence), §5 (亮灯) and §6 (催办 / 梯次加压).
Every date is a real 2026 (or 2025) calendar date; working days follow the State Council
schedule that ``chinese-calendar`` 1.11.0 knows, e.g.

* 国庆 2026: 10-01…10-07 off, Sunday 09-20 and Saturday 10-10 are 调休 working days;
* 春节 2026: 02-15…02-23 off, Saturdays 02-14 and 02-28 are 调休 working days.

The expected working-day counts below were counted by hand from that schedule, not from
the code under test. Items, assignments and milestones are built by hand — no ledger.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from duban import rules
from duban.models import (
    Assignment,
    Escalation,
    Finding,
    Item,
    ItemClass,
    Light,
    Milestone,
    Role,
    Source,
    Status,
)
from duban.settings import resolve
from duban.workdays import WorkCalendar

D = dt.date.fromisoformat
CAL = WorkCalendar()  # shared: hypothesis dislikes function-scoped fixtures
DEFAULT = resolve({})
FOUR = resolve({"light_preset": "四色"})
P11350 = resolve({"first_feedback_workdays": "3"})

LEAD_UNIT = (1, "市交通运输局")
CO_UNIT = (2, "市财政局")
CO_UNIT2 = (3, "市住房和城乡建设局")


def _d(value: str | dt.date | None) -> dt.date | None:
    return D(value) if isinstance(value, str) else value


def assignment(
    *,
    role: Role = Role.LEAD,
    status: Status = Status.OPEN,
    assigned: str | dt.date | None = "2026-11-02",
    due: str | dt.date | None = "2026-11-30",
    last_feedback: str | dt.date | None = None,
    percent: int | None = None,
    unit: tuple[int, str] | None = None,
) -> Assignment:
    unit_id, name = unit or (LEAD_UNIT if role is Role.LEAD else CO_UNIT)
    return Assignment(unit_id=unit_id, unit=name, role=role, status=status, assigned_on=_d(assigned),
                      due=_d(due), last_feedback=_d(last_feedback), percent=percent)


def item(*assignments: Assignment, klass: ItemClass = ItemClass.ROUTINE, milestones=(),
         status: Status = Status.OPEN) -> Item:
    lead = next((a for a in assignments if a.role is Role.LEAD), None)
    return Item(id=1, title="推进城区道路改造", source=Source.LEADER_INSTRUCTION, ref=None, leader=None,
                klass=klass, content=None, standard=None, created=D("2026-11-02"), status=status,
                due=lead.due if lead else None, assignments=list(assignments), milestones=list(milestones))


def light_of(a: Assignment, today: str, *, klass: ItemClass = ItemClass.ROUTINE, milestones=(),
             settings=DEFAULT):
    return rules.assignment_light(a, item(a, klass=klass, milestones=milestones), D(today), CAL, settings)


def kinds(result) -> set[str]:
    return {f.kind for f in result.findings}


# ============================================================================================
# 1. period_end / next_feedback_due
# ============================================================================================


@pytest.mark.parametrize(
    ("day", "cadence", "end"),
    [
        ("2026-11-01", "旬", "2026-11-10"),
        ("2026-11-10", "旬", "2026-11-10"),
        ("2026-11-11", "旬", "2026-11-20"),
        ("2026-11-20", "旬", "2026-11-20"),
        ("2026-11-21", "旬", "2026-11-30"),
        ("2026-12-31", "旬", "2026-12-31"),
        ("2026-02-21", "旬", "2026-02-28"),  # 2026 is not a leap year
        ("2026-01-31", "旬", "2026-01-31"),
        ("2026-11-05", "月", "2026-11-30"),
        ("2026-02-01", "月", "2026-02-28"),
        ("2026-12-15", "月", "2026-12-31"),
        ("2026-11-16", "周", "2026-11-22"),  # Monday → Sunday
        ("2026-11-22", "周", "2026-11-22"),  # Sunday is its own week's end
        ("2026-12-30", "周", "2027-01-03"),  # week across the new year
    ],
)
def test_period_end(day, cadence, end):
    assert rules.period_end(D(day), cadence) == D(end)


@pytest.mark.parametrize(
    ("cadence", "since", "due"),
    [
        # 旬: one report per 旬, due by the end of the 旬 after the one `since` falls in.
        ("旬", "2026-11-05", "2026-11-20"),
        ("旬", "2026-11-10", "2026-11-20"),
        ("旬", "2026-11-11", "2026-11-30"),
        ("旬", "2026-11-20", "2026-11-30"),
        ("旬", "2026-11-25", "2026-12-10"),
        ("旬", "2026-11-30", "2026-12-10"),
        ("旬", "2026-12-25", "2027-01-10"),
        ("旬", "2026-02-11", "2026-02-28"),  # February 2026 has 28 days
        ("旬", "2026-02-21", "2026-03-10"),
        ("旬", "2026-01-31", "2026-02-10"),
        ("旬", "2026-09-25", "2026-10-10"),
        # 月
        ("月", "2026-11-05", "2026-12-31"),
        ("月", "2026-11-30", "2026-12-31"),
        ("月", "2026-12-15", "2027-01-31"),
        ("月", "2026-01-31", "2026-02-28"),
        ("月", "2026-01-01", "2026-02-28"),
        # 周 (weeks end on Sunday)
        ("周", "2026-11-04", "2026-11-15"),  # Wed → end of next week
        ("周", "2026-11-08", "2026-11-15"),  # Sun
        ("周", "2026-11-09", "2026-11-22"),  # Mon
        ("周", "2026-12-30", "2027-01-10"),
        # N working days, counted after `since`
        ("3", "2026-11-16", "2026-11-19"),
        ("3", "2026-11-19", "2026-11-24"),  # over a weekend
        ("5", "2026-11-16", "2026-11-23"),
        ("3", "2026-09-30", "2026-10-10"),  # 国庆: 10-08, 10-09, 调休 Saturday 10-10
        ("5", "2026-09-30", "2026-10-13"),  # … 10-12 (Mon), 10-13
        ("1", "2026-09-19", "2026-09-20"),  # 调休 Sunday 09-20 is a working day
        ("3", "2026-10-01", "2026-10-10"),  # since a holiday: counting starts 10-08
        ("3", "2026-02-13", "2026-02-25"),  # 春节: 调休 Sat 02-14, then 02-24, 02-25
        ("5", "2026-02-12", "2026-02-26"),  # 02-13, 02-14, 02-24, 02-25, 02-26
        ("5", "2026-02-24", "2026-03-02"),  # 02-25, 26, 27, 调休 Sat 02-28, 03-02
        ("3", "2025-09-30", "2025-10-11"),  # 国庆 2025: 10-01…10-08 off, Sat 10-11 worked
    ],
)
def test_next_feedback_due(cadence, since, due):
    assert rules.next_feedback_due(cadence, D(since), CAL) == D(due)


def test_next_feedback_due_none_cadence():
    assert rules.next_feedback_due("无", D("2026-11-16"), CAL) is None


@pytest.mark.parametrize(
    ("cadence", "text"),
    [("3", "每3个工作日"), ("5", "每5个工作日"), ("周", "按周"), ("旬", "按旬"), ("月", "按月"), ("无", "不定期")],
)
def test_cadence_text(cadence, text):
    assert rules.cadence_text(cadence) == text


# ============================================================================================
# 2. feedback_due: first feedback, cadence by class, long-term, co units
# ============================================================================================


@pytest.mark.parametrize(
    ("klass", "cadence", "due"),
    [
        (ItemClass.QUICK, "3", "2026-11-19"),
        (ItemClass.PLAN, "5", "2026-11-23"),
        (ItemClass.KEY, "旬", "2026-11-30"),
        (ItemClass.ROUTINE, "月", "2026-12-31"),
    ],
)
def test_feedback_due_by_class_from_assignment(klass, cadence, due):
    a = assignment(assigned="2026-11-16", due="2026-12-31")
    it = item(a, klass=klass)
    assert rules.cadence_for(it, a, DEFAULT) == cadence
    when, basis = rules.feedback_due(it, a, CAL, DEFAULT)
    assert when == D(due)
    assert basis == f"2026-11-16交办后尚无反馈，{rules.cadence_text(cadence)}应于{due}前反馈"


@pytest.mark.parametrize(
    ("klass", "last", "due"),
    [
        (ItemClass.QUICK, "2026-11-19", "2026-11-24"),
        (ItemClass.PLAN, "2026-11-19", "2026-11-26"),
        (ItemClass.KEY, "2026-11-05", "2026-11-20"),
        (ItemClass.KEY, "2026-11-11", "2026-11-30"),
        (ItemClass.ROUTINE, "2026-11-05", "2026-12-31"),
        (ItemClass.QUICK, "2026-09-30", "2026-10-10"),  # across 国庆
    ],
)
def test_feedback_due_after_last_feedback(klass, last, due):
    a = assignment(assigned="2026-09-01", due="2026-12-31", last_feedback=last)
    when, basis = rules.feedback_due(item(a, klass=klass), a, CAL, DEFAULT)
    assert when == D(due)
    assert basis.startswith(f"上次反馈{last}，")
    assert basis.endswith(f"应于{due}前反馈")


@pytest.mark.parametrize("klass", list(ItemClass))
def test_first_feedback_workdays_applies_before_first_feedback(klass):
    a = assignment(assigned="2026-11-16", due="2026-12-31")
    when, basis = rules.feedback_due(item(a, klass=klass), a, CAL, P11350)
    assert when == D("2026-11-19")
    assert basis == "交办后3个工作日内首次反馈"


def test_first_feedback_workdays_across_national_day():
    a = assignment(assigned="2026-09-30", due="2026-12-31")
    assert rules.feedback_due(item(a), a, CAL, P11350)[0] == D("2026-10-10")


@pytest.mark.parametrize(
    ("klass", "due"),
    [
        (ItemClass.QUICK, "2026-11-23"),  # 3 working days after 11-18
        (ItemClass.KEY, "2026-11-30"),  # 11-18 is in the second 旬 → by the end of the third
        (ItemClass.ROUTINE, "2026-12-31"),
    ],
)
def test_first_feedback_workdays_ignored_after_first_feedback(klass, due):
    a = assignment(assigned="2026-11-16", due="2026-12-31", last_feedback="2026-11-18")
    when, basis = rules.feedback_due(item(a, klass=klass), a, CAL, P11350)
    assert when == D(due)
    assert "首次反馈" not in basis


@pytest.mark.parametrize("klass", list(ItemClass))
def test_longterm_assignment_uses_longterm_cadence(klass):
    a = assignment(assigned="2026-11-16", due=None)
    it = item(a, klass=klass)
    assert rules.cadence_for(it, a, DEFAULT) == "月"
    assert rules.feedback_due(it, a, CAL, DEFAULT)[0] == D("2026-12-31")
    weekly = resolve({"cadence_longterm": "周"})
    assert rules.feedback_due(it, a, CAL, weekly)[0] == D("2026-11-29")


def test_cadence_settings_override_class_defaults():
    a = assignment(assigned="2026-11-16", due="2026-12-31")
    it = item(a, klass=ItemClass.KEY)
    assert rules.feedback_due(it, a, CAL, resolve({"cadence_key": "5"}))[0] == D("2026-11-23")
    assert rules.feedback_due(it, a, CAL, resolve({"cadence_key": "无"})) == (None, "")


@pytest.mark.parametrize("klass", list(ItemClass))
@pytest.mark.parametrize("due", ["2026-12-31", None])
def test_co_unit_has_no_cadence_by_default(klass, due):
    lead = assignment(assigned="2026-11-16", due="2026-12-31")
    co = assignment(role=Role.CO, assigned="2026-11-16", due=due)
    it = item(lead, co, klass=klass)
    assert rules.cadence_for(it, co, DEFAULT) == "无"
    assert rules.feedback_due(it, co, CAL, DEFAULT) == (None, "")
    # and a co unit that never reports is not yellow for it
    res = rules.assignment_light(co, it, D("2027-03-01") if due is None else D("2026-12-01"), CAL, DEFAULT)
    assert "feedback_late" not in kinds(res)


@pytest.mark.parametrize(
    ("klass", "due"),
    [(ItemClass.QUICK, "2026-11-19"), (ItemClass.PLAN, "2026-11-23"),
     (ItemClass.KEY, "2026-11-30"), (ItemClass.ROUTINE, "2026-12-31")],
)
def test_co_unit_has_cadence_when_cadence_co_units(klass, due):
    s = resolve({"cadence_co_units": "是"})
    lead = assignment(assigned="2026-11-16", due="2026-12-31")
    co = assignment(role=Role.CO, assigned="2026-11-16", due="2026-12-31")
    it = item(lead, co, klass=klass)
    assert rules.feedback_due(it, co, CAL, s)[0] == D(due)


def test_co_unit_has_no_first_feedback_deadline_by_default():
    lead = assignment(assigned="2026-11-16", due="2026-12-31")
    co = assignment(role=Role.CO, assigned="2026-11-16", due="2026-12-31")
    it = item(lead, co, klass=ItemClass.QUICK)
    assert rules.feedback_due(it, co, CAL, P11350) == (None, "")
    res = rules.assignment_light(co, it, D("2026-11-24"), CAL, P11350)
    assert res.light is Light.GREEN


def test_feedback_due_none_before_assignment():
    a = assignment(assigned=None, due=None)
    assert rules.feedback_due(item(a), a, CAL, P11350) == (None, "")


# ============================================================================================
# 3. schedule_percent (序时进度)
# ============================================================================================

# 交办 Mon 2026-11-02, deadline Mon 2026-11-30: working days in (11-02, 11-30] are
# 11-03…06 (4), 09…13 (5), 16…20 (5), 23…27 (5), 30 (1) = 20.


def test_schedule_span_is_twenty_working_days():
    assert CAL.workdays_between(D("2026-11-02"), D("2026-11-30")).value == 20


@pytest.mark.parametrize(
    ("today", "percent"),
    [
        ("2026-10-30", 0),  # before the 交办
        ("2026-11-02", 0),
        ("2026-11-03", 5),
        ("2026-11-06", 20),
        ("2026-11-07", 20),  # Saturday: no working time passes
        ("2026-11-08", 20),
        ("2026-11-10", 30),
        ("2026-11-16", 50),
        ("2026-11-20", 70),
        ("2026-11-27", 95),
        ("2026-11-30", 100),
        ("2026-12-15", 100),  # capped once past the deadline
    ],
)
def test_schedule_percent(today, percent):
    a = assignment(assigned="2026-11-02", due="2026-11-30")
    assert rules.schedule_percent(a, D(today), CAL) == percent


@pytest.mark.parametrize(
    ("assigned", "due", "today", "percent"),
    [
        # 国庆: (09-30, 10-13] = 10-08, 09, 10, 12, 13 = 5 working days
        ("2026-09-30", "2026-10-13", "2026-10-05", 0),
        ("2026-09-30", "2026-10-13", "2026-10-09", 40),
        ("2026-09-30", "2026-10-13", "2026-10-10", 60),
        ("2026-09-30", "2026-10-13", "2026-10-11", 60),
        # 春节: (02-12, 02-26] = 02-13, 14, 24, 25, 26 = 5 working days
        ("2026-02-12", "2026-02-26", "2026-02-20", 40),
        # (11-02, 11-27] = 19 working days; 10/19 → 53 %
        ("2026-11-02", "2026-11-27", "2026-11-16", 53),
    ],
)
def test_schedule_percent_across_holidays(assigned, due, today, percent):
    a = assignment(assigned=assigned, due=due)
    assert rules.schedule_percent(a, D(today), CAL) == percent


@pytest.mark.parametrize(
    ("assigned", "due"),
    [
        ("2026-11-02", None),  # 长期: no deadline
        (None, "2026-11-30"),  # not yet assigned
        ("2026-11-30", "2026-11-30"),
        ("2026-11-30", "2026-11-20"),
        ("2026-11-20", "2026-11-22"),  # Fri → Sun: no working time at all
    ],
)
def test_schedule_percent_none(assigned, due):
    assert rules.schedule_percent(assignment(assigned=assigned, due=due), D("2026-11-16"), CAL) is None


# ============================================================================================
# 4. assignment_light
# ============================================================================================

# Unless a test says otherwise: 常规 (月) item, last feedback recent enough that the next one is
# due 2026-12-31, no percent — so only the finding under test can colour the light.
QUIET_FEEDBACK = "2026-11-10"


@pytest.mark.parametrize(
    ("due", "today", "overdue"),
    [
        ("2026-11-20", "2026-11-23", 1),  # Fri → Mon
        ("2026-11-20", "2026-11-27", 5),
        ("2026-11-20", "2026-12-04", 10),
        ("2026-09-29", "2026-10-09", 3),  # 09-30, (国庆), 10-08, 10-09
        ("2026-09-29", "2026-10-10", 4),  # + 调休 Saturday
        ("2026-09-30", "2026-10-08", 1),
        ("2026-02-13", "2026-02-24", 2),  # 调休 Sat 02-14, (春节), 02-24
        ("2025-12-31", "2026-01-05", 2),  # 元旦 2026: 01-01…03 off, Sun 01-04 worked, 01-05
    ],
)
def test_overdue_is_red_counted_in_working_days(due, today, overdue):
    a = assignment(assigned="2025-11-03", due=due, last_feedback=today)
    res = light_of(a, today)
    assert res.light is Light.RED
    assert res.overdue_workdays == overdue
    assert res.late_workdays == overdue
    assert res.workdays_left == 0
    assert res.reason == f"已逾期{overdue}个工作日（办理时限 {due}）"
    assert "overdue" in kinds(res)


@pytest.mark.parametrize(
    ("due", "today"),
    [
        ("2026-11-20", "2026-11-21"),  # Fri → Sat
        ("2026-11-20", "2026-11-22"),  # Fri → Sun
        ("2026-09-30", "2026-10-07"),  # last day of 国庆
        ("2026-02-14", "2026-02-23"),  # 调休 Saturday deadline, whole 春节 after it
    ],
)
def test_past_deadline_only_by_days_off_is_red_with_zero_workdays(due, today):
    a = assignment(assigned="2025-11-03", due=due, last_feedback=today)
    res = light_of(a, today)
    assert res.light is Light.RED
    assert res.overdue_workdays == 0
    assert res.reason == f"已过期限（办理时限 {due}）"


@pytest.mark.parametrize(
    ("today", "due", "left", "light", "reason"),
    [
        ("2026-11-16", "2026-11-16", 0, Light.YELLOW, "今日到期（临期阈值3个工作日）"),
        ("2026-11-16", "2026-11-17", 1, Light.YELLOW, "距办理时限还有1个工作日（临期阈值3个工作日）"),
        ("2026-11-16", "2026-11-19", 3, Light.YELLOW, "距办理时限还有3个工作日（临期阈值3个工作日）"),
        ("2026-11-16", "2026-11-20", 4, Light.GREEN, "正常推进，距办理时限还有4个工作日"),
        ("2026-11-19", "2026-11-24", 3, Light.YELLOW, "距办理时限还有3个工作日（临期阈值3个工作日）"),
        ("2026-11-19", "2026-11-25", 4, Light.GREEN, "正常推进，距办理时限还有4个工作日"),
        # across 国庆: (09-30, 10-09] = 10-08, 10-09; (09-30, 10-12] adds 10-10 and 10-12
        ("2026-09-30", "2026-10-09", 2, Light.YELLOW, "距办理时限还有2个工作日（临期阈值3个工作日）"),
        ("2026-09-30", "2026-10-10", 3, Light.YELLOW, "距办理时限还有3个工作日（临期阈值3个工作日）"),
        ("2026-09-30", "2026-10-12", 4, Light.GREEN, "正常推进，距办理时限还有4个工作日"),
    ],
)
def test_near_due_threshold(today, due, left, light, reason):
    a = assignment(assigned="2026-09-01", due=due, last_feedback=today)
    res = light_of(a, today)
    assert res.workdays_left == left
    assert res.overdue_workdays == 0
    assert res.light is light
    assert res.reason == reason
    assert ("near_due" in kinds(res)) is (light is Light.YELLOW)


def test_near_due_threshold_is_a_setting():
    a = assignment(due="2026-11-23", last_feedback="2026-11-16")
    assert light_of(a, "2026-11-16").light is Light.GREEN  # 5 working days left
    res = light_of(a, "2026-11-16", settings=resolve({"near_due_workdays": "5"}))
    assert res.light is Light.YELLOW
    assert res.reason == "距办理时限还有5个工作日（临期阈值5个工作日）"


def test_four_colour_near_due_is_blue():
    a = assignment(due="2026-11-18", last_feedback="2026-11-16")
    res = light_of(a, "2026-11-16", settings=FOUR)
    assert res.light is Light.BLUE
    assert res.reason == "距办理时限还有2个工作日（临期阈值3个工作日）"
    assert light_of(a, "2026-11-18", settings=FOUR).light is Light.BLUE  # 今日到期
    assert light_of(a, "2026-11-19", settings=FOUR).light is Light.RED


def test_four_colour_feedback_late_is_red_over_blue():
    # 重点 item, last report 11-05 → 按旬 due 11-20; on 11-24 two working days late and
    # the deadline 11-26 is two working days away (临期). Under 四色 a report overdue is red
    # (seeds/003:L597 黔南: 对未按时反馈事项亮红灯警告; issue 13).
    a = assignment(due="2026-11-26", last_feedback="2026-11-05")
    res = light_of(a, "2026-11-24", klass=ItemClass.KEY, settings=FOUR)
    assert res.light is Light.RED
    assert res.reason == "上次反馈2026-11-05，按旬应于2026-11-20前反馈，反馈已逾期2个工作日"
    assert {"near_due", "feedback_late"} <= kinds(res)
    near = next(f for f in res.findings if f.kind == "near_due")
    assert near.light is Light.BLUE


def test_four_colour_behind_schedule_stays_yellow():
    a = assignment(due="2026-11-30", last_feedback="2026-11-16", percent=10)
    res = light_of(a, "2026-11-16", settings=FOUR)
    assert res.light is Light.YELLOW
    assert kinds(res) == {"on_track", "behind"}


def test_feedback_late_key_item_example():
    a = assignment(assigned="2026-11-02", due="2026-12-31", last_feedback="2026-11-05")
    res = light_of(a, "2026-11-24", klass=ItemClass.KEY)
    assert res.light is Light.YELLOW
    assert "按旬应于2026-11-20前反馈" in res.reason
    assert "已逾期2个工作日" in res.reason
    assert res.reason == "上次反馈2026-11-05，按旬应于2026-11-20前反馈，反馈已逾期2个工作日"
    assert res.feedback_due == D("2026-11-20")
    assert res.feedback_late_workdays == 2
    assert res.overdue_workdays == 0
    assert res.late_workdays == 0


@pytest.mark.parametrize(
    ("today", "late"),
    [
        ("2026-11-20", 0),  # due today
        ("2026-11-21", 0),  # Saturday: not a working day late yet
        ("2026-11-22", 0),
        ("2026-11-23", 1),
        ("2026-11-24", 2),
    ],
)
def test_feedback_late_counts_working_days(today, late):
    a = assignment(assigned="2026-11-02", due="2026-12-31", last_feedback="2026-11-05")
    res = light_of(a, today, klass=ItemClass.KEY)
    assert res.feedback_late_workdays == late
    assert ("feedback_late" in kinds(res)) is bool(late)
    assert res.light is (Light.YELLOW if late else Light.GREEN)


@pytest.mark.parametrize(
    ("klass", "last", "today", "text"),
    [
        (ItemClass.QUICK, "2026-11-16", "2026-11-20", "上次反馈2026-11-16，每3个工作日应于2026-11-19前反馈，反馈已逾期1个工作日"),
        (ItemClass.PLAN, "2026-11-16", "2026-11-25", "上次反馈2026-11-16，每5个工作日应于2026-11-23前反馈，反馈已逾期2个工作日"),
        (ItemClass.ROUTINE, "2026-10-15", "2026-12-01", "上次反馈2026-10-15，按月应于2026-11-30前反馈，反馈已逾期1个工作日"),
        (ItemClass.QUICK, "2026-09-30", "2026-10-12", "上次反馈2026-09-30，每3个工作日应于2026-10-10前反馈，反馈已逾期1个工作日"),
    ],
)
def test_feedback_late_by_class(klass, last, today, text):
    a = assignment(assigned="2026-09-01", due="2026-12-31", last_feedback=last)
    res = light_of(a, today, klass=klass)
    assert res.light is Light.YELLOW
    assert res.reason == text


def test_feedback_late_without_any_feedback():
    a = assignment(assigned="2026-11-02", due="2026-12-31")
    res = light_of(a, "2026-11-23", klass=ItemClass.KEY)
    assert res.reason == "2026-11-02交办后尚无反馈，按旬应于2026-11-20前反馈，反馈已逾期1个工作日"


def test_first_feedback_late_under_11350():
    a = assignment(assigned="2026-11-16", due="2026-11-23")
    res = light_of(a, "2026-11-20", settings=P11350)  # first report was due 11-19
    assert res.light is Light.YELLOW
    fb = next(f for f in res.findings if f.kind == "feedback_late")
    assert fb.text == "交办后3个工作日内首次反馈，反馈已逾期1个工作日"


@pytest.mark.parametrize(
    ("percent", "light"),
    [(0, Light.YELLOW), (29, Light.YELLOW), (30, Light.GREEN), (31, Light.GREEN), (50, Light.GREEN), (90, Light.GREEN)],
)
def test_behind_schedule_is_more_than_twenty_points(percent, light):
    # 序时进度 on 11-16 is 50 % (10 of 20 working days).
    a = assignment(assigned="2026-11-02", due="2026-11-30", last_feedback="2026-11-16", percent=percent)
    res = light_of(a, "2026-11-16")
    assert res.light is light
    assert ("behind" in kinds(res)) is (light is Light.YELLOW)
    if light is Light.YELLOW:
        assert res.reason == f"反馈完成{percent}%，序时进度50%，落后{50 - percent}个百分点（阈值20）"


def test_behind_schedule_threshold_is_a_setting():
    s = resolve({"progress_lag_points": "10"})
    a = assignment(assigned="2026-11-02", due="2026-11-30", last_feedback="2026-11-16", percent=39)
    assert light_of(a, "2026-11-16", settings=s).light is Light.YELLOW
    a.percent = 40
    assert light_of(a, "2026-11-16", settings=s).light is Light.GREEN


def test_no_behind_without_percent_or_deadline():
    a = assignment(assigned="2026-11-02", due="2026-11-30", last_feedback="2026-11-16")
    assert light_of(a, "2026-11-16").light is Light.GREEN
    longterm = assignment(assigned="2026-11-02", due=None, last_feedback="2026-11-16", percent=0)
    res = light_of(longterm, "2026-11-16")
    assert res.light is Light.GREEN
    assert kinds(res) == {"no_due"}
    assert res.reason == "长期事项，未设办理时限"
    assert res.workdays_left is None and res.overdue_workdays is None


MS_DESIGN = Milestone(1, D("2026-11-10"), "完成方案编制")


def test_missed_milestone_is_red_for_the_lead():
    a = assignment(due="2026-12-31", last_feedback="2026-11-16")
    res = light_of(a, "2026-11-16", milestones=[MS_DESIGN])
    assert res.light is Light.RED
    assert res.reason == "节点“完成方案编制”（2026-11-10）未完成，已逾期4个工作日"
    assert res.late_workdays == 4
    assert res.overdue_workdays == 0
    assert kinds(res) == {"on_track", "milestone"}


def test_milestone_missed_only_by_weekend():
    ms = Milestone(1, D("2026-11-13"), "完成方案编制")
    a = assignment(due="2026-12-31", last_feedback="2026-11-14")
    res = light_of(a, "2026-11-14", milestones=[ms])
    assert res.light is Light.RED
    assert res.reason == "节点“完成方案编制”（2026-11-13）未完成，已过期限"


@pytest.mark.parametrize(
    "milestones",
    [
        [Milestone(1, D("2026-11-10"), "完成方案编制", done_on=D("2026-11-09"))],
        [Milestone(1, D("2026-11-10"), "完成方案编制", done_on=D("2026-11-12"))],  # done late, but done
        [Milestone(1, D("2026-11-16"), "完成方案编制")],  # due today: not missed yet
        [Milestone(1, D("2026-12-10"), "完成主体施工")],
    ],
)
def test_done_or_future_milestone_does_not_light_red(milestones):
    a = assignment(due="2026-12-31", last_feedback="2026-11-16")
    res = light_of(a, "2026-11-16", milestones=milestones)
    assert res.light is Light.GREEN
    assert "milestone" not in kinds(res)


def test_missed_milestone_does_not_light_a_co_unit():
    lead = assignment(due="2026-12-31", last_feedback="2026-11-16")
    co = assignment(role=Role.CO, due="2026-12-31")
    it = item(lead, co, milestones=[MS_DESIGN])
    res = rules.assignment_light(co, it, D("2026-11-16"), CAL, DEFAULT)
    assert res.light is Light.GREEN
    assert res.late_workdays == 0


def test_every_applicable_finding_is_kept():
    # Overdue since 11-20, 重点 report due 11-20 missing, milestone 11-10 missed, 40 % done.
    a = assignment(assigned="2026-11-02", due="2026-11-20", last_feedback="2026-11-05", percent=40)
    res = light_of(a, "2026-11-24", klass=ItemClass.KEY, milestones=[MS_DESIGN])
    assert res.light is Light.RED
    assert kinds(res) == {"overdue", "milestone", "feedback_late", "behind"}
    assert res.overdue_workdays == 2
    assert res.late_workdays == 10  # the milestone is later than the deadline: 11-11…11-24
    assert res.feedback_late_workdays == 2
    by_kind = {f.kind: f for f in res.findings}
    assert by_kind["overdue"].light is Light.RED
    assert by_kind["milestone"].light is Light.RED
    assert by_kind["feedback_late"].light is Light.YELLOW
    assert by_kind["behind"].text == "反馈完成40%，序时进度100%，落后60个百分点（阈值20）"


def test_near_due_feedback_late_and_behind_together():
    a = assignment(assigned="2026-11-02", due="2026-11-26", last_feedback="2026-11-05", percent=10)
    res = light_of(a, "2026-11-24", klass=ItemClass.KEY)
    assert res.light is Light.YELLOW
    assert kinds(res) == {"near_due", "feedback_late", "behind"}


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.PAUSED, "暂缓办理，不亮灯"),
        (Status.DONE, "已办结，待审核"),
        (Status.CLOSED, "已销号"),
        (Status.CANCELLED, "已撤销"),
        (Status.PENDING, "待交办"),
    ],
)
def test_grey_states_have_no_light(status, reason):
    # Long overdue, feedback late, milestone missed, behind — none of it matters.
    a = assignment(status=status, assigned="2026-09-01", due="2026-10-09", percent=0)
    res = light_of(a, "2026-11-24", klass=ItemClass.QUICK, milestones=[MS_DESIGN])
    assert res.light is None
    assert res.reason == reason
    assert res.findings == (Finding("grey", None, reason),)
    assert rules.escalation(res, 0, DEFAULT).level is None


# ============================================================================================
# 5. item_light
# ============================================================================================


def test_item_light_is_worst_and_names_the_co_unit():
    lead = assignment(due="2026-12-31", last_feedback="2026-11-16")
    co = assignment(role=Role.CO, due="2026-11-18")
    result, source = rules.item_light(item(lead, co), D("2026-11-16"), CAL, DEFAULT)
    assert source is co
    assert result.light is Light.YELLOW
    assert result.reason == "配合单位“市财政局”：距办理时限还有2个工作日（临期阈值3个工作日）"


def test_item_light_red_co_over_green_lead():
    lead = assignment(due="2026-12-31", last_feedback="2026-11-16")
    co = assignment(role=Role.CO, due="2026-11-13")
    result, source = rules.item_light(item(lead, co), D("2026-11-16"), CAL, DEFAULT)
    assert source is co
    assert result.light is Light.RED
    assert result.reason == "配合单位“市财政局”：已逾期1个工作日（办理时限 2026-11-13）"


def test_item_light_lead_red_beats_co_yellow():
    lead = assignment(due="2026-11-13", last_feedback="2026-11-16")
    co = assignment(role=Role.CO, due="2026-11-18")
    result, source = rules.item_light(item(lead, co), D("2026-11-16"), CAL, DEFAULT)
    assert source is lead
    assert result.reason == "已逾期1个工作日（办理时限 2026-11-13）"


@pytest.mark.parametrize("order", ["lead_first", "co_first"])
def test_item_light_tie_prefers_lead(order):
    lead = assignment(due="2026-11-19", last_feedback="2026-11-16")
    co = assignment(role=Role.CO, due="2026-11-17")  # nearer, but the same colour
    pair = (lead, co) if order == "lead_first" else (co, lead)
    result, source = rules.item_light(item(*pair), D("2026-11-16"), CAL, DEFAULT)
    assert source is lead
    assert result.light is Light.YELLOW
    assert not result.reason.startswith("配合单位")


def test_item_light_tie_between_co_units_prefers_earlier_deadline():
    lead = assignment(due="2026-12-31", last_feedback="2026-11-16")
    co1 = assignment(role=Role.CO, due="2026-11-19")
    co2 = assignment(role=Role.CO, due="2026-11-17", unit=CO_UNIT2)
    result, source = rules.item_light(item(lead, co1, co2), D("2026-11-16"), CAL, DEFAULT)
    assert source is co2
    assert result.reason.startswith("配合单位“市住房和城乡建设局”：")


def test_item_light_ignores_assignments_not_open():
    lead = assignment(status=Status.DONE, due="2026-11-13")
    co = assignment(role=Role.CO, due="2026-12-31")
    result, source = rules.item_light(item(lead, co), D("2026-11-16"), CAL, DEFAULT)
    assert source is co
    assert result.light is Light.GREEN
    assert result.reason == "配合单位“市财政局”：正常推进，距办理时限还有33个工作日"


@pytest.mark.parametrize(
    ("status", "reason"),
    [(Status.CLOSED, "已销号"), (Status.CANCELLED, "已撤销"), (Status.PAUSED, "暂缓办理，不亮灯"),
     (Status.PENDING, "待交办"), (Status.DONE, "已办结，待审核")],
)
def test_item_light_grey_without_open_assignment(status, reason):
    lead = assignment(status=status, due="2026-11-13")
    result, source = rules.item_light(item(lead, status=status), D("2026-11-16"), CAL, DEFAULT)
    assert source is None
    assert result.light is None
    assert result.reason == reason


# ============================================================================================
# 6. escalation
# ============================================================================================


def level(a: Assignment, today: str, reminders: int = 0, *, klass=ItemClass.ROUTINE, milestones=(),
          settings=DEFAULT):
    res = light_of(a, today, klass=klass, milestones=milestones, settings=settings)
    return rules.escalation(res, reminders, settings)


@pytest.mark.parametrize(
    ("due", "today", "expected", "reason"),
    [
        ("2026-12-31", "2026-11-16", None, "无需催办"),
        ("2026-11-20", "2026-11-16", None, "无需催办"),  # 4 working days left: green
        ("2026-11-19", "2026-11-16", 0, "临期"),
        ("2026-11-16", "2026-11-16", 0, "临期"),  # 今日到期
        ("2026-11-20", "2026-11-21", 0, "已过期限（办理时限 2026-11-20）"),  # Saturday after a Friday deadline: 0 working days late → 提醒
        ("2026-11-20", "2026-11-23", 1, "逾期1个工作日"),
        ("2026-11-20", "2026-11-26", 1, "逾期4个工作日"),
        ("2026-11-20", "2026-11-27", 2, "逾期5个工作日（≥5）"),
        ("2026-11-20", "2026-12-03", 2, "逾期9个工作日（≥5）"),
        ("2026-11-20", "2026-12-04", 3, "逾期10个工作日（≥10）"),
        ("2026-09-29", "2026-10-09", 1, "逾期3个工作日"),  # across 国庆
        # 09-23, 24, (中秋 09-25…27), 28, 29, 30, (国庆), 10-08, 10-09 = 7
        ("2026-09-22", "2026-10-09", 2, "逾期7个工作日（≥5）"),
        ("2026-09-22", "2026-10-12", 2, "逾期9个工作日（≥5）"),  # + 调休 10-10, 10-12
        ("2026-09-22", "2026-10-13", 3, "逾期10个工作日（≥10）"),
    ],
)
def test_escalation_by_days_overdue(due, today, expected, reason):
    a = assignment(assigned="2026-09-01", due=due, last_feedback=today)
    esc = level(a, today)
    assert esc.level == expected
    assert esc.reason == reason


def test_escalation_feedback_late_is_level_one():
    a = assignment(assigned="2026-11-02", due="2026-12-31", last_feedback="2026-11-05")
    esc = level(a, "2026-11-24", klass=ItemClass.KEY)
    assert esc.level == 1
    assert esc.label == "催办"
    assert esc.reason == "进展反馈逾期2个工作日"


@pytest.mark.parametrize(
    ("reminders", "expected"),
    [(0, None), (1, None), (2, 2), (3, 3), (7, 3)],
)
def test_escalation_by_unanswered_reminders_on_a_green_assignment(reminders, expected):
    a = assignment(due="2026-12-31", last_feedback="2026-11-16")
    esc = level(a, "2026-11-16", reminders)
    assert esc.level == expected
    if expected is not None:
        assert f"已催办{reminders}次仍无反馈" in esc.reason


@pytest.mark.parametrize(
    ("due", "today", "reminders", "expected"),
    [
        ("2026-11-19", "2026-11-16", 1, 0),  # 临期 + 1 reminder
        ("2026-11-19", "2026-11-16", 2, 2),
        ("2026-11-20", "2026-11-23", 2, 2),  # overdue 1 + 2 reminders
        ("2026-11-20", "2026-11-23", 3, 3),
        ("2026-11-20", "2026-11-27", 2, 2),  # overdue 5 and 2 reminders: both reasons
        ("2026-11-20", "2026-11-27", 3, 3),
    ],
)
def test_escalation_days_and_reminders_combined(due, today, reminders, expected):
    a = assignment(assigned="2026-09-01", due=due, last_feedback=today)
    assert level(a, today, reminders).level == expected


def test_escalation_lists_every_reason_of_its_level():
    a = assignment(assigned="2026-09-01", due="2026-11-20", last_feedback="2026-12-04")
    esc = level(a, "2026-12-04", 3)
    assert esc.level == 3
    assert esc.label == "挂牌督办"
    assert esc.reason == "逾期10个工作日（≥10）；已催办3次仍无反馈（≥3）"


@pytest.mark.parametrize(
    ("overrides", "due", "today", "reminders", "expected"),
    [
        ({"level2_overdue_workdays": "3"}, "2026-11-20", "2026-11-25", 0, 2),  # overdue 3
        ({"level2_overdue_workdays": "3"}, "2026-11-20", "2026-11-24", 0, 1),  # overdue 2
        ({"level3_overdue_workdays": "15"}, "2026-11-20", "2026-12-04", 0, 2),  # overdue 10
        ({"level3_overdue_workdays": "15"}, "2026-11-20", "2026-12-11", 0, 3),  # overdue 15
        ({"level3_overdue_workdays": "5"}, "2026-11-20", "2026-11-27", 0, 3),  # overdue 5
        ({"level2_unanswered_reminders": "1"}, "2026-12-31", "2026-11-16", 1, 2),
        ({"level3_unanswered_reminders": "4"}, "2026-12-31", "2026-11-16", 3, 2),
        ({"level3_unanswered_reminders": "4"}, "2026-12-31", "2026-11-16", 4, 3),
        ({"near_due_workdays": "5"}, "2026-11-23", "2026-11-16", 0, 0),  # 5 working days left
        ({"near_due_workdays": "0"}, "2026-11-17", "2026-11-16", 0, None),
        ({"near_due_workdays": "0"}, "2026-11-16", "2026-11-16", 0, 0),
        ({"light_preset": "四色"}, "2026-11-18", "2026-11-16", 0, 0),  # blue 临期 is still 提醒
    ],
)
def test_escalation_thresholds_are_settings(overrides, due, today, reminders, expected):
    s = resolve(overrides)
    a = assignment(assigned="2026-09-01", due=due, last_feedback=today)
    assert level(a, today, reminders, settings=s).level == expected


def test_escalation_level1_threshold_is_a_setting():
    s = resolve({"level1_overdue_workdays": "3"})
    a = assignment(assigned="2026-09-01", due="2026-11-20", last_feedback="2026-11-24")
    assert level(a, "2026-11-24", settings=s).level in (None, 0)  # overdue 2 < 3
    assert level(a, "2026-11-25", settings=s).level == 1  # overdue 3


def test_escalation_level1_threshold_setting_reaches_one_at_threshold():
    s = resolve({"level1_overdue_workdays": "3"})
    a = assignment(assigned="2026-09-01", due="2026-11-20", last_feedback="2026-11-25")
    esc = level(a, "2026-11-25", settings=s)
    assert esc.level == 1
    assert esc.reason == "逾期3个工作日"


@pytest.mark.parametrize(
    ("ms_due", "expected", "late"),
    [
        ("2026-11-13", 1, 1),
        ("2026-11-09", 2, 5),
        ("2026-11-02", 3, 10),  # 11-03…06, 09…13, 16 = 10 working days
    ],
)
def test_escalation_from_missed_milestone(ms_due, expected, late):
    ms = Milestone(1, D(ms_due), "完成方案编制")
    a = assignment(due="2026-12-31", last_feedback="2026-11-16")
    res = light_of(a, "2026-11-16", milestones=[ms])
    assert res.late_workdays == late
    esc = rules.escalation(res, 0, DEFAULT)
    assert esc.level == expected
    assert f"逾期{late}个工作日" in esc.reason


def test_escalation_labels():
    assert [Escalation(i, "").label for i in range(4)] == ["提醒", "催办", "督办单", "挂牌督办"]
    assert Escalation(None, "").label is None


# ============================================================================================
# 7. properties
# ============================================================================================

FIRST = dt.date(2025, 1, 1)
LAST = dt.date(2026, 12, 31)
days = st.dates(min_value=FIRST, max_value=LAST)
SETTINGS_CHOICES = [DEFAULT, FOUR, P11350, resolve({"light_preset": "四色", "first_feedback_workdays": "3"}),
                    resolve({"cadence_co_units": "true"})]


@st.composite
def open_cases(draw, *, overdue: bool | None = None):
    """An open assignment with random class, percent, feedback and milestones, plus a today."""
    if overdue:
        due = draw(st.dates(min_value=FIRST, max_value=LAST - dt.timedelta(days=1)))
        today = draw(st.dates(min_value=due + dt.timedelta(days=1), max_value=LAST))
    else:
        due = draw(st.none() | days)
        today = draw(days)
    base = due or today
    assigned = base - dt.timedelta(days=draw(st.integers(0, 240)))
    last = draw(st.none() | st.dates(min_value=assigned, max_value=max(assigned, today)))
    role = draw(st.sampled_from(list(Role)))
    a = assignment(role=role, assigned=assigned, due=due, last_feedback=last,
                   percent=draw(st.none() | st.integers(0, 100)))
    milestones = draw(st.lists(
        st.builds(lambda i, d, done: Milestone(i, d, f"节点{i}", done_on=d if done else None),
                  st.integers(1, 9), days, st.booleans()),
        max_size=2))
    others = [a] if role is Role.LEAD else [assignment(due=due), a]
    it = item(*others, klass=draw(st.sampled_from(list(ItemClass))), milestones=milestones)
    return it, a, today, draw(st.sampled_from(SETTINGS_CHOICES))


def _rank(esc) -> int:
    return -1 if esc.level is None else esc.level


@hsettings(max_examples=300, deadline=None)
@given(open_cases(overdue=True))
def test_property_overdue_is_never_green(case):
    it, a, today, s = case
    assert today > a.due
    res = rules.assignment_light(a, it, today, CAL, s)
    assert res.light is Light.RED
    assert res.light is not Light.GREEN
    assert res.workdays_left == 0
    assert res.overdue_workdays >= 0
    # red is always at least 提醒 (0); 催办 (1) starts at level1_overdue_workdays working days late
    assert _rank(rules.escalation(res, 0, s)) >= (1 if res.overdue_workdays >= 1 else 0)


@hsettings(max_examples=300, deadline=None)
@given(open_cases(), st.integers(0, 400), st.integers(0, 5))
def test_property_level_never_decreases_as_today_moves_later(case, later, reminders):
    it, a, today, s = case
    then = today + dt.timedelta(days=later)
    now = rules.escalation(rules.assignment_light(a, it, today, CAL, s), reminders, s)
    after = rules.escalation(rules.assignment_light(a, it, then, CAL, s), reminders, s)
    assert _rank(after) >= _rank(now), (now, after)


@hsettings(max_examples=300, deadline=None)
@given(open_cases(), st.integers(0, 6), st.integers(0, 6))
def test_property_level_never_decreases_with_more_unanswered_reminders(case, r1, r2):
    it, a, today, s = case
    res = rules.assignment_light(a, it, today, CAL, s)
    lo, hi = sorted((r1, r2))
    assert _rank(rules.escalation(res, hi, s)) >= _rank(rules.escalation(res, lo, s))


@hsettings(max_examples=300, deadline=None)
@given(open_cases())
def test_property_workdays_left_never_negative(case):
    it, a, today, s = case
    res = rules.assignment_light(a, it, today, CAL, s)
    assert res.workdays_left is None or res.workdays_left >= 0
    assert res.overdue_workdays is None or res.overdue_workdays >= 0
    assert res.feedback_late_workdays >= 0
    assert res.late_workdays >= (res.overdue_workdays or 0)
    # The light is always the worst finding, and every finding is explained in Chinese.
    worst = max((f.light.severity for f in res.findings if f.light), default=-1)
    assert (res.light.severity if res.light else -1) == worst
    assert res.reason and all(f.text for f in res.findings)


@hsettings(max_examples=200, deadline=None)
@given(open_cases())
def test_property_item_light_is_worst_open_assignment(case):
    it, a, today, s = case
    result, source = rules.item_light(it, today, CAL, s)
    lights = [rules.assignment_light(x, it, today, CAL, s).light for x in it.assignments]
    assert source in it.assignments
    assert result.light.severity == max(light.severity for light in lights)
    assert result.reason.startswith("配合单位“") is (source.role is Role.CO)
