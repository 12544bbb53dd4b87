"""What every command shares: the global state, the error boundary, date parsing.

The error boundary (:func:`guarded`) is the only place that turns a domain error into
output: one Chinese line on stderr and the error's exit code (CLI.md). Warnings the
ledger collected (an uncovered holiday year, a deadline on a holiday) go to stderr too.
"""

from __future__ import annotations

import datetime as dt
import contextlib
import functools
import re
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import traceback
import os

import typer

from ..errors import DubanError, InvalidInput, UsageError

if TYPE_CHECKING:
    from ..ledger import Ledger

F = TypeVar("F", bound=Callable[..., Any])

DATE_HINT = "应为日期，如 2026-11-30、2026年11月30日、12月底前、年底前、上半年"


def _year() -> int:
    """The year a date written without one belongs to: that of the ledger's “today”."""
    if _current is not None and _current.today is not None:
        return _current.today.year
    from ..clock import today

    return today().year


def _date_error(option: str, text: str, problem: str | None = None) -> UsageError:
    """“--due 的取值“2026-13-01”不是存在的日期”: the option, the value, what is wrong with it."""
    rest = problem.removeprefix(f"“{text}”") if problem else ""
    if not problem or rest == problem:
        return UsageError(f"{option} 的取值“{text}”无法识别，{DATE_HINT}")
    return UsageError(f"{option} 的取值“{text}”{rest.removeprefix('的')}")


def _read(text: str, option: str, reader: Callable[[str, int], Any]) -> Any:
    """``reader`` (one of :mod:`duban.xlsx_dates`) on the typed text, its problems as usage errors."""
    from ..xlsx_dates import DateProblem

    value = text.strip()
    try:
        found = reader(value, _year()) if value else None
    except DateProblem as exc:
        raise _date_error(option, value, exc.message) from None
    if found is None:
        raise _date_error(option, value)
    return found


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A day typed by a person: 2026-11-30, 2026/11/30, 2026.11.30, 2026年11月30日 or 11月30日 (this year)."""
    from ..xlsx_dates import parse_day

    return None if text is None else _read(text, option, parse_day)


@dataclass(frozen=True)
class Due:
    """A deadline as typed: a day, or 长期 (a long-term item: no deadline)."""

    day: dt.date | None
    long_term: bool = False


def parse_due(text: str | None, option: str, long_term: bool = False) -> Due | None:
    """A deadline as people write it, read by the import's parser (:func:`duban.xlsx_dates.parse_due`).

    Days (2026年12月31日), periods (12月底前, 年底前, 上半年, 三季度末: their last day) and,
    where ``long_term`` allows it, 长期 / 持续推进 (no deadline).
    """
    from ..xlsx_dates import parse_due as read_due

    if text is None:
        return None
    cell = _read(text, option, read_due)
    if cell.long_term and not long_term:
        raise _date_error(option, text.strip())
    return Due(cell.due, cell.long_term)


def parse_deadline(text: str | None, option: str) -> dt.date | None:
    """A date option that may be a period's end (12月底前, 年底前, 上半年), never 长期."""
    due = parse_due(text, option)
    return due.day if due else None


def _number(text: str | None, option: str, low: int, high: int, what: str, suffixes: tuple[str, ...]) -> int | None:
    if text is None:
        return None
    import unicodedata

    value = unicodedata.normalize("NFKC", text).strip()
    for suffix in suffixes:
        value = value.removesuffix(suffix).strip()
    hint = f"应为 {low} 到 {high} 之间的整数{what}"
    if not re.fullmatch(r"[+-]?\d+", value):
        raise UsageError(f"{option} 的取值“{text}”无法识别，{hint}")
    number = int(value)
    if not low <= number <= high:
        raise UsageError(f"{option} 的取值“{text}”超出范围，{hint}")
    return number


def parse_percent(text: str | None, option: str = "--percent") -> int | None:
    """完成百分比: 60, 60% or 60％ → 60; 0 to 100."""
    return _number(text, option, 0, 100, "（可带 %）", ("%",))


def parse_within(text: str | None, option: str = "--within") -> int | None:
    """N个工作日: 10, 10个工作日 or 10工作日 → 10; 1 to the ledger's limit."""
    from ..ledger import MAX_WITHIN

    return _number(text, option, 1, MAX_WITHIN, "（工作日数）", ("个工作日", "工作日"))


# The filters `list` and `export` share (one definition, so their help cannot drift apart).
LIGHT_OPTION = typer.Option(None, "--light", help="按亮灯筛选：红灯|黄灯|蓝灯|绿灯|不亮灯（或 red/yellow/blue/green/none）")
UNIT_OPTION = typer.Option(None, "--unit", help="按责任单位筛选（牵头或配合）")
SOURCE_OPTION = typer.Option(None, "--source", help="按立项依据筛选")
STATUS_OPTION = typer.Option(None, "--status", help="按状态筛选：pending|open|paused|done|closed|cancelled|merged（或中文）")
DUE_BEFORE_OPTION = typer.Option(None, "--due-before", help="办理时限早于该日期（可写 12月底前、年底前 等）")
NO_LIGHT_WORDS = ("none", "grey", "gray", "灰", "灰灯", "无", "不亮灯", "无灯")
ALL_OPTION = typer.Option(False, "--all", help="包括已销号和已撤销的事项")


def list_filter(light: str | None, unit: str | None, source: str | None, status: str | None,
                due_before: str | None, include_all: bool):
    """The ``list`` filters (shared by ``list`` and ``export``) from the options' text."""
    from ..ledger import ListFilter
    from ..models import Light, Source, Status

    no_light = light is not None and light.strip().lower() in NO_LIGHT_WORDS
    if light is not None and not no_light:
        try:
            Light.parse(light, "--light")
        except UsageError:
            labels = "、".join([m.label for m in Light] + ["不亮灯"])
            raise UsageError(f"--light 的取值“{light}”无法识别，可选：{labels}") from None
    return ListFilter(
        light=None if light is None or no_light else Light.parse(light, "--light"),
        no_light=no_light,
        unit=unit,
        source=Source.parse(source, "--source") if source else None,
        status=Status.parse(status, "--status") if status else None,
        due_before=parse_deadline(due_before, "--due-before"),
        include_finished=include_all,
    )


@dataclass
class State:
    db_path: Path
    today: dt.date | None
    ledger: "Ledger | None" = field(default=None)

    def open(self, create: bool = False) -> "Ledger":
        from ..ledger import Ledger

        if self.ledger is None:
            Ledger.building_notice = staticmethod(_say_building)  # type: ignore[assignment]
            self.ledger = Ledger.open(self.db_path, today=self.today, create=create)
            self.ledger.command_name = _command_path()
        return self.ledger


_current: State | None = None


def _say_building(count: int) -> None:
    """Before a long build of schedules (after an import, a setting or a new version): what the wait is."""
    sys.stderr.write(f"正在为 {count} 项事项建立亮灯日程（导入、改设置或升级后一次性的工作），请稍候……\n")
    sys.stderr.flush()


def _command_path() -> str | None:
    """The command being run, as typed after ``duban`` (``feedback``, ``report weekly``), for ``duban undo``."""
    from typer._click.globals import get_current_context  # typer's own click, already imported

    ctx = get_current_context(silent=True)
    if ctx is None:
        return None
    words = ctx.command_path.split()
    return " ".join(words[1:]) or None


def set_state(value: State) -> None:
    """Called by the root callback at the start of every invocation."""
    global _current
    _current = value


def state() -> State:
    if _current is None:  # pragma: no cover - the root callback always runs first
        raise RuntimeError("duban state not initialised")
    return _current


def ledger(create: bool = False) -> "Ledger":
    return state().open(create=create)


def fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"错误：{message}\n")
    raise typer.Exit(code)


def note_past_milestones(led: Any, days: list[dt.date]) -> None:
    """A 节点 dated before today is taken (补录) but said: unless it is marked done, the item is red at once."""
    for day in sorted(set(d for d in days if d < led.today)):
        led.warnings.append(f"注意：节点日期 {day.isoformat()} 早于今天 {led.today.isoformat()}，该节点已过期；"
                            "如已完成请用 duban milestone done 标记，否则事项亮红灯")


def _flush_warnings() -> None:
    led = _current.ledger if _current is not None else None
    if led is not None:
        estimated = led.estimated_notice()  # one line naming the estimated years and the remedy
        if estimated and not any("日历尚未收录" in w for w in led.warnings):
            led.warnings.append(estimated)
        for warning in led.warnings:
            sys.stderr.write(warning + "\n")
        led.warnings.clear()


def _bad_argument(values: Any) -> str | None:
    """An argument that is not valid text (bytes that are not UTF-8 arrive as lone surrogates)."""
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        for v in items:
            text = str(v) if isinstance(v, (str, Path)) else None
            if text is not None:
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


def sqlite_error_text(exc: sqlite3.Error) -> str:
    """The real cause of a database error in words (disk full, read-only, locked, damaged)."""
    from ..errors import sqlite_error_text as text

    if "disk i/o" in str(exc).lower() and _disk_full():  # SQLite reports some full-disk writes so
        return text(sqlite3.OperationalError("database or disk is full"))
    return text(exc)


def _disk_full() -> bool:
    """Whether the ledger's file system has (almost) no room left: SQLite reports some full-disk
    writes as a plain I/O error."""
    path = _current.db_path if _current is not None else Path("duban.db")
    try:
        st = os.statvfs(path.absolute().parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


# Parameters that name a unit, whatever the command: an empty name is refused (`create --lead ""`
# would otherwise make an unassigned item, `escalate --unit ""` escalate against nobody).
UNIT_PARAMETERS = {"lead": "--lead", "co": "--co", "unit": "--unit", "parent": "--parent", "alias": "--alias"}


def _empty_unit(kwargs: dict[str, Any]) -> str | None:
    for key, label in UNIT_PARAMETERS.items():
        value = kwargs.get(key)
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, str) and not v.strip():
                return label
    return None


def _close() -> None:
    """Close the command's ledger, as the end of a process would (in-process runs: tests, scripts),
    so that its WAL is checkpointed now rather than whenever the object is collected."""
    led = _current.ledger if _current is not None else None
    if led is not None:
        _current.ledger = None
        with contextlib.suppress(Exception):
            led.db.close()


def _run(fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
    bad = _bad_argument([*args, *kwargs.values()])
    if bad is not None:
        fail(f"参数“{bad}”不是有效的 UTF-8 文本（请检查终端或脚本的编码）", 2)
    empty = _empty_unit(kwargs)
    if empty is not None:
        fail(f"{empty} 的单位名称不能为空", 2)
    try:
        result = fn(*args, **kwargs)
    except DubanError as exc:
        fail(exc.message, exc.exit_code)
    except sqlite3.Error as exc:
        fail(sqlite_error_text(exc))
    except OSError as exc:
        from ..files import os_error_text

        fail(os_error_text(exc))
    except OverflowError:
        fail("日期或数值超出可处理的范围（日期应在 2000-01-01 至 2099-12-31 之间）")
    except UnicodeError as exc:
        fail(f"文本编码无效：{exc.reason}（请使用 UTF-8）")
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say so plainly, keep the trace for whoever reports it
        if os.environ.get("DUBAN_DEBUG"):
            traceback.print_exc()
        fail(f"内部错误（{type(exc).__name__}: {exc}）。请用 duban log 核对该事项的最近记录，"
             "并设置 DUBAN_DEBUG=1 重试后报告此问题")
    _flush_warnings()
    return result


def guarded(fn: F) -> F:
    """Run a command inside the error boundary."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _run(fn, args, kwargs)
        finally:
            _close()

    return wrapper  # type: ignore[return-value]
