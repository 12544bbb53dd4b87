"""Pure rules: deadlines, feedback cadence, lights and escalation (DOMAIN.md §4–6).

Inputs are values — an item and assignment, ``today``, the working-day calendar and the
resolved settings — and outputs are values. Nothing here reads the clock or the disk.

A light is the worst of several *findings*, each with its own colour and Chinese
sentence, so that every light can be explained with its numbers (``show --explain``).
"""

from __future__ import annotations

import calendar as _monthcal
import dataclasses
import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .models import (
    Assignment,
    Escalation,
    Finding,
    Item,
    ItemClass,
    Light,
    LightResult,
    Role,
    Status,
)
from .workdays import WorkCalendar

_GREY_REASONS = {
    Status.PENDING: "待交办",
    Status.PAUSED: "暂缓办理，不亮灯",
    Status.DONE: "已办结，待审核",
    Status.CLOSED: "已销号",
    Status.CANCELLED: "已撤销",
    Status.MERGED: "已合并到其他事项",
}

_CADENCE_KEYS = {
    ItemClass.QUICK: "cadence_quick",
    ItemClass.PLAN: "cadence_plan",
    ItemClass.KEY: "cadence_key",
    ItemClass.ROUTINE: "cadence_routine",
}


# -- feedback cadence ------------------------------------------------------------------------


def cadence_for(item: Item, a: Assignment, settings: Mapping[str, Any]) -> str:
    """The feedback cadence of one assignment: "N" working days, 周, 旬, 月 or 无."""
    if a.role is Role.CO and not settings["cadence_co_units"]:
        return "无"
    if a.due is None:
        return settings["cadence_longterm"]
    return settings[_CADENCE_KEYS[item.klass]]


def cadence_text(cadence: str) -> str:
    return f"每{cadence}个工作日" if cadence.isdigit() else {"周": "按周", "旬": "按旬", "月": "按月"}.get(cadence, "不定期")


@lru_cache(maxsize=4096)
def period_end(day: dt.date, cadence: str) -> dt.date:
    """Last day of the week / 旬 / month that contains ``day``."""
    if cadence == "周":
        return day + dt.timedelta(days=6 - day.weekday())
    last = _monthcal.monthrange(day.year, day.month)[1]
    if cadence == "旬":
        return day.replace(day=10 if day.day <= 10 else 20 if day.day <= 20 else last)
    return day.replace(day=last)


def next_feedback_due(cadence: str, since: dt.date, cal: WorkCalendar) -> dt.date | None:
    """When the next progress report is due after one made (or the 交办) on ``since``.

    N working days count after ``since``; 周/旬/月 want one report per period, due by the
    end of the period after the one ``since`` falls in (反馈 on 11-05 → 按旬 due 11-20).
    """
    if cadence == "无":
        return None
    if cadence.isdigit():
        return cal.add_workdays(since, int(cadence)).value
    return period_end(period_end(since, cadence) + dt.timedelta(days=1), cadence)


def feedback_due(item: Item, a: Assignment, cal: WorkCalendar, settings: Mapping[str, Any]) -> tuple[dt.date | None, str]:
    """The date the assignment's next progress report is due, and how that was decided."""
    if a.assigned_on is None:
        return None, ""
    cadence = cadence_for(item, a, settings)
    if a.role is Role.CO and cadence == "无":
        return None, ""
    first = settings["first_feedback_workdays"]
    if a.last_feedback is None and first:
        return cal.add_workdays(a.assigned_on, first).value, f"交办后{first}个工作日内首次反馈"
    since = a.last_feedback or a.assigned_on
    said = f"上次反馈{since.isoformat()}" if a.last_feedback else f"{since.isoformat()}交办后尚无反馈"
    if a.restarted_on is not None and a.restarted_on > since:  # paused/closed time is not late reporting
        since = a.restarted_on
        said = f"{since.isoformat()}恢复办理后尚无反馈"
    due = next_feedback_due(cadence, since, cal)
    if due is None:
        return None, ""
    return due, f"{said}，{cadence_text(cadence)}应于{due.isoformat()}前反馈"


def schedule_percent(a: Assignment, today: dt.date, cal: WorkCalendar) -> int | None:
    """序时进度: the share of the working time from 交办 (or the reopen) to the deadline that has passed."""
    start = a.assigned_on
    if a.progress_since is not None and (start is None or a.progress_since > start):
        start = a.progress_since  # reopened: progress restarts at the reopen date
    if start is None or a.due is None or a.due <= start:
        return None
    total = cal.workdays_between(start, a.due).value
    if total <= 0:
        return None
    elapsed = cal.workdays_between(start, min(today, a.due)).value
    return round(100 * elapsed / total)


# -- lights ------------------------------------------------------------------------------------


def near_light(settings: Mapping[str, Any]) -> Light:
    """The colour of 临期: yellow in the three-colour preset, blue in the four-colour one."""
    return Light.BLUE if settings.get("light_preset") == "四色" else Light.YELLOW


def _late_text(workdays: int) -> str:
    return f"已逾期{workdays}个工作日" if workdays else "已过期限"


def item_settings(item: Item, settings: Mapping[str, Any]) -> Mapping[str, Any]:
    """The settings for one item: the ledger's, with the item's own preset (create --preset 11350) on top."""
    if not item.preset:
        return settings
    from .settings import PRESETS, SETTINGS

    _, values = PRESETS.get(item.preset, ("", None))
    if not values:
        return settings
    return {**settings, **{k: SETTINGS[k].parse(v) for k, v in values.items()}}


def feedback_late_light(settings: Mapping[str, Any]) -> Light:
    """A progress report overdue: yellow; red in the four-colour preset (seeds/003:L597 黔南: 对未按时反馈事项亮红灯警告)."""
    return Light.RED if settings.get("light_preset") == "四色" else Light.YELLOW


def unsigned_finding(a: Assignment, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any]) -> Finding | None:
    """签收: an assignment not signed within ``sign_within_workdays`` working days of its 交办 (nor heard from).

    A unit that has reported progress has evidently received the work; 配合单位 count only with
    ``cadence_co_units`` on (DOMAIN.md §3: statistics follow the lead unit)."""
    if a.assigned_on is None or a.signed_on is not None and a.signed_on <= today:
        return None
    if a.role is Role.CO and not settings["cadence_co_units"]:
        return None  # 配合单位 are held to account only when the ledger says so (as for feedback)
    if a.last_feedback is not None and a.last_feedback <= today or a.restarted_on is not None:
        return None  # the unit has reported on it, or worked on it (closed, resumed): it has it
    waited = cal.workdays_between(a.assigned_on, today).value
    limit = settings["sign_within_workdays"]
    if waited <= limit:
        return None
    return Finding("unsigned", Light.YELLOW,
                   f"交办{waited}个工作日未签收（{a.assigned_on.isoformat()}交办，应于{limit}个工作日内签收）")


def assignment_light(
    a: Assignment, item: Item, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any]
) -> LightResult:
    """The light of one unit's assignment: the worst of its findings, with all of them kept."""
    settings = item_settings(item, settings)
    if a.status is not Status.OPEN:
        reason = _GREY_REASONS[a.status]
        if a.status in (Status.DONE, Status.CLOSED) and a.closed_on and a.due:
            reason += "（按期办结）" if a.closed_on <= a.due else "（逾期办结）"
        return LightResult(None, reason, findings=(Finding("grey", None, reason),))
    findings: list[Finding] = []
    left = overdue = None
    if a.due is None:
        findings.append(Finding("no_due", Light.GREEN, "长期事项，未设办理时限"))
    elif today > a.due:
        overdue, left = cal.workdays_between(a.due, today).value, 0
        findings.append(Finding("overdue", Light.RED, f"{_late_text(overdue)}（办理时限 {a.due.isoformat()}）"))
    else:
        overdue, left = 0, cal.workdays_between(today, a.due).value
        if left <= settings["near_due_workdays"]:
            if today == a.due:
                text = "今日到期"
            elif left == 0:
                text = f"办理时限 {a.due.isoformat()} 前已无工作日"
            else:
                text = f"距办理时限还有{left}个工作日"
            findings.append(Finding("near_due", near_light(settings),
                                    f"{text}（临期阈值{settings['near_due_workdays']}个工作日）"))
        else:
            findings.append(Finding("on_track", Light.GREEN, f"距办理时限还有{left}个工作日"))
    late_workdays = overdue or 0
    if a.role is Role.LEAD:
        for m in item.milestones:
            if m.done_on is None and today > m.due:
                late = cal.workdays_between(m.due, today).value
                late_workdays = max(late_workdays, late)
                findings.append(Finding("milestone", Light.RED,
                                        f"节点“{m.title}”（{m.due.isoformat()}）未完成，{_late_text(late)}"))
    fb_due, fb_basis = feedback_due(item, a, cal, settings)
    fb_late = 0
    if fb_due is not None and today > fb_due:
        fb_late = cal.workdays_between(fb_due, today).value
        if fb_late:
            findings.append(Finding("feedback_late", feedback_late_light(settings),
                                    f"{fb_basis}，反馈已逾期{fb_late}个工作日"))
    unsigned = unsigned_finding(a, today, cal, settings)
    if unsigned is not None:
        findings.append(unsigned)
    expected = schedule_percent(a, today, cal) if a.percent is not None else None
    if expected is not None:
        behind = expected - a.percent
        if behind > settings["progress_lag_points"]:
            findings.append(Finding("behind", Light.YELLOW,
                                    f"反馈完成{a.percent}%，序时进度{expected}%，落后{behind}个百分点"
                                    f"（阈值{settings['progress_lag_points']}）"))
    worst = findings[0]  # the first of the most severe (no finding of an open assignment is grey)
    for f in findings:
        if f.light.severity > worst.light.severity:
            worst = f
    reason = worst.text
    if worst.kind == "on_track":
        reason = f"正常推进，{worst.text}"
    return LightResult(worst.light, reason, workdays_left=left, overdue_workdays=overdue,
                       findings=tuple(findings), feedback_due=fb_due, feedback_late_workdays=fb_late,
                       late_workdays=late_workdays)


def change_dates(a: Assignment, item: Item, cal: WorkCalendar, settings: Mapping[str, Any],
                 reminded: tuple[dt.date, ...] = ()) -> set[dt.date]:
    """The days on which the light of an open assignment (and its escalation level) may change while
    nothing is written: from that day on, :func:`assignment_light` and :func:`escalation` give the same
    findings, with the same words, whose working-day counts merely go on counting (issue #16).

    The deadline (临期 from the (N+1)-th working day before it, 今日到期, past it, a first working day
    late, each escalation threshold), each open milestone of the lead unit likewise, the feedback due
    date, the 签收 limit, the signing and feedback dates themselves, each 序时 percentage step, and the
    days of the 催办 (``reminded``: those counted as unanswered) since the last feedback.
    """
    if a.status is not Status.OPEN:
        return set()
    settings = item_settings(item, settings)
    one = dt.timedelta(days=1)
    out: set[dt.date] = {d for d in (a.assigned_on, a.signed_on, a.last_feedback, a.restarted_on, a.progress_since)
                         if d is not None}
    out.update(reminded)
    thresholds = [settings[k] for k in ("level1_overdue_workdays", "level2_overdue_workdays",
                                         "level3_overdue_workdays") if settings[k] >= 1]
    late_from = []
    if a.due is not None:
        late_from.append(a.due)
        for n in (1, settings["near_due_workdays"] + 1):
            back = cal.workday_back(a.due, n)
            if back is not None:
                out.add(back)
    if a.role is Role.LEAD:
        late_from += [m.due for m in item.milestones if m.done_on is None]
    for day in late_from:
        out.update((day, day + one, cal.add_workdays(day, 1).value))
        out.update(cal.add_workdays(day, n).value for n in thresholds)
    fb_due, _ = feedback_due(item, a, cal, settings)
    if fb_due is not None:
        out.update((fb_due + one, cal.add_workdays(fb_due, 1).value))
    if a.assigned_on is not None:  # the first day 未签收 can show, if it shows then (before it cannot; the
        # days it stops showing — signed, reported on — are in ``out`` already): most units have signed or reported
        limit = cal.add_workdays(a.assigned_on, settings["sign_within_workdays"] + 1).value
        if unsigned_finding(a, limit, cal, settings) is not None:
            out.add(limit)
    start = a.assigned_on
    if a.progress_since is not None and (start is None or a.progress_since > start):
        start = a.progress_since
    if a.percent is not None and start is not None and a.due is not None and a.due > start:
        total = cal.workdays_between(start, a.due).value
        shown = None
        lag = settings["progress_lag_points"]
        for n in range(1, total + 1):  # the days 序时进度 takes a new (rounded) value, once it is behind
            value = round(100 * n / total)
            if value != shown and value - a.percent > lag:
                out.add(cal.add_workdays(start, n).value)
            shown = value
        out.add(a.due + one)
    return out


def _severity(result: LightResult) -> int:
    return -1 if result.light is None else result.light.severity


def item_light(
    item: Item, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any],
    lit: dict[tuple[int, int, dt.date], LightResult] | None = None,
    known: Mapping[tuple[int, int, dt.date], LightResult] | None = None,
) -> tuple[LightResult, Assignment | None]:
    """The worst light among the item's open assignments, and the assignment it comes from.

    Ties go to the lead unit, then to the earlier deadline. An item with no open
    assignment has no light (grey) and the reason says why. ``lit``: where given, each open
    assignment's own light is kept there too, by (item id, unit id, ``today``); ``known``: lights
    already computed with these very arguments, by the same key, taken rather than computed again.
    """
    best: tuple[int, int, int, LightResult, Assignment] | None = None
    for a in item.assignments:
        if a.status is not Status.OPEN:
            continue
        result = known.get((item.id, a.unit_id, today)) if known else None
        if result is None:
            result = assignment_light(a, item, today, cal, settings)
        if lit is not None:
            lit[item.id, a.unit_id, today] = result
        key = (_severity(result), 1 if a.role is Role.LEAD else 0, -(a.due or dt.date.max).toordinal())
        if best is None or key > best[:3]:
            best = (*key, result, a)
    if best is None:
        return LightResult(None, _GREY_REASONS.get(item.status, item.status.label)), None
    result, source = best[3], best[4]
    if source.role is not Role.LEAD:
        result = dataclasses.replace(result, reason=f"配合单位“{source.unit}”：{result.reason}")
    return result, source


def due_uncertain(a: Assignment, cal: WorkCalendar) -> bool:
    """True when the deadline was computed across, or falls in, a year whose holiday schedule is unknown.

    Derived, not stored: once the year is entered the flag goes (and an N-working-day deadline that
    the entry changed was recomputed by a `due_recomputed` event).
    """
    if a.due is None:
        return False
    if a.due_basis in ("estimated", "weekends"):
        if a.within is None or a.assigned_on is None:
            return a.due_basis == "weekends" or not cal.covered(a.due.year)  # not recomputable: kept for review
        return any(not cal.covered(y) for y in range(a.assigned_on.year, a.due.year + 1))
    return not cal.covered(a.due.year)


# -- the clock stops while paused (DOMAIN.md §4) --------------------------------------------------


def resume_change(a: Assignment, paused_on: dt.date | None, today: dt.date, cal: WorkCalendar, extend: bool,
                  new: tuple[dt.date, str, int | None] | None = None) -> tuple[dict, str, tuple[int, ...]]:
    """The `resumed` event's data, the words for its detail, and the estimated years it relied on.

    The working days paused are those after ``paused_on`` up to and including ``today`` (paused 11-05,
    resumed 11-18: 9). With ``new`` (due, basis, within) the clerk sets the deadline; else with
    ``extend`` it moves later by the days paused — an N-working-day deadline stays one, N + days from
    its 交办, so that entering a year's calendar later recounts it right.
    """
    data: dict[str, Any] = {}
    if paused_on is not None:
        data.update(paused_on=paused_on.isoformat(), paused_workdays=cal.workdays_between(paused_on, today).value)
    if new is not None:
        due, basis, within = new
        data.update(to=due.isoformat(), due_basis=basis, within=within, **{"from": _iso(a.due)})
        return data, f"，时限改为{due.isoformat()}", ()
    days = data.get("paused_workdays")
    if not extend or a.due is None or not days:
        return data, "", ()
    if a.within is not None and a.assigned_on is not None:
        span = cal.add_workdays(a.assigned_on, a.within + days)
        basis, within = ("estimated" if span.uncovered else "calendar"), a.within + days
    else:
        span = cal.add_workdays(a.due, days)
        basis, within = "given", None
    data.update(to=span.value.isoformat(), due_basis=basis, within=within, **{"from": _iso(a.due)})
    return data, f"，暂缓{days}个工作日，时限顺延至{span.value.isoformat()}", span.uncovered


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- escalation (梯次加压) -----------------------------------------------------------------------


def escalation(result: LightResult, unanswered_reminders: int, settings: Mapping[str, Any]) -> Escalation:
    """The escalation level an open assignment has reached (DOMAIN.md §6).

    0 提醒 when 临期; 1 催办 when overdue or a progress report is late; 2 督办单 and 3 挂牌督办
    when overdue long enough or chased often enough without any feedback since.
    """
    late = result.late_workdays
    level, reasons = None, []
    for lvl, days_key, count_key in ((3, "level3_overdue_workdays", "level3_unanswered_reminders"),
                                     (2, "level2_overdue_workdays", "level2_unanswered_reminders")):
        if late >= settings[days_key]:
            reasons.append(f"逾期{late}个工作日（≥{settings[days_key]}）")
        if unanswered_reminders >= settings[count_key]:
            reasons.append(f"已催办{unanswered_reminders}次仍无反馈（≥{settings[count_key]}）")
        if reasons:
            level = lvl
            break
    if level is None:
        if late >= settings["level1_overdue_workdays"]:
            level, reasons = 1, [f"逾期{late}个工作日"]
        elif result.feedback_late_workdays:
            level, reasons = 1, [f"进展反馈逾期{result.feedback_late_workdays}个工作日"]
        elif result.light is Light.RED:  # late, but not yet by level1_overdue_workdays
            level, reasons = 0, [next(f.text for f in result.findings if f.light is Light.RED)]
        elif any(f.kind == "near_due" for f in result.findings):
            level, reasons = 0, ["临期"]
    if level is None:
        return Escalation(None, "无需催办")
    return Escalation(level, "；".join(reasons))


# -- metrics (DOMAIN.md §7; over lead assignments in scope) -------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """A share as a fraction 0..1, or None when there is nothing to divide by."""
    return None if whole <= 0 else part / whole


def completion_rate(closed: int, total: int) -> float | None:
    """办结率 = 办结 ÷ 全部."""
    return rate(closed, total)


def on_time_rate(closed_on_time: int, closed: int) -> float | None:
    """按期办结率 = 在时限内办结 ÷ 办结."""
    return rate(closed_on_time, closed)


def progress_rate(on_track: int, closed: int, total: int) -> float | None:
    """序时推进率 = (正常推进 + 已办结) ÷ 全部 (陆良, seeds/003:L573: (72 + 47) / 127 = 93.7%)."""
    return rate(on_track + closed, total)


def satisfaction_rate(satisfied: int, basically: int, visits: int) -> float | None:
    """满意率 = (满意 + 基本满意) ÷ 回访."""
    return rate(satisfied + basically, visits)


def percent_text(value: float | None, digits: int = 1) -> str:
    """0.937 → “93.7%”; None → “—”."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def honour_count(ranked: int, share: float = 0.2) -> int:
    """How many units make the 红榜 (top 20%, seeds/003:L307): at least one when anyone is ranked."""
    if ranked <= 0:
        return 0
    return max(1, int(ranked * share + 0.5))
