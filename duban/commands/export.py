"""``duban export FILE.xlsx``: the 台账 as a styled Excel file, with the same filters as ``list``.

The work is in :mod:`duban.exporter` (loaded, with openpyxl, only when the command runs).
"""

# No ``from __future__ import annotations``: Typer evaluates the commands' annotations when it
# builds them, and from strings that takes a third longer (~5 ms of ``duban --help``).

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import InvalidInput, UsageError
from .common import (
    ALL_OPTION,
    DUE_BEFORE_OPTION,
    LIGHT_OPTION,
    SOURCE_OPTION,
    STATUS_OPTION,
    UNIT_OPTION,
    guarded,
    ledger,
    list_filter,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..ledger import ListFilter


def scope_text(flt: "ListFilter") -> str:
    """The filters in words, for the 统计 sheet: 在办事项；亮灯：红灯；责任单位：市住建局."""
    if flt.status is not None:
        parts = [f"状态为“{flt.status.label}”的事项"]
    elif flt.include_finished:
        parts = ["全部事项（含已销号、已撤销）"]
    else:
        parts = ["在办事项"]
    if flt.light is not None:
        parts.append(f"亮灯：{flt.light.label}")
    elif flt.no_light:
        parts.append("亮灯：不亮灯")
    if flt.unit:
        parts.append(f"责任单位：{flt.unit}")
    if flt.source is not None:
        parts.append(f"立项依据：{flt.source.label}")
    if flt.due_before is not None:
        parts.append(f"办理时限早于 {flt.due_before.isoformat()}")
    return "，".join(parts)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("export")
    @guarded
    def export(
        path: str = typer.Argument(..., metavar="FILE.xlsx", help="导出的 Excel 文件（.xlsx），已存在时整体替换"),
        light: Optional[str] = LIGHT_OPTION,
        unit: Optional[str] = UNIT_OPTION,
        source: Optional[str] = SOURCE_OPTION,
        status: Optional[str] = STATUS_OPTION,
        due_before: Optional[str] = DUE_BEFORE_OPTION,
        include_all: bool = ALL_OPTION,
    ) -> None:
        """导出台账为 Excel（.xlsx），筛选条件与 duban list 相同。

        “台账”表逐项列出、按亮灯着色，冻结表头、自动筛选、A4 横向打印；“统计”表按牵头单位、按亮灯计数并附柱状图。
        默认只导出在办事项（待交办、办理中、暂缓、待审核），加 --all 包括已销号和已撤销的事项。
        先写临时文件再整体替换，不会留下半个文件。

        示例：duban export 台账.xlsx；duban export 红灯事项.xlsx --light red --unit 市住建局；duban export 全部.xlsx --all
        """
        from ..files import output_target

        if Path(path).suffix.lower() != ".xlsx" or path.endswith(("/", os.sep)):
            raise UsageError(f"导出文件须以 .xlsx 结尾，收到“{path}”（如 duban export 台账.xlsx）")
        try:
            output_target(path)  # a device, a FIFO or a missing folder is refused before any work
        except InvalidInput as exc:
            raise InvalidInput(f"无法导出到 {path}：{exc.message}（未写入任何文件）") from None
        flt = list_filter(light, unit, source, status, due_before, include_all)
        led = ledger()
        views = led.list_items(flt, scheduled=True)  # today's lights read from the schedules (issue #16)
        from ..exporter import write_ledger_xlsx

        written = write_ledger_xlsx(led, Path(path), views, scope=scope_text(flt))
        typer.echo(f"已导出 {len(views)} 项督办事项到 {written}")
