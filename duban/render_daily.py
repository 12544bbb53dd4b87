"""Output of the daily job: the 逾期清单 and the 催办 list, as records, tables and Markdown.

Records keep the keys CLI.md fixes for ``overdue --format json`` (id, title, unit, role,
due, overdue_workdays, level, last_reminded, last_feedback) and add the unit's contact.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from itertools import groupby
from typing import TYPE_CHECKING, Any

from . import render
from .safe_text import md_text
from .models import LEVEL_LABELS, Channel, Event

if TYPE_CHECKING:  # pragma: no cover - duban.chase loads only when a record is made, Rich when a table is drawn
    from rich.console import Group
    from .render_fit import Fitted

    from .chase import Reminder, Standing


class DailyFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _level_text(level: int | None, label: str | None) -> str:
    return "—" if level is None else f"{level} {label}"


def overdue_record(s: Standing, today: dt.date) -> dict[str, Any]:
    from .chase import role_label, status_text

    item, a, chased = s.item, s.assignment, s.chased
    lead = item.lead
    return {
        "id": item.id,
        "title": item.title,
        "unit": s.unit.name,
        "role": a.role.code,
        "role_label": role_label(a),
        "due": _iso(a.due),
        "missed": _iso(s.missed(today)),
        "overdue_workdays": s.late_workdays,
        "status_text": status_text(s),
        "level": s.escalation.level,
        "level_label": s.escalation.label,
        "level_reason": s.escalation.reason,
        "reminders": chased.unanswered,
        "last_reminded": _iso(chased.last_at),
        "last_reminded_level": chased.last_level,
        "last_feedback": _iso(a.last_feedback),
        "percent": a.percent,
        "contact": s.unit.contact,
        "phone": s.unit.phone,
        "lead_unit": lead.unit if lead else None,
        "source": item.source.code,
        "source_label": item.source.label,
        "class": item.klass.code,
        "light_reason": s.light.reason,
    }


OVERDUE_KEYS = tuple(
    "id title unit role role_label due missed overdue_workdays status_text level level_label level_reason reminders"
    " last_reminded last_reminded_level last_feedback percent contact phone lead_unit source source_label class"
    " light_reason".split()
)


def reminder_record(r: Reminder, channel: str, notice_file: str | None = None) -> dict[str, Any]:
    from .chase import status_text

    s = r.standing
    return {
        "id": s.item.id,
        "title": s.item.title,
        "unit": s.unit.name,
        "role": s.assignment.role.code,
        "due": _iso(s.assignment.due),
        "status_text": status_text(s),
        "level": r.level,
        "level_label": LEVEL_LABELS[r.level],
        "notice": r.notice,
        "doc_ref": r.ref,
        "reason": r.reason,
        "reply_by": r.reply_by.isoformat(),
        "channel": channel,
        "reminders_before": s.chased.unanswered,
        "last_reminded": _iso(s.chased.last_at),
        "contact": s.unit.contact,
        "phone": s.unit.phone,
        "notice_file": notice_file,
    }


REMINDER_KEYS = tuple(
    "id title unit role due status_text level level_label notice doc_ref reason reply_by channel reminders_before"
    " last_reminded contact phone notice_file".split()
)


def reprint_record(e: Event, notice_file: str | None) -> dict[str, Any]:
    """A reminder as recorded on its `reminded` event (``remind --reprint``), with the same keys."""
    d = e.data
    to = d.get("to") or {}
    level = d.get("level", 1)
    return {
        "id": e.item_id, "title": d.get("title"), "unit": to.get("unit", e.unit), "role": d.get("role"),
        "due": d.get("due"), "status_text": d.get("state"), "level": level,
        "level_label": d.get("level_label", LEVEL_LABELS.get(level)), "notice": d.get("notice"),
        "doc_ref": d.get("doc_ref"), "reason": d.get("reason"), "reply_by": d.get("reply_by"),
        "channel": Channel.of(d["channel"]).label if d.get("channel") else None, "reminders_before": None,
        "last_reminded": None, "contact": to.get("contact"), "phone": to.get("phone"), "notice_file": notice_file,
    }


def _contact(record: dict) -> str:
    bits = [b for b in (record.get("contact"), record.get("phone")) if b]
    return f"（联系人：{' '.join(bits)}）" if bits else ""


def _by_unit(records: Sequence[dict]) -> list[tuple[str, list[dict]]]:
    return [(unit, list(rows)) for unit, rows in groupby(records, key=lambda r: r["unit"])]


def overdue_tables(records: Sequence[dict], today: dt.date) -> Group:
    """One table per unit, the unit most behind first."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [Text(f"逾期清单（{today.isoformat()}）：{len(records)}项逾期，涉及{len(_by_unit(records))}个单位",
                             style="bold")]
    from .render import console
    from .render_fit import Col, fitted_table

    # fitted to the terminal (issue #17): 事项 wraps, the least needed columns go first, with a note
    cols = [Col("编号", 0, justify="right"), Col("事项", 1, wrap=True, min_width=12, max_width=34), Col("角色", 5),
            Col("办理时限", 3), Col("逾期", 2), Col("催办等级", 4, wrap=True, min_width=8), Col("最近催办", 7),
            Col("最近反馈", 6)]
    width = console().width
    for unit, rows in _by_unit(records):
        cells = [[str(r["id"]), r["title"], r["role_label"], r["due"] or "—", Text(r["status_text"], style="bold red"),
                  _level_text(r["level"], r["level_label"]), r["last_reminded"] or "未催办", r["last_feedback"] or "无"]
                 for r in rows]
        parts.append(fitted_table(cols, cells, width, title=f"{unit}{_contact(rows[0])}  逾期{len(rows)}项",
                                  title_justify="left"))
    return Group(*parts)


def _md_cell(value: Any) -> str:
    return "—" if value in (None, "") else md_text(value)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def overdue_markdown(records: Sequence[dict], today: dt.date, office: str) -> str:
    groups = _by_unit(records)
    out = [f"# {md_text(office)}逾期清单（{today.isoformat()}）", "",
           f"共{len(records)}项逾期，涉及{len(groups)}个单位。" if records else "今日没有逾期事项。"]
    for unit, rows in groups:
        out += ["", f"## {md_text(unit)}{md_text(_contact(rows[0]))}：逾期{len(rows)}项", ""]
        out.append(markdown_table(
            ("编号", "事项", "角色", "办理时限", "逾期", "催办等级", "最近催办", "最近反馈"),
            ((r["id"], r["title"], r["role_label"], r["due"], r["status_text"],
              _level_text(r["level"], r["level_label"]), r["last_reminded"] or "未催办", r["last_feedback"] or "无")
             for r in rows)))
    return "\n".join(out) + "\n"


def reminders_table(records: Sequence[dict], title: str) -> "Fitted":
    from .render_fit import Col, Fitted

    cols = [Col("单位", 0, wrap=True, min_width=6, max_width=10), Col("编号", 0, justify="right"),
            Col("事项", 0, wrap=True, min_width=10, max_width=30), Col("办理时限", 4),
            Col("情况", 2, wrap=True, min_width=14, max_width=20), Col("等级", 1),
            Col("原因", 4, wrap=True, min_width=16, max_width=40), Col("反馈期限", 3)]
    refs = any(r.get("doc_ref") for r in records)
    if refs:
        cols.append(Col("文号", 5))
    rows = [[r["unit"] or "", str(r["id"]), r["title"] or "", r["due"] or "—", r["status_text"] or "",
             f"{r['level']} {r['notice']}", r["reason"] or "", r["reply_by"] or "",
             *([r.get("doc_ref") or "—"] if refs else [])] for r in records]
    return Fitted(cols, rows, title)


def to_text(renderable: Any, width: int = 160) -> str:
    """A Rich renderable as plain text (no escape codes), for a file."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, markup=False, emoji=False,
            force_terminal=False).print(renderable)
    return buffer.getvalue()


def formatted(fmt: DailyFormat, records: list[dict], keys: Sequence[str],
              table: Callable[[], Any], markdown: Callable[[], str]) -> str:
    """The records in ``fmt`` as text (what --out writes)."""
    buffer = io.StringIO()
    if fmt is DailyFormat.json:
        render.write_json(records, buffer)
    elif fmt is DailyFormat.csv:
        render.write_csv(records, keys, buffer)
    elif fmt is DailyFormat.md:
        buffer.write(markdown())
    else:
        buffer.write(to_text(table()))
    return buffer.getvalue()
