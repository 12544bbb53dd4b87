"""What every command shares: the global state, the error boundary, date parsing.

The error boundary (:func:`guarded`) is the only place that turns a domain error into
output: one Chinese line on stderr and the error's exit code (CLI.md). Warnings the
ledger collected (an uncovered holiday year, a deadline on a holiday) go to stderr too.
"""

from __future__ import annotations

import datetime as dt
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

from ..errors import DubanError, UsageError

if TYPE_CHECKING:
    from ..ledger import Ledger

F = TypeVar("F", bound=Callable[..., Any])

_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A date typed by a person: 2026-11-30, 2026/11/30, 2026.11.30 or 2026年11月30日."""
    if text is None:
        return None
    value = text.strip()
    for form in _DATE_FORMS:
        match = form.match(value)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise UsageError(f"{option} 的日期“{text}”无效，应为 YYYY-MM-DD，如 2026-11-30")


# The filters `list` and `export` share (one definition, so their help cannot drift apart).
LIGHT_OPTION = typer.Option(None, "--light", help="按亮灯筛选：red|yellow|green|blue|none（或 红/黄/绿/蓝）")
UNIT_OPTION = typer.Option(None, "--unit", help="按责任单位筛选（牵头或配合）")
SOURCE_OPTION = typer.Option(None, "--source", help="按立项依据筛选")
STATUS_OPTION = typer.Option(None, "--status", help="按状态筛选：pending|open|paused|done|closed|cancelled（或中文）")
DUE_BEFORE_OPTION = typer.Option(None, "--due-before", help="办理时限早于该日期")
ALL_OPTION = typer.Option(False, "--all", help="包括已销号和已撤销的事项")


def list_filter(light: str | None, unit: str | None, source: str | None, status: str | None,
                due_before: str | None, include_all: bool):
    """The ``list`` filters (shared by ``list`` and ``export``) from the options' text."""
    from ..ledger import ListFilter
    from ..models import Light, Source, Status

    no_light = light is not None and light.strip().lower() in ("none", "grey", "gray", "灰", "无")
    return ListFilter(
        light=None if light is None or no_light else Light.parse(light, "--light"),
        no_light=no_light,
        unit=unit,
        source=Source.parse(source, "--source") if source else None,
        status=Status.parse(status, "--status") if status else None,
        due_before=parse_date(due_before, "--due-before"),
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
            self.ledger = Ledger.open(self.db_path, today=self.today, create=create)
        return self.ledger


_current: State | None = None


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


def _flush_warnings() -> None:
    led = _current.ledger if _current is not None else None
    if led is not None:
        estimated = led.estimated_notice()  # one line naming the estimated years and the remedy
        if estimated and not any("日历尚未收录" in w for w in led.warnings):
            led.warnings.append(estimated)
        for warning in led.warnings:
            sys.stderr.write(warning + "\n")
        led.warnings.clear()


def guarded(fn: F) -> F:
    """Run a command inside the error boundary."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except DubanError as exc:
            fail(exc.message, exc.exit_code)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail("台账正被其他程序长时间占用，请稍后重试（本次未写入任何内容）")
            fail(f"台账数据库出错：{exc}（本次未写入任何内容）")
        except sqlite3.DatabaseError as exc:
            fail(f"台账文件已损坏或不是有效的台账：{exc}")
        except OSError as exc:
            fail(f"文件读写失败：{exc.strerror or exc}（{getattr(exc, 'filename', '') or ''}）")
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, keep the trace for whoever reports it
            if os.environ.get("DUBAN_DEBUG"):
                traceback.print_exc()
            fail(f"内部错误（{type(exc).__name__}: {exc}）。请用 duban log 核对该事项的最近记录，"
                 "并设置 DUBAN_DEBUG=1 重试后报告此问题")
        _flush_warnings()
        return result

    return wrapper  # type: ignore[return-value]
