"""The period's records, counted the way a leader reads them (issue #12).

* **The same step counts once**: a 催办, 督办单, 挂牌督办, 约谈, 通报… on the same item, unit and
  day is one step, whether ``remind`` recorded it (a ``reminded`` event at that level) or
  someone ran ``escalate`` as well (DOMAIN.md §6: a unit is not chased twice a day for one item).
* **Decisions on items** (the 全部 row, the rows by source): one ``reopen`` or one ``extend`` of
  an item is one decision, however many units it concerned — the events of one command share
  their item, day, reason and new deadline. A row per unit counts the units concerned.
* **反弹**: a ``reopen`` of an assignment after a 不满意 回访 of its item (the latest 回访 since the
  unit closed it) is counted as ``rebounds`` for that unit (seeds/003 L547 公开曝光单, L573).

Everything is counted in SQL (COUNT DISTINCT); nothing per event is read into Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger
    from .reports import Period

ALL = "全部"

# Every event's unit_id is a unit or NULL (a foreign key), so this selects every event; written so,
# a filter on kind and date is served by idx_events_unit (unit_id, kind, at), not a read of the table.
ANY_UNIT = "(e.unit_id IN (SELECT id FROM units) OR e.unit_id IS NULL)"

# counter name → its Chinese name
EVENT_COUNTS = {
    "reminders": "催办",
    "notices": "督办单",
    "listed": "挂牌督办",
    "interviews": "约谈",
    "criticisms": "通报批评",
    "praises": "通报表扬",
    "accountability": "问责",
    "extensions": "延期",
    "reopened": "重启（反弹）",
    "revisits": "回访",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}
# Not a column of the statistics: what the ranking charges for a reopen after a 不满意 回访.
REBOUNDS = "rebounds"

_LEVEL_STEP = "CASE COALESCE(json_extract(e.data, '$.level'), 1) WHEN 1 THEN 'reminders' WHEN 2 THEN 'notices'" \
              " WHEN 3 THEN 'listed' END"
_ESCALATION_STEP = ("CASE json_extract(e.data, '$.kind') WHEN 'notice' THEN 'notices' WHEN 'listed' THEN 'listed'"
                    " WHEN 'interview' THEN 'interviews' WHEN 'criticism' THEN 'criticisms'"
                    " WHEN 'praise' THEN 'praises' WHEN 'accountability' THEN 'accountability' END")
_SATISFACTION_STEP = ("CASE json_extract(e.data, '$.satisfaction') WHEN 'satisfied' THEN 'satisfied'"
                      " WHEN 'basically' THEN 'basically_satisfied' WHEN 'unsatisfied' THEN 'unsatisfied' END")
# The latest 回访 of the item before this reopen and after the unit last closed it was 不满意.
_REBOUND = """(e.kind = 'reopened' AND (
    SELECT json_extract(r.data, '$.satisfaction') FROM events r
    WHERE r.item_id = e.item_id AND r.kind = 'revisited' AND r.id < e.id
      AND r.id > COALESCE((SELECT max(c.id) FROM events c WHERE c.item_id = e.item_id AND c.unit_id = e.unit_id
                                                             AND c.kind = 'closed' AND c.id < e.id), 0)
    ORDER BY r.id DESC LIMIT 1) = 'unsatisfied')"""

# One row per step an event stands for (a 回访 is two: the 回访 and its satisfaction; a reopen after a
# 不满意 回访 is the reopen and a 反弹). ``uid``: the unit, or the lead unit for an event on the item as a
# whole; ``decision``: one command on one item; ``eid``: a 回访, each of which counts.
_STEPS_SQL = f"""
WITH e AS (
    SELECT e.id, e.item_id, e.at, e.kind, e.data, e.unit_id,
           COALESCE(e.unit_id, (SELECT a.unit_id FROM assignments a
                                WHERE a.item_id = e.item_id AND a.role = 'lead')) AS uid
    FROM events e
    WHERE {ANY_UNIT} AND e.kind IN ('reminded', 'escalated', 'extended', 'reopened', 'revisited')
      AND e.at >= :start AND e.at <= :end AND e.item_id IS NOT NULL
), steps AS (
    SELECT e.item_id, e.uid, e.at, CASE e.kind WHEN 'reminded' THEN {_LEVEL_STEP}
                                               WHEN 'escalated' THEN {_ESCALATION_STEP}
                                               WHEN 'extended' THEN 'extensions'
                                               WHEN 'reopened' THEN 'reopened'
                                               WHEN 'revisited' THEN 'revisits' END AS step,
           CASE WHEN e.kind IN ('extended', 'reopened') THEN
                e.kind || '/' || COALESCE(json_extract(e.data, '$.reason'), '') || '/'
                || COALESCE(json_extract(e.data, '$.to'), json_extract(e.data, '$.due'), '') END AS decision,
           CASE WHEN e.kind = 'revisited' THEN e.id END AS eid
    FROM e
    UNION ALL
    SELECT e.item_id, e.uid, e.at, {_SATISFACTION_STEP}, NULL, e.id FROM e WHERE e.kind = 'revisited'
    UNION ALL
    SELECT e.item_id, e.uid, e.at, '{REBOUNDS}', NULL, NULL FROM e WHERE {_REBOUND}
)
SELECT step, {{group}}, count(DISTINCT {{key}})
FROM steps s {{joins}}
WHERE step IS NOT NULL
GROUP BY 1, 2"""

# each 回访 counts (it is not a step of the ladder); any other step once per item, unit and day
_UNIT_KEY = "CASE WHEN s.eid IS NOT NULL THEN 'e' || s.eid ELSE s.item_id || '/' || COALESCE(s.uid, '') || '/' || s.at END"
_DECISION_KEY = f"CASE WHEN s.decision IS NOT NULL THEN s.item_id || '/' || s.at || '/' || s.decision ELSE {_UNIT_KEY} END"


def _count(led: "Ledger", period: "Period", group: str, key: str, joins: str = "") -> list[tuple]:
    sql = _STEPS_SQL.format(group=group, key=key, joins=joins)
    return led.db.execute(sql, {"start": period.start.isoformat() if period.start else "",
                                "end": period.end.isoformat()}).fetchall()


def event_counts(led: "Ledger", period: "Period", by: str | None) -> dict[str, Counter]:
    """Counts of the period's records per group (unit name or source code) and for 全部.

    A record on the item as a whole (a 回访, an escalation without --unit) counts for its lead
    unit. 全部 and the groups by source count steps and decisions on items; the groups by unit
    count each unit concerned.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for step, _, n in _count(led, period, "NULL", _DECISION_KEY):
        counts[ALL][step] += n
    if by == "unit":
        for (unit, _role), counter in unit_role_counts(led, period).items():
            counts[unit].update(counter)
    elif by == "source":
        for step, source, n in _count(led, period, "i.source", _DECISION_KEY, "JOIN items i ON i.id = s.item_id"):
            counts[source][step] += n
    return counts


def unit_role_counts(led: "Ledger", period: "Period") -> dict[tuple[str, str], Counter]:
    """Counts per (unit name, role of its assignment: lead | co), each unit concerned counted."""
    rows = _count(led, period, "u.name || char(31) || COALESCE(a.role, 'lead')", _UNIT_KEY,
                  "JOIN units u ON u.id = s.uid LEFT JOIN assignments a ON a.item_id = s.item_id AND a.unit_id = s.uid")
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for step, group, n in rows:
        unit, role = group.split("\x1f")
        counts[unit, role][step] += n
    return counts


def rebounds(led: "Ledger", period: "Period") -> list[tuple[int, str, str]]:
    """The period's 反弹: (item id, unit name, role) of each reopen after a 不满意 回访, once per item, unit, day."""
    return led.db.execute(
        f"""SELECT DISTINCT e.item_id, u.name, COALESCE(a.role, 'lead'), e.at FROM events e
            JOIN units u ON u.id = e.unit_id
            LEFT JOIN assignments a ON a.item_id = e.item_id AND a.unit_id = e.unit_id
            WHERE e.unit_id IN (SELECT id FROM units) AND e.kind = 'reopened' AND e.at >= ? AND e.at <= ? AND {_REBOUND}
            ORDER BY e.item_id, e.at""",
        [period.start.isoformat() if period.start else "", period.end.isoformat()]).fetchall()


def chases(led: "Ledger", period: "Period") -> list[tuple[int, str, int, str, str | None]]:
    """Each item and unit chased in the period — 催办, 督办单, 挂牌督办, recorded by ``remind`` or
    ``escalate``, each step once a day: (item id, unit name, steps, last day chased, the unit's last
    progress report on the item up to the end of the period or None)."""
    return led.db.execute(
        f"""WITH c AS (
                SELECT e.item_id, e.at,
                       COALESCE(e.unit_id, (SELECT a.unit_id FROM assignments a
                                            WHERE a.item_id = e.item_id AND a.role = 'lead')) AS uid,
                       CASE e.kind WHEN 'reminded' THEN {_LEVEL_STEP}
                                   ELSE CASE json_extract(e.data, '$.kind') WHEN 'notice' THEN 'notices'
                                                                            WHEN 'listed' THEN 'listed' END END AS step
                FROM events e
                WHERE {ANY_UNIT} AND e.kind IN ('reminded', 'escalated') AND e.at >= :start AND e.at <= :end
                  AND e.item_id IS NOT NULL)
            SELECT c.item_id, u.name, count(DISTINCT c.at || c.step), max(c.at),
                   (SELECT max(f.at) FROM events f WHERE f.item_id = c.item_id AND f.unit_id = c.uid
                                                     AND f.kind = 'feedback' AND f.at <= :end)
            FROM c JOIN units u ON u.id = c.uid
            WHERE c.step IS NOT NULL
            GROUP BY c.item_id, c.uid
            ORDER BY c.item_id, u.name""",
        {"start": period.start.isoformat() if period.start else "", "end": period.end.isoformat()}).fetchall()
