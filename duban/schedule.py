"""Lights as stored schedules (issue #16): what the rules say on every day to come, computed at write time.

A light changes only when something is written or when a date passes. So for each item (and each of
its open assignments) the rules of :mod:`duban.rules` — the one implementation — are evaluated on
the days its state may change (:func:`duban.rules.change_dates`), and the answers stored as
*segments* ``[from_date, until_date)``. Inside a segment the findings keep their words; only their
working-day counts go on counting. To keep those counts out of the stored words, the rules are run
with a :class:`TracingCalendar`: a count that ends (or starts) on the day evaluated comes back as a
:class:`Counted` — an ``int`` that remembers the date it counts from, and prints as a marker
(``\\ue000s2026-11-05\\ue001``: the working days after 2026-11-05 up to the day read). A read puts the
number back with one subtraction of ``workdays.ordinal`` values (:func:`render`, and the SQL views).

Pure: items, calendar and settings in, rows out. The ledger stores them (:mod:`duban.ledger_schedule`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from . import chase, rules
from .ledger_clerk import item_result
from .models import Item, LightResult, Status
from .workdays import Span, WorkCalendar

MARK, END = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK}([se])(\\d{{4}}-\\d\\d-\\d\\d){END}")
FOREVER = "9999-12-31"
UNSCHEDULED = "python"  # the code of the one row of an item its schedule cannot hold (a date outside the table)


class Counted(int):
    """A working-day count up to (``s`` + date: the days after date, up to the day read) or from (``e`` + date:
    the days after the day read, up to date) the day evaluated. Arithmetic on it gives a plain int."""

    spec: str

    def __new__(cls, value: int, spec: str) -> "Counted":
        made = super().__new__(cls, value)
        made.spec = spec
        return made

    def __format__(self, format_spec: str) -> str:
        return f"{MARK}{self.spec}{END}"


_SPECS: dict[tuple[str, dt.date], str] = {}


def _spec(kind: str, day: dt.date) -> str:
    found = _SPECS.get((kind, day))
    if found is None:
        found = _SPECS[(kind, day)] = kind + day.isoformat()
    return found


class TracingCalendar:
    """The ledger's calendar as seen on one day: counts ending or starting on it are :class:`Counted`."""

    def __init__(self, cal: WorkCalendar, day: dt.date):
        self.cal, self.day = cal, day

    def workdays_between(self, start: dt.date, end: dt.date) -> Span:
        span = self.cal.workdays_between(start, end)
        if start == end:
            return span
        if end == self.day:
            return Span(Counted(span.value, _spec("s", start)), span.uncovered)
        if start == self.day:
            return Span(Counted(span.value, _spec("e", end)), span.uncovered)
        return span

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cal, name)


# -- freezing an answer, and thawing it on the day read ---------------------------------------------


def frozen(value: Any) -> str | None:
    """A count as stored: None, "5", or a :class:`Counted`'s spec."""
    if value is None:
        return None
    return value.spec if isinstance(value, Counted) else str(int(value))


def anchors(*texts: str | None) -> set[str]:
    """The dates the stored words and counts count from (each must be in the workdays table)."""
    found = set()
    for text in texts:
        if text is None:
            continue
        if text[:1] in ("s", "e") and len(text) == 11:
            found.add(text[1:])
        found.update(m.group(2) for m in MARKED.finditer(text))
    return found


def thaw(spec: str | None, today: int, ordinal: Callable[[str], int]) -> int | None:
    """A stored count on the day whose ordinal is ``today``."""
    if spec is None:
        return None
    kind = spec[:1]
    if kind == "s":
        return max(0, today - ordinal(spec[1:]))
    if kind == "e":
        return max(0, ordinal(spec[1:]) - today)
    return int(spec)


def render(text: str | None, today: int, ordinal: Callable[[str], int]) -> str | None:
    """Stored words with their counts put back."""
    if text is None or MARK not in text:
        return text
    return MARKED.sub(lambda m: str(thaw(m.group(1) + m.group(2), today, ordinal)), text)


class Reading:
    """Stored words and counts read back on one day, each distinct text once (a 100k backlog repeats a few
    thousand deadlines): ``words(text)``, ``count(spec)``, once :meth:`day` gave it the day's ordinals."""

    def __init__(self) -> None:
        self._words: dict[str | None, str | None] = {None: None}
        self._counts: dict[str | None, int | None] = {None: None}
        self.today = 0
        self.ordinal: Callable[[str], int] = lambda day: 0

    def day(self, today: int, ordinal: Callable[[str], int]) -> "Reading":
        self.today, self.ordinal = today, ordinal
        return self

    def words(self, text: str | None) -> str | None:
        try:
            return self._words[text]
        except KeyError:
            made = self._words[text] = render(text, self.today, self.ordinal)
            return made

    def count(self, spec: str | None) -> int | None:
        try:
            return self._counts[spec]
        except KeyError:
            made = self._counts[spec] = thaw(spec, self.today, self.ordinal)
            return made


def findings(result: LightResult) -> str:
    """An assignment's findings as stored, for ``show``: JSON [[kind, light code or null, text], ...], each
    text's count frozen like the reason's (:func:`render` puts it back)."""
    return json.dumps([[f.kind, f.light.code if f.light else None, f.text] for f in result.findings],
                      ensure_ascii=False)


def kinds(result: LightResult) -> str:
    """The kinds of its findings as stored (:meth:`duban.models.LightResult.kinds_found`): sorted,
    comma-separated (the statistics ask for behind, unsigned…; the exported 台账 for overdue, due_today)."""
    return ",".join(sorted(result.kinds_found()))


def worst_kind(result: LightResult) -> str | None:
    """The kind of the finding the light (and its reason) comes from."""
    worst = None
    for f in result.findings:
        if f.light is not None and (worst is None or f.light.severity > worst.light.severity):
            worst = f
    return worst.kind if worst else None


# -- building ------------------------------------------------------------------------------------------


class ReadSettings(Mapping):
    """The settings, noting each key the rules read (``read``): a setting no schedule read cannot change
    one (the rules are functions of their arguments). Listing or copying them counts as reading all."""

    def __init__(self, values: Mapping[str, Any]):
        self.values, self.read = values, set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self.values[key]

    def __iter__(self):
        self.read.update(self.values)
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)



def _segments(days: Iterable[dt.date], first: dt.date, last: dt.date,
              answer: Callable[[dt.date], tuple]) -> list[tuple[str, str, tuple]]:
    """The answer on each stretch between change days, equal neighbours merged, from ``first`` on.
    The last stretch runs on for ever (its end is not read past ``last``, the table's end)."""
    starts = sorted({d for d in days if first < d <= last} | {first})
    out: list[list] = []
    for day in starts:
        value = answer(day)
        if out and out[-1][2] == value:
            continue
        if out:
            out[-1][1] = day.isoformat()
        out.append([day.isoformat(), FOREVER, value])
    return [tuple(s) for s in out]


def item_rows(item: Item, children: Sequence[Item] | None, reminded: Mapping[int, Sequence[tuple[dt.date, int]]],
              cal: WorkCalendar, settings: Mapping[str, Any], first: dt.date, last: dt.date,
              seen: set[dt.date] | None = None) -> list[tuple]:
    """The schedule rows of one item: its own light (unit_id None), then each open assignment's.

    Row: (item_id, unit_id, from_date, until_date, light, code, level, reason, workdays_left,
    overdue_workdays, late_workdays, feedback_late_workdays, status_text, level_reason, chase_reason,
    missed, pressure, kinds, findings, feedback_due); status_text, chase_reason and missed only on stretches
    with an escalation level (the words of the 逾期清单 and of ``remind``: :func:`duban.chase.status_text`,
    :func:`duban.chase.reason_text`), pressure the level lateness alone gives (:func:`duban.chase.pressure`, for
    ``remind``), kinds those of the findings (:func:`kinds`, for the statistics), findings and feedback_due
    only on an assignment's rows (:func:`findings`, for ``show``). ``reminded``:
    each unit's 催办 (day, level), all of them; ``children``: the sub-items at work of a split item (None:
    not split). ``seen``: where given, every change day of the item is added to it (its latest is the
    item's *horizon*: a calendar entry after it cannot change these rows, see :func:`horizon`).
    """
    def unanswered(a, day: dt.date) -> int:
        return sum(1 for at, level in reminded.get(a.unit_id, ()) if level >= 1 and at <= day
                   and (a.last_feedback is None or at > a.last_feedback))

    def chased_at(a) -> tuple[dt.date, ...]:
        return tuple(at for at, _ in reminded.get(a.unit_id, ()) if a.last_feedback is None or at > a.last_feedback)

    rows: list[tuple] = []
    starts: set[dt.date] = set()  # the days some open assignment's answer changes
    known: dict[tuple[int, int, dt.date], LightResult] = {}  # each assignment's light on the days evaluated
    for a in item.assignments:
        if a.status is not Status.OPEN:
            continue
        days = rules.change_dates(a, item, cal, settings, chased_at(a))

        def answer(day: dt.date, a=a) -> tuple:
            result = known[item.id, a.unit_id, day] = rules.assignment_light(a, item, day, TracingCalendar(cal, day),
                                                                               settings)
            count = unanswered(a, day)
            level = rules.escalation(result, count, settings)
            code = result.light.code if result.light else None
            said = chased = missed = None
            if level.level is not None:  # the words of the 逾期清单 and of 催办 (read only where a level is)
                standing = chase.Standing(item, a, None, result, level, chase.Chased(unanswered=count))  # type: ignore[arg-type]
                said, chased, missed = chase.status_text(standing), chase.reason_text(standing), standing.missed(day)
            return (code, worst_kind(result), level.level, result.reason, frozen(result.workdays_left),
                    frozen(result.overdue_workdays), frozen(result.late_workdays),
                    frozen(result.feedback_late_workdays), said, level.reason, chased,
                    missed.isoformat() if missed else None, chase.pressure(result, settings), kinds(result),
                    findings(result), result.feedback_due.isoformat() if result.feedback_due else None)

        if seen is not None:
            seen |= days
        for start, until, value in _segments(days, first, last, answer):
            rows.append((item.id, a.unit_id, start, until, *value))
            starts.add(dt.date.fromisoformat(start))
    if children is not None:  # a split item: its sub-items' days too (their answers are not at hand)
        for child in children:
            for a in child.assignments:
                starts |= rules.change_dates(a, child, cal, settings)
        if seen is not None:
            seen |= starts

    def item_answer(day: dt.date) -> tuple:
        result = item_result(item, children, day, TracingCalendar(cal, day), settings, known=known)
        return (result.light.code if result.light else None, worst_kind(result), None, result.reason,
                frozen(result.workdays_left), frozen(result.overdue_workdays), frozen(result.late_workdays),
                frozen(result.feedback_late_workdays), None, None, None, None, None, kinds(result), None, None)

    # the item's light is the worst of its assignments' (item_result): it changes only where one of theirs does
    rows[:0] = [(item.id, None, start, until, *value) for start, until, value in _segments(starts, first, last,
                                                                                          item_answer)]
    return rows


def horizon(seen: set[dt.date]) -> str:
    """The last day an item's schedule looked at: its latest change day ("0001-01-01" if none).

    A calendar entry for a later day cannot change the item's rows. Every change day is a date the
    item holds (deadline, 交办, 签收, feedback, 催办, milestone) or one counted from such a date by working
    days (:func:`duban.rules.change_dates`); a count from an earlier date that ends before the entered
    day never passes it, so the change days, and the answers on them (every count in them runs
    between such days, or up to the day read: thawed on reading), are the same under the new calendar.
    And after the last change day the answer stands, counts aside, as it did."""
    return max(seen).isoformat() if seen else "0001-01-01"


def unscheduled_row(item_id: int) -> tuple:
    """The one row of an item whose schedule needs a date outside the workdays table: lit in Python."""
    return (item_id, None, "0001-01-01", FOREVER, None, UNSCHEDULED, None, "", None, None, None, None,
            None, None, None, None, None, None, None, None)


@lru_cache(maxsize=1 << 16)
def _text_anchors(text: str) -> frozenset[str]:
    return frozenset(anchors(text))


def row_anchors(row: tuple) -> set[str]:
    """The dates a stored row counts from (a ledger repeats the same words: each text looked at once)."""
    found: set[str] = set()
    for text in (*row[7:15], row[18]):
        if text is not None:
            found |= _text_anchors(text)
    return found
