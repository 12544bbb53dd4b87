"""汇总: the same reports over several ledger files at once (seeds/003 L1059 「延伸覆盖至县乡…让数据
“多跑路”」; L603 州县两级5万余项): each county keeps its own ledger, the city reads them together
without asking anyone to report again.

Every ledger is opened read-only (:mod:`duban.readonly`), one at a time, and judged by its own
settings and calendar; each row carries its ledger's ``office_name`` (JSON ``ledger``), so two
counties' 住建局 stay two units. 全部 adds the counts of every ledger (each item once: an item
lives in one ledger) and computes its rates from the sums.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import reports, scoring
from .errors import UsageError
from .readonly import open_readonly
from .screen import merge_into

if TYPE_CHECKING:
    from .ledger import Ledger
    from .screen import Screen

T = TypeVar("T")


@dataclass(frozen=True)
class Book:
    """One ledger of the roll-up: its file and the name its rows carry."""

    path: Path
    name: str


def books(paths: Sequence[str | os.PathLike], today: dt.date) -> list[Book]:
    """Name each ledger by its office_name (and its file name where two offices share a name)."""
    if not paths:
        raise UsageError("请至少给出一个台账文件")
    seen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"台账 {raw} 重复给出")
        seen[key] = path
    found = []
    for path in seen.values():
        led = open_readonly(path, today)
        try:
            found.append((path, led.settings["office_name"]))
        finally:
            led.db.close()
    counts: dict[str, int] = {}
    for _, name in found:
        counts[name] = counts.get(name, 0) + 1
    return [Book(path, name if counts[name] == 1 else f"{name}（{path.name}）") for path, name in found]


def each(books_: Sequence[Book], today: dt.date, work: Callable[["Ledger", Book], T]) -> Iterator[T]:
    """``work`` on each ledger in turn, opened read-only and closed again."""
    for book in books_:
        led = open_readonly(book.path, today)
        try:
            yield work(led, book)
        finally:
            led.db.close()


def stats(books_: Sequence[Book], today: dt.date, start: dt.date | None, end: dt.date | None,
          by: str | None) -> list[dict[str, Any]]:
    """``report stats`` over the ledgers: rows per ledger and group (``by`` unit | source), one per
    ledger (``by`` ledger), or none; then 全部."""
    whole = reports.GroupStats(reports.ALL)
    rows: list[dict[str, Any]] = []

    def one(led: "Ledger", book: Book) -> None:
        period = reports.span(start, end, led.today)
        groups = reports.stats(led, period, None if by == "ledger" else by)
        mine = groups.pop()
        merge_into(whole, mine)
        if by == "ledger":
            mine.group = book.name
            rows.append({"ledger": book.name, **mine.record()})
        else:
            rows.extend({"ledger": book.name, **g.record()} for g in groups)

    for _ in each(books_, today, one):
        pass
    return [*rows, {"ledger": reports.ALL, **whole.record()}]


def ranking(books_: Sequence[Book], today: dt.date, quarter: str | None) -> list[dict[str, Any]]:
    """Each ledger's 计公分 ranking, under its own scheme: the ranks are within the ledger."""
    rows: list[dict[str, Any]] = []

    def one(led: "Ledger", book: Book) -> None:
        period = reports.quarter(quarter, led.today)
        rows.extend({"ledger": book.name, "quarter": period.label, **s.record()}
                    for s in scoring.ranking(led, period))

    for _ in each(books_, today, one):
        pass
    return rows


def overdue(books_: Sequence[Book], today: dt.date) -> list[dict[str, Any]]:
    """The 逾期清单 of every ledger, ledger by ledger, each in its own order."""
    from . import chase
    from .render_daily import overdue_record

    rows: list[dict[str, Any]] = []

    def one(led: "Ledger", book: Book) -> None:
        rows.extend({"ledger": book.name, **overdue_record(s, led.today)}
                    for s in chase.overdue(led.standings(overdue_only=True)))

    for _ in each(books_, today, one):
        pass
    return rows


def screen(books_: Sequence[Book], today: dt.date, by_ledger: bool = False) -> "Screen":
    """The wall screen over the ledgers; ``by_ledger``: one row per ledger instead of one per unit."""
    from . import screen as screen_mod

    screens = list(each(books_, today, lambda led, book: screen_mod.gather(led, book.name)))
    for s, book in zip(screens, books_):
        s.office = book.name
    merged = screen_mod.combine(screens, f"{len(screens)}本台账汇总")
    if by_ledger:
        merged.units = [_ledger_row(s) for s in screens]
    return merged


def _ledger_row(s: "Screen"):
    from collections import Counter

    from .screen import UnitRow

    o = s.overall
    return UnitRow(s.office, None, Counter(s.lights), o.total, o.closed, o.progress_rate, o.completion_rate)
