"""What the ledger's modules share: SQL fragments, limits, the assignment row and date helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from . import clock
from .errors import InvalidInput
from .models import (
    Assignment,
    ItemClass,
    Light,
    Source,
    Status,
)


# The level of a `reminded` event; one recorded without a level (by hand) counts as a 催办.
CHASE_LEVEL_SQL = "COALESCE(json_extract(data, '$.level'), 1)"
# Items with an open deadline, or an open lead's milestone, before the date given twice: the only ones
# that can be red. Served by the indexes on assignments(status, due) and milestones(done_on, due).
# One IN over a UNION (not two ORed INs) so that SQLite fetches the items by rowid.
PAST_DUE_SQL = ("i.id IN (SELECT item_id FROM assignments WHERE status = 'open' AND due < ?"
                " UNION SELECT m.item_id FROM milestones m JOIN assignments a"
                " ON a.item_id = m.item_id AND a.role = 'lead' AND a.status = 'open'"
                " WHERE m.done_on IS NULL AND m.due < ?)")
YEARS = range(clock.FIRST_YEAR, clock.LAST_YEAR + 1)  # deadlines outside these years are typing mistakes
# A calendar_days row no command writes: not a real date, outside YEARS, or workday not 0/1.
BAD_CALENDAR_DAY = (f"date(day) IS NOT day OR workday NOT IN (0, 1) OR day < '{clock.FIRST_YEAR}-01-01'"
                    f" OR day > '{clock.LAST_YEAR}-12-31'")
MAX_WITHIN = 1000
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Deadline:
    """A resolved deadline: the date, how it was obtained, and the N it came from."""

    due: dt.date | None
    basis: str = "given"
    within: int | None = None


@dataclass(frozen=True)
class ListFilter:
    light: Light | None = None
    no_light: bool = False
    unit: str | None = None
    source: Source | None = None
    status: Status | None = None
    due_before: dt.date | None = None
    include_finished: bool = False
    grep: str | None = None  # words anywhere in the title, 文号, leader, content, units or milestones
    leader: str | None = None
    ref: str | None = None  # 文号, brackets and blanks ignored
    klass: ItemClass | None = None
    sort: str | None = None  # light | due | id (ledger_clerk.ordered); None: by id


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# One assignment row: the column list and the values, shared by every write of the projection.
_ASSIGNMENT_COLUMNS = ("item_id unit_id role status assigned_on due due_basis person signed_on last_feedback percent"
                       " closed_on result extensions original_due restarted_on within progress_since").split()
INSERT_ASSIGNMENT = (f"INSERT INTO assignments ({', '.join(_ASSIGNMENT_COLUMNS)})"
                     f" VALUES ({', '.join('?' * len(_ASSIGNMENT_COLUMNS))})")
UPSERT_ASSIGNMENT = (INSERT_ASSIGNMENT + " ON CONFLICT(item_id, unit_id) DO UPDATE SET "
                     + ", ".join(f"{c} = excluded.{c}" for c in _ASSIGNMENT_COLUMNS[2:]))


def assignment_row(item_id: int, a: Assignment) -> list:
    return [item_id, a.unit_id, a.role.code, a.status.code, _iso(a.assigned_on), _iso(a.due), a.due_basis, a.person,
            _iso(a.signed_on), _iso(a.last_feedback), a.percent, _iso(a.closed_on), a.result, a.extensions,
            _iso(a.original_due), _iso(a.restarted_on), a.within, _iso(a.progress_since)]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


ITEM_PRESETS = ("11350",)  # presets that make sense for one item (seeds/003:L453–455: principal leaders' 交办)


def _item_preset(name: str | None) -> None:
    if name is not None and name not in ITEM_PRESETS:
        raise InvalidInput(f"--preset 只能是 {'、'.join(ITEM_PRESETS)}（对单个事项生效），收到“{name}”；"
                           "整本台账的规则用 duban rules preset 设置")


def _check_not_before(due: dt.date | None, day: dt.date, what: str) -> None:
    if due is not None and due < day:
        raise InvalidInput(f"{what} {due.isoformat()} 早于今天 {day.isoformat()}")


def _date_reader() -> Callable[[str | None], dt.date | None]:
    """``_date`` that parses each distinct text once: a bulk load repeats a few hundred dates."""
    seen: dict[str, dt.date] = {}
    parse = dt.date.fromisoformat

    def read(value: str | None) -> dt.date | None:
        if not value:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = parse(value)
        return found

    return read
