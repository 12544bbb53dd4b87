"""Pure rules: deadlines and lights (DOMAIN.md §4–5).

Inputs are values — an item or assignment, ``today``, the working-day calendar and the
resolved settings — and outputs are values. Nothing here reads the clock or the disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .models import Assignment, Item, Light, LightResult, Role, Status
from .workdays import WorkCalendar

_GREY_REASONS = {
    Status.PENDING: "待交办",
    Status.PAUSED: "暂缓办理，不亮灯",
    Status.DONE: "已办结，待审核",
    Status.CLOSED: "已销号",
    Status.CANCELLED: "已撤销",
}


def near_light(settings: Mapping[str, Any]) -> Light:
    """The colour of 临期: yellow in the three-colour preset, blue in the four-colour one."""
    return Light.BLUE if settings.get("light_preset") == "四色" else Light.YELLOW


def assignment_light(
    a: Assignment, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any]
) -> LightResult:
    """The light of one unit's assignment, with the reason in Chinese and the numbers."""
    if a.status is not Status.OPEN:
        return LightResult(None, _GREY_REASONS[a.status])
    if a.due is None:
        return LightResult(Light.GREEN, "长期事项，未设办理时限")
    if today > a.due:
        overdue = cal.workdays_between(a.due, today).value
        if overdue:
            reason = f"已逾期{overdue}个工作日（办理时限 {a.due.isoformat()}）"
        else:
            reason = f"已过办理时限 {a.due.isoformat()}"
        return LightResult(Light.RED, reason, workdays_left=0, overdue_workdays=overdue)
    left = cal.workdays_between(today, a.due).value
    if left <= settings["near_due_workdays"]:
        reason = "今日到期" if today == a.due else f"距办理时限还有{left}个工作日"
        return LightResult(near_light(settings), reason, workdays_left=left, overdue_workdays=0)
    return LightResult(
        Light.GREEN, f"正常推进，距办理时限还有{left}个工作日", workdays_left=left, overdue_workdays=0
    )


def _severity(result: LightResult) -> int:
    return -1 if result.light is None else result.light.severity


def item_light(
    item: Item, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any]
) -> tuple[LightResult, Assignment | None]:
    """The worst light among the item's open assignments, and the assignment it comes from.

    Ties go to the lead unit, then to the earlier deadline. An item with no open
    assignment has no light (grey) and the reason says why.
    """
    best: tuple[int, int, dt.date, LightResult, Assignment] | None = None
    for a in item.assignments:
        if a.status is not Status.OPEN:
            continue
        result = assignment_light(a, today, cal, settings)
        key = (_severity(result), 1 if a.role is Role.LEAD else 0, -(a.due or dt.date.max).toordinal())
        if best is None or key > best[:3]:
            best = (*key, result, a)
    if best is None:
        return LightResult(None, _GREY_REASONS.get(item.status, item.status.label)), None
    result, source = best[3], best[4]
    if source.role is not Role.LEAD:
        result = LightResult(
            result.light,
            f"配合单位“{source.unit}”：{result.reason}",
            result.workdays_left,
            result.overdue_workdays,
        )
    return result, source


def due_uncertain(a: Assignment, cal: WorkCalendar) -> bool:
    """True when the deadline was computed, or falls, where the holiday schedule is unknown."""
    if a.due is None:
        return False
    return a.due_basis == "weekends" or not cal.covered(a.due.year)
