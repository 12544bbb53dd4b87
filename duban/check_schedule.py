"""``duban check``: the stored schedules say what the rules say today (issue #16).

``list``, ``overdue`` and the views read today's lights from ``schedules``; the rules in
:mod:`duban.rules` are the one implementation and the schedules a record of their answers. So the
check lights each item as the rules do today and compares light, reason and the two day counts with
the schedule's row: a row edited by hand, or written by a defect, shows here. Items without a
usable row today (an import's until the next command; a day before the schedules were built) are
lit in Python by every reader, so there is nothing to compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

CHUNK = 2000


def _word(code: str | None) -> str:
    """The light's word; a code no light has (a row edited by hand) as it is."""
    from .models import Light

    return next((light.label for light in Light if light.code == code), code) if code else "不亮灯"


def check_schedules(led, ids: Sequence[int] | None, add: Callable, problem: type,
                    skip: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
    """Compare today's schedule rows of ``ids`` (all items when None) with the rules; returns the items
    whose rows disagree (:func:`rebuild_later` has the next command build them again). ``skip``: items
    already found wrong (a stored state the log contradicts: the rules would light the wrong state)."""
    if not led.schedules_usable():
        return []  # built by other rules or settings: every reader lights in Python until they are rebuilt
    stored = {key[0]: row for key, row in led.schedule_on(led.today, item_ids=ids).items()}
    if not stored:
        return []
    parents = led.parent_ids()
    wanted = sorted(set(stored) - skip)
    wrong = []
    then = ("已记下，下一条 duban 命令会按规则重建" if not led.read_only else
            "台账只读，请在可写的位置运行一次 duban check，由下一条命令按规则重建")
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        for item in led._items_where(f"i.id IN ({marks})", chunk):
            row, lit = stored[item.id], led.view(item, parents=parents).light
            now = (lit.light.code if lit.light else None, lit.reason, lit.workdays_left, lit.overdue_workdays)
            kept = (row["light"], row["reason"], row["workdays_left"], row["overdue_workdays"])
            if now != kept:
                wrong.append(item.id)
                add(problem("schedule_mismatch",
                            f"事项 #{item.id} 存的亮灯日程今天是{_word(kept[0])}（{kept[1]}），"
                            f"按规则现算是{_word(now[0])}（{now[1]}）；{then}", item.id))
    return wrong


def rebuild_later(led, item_ids: list[int]) -> None:
    """Take the disagreeing rows away and list their items in ``schedule_pending`` (derived data, not the
    log: no event): until the next command builds them, every reader lights them in Python."""
    if not item_ids or led.read_only:
        return
    import json

    with led._write():
        led.db.execute("DELETE FROM schedules WHERE item_id IN (SELECT value FROM json_each(?))", [json.dumps(item_ids)])
        led._schedule_later(item_ids)
