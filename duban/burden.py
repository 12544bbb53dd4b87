"""减负: the burden the office itself puts on each unit in a week (``duban report burden``).

The sources complain of 督查检查考核过多过频、重痕迹轻效果 (seeds/003 L519–521, L1021–1035;
seeds/000 L31 「指尖上」的形式主义). Per unit and ISO week this counts what the office demanded:

* ``reminders``: 催办 records of any level (提醒 included) sent to the unit in the week;
* ``escalations``: 督办单, 挂牌督办, 约谈, 通报批评, 问责 recorded by hand (``duban escalate``) in
  the week (one recorded for the item as a whole counts for its lead unit; 通报表扬 is no burden);
* ``feedback_required``: progress reports falling due in the week under the cadences, for every
  assignment at work then (after each one due, the next is counted from its due date);
* ``forms``: 反馈表 sent to the unit (ledger records of kind ``form_sent``, from ``duban form``);
* ``open_items``: the unit's assignments (lead or co) still at work at the end of the week, as the
  log says: an item with records after the week (closed, paused, cancelled since) is rebuilt from
  its log, so that a past week's figures never change;
* ``load``: their sum, ``over_limit`` when it exceeds the setting ``burden_limit``;
* ``merge_suggestions``: the unit's open items whose titles are alike (ids, grouped), candidates
  for ``duban merge`` — fewer items, fewer reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .errors import NotFound
from .models import Item, Status
from .reports import _changed  # the items with records after the period: rebuilt from their log

if TYPE_CHECKING:
    from .ledger import Ledger
    from .reports import Period

# Titles whose character-pair (bigram) Dice similarity reaches this are suggested for merging.
# Chosen on the kind of duplicates seen in real ledgers: “推进城区主干道综合整治” vs “城区主干道综合整治”
# (0.84) are alike; two tasks of one unit that share only “推进…工作” (under 0.4) are not.
SIMILAR_TITLES = 0.6
BURDEN_ESCALATIONS = ("notice", "listed", "interview", "criticism", "accountability")
FORM_SENT = "form_sent"


@dataclass
class Burden:
    unit: str
    reminders: int = 0
    escalations: int = 0
    feedback_required: int = 0
    forms: int = 0
    open_items: int = 0
    limit: int = 0
    merge_suggestions: list[list[int]] = field(default_factory=list)

    @property
    def load(self) -> int:
        return self.reminders + self.escalations + self.feedback_required + self.forms + self.open_items

    @property
    def over_limit(self) -> bool:
        return self.load > self.limit

    def record(self) -> dict[str, Any]:
        return {"unit": self.unit, "reminders": self.reminders, "escalations": self.escalations,
                "feedback_required": self.feedback_required, "forms": self.forms, "open_items": self.open_items,
                "load": self.load, "limit": self.limit, "over_limit": self.over_limit,
                "merge_suggestions": self.merge_suggestions}


KEYS = ("unit reminders escalations feedback_required forms open_items load limit over_limit"
        " merge_suggestions").split()


def burden(led: "Ledger", period: "Period") -> list[Burden]:
    """Every unit's burden in the week, heaviest first."""
    start, end = period.start.isoformat(), period.end.isoformat()
    limit = led.settings["burden_limit"]
    rows = {u.name: Burden(u.name, limit=limit) for u in led.units()}
    names = dict(led.db.execute("SELECT id, name FROM units").fetchall())
    for unit_id, n in led.db.execute(
            "SELECT unit_id, count(*) FROM events WHERE unit_id IN (SELECT id FROM units) AND kind = 'reminded'"
            " AND at >= ? AND at <= ? GROUP BY unit_id", [start, end]):
        rows[names[unit_id]].reminders = n
    kinds = ", ".join(f"'{k}'" for k in BURDEN_ESCALATIONS)
    for unit_id, n in led.db.execute(
            "SELECT COALESCE(e.unit_id, (SELECT a.unit_id FROM assignments a WHERE a.item_id = e.item_id"
            " AND a.role = 'lead')), count(*) FROM events e WHERE e.kind = 'escalated'"
            f" AND json_extract(e.data, '$.kind') IN ({kinds}) AND e.at >= ? AND e.at <= ? GROUP BY 1",
            [start, end]):
        if unit_id is not None:
            rows[names[unit_id]].escalations += n
    for unit_id, n in led.db.execute(
            "SELECT unit_id, count(*) FROM events WHERE unit_id IN (SELECT id FROM units) AND kind = ?"
            " AND at >= ? AND at <= ? GROUP BY unit_id", [FORM_SENT, start, end]):
        rows[names[unit_id]].forms = n
    for unit, n in feedback_required(led, period).items():
        rows[unit].feedback_required = n
    open_titles: dict[str, list[tuple[int, str]]] = {}
    changed = _changed(led, period)
    for unit_id, item_id, title in led.db.execute(
            "SELECT a.unit_id, a.item_id, i.title FROM assignments a JOIN items i ON i.id = a.item_id"
            " WHERE a.assigned_on IS NOT NULL AND a.assigned_on <= ? AND a.status = 'open'"
            " AND a.item_id NOT IN (SELECT value FROM json_each(?)) ORDER BY a.item_id", [end, json.dumps(changed)]):
        row = rows[names[unit_id]]
        row.open_items += 1
        open_titles.setdefault(row.unit, []).append((item_id, title))
    for item in _as_of(led, changed, period.end):
        for a in item.assignments:
            if a.status is Status.OPEN and a.assigned_on is not None and a.assigned_on <= period.end:
                rows[names[a.unit_id]].open_items += 1
                open_titles.setdefault(names[a.unit_id], []).append((item.id, item.title))
    for titles in open_titles.values():
        titles.sort()
    for unit, titles in open_titles.items():
        rows[unit].merge_suggestions = similar_groups(titles)
    return sorted(rows.values(), key=lambda b: (-b.load, b.unit))


def _as_of(led: "Ledger", item_ids: list[int], day: dt.date) -> list[Item]:
    """The items as their log describes them at the end of ``day`` (those not yet registered left out)."""
    found = []
    for item_id in item_ids:
        try:
            found.append(led.replayed(item_id, day))
        except NotFound:
            continue
    return found


def feedback_required(led: "Ledger", period: "Period") -> Counter:
    """Progress reports falling due in the week, per unit, for the assignments at work then (as the
    log says: an item with records after the week is rebuilt from it)."""
    start, end = period.start, period.end
    changed = _changed(led, period)
    items = led._items_where(
        "i.id IN (SELECT item_id FROM assignments WHERE assigned_on IS NOT NULL AND assigned_on <= ?"
        " AND (status = 'open' OR (status IN ('done', 'closed') AND closed_on >= ?)))"
        " AND i.id NOT IN (SELECT value FROM json_each(?))",
        [end.isoformat(), start.isoformat(), json.dumps(changed)]) + _as_of(led, changed, end)
    # the last report each assignment made before the week (what is stored may be later)
    before = {(item_id, unit_id): dt.date.fromisoformat(at) for item_id, unit_id, at in led.db.execute(
        "SELECT item_id, unit_id, max(at) FROM events WHERE unit_id IN (SELECT id FROM units) AND kind = 'feedback'"
        " AND at < ? GROUP BY item_id, unit_id", [start.isoformat()])}
    cal, settings = led.calendar, led.settings
    counts: Counter = Counter()
    for item in items:
        for a in item.assignments:
            if a.assigned_on is None or a.assigned_on > end:
                continue
            if a.status is Status.OPEN:
                stop = end
            elif a.status in (Status.DONE, Status.CLOSED) and a.closed_on is not None and a.closed_on >= start:
                stop = min(end, a.closed_on - dt.timedelta(days=1))  # the 办结 report answers that day's
            else:
                continue
            last = before.get((item.id, a.unit_id))
            if last is None and a.last_feedback is not None and a.last_feedback < start:
                last = a.last_feedback  # a report that came with the import
            restarted = a.restarted_on if a.restarted_on is not None and a.restarted_on < start else None
            due, _ = rules.feedback_due(item, dataclasses.replace(a, last_feedback=last, restarted_on=restarted),
                                        cal, settings)
            cadence = rules.cadence_for(item, a, settings)
            n = 0
            while due is not None and due <= stop:
                if due >= start:
                    n += 1
                due = rules.next_feedback_due(cadence, due, cal)
            if n:
                counts[a.unit] += n
    return counts


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace()]
    return {a + b for a, b in zip(chars, chars[1:])} or set(chars)


def similar_groups(titles: list[tuple[int, str]], threshold: float = SIMILAR_TITLES) -> list[list[int]]:
    """Groups (ids, ascending) of items whose titles are alike, linked pair by pair; groups by first id."""
    grams = [(item_id, _bigrams(title)) for item_id, title in titles]
    parent = {item_id: item_id for item_id, _ in grams}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # the same bigrams are alike (similarity 1): those items link at once, and each distinct set of
    # bigrams is compared once (a unit's open items repeat titles; the pairs were most of a 专报's time)
    first: dict[frozenset, int] = {}
    for item_id, g in grams:
        if g:
            key = frozenset(g)
            if key in first:
                parent[root(item_id)] = root(first[key])
            else:
                first[key] = item_id
    distinct = list(first.items())
    for n, (ga, a) in enumerate(distinct):
        for gb, b in distinct[n + 1:]:
            if 2 * len(ga & gb) / (len(ga) + len(gb)) >= threshold:
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for item_id, _ in grams:
        groups.setdefault(root(item_id), []).append(item_id)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def sentence(rows: list[Burden], week_label: str) -> str:
    """The 专报's line on it: the week's total demand and the units over the limit."""
    if not rows:
        return f"{week_label}无责任单位，未统计督办负担。"
    limit = rows[0].limit
    total = sum(b.load for b in rows)
    over = [b for b in rows if b.over_limit]
    text = (f"减负情况：{week_label}督办工作对{len(rows)}个责任单位提出的要求（催办、督办、进展反馈、报表和在办事项）"
            f"合计{total}项次")
    if not over:
        return text + f"，各单位均未超过减负上限（每周{limit}项次）。"
    named = "、".join(f"{b.unit}（{b.load}项次）" for b in over[:5])
    more = f"等{len(over)}个单位" if len(over) > 5 else f"{len(over)}个单位"
    merge = sum(len(g) for b in over for g in b.merge_suggestions)
    tail = f"，其中{merge}件事项标题相近、可考虑合并督办" if merge else ""
    return text + f"；{named}{more}超过减负上限（每周{limit}项次）{tail}。"
