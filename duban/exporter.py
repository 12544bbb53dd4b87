"""台账 export: the ledger's items as a styled xlsx that a colleague can open, filter and print.

Two sheets: 台账 (one row per item, lights as coloured cells, frozen header, autofilter,
print set-up) and 统计 (counts per lead unit and per light, with a native bar chart).

Every text cell is written as text — never as a formula, an error value or a number —
whatever it starts with: a citizen complaint titled "=HYPERLINK(...)" must stay words in a
colleague's Excel. openpyxl is imported inside the functions, so ``duban list`` never loads it.

openpyxl makes everything but the 台账's data rows. Those (thousands of rows, most of the
time an export took when each value was an openpyxl cell) are written as the sheet's XML
directly, exactly as openpyxl writes its cells, and put into the saved file; the first cell of
each look still goes through openpyxl, which numbers it. The cells, widths, row heights and print
set-up are duban/xlsx_cells.py's; this module lays out the ledger's two sheets with them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import atomic_path
from .errors import InvalidInput
from .models import ItemView, Light
from .render import co_units
from .safe_text import xml_text
from .xlsx_cells import (  # noqa: F401 (_ascii: imported from here by tests)
    LIGHT_ORDER,
    LIGHT_STYLE,
    _ascii,
    _fit_width,
    _print_setup,
    _row_height,
    _row_heights,
    _splice_rows,
    _Writer,
    display_width,
    light_style,
)

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger

LEDGER_SHEET = "台账"
STATS_SHEET = "统计"

# (header, widest the column may grow to, narrowest it may be) — widths in Excel character units
COLUMNS: tuple[tuple[str, int, int], ...] = (
    ("序号", 8, 5),
    ("事项", 36, 16),
    ("来源", 12, 8),
    ("文号", 18, 8),
    ("牵头领导", 12, 8),
    ("牵头单位", 16, 10),
    ("配合单位", 18, 10),
    ("时限", 24, 10),  # never narrower than its dates: a date that does not fit shows as ####
    ("状态", 8, 8),
    ("亮灯", 8, 8),
    ("剩余/逾期工作日", 10, 10),
    ("最近进展", 36, 16),
    ("事项编号", 12, 6),
)
HEADER_ROW = 2  # row 1 is the title
FIRST_DATA_ROW = HEADER_ROW + 1


DATE_FORMAT = 'yyyy"年"m"月"d"日"'
UNCERTAIN_DATE_FORMAT = 'yyyy"年"m"月"d"日（待核）"'
# Days left as a number, so the column sorts: 5 shows as 剩5, -3 (three working days late) as 逾期3.
LEFT_FORMAT = '"剩"0;"逾期"0'

UNASSIGNED = "（未交办）"


@dataclass(frozen=True)
class Progress:
    """The latest progress an item's units reported: a feedback, or a 办结 result."""

    at: dt.date
    unit: str | None
    text: str
    percent: int | None = None
    closed: bool = False

    def describe(self) -> str:
        """"2026-11-18 市财政局：已拨付资金（完成50%）" or "… 市财政局：办结：资金全部到位"."""
        head = " ".join(part for part in (self.at.isoformat(), self.unit) if part)
        what = f"办结：{self.text}" if self.closed else self.text
        percent = f"（完成{self.percent}%）" if self.percent is not None else ""
        return f"{head}：{what}{percent}"


# -- small pure helpers ---------------------------------------------------------------------


def default_title(ledger: "Ledger") -> str:
    day = ledger.today
    return f"{ledger.settings['office_name']}督办事项台账（截至{day.year}年{day.month}月{day.day}日）"


def latest_progress(ledger: "Ledger", item_ids: Sequence[int]) -> dict[int, Progress]:
    """The latest feedback (or 办结 result) of each item up to the ledger's today, in one query for all
    of them (a 台账 made as of an earlier day — a 专报's — shows none recorded after it)."""
    if not item_ids:
        return {}
    rows = ledger.db.execute(
        """SELECT e.item_id, e.at, e.kind, u.name, e.data
           FROM events e LEFT JOIN units u ON u.id = e.unit_id
           WHERE e.id IN (SELECT max(id) FROM events
                          WHERE kind IN ('feedback', 'closed') AND at <= ?
                            AND item_id IN (SELECT value FROM json_each(?))
                          GROUP BY item_id)""",
        [ledger.today.isoformat(), json.dumps(list(item_ids))],
    ).fetchall()
    found = {}
    for item_id, at, kind, unit, data in rows:
        data = json.loads(data or "{}")
        closed = kind == "closed"
        text = (data.get("result") if closed else data.get("text")) or ""
        percent = None if closed else data.get("percent")
        found[item_id] = Progress(dt.date.fromisoformat(at), unit, str(text), percent, closed)
    return found


def due_cell(view: ItemView) -> tuple[Any, str | None, str]:
    """The 时限 cell: a real date with its number format, or words; and the text it shows."""
    item = view.item
    if item.due is not None:
        day = item.due
        shown = f"{day.year}年{day.month}月{day.day}日"
        if view.due_uncertain:
            return day, UNCERTAIN_DATE_FORMAT, shown + "（待核）"
        return day, DATE_FORMAT, shown
    if item.within:
        text = f"交办后{item.within}个工作日"
        return text, None, text
    if item.assignments:
        return "长期", None, "长期"
    return None, None, ""


def left_cell(view: ItemView) -> int | str | None:
    """剩余/逾期工作日: a signed number of working days (negative = overdue), or words."""
    light = view.light
    if light.light is None:
        return None
    kinds = light.kinds_found()  # (a light read from the schedules has no findings, only their kinds)
    if "overdue" in kinds:
        return -light.overdue_workdays if light.overdue_workdays else "已过期限"
    if light.workdays_left is None:
        return "长期"
    if light.workdays_left == 0:
        return "今日到期" if "due_today" in kinds else "到期前无工作日"
    return light.workdays_left


def ledger_rows(views: Sequence[ItemView], progress: dict[int, Progress]) -> list[list[Any]]:
    """One list of cell values per item, in COLUMNS order (light as the Light, styled later)."""
    rows = []
    for seq, view in enumerate(views, start=1):
        item = view.item
        lead = item.lead
        latest = progress.get(item.id)
        rows.append([
            seq,
            item.title,
            item.source.label,
            item.ref,
            item.leader,
            lead.unit if lead else None,
            "、".join(co_units(item)) or None,
            due_cell(view),
            item.status.label,
            view.light.light,
            left_cell(view),
            latest.describe() if latest else None,
            item.id,
        ])
    return rows


@dataclass
class UnitCount:
    unit: str
    lead: int = 0
    co: int = 0
    lights: dict | None = None

    def __post_init__(self) -> None:
        if self.lights is None:
            self.lights = {light: 0 for light in LIGHT_ORDER}


def unit_counts(views: Sequence[ItemView]) -> list[UnitCount]:
    """Per unit: items it leads, by the item's light (统计以牵头单位为准), and items it co-operates on.

    Sorted with the most red, then yellow, then most led items first.
    """
    counts: dict[str, UnitCount] = {}
    for view in views:
        lead = view.item.lead
        name = lead.unit if lead else UNASSIGNED
        entry = counts.setdefault(name, UnitCount(name))
        entry.lead += 1
        entry.lights[view.light.light] += 1
        for unit in co_units(view.item):
            counts.setdefault(unit, UnitCount(unit)).co += 1
    return sorted(counts.values(), key=lambda c: (-c.lights[Light.RED], -c.lights[Light.YELLOW], -c.lead,
                                                  c.unit == UNASSIGNED, c.unit))


def light_counts(views: Sequence[ItemView]) -> dict[Light | None, int]:
    counts = {light: 0 for light in LIGHT_ORDER}
    for view in views:
        counts[view.light.light] += 1
    return counts


# -- writing --------------------------------------------------------------------------------

CENTRED_COLUMNS = {"序号", "来源", "牵头领导", "时限", "状态", "剩余/逾期工作日", "事项编号"}


def _write_ledger_sheet(out: _Writer, ws, title: str, rows: list[list[Any]]) -> bytes:
    """The 台账 sheet: its title, header and set-up on ``ws``; returned, the XML of its data rows,
    which :func:`_splice_rows` puts into the saved file (they are never made openpyxl cells)."""
    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter

    headers = [h for h, _, _ in COLUMNS]
    last_col = get_column_letter(len(COLUMNS))
    ws.merge_cells(f"A1:{last_col}1")
    out.put(ws, 1, 1, title, "title")
    ws.row_dimensions[1].height = 32
    for col, header in enumerate(headers, start=1):
        out.put(ws, HEADER_ROW, col, header, "header")
    out.register([ws.cell(row=1, column=1), *ws[HEADER_ROW]])

    looks = ["centre" if h in CENTRED_COLUMNS else "text" for h in headers]
    letters = [get_column_letter(c) for c in range(1, len(COLUMNS) + 1)]
    light_col, due_col, left_col = (headers.index(h) for h in ("亮灯", "时限", "剩余/逾期工作日"))
    texts: list[list[str]] = [[] for _ in COLUMNS]
    cells: list[str] = []
    for r, values in enumerate(rows, start=FIRST_DATA_ROW):
        row = []
        for c, value in enumerate(values):
            ref = f"{letters[c]}{r}"
            if c == light_col:
                label = LIGHT_STYLE[value][0]
                row.append(out.xml(ws, ref, label, light_style(value)))
                texts[c].append(label)
            elif c == due_col:
                value, number_format, shown = value
                row.append(out.xml(ws, ref, value, looks[c], number_format))
                texts[c].append(shown)
            else:
                number_format = LEFT_FORMAT if c == left_col and isinstance(value, int) else None
                row.append(out.xml(ws, ref, value, looks[c], number_format))
                texts[c].append("" if value is None else str(value))
        cells.append("".join(row))
    widths = [_fit_width(h, texts[c], narrowest, widest) for c, (h, widest, narrowest) in enumerate(COLUMNS)]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    # Row heights for the wrapped text: LibreOffice does not re-measure rows when it opens an xlsx.
    ws.row_dimensions[HEADER_ROW].height = _row_height(headers, widths, header=True)
    heights = _row_heights(texts, widths)
    xml = [f'<row r="{r}" ht="{safe_string(height)}" customHeight="1">{row_cells}</row>'
           for r, (height, row_cells) in enumerate(zip(heights, cells), start=FIRST_DATA_ROW)]

    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + len(rows)}"
    _print_setup(ws, f"1:{HEADER_ROW}")
    return _ascii("".join(xml))


STATS_HEADER_ROW = 4


def _write_stats_sheet(out: _Writer, ws, title: str, scope: str | None, views: Sequence[ItemView]) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    unit_headers = ["牵头单位", "牵头事项", *(LIGHT_STYLE[light][0] for light in LIGHT_ORDER), "配合事项"]
    ncols = len(unit_headers)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    out.put(ws, 1, 1, title, "title")
    ws.row_dimensions[1].height = 32
    said = f"导出范围：{scope}；" if scope else ""
    out.put(ws, 2, 1, f"{said}共 {len(views)} 项。按牵头单位统计，事项的亮灯取各责任单位中最严重的一盏。", "note")

    # per lead unit, by light
    row = STATS_HEADER_ROW
    for col, text in enumerate(unit_headers, start=1):
        light = LIGHT_ORDER[col - 3] if 3 <= col < 3 + len(LIGHT_ORDER) else False
        out.put(ws, row, col, text, "header" if light is False else light_style(light))
    units = unit_counts(views)
    for entry in units:
        row += 1
        out.put(ws, row, 1, entry.unit, "text")
        values = [entry.lead, *(entry.lights[light] for light in LIGHT_ORDER), entry.co]
        for col, value in enumerate(values, start=2):
            out.put(ws, row, col, value, "centre")
    last_unit_row = row
    row += 1
    totals = light_counts(views)
    values = ["合计", len(views), *(totals[light] for light in LIGHT_ORDER), sum(u.co for u in units)]
    for col, value in enumerate(values, start=1):
        out.put(ws, row, col, value, "total")

    # per light
    row += 2
    for col, text in enumerate(("亮灯", "事项数", "占比"), start=1):
        out.put(ws, row, col, text, "header")
    for light in LIGHT_ORDER:
        row += 1
        out.put(ws, row, 1, LIGHT_STYLE[light][0], light_style(light))
        out.put(ws, row, 2, totals[light], "centre")
        out.put(ws, row, 3, totals[light] / len(views) if views else None, "centre", "0.0%")
    row += 1
    out.put(ws, row, 1, "合计", "total")
    out.put(ws, row, 2, len(views), "total")
    out.put(ws, row, 3, 1 if views else None, "total", "0.0%")

    first_width = max(12, min(30, max((display_width(u.unit) for u in units), default=0) + 2))
    for col in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(col)].width = first_width if col == 1 else 10
    _print_setup(ws)
    if not units:
        return

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各牵头单位事项亮灯情况"
    chart.y_axis.title = "事项数"
    chart.x_axis.delete = False  # openpyxl ≥3.1 hides the axes unless told otherwise
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = max(1, math.ceil(max(u.lead for u in units) / 8))  # whole items, not 0.2
    data = Reference(ws, min_col=3, max_col=2 + len(LIGHT_ORDER), min_row=STATS_HEADER_ROW, max_row=last_unit_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=STATS_HEADER_ROW + 1, max_row=last_unit_row))
    for series, light in zip(chart.series, LIGHT_ORDER):
        colour = LIGHT_STYLE[light][1][2:]  # RRGGBB
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.height = 8  # cm
    chart.width = max(18, min(34, 4 + 1.8 * len(units)))
    anchor = row + 2
    # Below the tables; on a page of its own when it would not fit under them (A4 landscape holds
    # about 480 points of rows), so that it never prints cut in two.
    if 32 + 15 * anchor + chart.height * 28.35 > 480:
        from openpyxl.worksheet.pagebreak import Break

        ws.row_breaks.append(Break(id=anchor - 1))
    ws.add_chart(chart, f"A{anchor}")


@dataclass
class LedgerWorkbook:
    """The export, ready to save: the workbook, and the XML of the 台账 sheet's data rows."""

    workbook: Any
    rows: bytes
    last_row: int

    def save(self, path: str | Path) -> None:
        self.workbook.save(path)
        _splice_rows(Path(path), self.workbook[LEDGER_SHEET], self.rows, self.last_row)


def build_workbook(ledger: "Ledger", views: Sequence[ItemView], title: str | None = None,
                   scope: str | None = None) -> LedgerWorkbook:
    """The export, not yet saved."""
    from openpyxl import Workbook

    title = title or default_title(ledger)
    progress = latest_progress(ledger, [v.item.id for v in views])
    wb = Workbook()
    out = _Writer()
    ws = wb.active
    ws.title = LEDGER_SHEET
    rows = _write_ledger_sheet(out, ws, title, ledger_rows(views, progress))
    stats_title = title.replace("台账", "统计", 1) if "台账" in title else f"{title}（统计）"
    _write_stats_sheet(out, wb.create_sheet(STATS_SHEET), stats_title, scope, views)
    wb.properties.title = xml_text(title)
    wb.properties.creator = "duban"
    return LedgerWorkbook(wb, rows, HEADER_ROW + len(views))


def write_ledger_xlsx(ledger: "Ledger", path: str | Path, views: Sequence[ItemView], title: str | None = None,
                      *, scope: str | None = None) -> Path:
    """Write ``views`` as a 台账 workbook at ``path``, atomically (temp file, then renamed over it).

    ``title`` defaults to "<office_name>督办事项台账（截至YYYY年M月D日）"; ``scope`` is a Chinese
    description of the filters, shown on the 统计 sheet. An existing file is replaced; a missing
    directory raises InvalidInput and writes nothing. Returns the path written.
    """
    target = Path(path)
    entered = False
    try:
        with atomic_path(target) as tmp:
            entered = True
            build_workbook(ledger, views, title, scope).save(tmp)
    except InvalidInput as exc:
        if entered:
            raise
        raise InvalidInput(f"无法导出到 {target}：{exc.message}（未写入任何文件）") from None
    return target
