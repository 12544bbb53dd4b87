"""``duban report burden``: what the office demanded of each unit in a week (减负)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from .. import render
from ..render import Format
from .common import guarded, ledger


@guarded
def burden_command(
    week: Optional[str] = typer.Option(None, "--week", help="ISO 周，如 2026-W47（默认：本周）"),
    fmt: Format = typer.Option(Format.table, "--format", help="输出格式：table（表格）、json 或 csv"),
) -> None:
    """减负统计：本周督办工作对各单位提出了多少要求，超过减负上限（burden_limit）的单位标出。

    逐单位统计：催办（含提醒）次数；督办单、挂牌督办、约谈、通报批评、问责次数；按反馈频次本周应报进展的次数；
    发出的反馈表；周末仍在办的事项；以上合计为负担，与设置 burden_limit 比较；并列出标题相近、可考虑合并督办的在办事项编号。

    示例：duban report burden；duban report burden --week 2026-W47 --format json
    """
    from .. import burden, reports

    led = ledger()
    period = reports.week(week, led.today)
    rows = burden.burden(led, period)
    records = [b.record() for b in rows]
    if fmt is Format.csv:
        records = [{**r, "merge_suggestions": json.dumps(r["merge_suggestions"])} for r in records]
    render.emit(fmt, records, lambda: _table(records, period, led.settings["burden_limit"]), keys=burden.KEYS,
                empty="台账中还没有责任单位")
    if fmt is Format.table and rows:
        render.console().print(burden.sentence(rows, f"{period.label}（{period.text()}）"))


def _table(records: list[dict], period, limit: int):
    from ..render_fit import Col, Fitted

    cols = [Col("单位", 0, wrap=True, min_width=8, max_width=18), Col("催办", 1, justify="right"),
            Col("督办", 1, justify="right"), Col("应报进展", 1, justify="right"), Col("报表", 2, justify="right"),
            Col("在办事项", 1, justify="right"), Col("合计", 0, justify="right"), Col("超限", 0),
            Col("可合并事项", 3, wrap=True, min_width=10)]
    rows = []
    for r in records:
        groups = r["merge_suggestions"]
        if isinstance(groups, str):
            groups = json.loads(groups)
        rows.append((r["unit"], str(r["reminders"]), str(r["escalations"]), str(r["feedback_required"]),
                     str(r["forms"]), str(r["open_items"]), str(r["load"]), "超限" if r["over_limit"] else "",
                     "；".join("、".join(f"#{i}" for i in g) for g in groups) or "—"))
    return Fitted(cols, rows, f"督办负担 {period.label}（{period.text()}，减负上限每周{limit}项次）")
