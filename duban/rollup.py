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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import reports, scoring
from .errors import LedgerError, UsageError
from .readonly import open_readonly
from .screen import merge_into

if TYPE_CHECKING:
    from .ledger import Ledger
    from .screen import Screen

T = TypeVar("T")

#: From this many ledgers on, they are read by worker processes, one per core (a city's 100 counties).
PARALLEL_FROM = 8


@dataclass(frozen=True)
class Read(Generic[T]):
    """What was read from one ledger: its file, the name its rows carry, and the result."""

    path: Path
    name: str
    value: T


def check_paths(paths: Sequence[str | os.PathLike]) -> list[Path]:
    if not paths:
        raise UsageError("请至少给出一个台账文件")
    seen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"台账 {raw} 重复给出")
        if not path.exists():
            raise LedgerError(f"台账文件不存在：{path}")
        seen[key] = path
    return list(seen.values())


def _job(job: tuple[Path, dt.date, Callable[..., T], tuple]) -> tuple[Path, str, T]:
    path, today, work, args = job
    led = open_readonly(path, today)
    try:
        return path, led.settings["office_name"], work(led, *args)
    finally:
        led.db.close()


def read_all(paths: Sequence[str | os.PathLike], today: dt.date, work: Callable[..., T], *args: Any) -> list[Read[T]]:
    """``work(ledger, *args)`` on each ledger, opened read-only and closed again, in the order given.

    Each ledger is named by its office_name, and by its file name too where two share one.
    """
    jobs = [(path, today, work, args) for path in check_paths(paths)]
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) >= PARALLEL_FROM and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        from . import migrations  # noqa: F401 - imported once here, not in every worker (open_readonly needs it)

        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_job, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    else:
        done = [_job(job) for job in jobs]
    counts = Counter(name for _, name, _ in done)
    return [Read(path, name if counts[name] == 1 else f"{name}（{path.name}）", value) for path, name, value in done]


def _stats(led: "Ledger", start: dt.date | None, end: dt.date | None, by: str | None) -> list[reports.GroupStats]:
    return reports.stats(led, reports.span(start, end, led.today), by)


def stats(paths: Sequence[str | os.PathLike], today: dt.date, start: dt.date | None, end: dt.date | None,
          by: str | None) -> list[dict[str, Any]]:
    """``report stats`` over the ledgers: rows per ledger and group (``by`` unit | source), one per
    ledger (``by`` ledger), or none; then 全部."""
    whole = reports.GroupStats(reports.ALL)
    rows: list[dict[str, Any]] = []
    for read in read_all(paths, today, _stats, start, end, None if by == "ledger" else by):
        *groups, mine = read.value
        merge_into(whole, mine)
        if by == "ledger":
            mine.group = read.name
            rows.append({"ledger": read.name, **mine.record()})
        else:
            rows.extend({"ledger": read.name, **g.record()} for g in groups)
    return [*rows, {"ledger": reports.ALL, **whole.record()}]


def _ranking(led: "Ledger", quarter: str | None) -> list[dict[str, Any]]:
    period = reports.quarter(quarter, led.today)
    return [{"quarter": period.label, **s.record()} for s in scoring.ranking(led, period)]


def ranking(paths: Sequence[str | os.PathLike], today: dt.date, quarter: str | None) -> list[dict[str, Any]]:
    """Each ledger's 计公分 ranking, under its own scheme: the ranks are within the ledger."""
    return [{"ledger": read.name, **r} for read in read_all(paths, today, _ranking, quarter) for r in read.value]


def _overdue(led: "Ledger") -> list[dict[str, Any]]:
    from . import chase
    from .render_daily import overdue_record

    return [overdue_record(s, led.today) for s in chase.overdue(led.standings(overdue_only=True))]


def overdue(paths: Sequence[str | os.PathLike], today: dt.date) -> list[dict[str, Any]]:
    """The 逾期清单 of every ledger, ledger by ledger, each in its own order."""
    return [{"ledger": read.name, **r} for read in read_all(paths, today, _overdue) for r in read.value]


def _screen(led: "Ledger") -> "Screen":
    from . import screen as screen_mod

    return screen_mod.gather(led)


def screen(paths: Sequence[str | os.PathLike], today: dt.date, by_ledger: bool = False) -> "Screen":
    """The wall screen over the ledgers; ``by_ledger``: one row per ledger instead of one per unit."""
    from . import screen as screen_mod

    screens = []
    for read in read_all(paths, today, _screen):
        s = read.value
        s.office = read.name
        for row in s.units:
            row.ledger = read.name
        for row in s.lit:
            row.ledger = read.name
        for board in (*s.red_board, *s.black_board):
            board.ledger = read.name
        screens.append(s)
    merged = screen_mod.combine(screens, f"{len(screens)}本台账汇总")
    if by_ledger:
        merged.units = [_ledger_row(s) for s in screens]
        merged.by_ledger = True
    return merged


def _ledger_row(s: "Screen"):
    from .screen import UnitRow

    o = s.overall
    return UnitRow(s.office, None, Counter(s.lights), o.total, o.closed, o.progress_rate, o.completion_rate)
