"""The one output layer: Rich tables for people, JSON and CSV for machines.

Records are plain dicts with stable English snake_case keys (CLI.md); tables show the
same records with Chinese headers and coloured lights. No ANSI codes reach a pipe, a
file or a terminal with ``NO_COLOR`` set (Rich honours both).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

from .safe_text import csv_cell
from .models import Assignment, Escalation, Event, Item, ItemView, Light, LightResult, Milestone, Status, Unit


if TYPE_CHECKING:  # pragma: no cover - Rich loads when a table is printed, not on import
    from rich.console import Console
    from rich.table import Table
    from .render_fit import Fitted
    from rich.text import Text


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


LIGHT_STYLE = {"red": "bold red", "yellow": "bold yellow", "blue": "bold blue", "green": "green"}



def co_units(item: Item) -> list[str]:
    """The item's 配合单位, less those withdrawn from it (``cancel ID --unit``) while it goes on."""
    return [a.unit for a in item.co if a.status is not Status.CANCELLED or item.status is Status.CANCELLED]

def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty():
        width = int(os.environ.get("COLUMNS") or 160)
    # NO_COLOR (no-color.org) means no escape codes at all, not merely no colours
    plain = {"color_system": None} if os.environ.get("NO_COLOR") else {}
    return Console(file=stream, highlight=False, markup=False, width=width, emoji=False, **plain)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# -- records (what JSON and CSV print) ---------------------------------------------------


def item_record(view: ItemView) -> dict[str, Any]:
    item, light = view.item, view.light
    lead = item.lead
    return {
        "id": item.id,
        "title": item.title,
        "source": item.source.code,
        "source_label": item.source.label,
        "ref": item.ref,
        "leader": item.leader,
        "class": item.klass.code,
        "class_label": item.klass.label,
        "status": item.status.code,
        "status_label": item.status.label,
        "light": light.light.code if light.light else None,
        "light_reason": light.reason,
        "due": _iso(item.due),
        "due_uncertain": view.due_uncertain,
        "lead_unit": lead.unit if lead else None,
        "co_units": co_units(item),
        "workdays_left": light.workdays_left,
        "overdue_workdays": light.overdue_workdays,
        "created": _iso(item.created),
        "assigned_on": _iso(lead.assigned_on) if lead else None,
        "last_feedback": _iso(view.last_feedback),
        "percent": lead.percent if lead else None,
        "parent": item.parent,
    }


def assignment_record(a: Assignment, light: LightResult, level: Escalation) -> dict[str, Any]:
    return {
        "unit": a.unit,
        "role": a.role.code,
        "status": a.status.code,
        "status_label": a.status.label,
        "assigned_on": _iso(a.assigned_on),
        "due": _iso(a.due),
        "original_due": _iso(a.original_due),
        "extensions": a.extensions,
        "person": a.person,
        "signed_on": _iso(a.signed_on),
        "last_feedback": _iso(a.last_feedback),
        "percent": a.percent,
        "closed_on": _iso(a.closed_on),
        "result": a.result,
        "light": light.light.code if light.light else None,
        "light_reason": light.reason,
        "workdays_left": light.workdays_left,
        "overdue_workdays": light.overdue_workdays,
        "feedback_due": _iso(light.feedback_due),
        "level": level.level,
        "level_label": level.label,
        "level_reason": level.reason,
        "findings": [{"kind": f.kind, "light": f.light.code if f.light else None, "text": f.text}
                     for f in light.findings],
    }


def milestone_record(m: Milestone, today: dt.date) -> dict[str, Any]:
    return {"seq": m.seq, "due": m.due.isoformat(), "title": m.title, "done_on": _iso(m.done_on),
            "missed": m.done_on is None and today > m.due}


def event_record(e: Event) -> dict[str, Any]:
    return {"id": e.id, "at": _iso(e.at), "kind": e.kind.code, "kind_label": e.kind.label, "unit": e.unit,
            "detail": e.detail, "data": e.data}


def unit_record(u: Unit) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "aliases": list(u.aliases), "parent": u.parent, "contact": u.contact,
            "phone": u.phone}


# -- emitting ------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    """One CSV cell; text that Excel/WPS would run as a formula is neutralised (safe_text.csv_cell)."""
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_cell(value)
    return "" if value is None else value


def write_json(data: Any, stream=None) -> None:
    """Write ``data`` as JSON. A list of records is one array with one record per line.

    Indenting every key would force ``json`` onto its pure-Python encoder, ten times slower
    for the tens of thousands of records a large ledger lists; one line per record keeps the
    C encoder, and stays readable and line-oriented for grep and diff.
    """
    stream = stream or sys.stdout
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        if not data:
            stream.write("[]\n")
            return
        encode = json.JSONEncoder(ensure_ascii=False).encode
        stream.write("[\n" + ",\n".join(encode(r) for r in data) + "\n]\n")
        return
    stream.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_csv(records: Sequence[dict], keys: Sequence[str] | None = None, stream=None) -> None:
    stream = stream or sys.stdout
    keys = list(keys or (records[0].keys() if records else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for record in records:
        writer.writerow([_csv_cell(record.get(k)) for k in keys])
    stream.write(buffer.getvalue())


ITEM_KEYS = tuple(
    "id title source source_label ref leader class class_label status status_label light light_reason due"
    " due_uncertain lead_unit co_units workdays_left overdue_workdays created assigned_on last_feedback"
    " percent parent".split()
)
EVENT_KEYS = ("id", "at", "kind", "kind_label", "unit", "detail", "data")
UNIT_KEYS = ("id", "name", "aliases", "parent", "contact", "phone")


def emit(fmt: Format, records: list[dict], table: Callable[[], Table | Fitted], empty: str = "（无记录）",
         keys: Sequence[str] | None = None) -> None:
    """Print records as a Rich table, a JSON list or CSV — the only place that decides.

    ``keys`` names the CSV columns, so that an empty result still has its header row.
    """
    if fmt is Format.json:
        write_json(records)
    elif fmt is Format.csv:
        write_csv(records, keys)
    elif not records:
        console().print(empty)
    else:
        console().print(table())


# -- tables --------------------------------------------------------------------------------


def light_text(code: str | None) -> Text:
    from rich.text import Text

    if code is None:
        return Text("—", style="dim")
    light = Light(code)
    return Text(f"● {light.label}", style=LIGHT_STYLE[code])


def left_text(record: dict) -> str:
    if record["light"] is None:
        return ""
    if record["light"] == "red":
        n = record["overdue_workdays"]
        return f"逾期 {n}" if n else "已过期限"
    if record["workdays_left"] is None:
        return "长期"
    return "今日到期" if record["workdays_left"] == 0 else f"剩 {record['workdays_left']}"


def due_text(record: dict) -> str:
    if record["due"] is None:
        return "长期" if record.get("lead_unit") else "—"  # assigned without a deadline: a long-term item
    return f"{record['due']}（待核）" if record.get("due_uncertain") else record["due"]


def _item_columns(refs: bool) -> list:
    from .render_fit import Col

    # rank: what a clerk reads first is kept longest; 事项 and the units wrap rather than vanish.
    # 文号 only when a listed item has one: it tells apart items of one title (imported 问题编号128 …)
    return [
        Col("编号", 0, justify="right"),
        Col("亮灯", 1),
        Col("事项", 2, wrap=True, min_width=16, max_width=40),
        *([Col("文号", 7, wrap=True, min_width=8, max_width=20)] if refs else []),
        Col("牵头单位", 3, wrap=True, min_width=8, max_width=20),
        Col("办理时限", 4, wrap=True, min_width=10, max_width=18),
        Col("工作日", 5),
        Col("状态", 6),
        Col("配合单位", 8, wrap=True, min_width=8, max_width=24),
        Col("最近反馈", 9),
        Col("来源", 10),
    ]


def items_table(records: Iterable[dict], title: str | None = None, width: int | None = None,
                nested: set[int] | frozenset[int] = frozenset()):
    """The item list, fitted to ``width`` (default: the terminal's) — see :mod:`duban.render_fit`.

    Items in ``nested`` (sub-items listed under their parent, ``list --tree``) are marked └.
    """
    from .render_fit import fitted_table

    records = list(records)
    refs = any(r["ref"] for r in records)
    rows = [[str(r["id"]), light_text(r["light"]), f"└ {r['title']}" if r["id"] in nested else r["title"],
             *([r["ref"] or "—"] if refs else []), r["lead_unit"] or "—", due_text(r), left_text(r), r["status_label"],
             "\n".join(r["co_units"]) or "—", r["last_feedback"] or "—", r["source_label"]]
            for r in records]
    return fitted_table(_item_columns(refs), rows, width or console().width, title=title)


def item_detail(record: dict, assignments: list[dict], milestones: list[dict], events: list[dict],
                explain: list[str] | None) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(f"事项 #{record['id']}  {record['title']}", style="bold"))
    fields = [
        ("上级事项", f"#{record['parent']}" if record.get("parent") else None),
        ("合并到", f"事项 #{record['merged_into']}（duban show {record['merged_into']}）" if record.get("merged_into") else None),
        ("立项依据", record["source_label"]),
        ("文号", record["ref"]),
        ("牵头领导", record["leader"]),
        ("类别", record["class_label"]),
        ("办理内容", record.get("content")),
        ("完成标准", record.get("standard")),
        ("立项日期", record["created"]),
        ("交办日期", record["assigned_on"]),
        ("办理时限", due_text(record) if record["due"] else None),
        ("状态", record["status_label"]),
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in fields:
        if value:
            grid.add_row(label, str(value))
    grid.add_row("亮灯", Text.assemble(light_text(record["light"]), "  ", record["light_reason"]))
    out.print(grid)
    from .render_fit import Col, fitted_table

    if assignments:
        cols = [Col("单位", 0, wrap=True, min_width=8, max_width=20), Col("角色", 3), Col("状态", 2), Col("亮灯", 1),
                Col("办理时限", 4, wrap=True, min_width=10, max_width=24), Col("签收", 9), Col("最近反馈", 6),
                Col("下次反馈", 7), Col("进度", 8), Col("催办等级", 5, wrap=True, min_width=8),
                Col("办结情况", 10, wrap=True, min_width=8)]
        rows = []
        for a in assignments:
            due = a["due"] or "长期"
            if a["extensions"]:
                due += f"（延期{a['extensions']}次，原 {a['original_due']}）"
            rows.append([a["unit"], "牵头" if a["role"] == "lead" else "配合", a["status_label"], light_text(a["light"]),
                         due, a["signed_on"] or "未签收", a["last_feedback"] or "—", a["feedback_due"] or "—",
                         f"{a['percent']}%" if a["percent"] is not None else "—",
                         f"{a['level']} {a['level_label']}" if a["level"] is not None else "—", a["result"] or "—"])
        out.print(fitted_table(cols, rows, out.width, title="责任单位"))
    if record.get("children"):
        cols = [Col("编号", 0), Col("亮灯", 1), Col("事项", 2, wrap=True, min_width=12),
                Col("牵头单位", 3, wrap=True, min_width=8, max_width=20),
                Col("办理时限", 4, wrap=True, min_width=10, max_width=18), Col("状态", 5)]
        rows = [[str(c["id"]), light_text(c["light"]), c["title"], c["lead_unit"] or "—", due_text(c), c["status_label"]]
                for c in record["children"]]
        out.print(fitted_table(cols, rows, out.width, title="子事项"))
    if record.get("merged_from"):
        cols = [Col("编号", 0), Col("事项", 1, wrap=True, min_width=12),
                Col("牵头单位", 2, wrap=True, min_width=8, max_width=20),
                Col("配合单位", 5, wrap=True, min_width=8, max_width=24),
                Col("办理时限", 3, wrap=True, min_width=10, max_width=18), Col("最近反馈", 4)]
        rows = [[str(m["id"]), m["title"], m["lead_unit"] or "—", "\n".join(m["co_units"]) or "—", due_text(m),
                 m["last_feedback"] or "—"] for m in record["merged_from"]]
        out.print(fitted_table(cols, rows, out.width, title="已并入的事项"))
    if milestones:
        cols = [Col("序号", 0), Col("日期", 1), Col("节点内容", 2, wrap=True, min_width=12), Col("完成情况", 3)]
        rows = []
        for m in milestones:
            state = f"已于 {m['done_on']} 完成" if m["done_on"] else ("未完成（已逾期）" if m["missed"] else "未到期")
            rows.append([str(m["seq"]), m["due"], m["title"], Text(state, style="bold red" if m["missed"] else "")])
        out.print(fitted_table(cols, rows, out.width, title="节点"))
    if explain:
        out.print(Text("亮灯说明", style="bold"))
        for line in explain:
            out.print(f"  {line}")
    if events:
        out.print(events_table(events, title="最近记录"))


def events_table(records: Iterable[dict], title: str | None = None) -> "Fitted":
    from .render_fit import Col, Fitted

    cols = [Col("日期", 0), Col("类型", 1), Col("单位", 0, wrap=True, min_width=6, max_width=18),
            Col("内容", 0, wrap=True, min_width=10)]
    return Fitted(cols, [(r["at"], r["kind_label"], r["unit"] or "—", r["detail"]) for r in records], title)


def units_table(records: Iterable[dict]) -> "Fitted":
    from .render_fit import Col, Fitted

    cols = [Col("编号", 0, justify="right"), Col("单位名称", 0, wrap=True, min_width=8), Col("简称", 2, wrap=True, min_width=6),
            Col("上级单位", 1, wrap=True, min_width=8), Col("联系人", 3, wrap=True, min_width=4), Col("电话", 3)]
    return Fitted(cols, [(str(r["id"]), r["name"], "、".join(r["aliases"]) or "—", r["parent"] or "—",
                          r["contact"] or "—", r["phone"] or "—") for r in records])
