"""duban import: bring an office's own spreadsheet 台账 into the ledger (DOMAIN.md §8).

Real sheets are untidy: title rows and merged cells above the header, headers that vary
from office to office, several units in one cell, dates written every way, blank,
subtotal, heading, template and dropdown-only rows, hidden rows, instruction sheets. This
module takes a workbook sheet by sheet, finds the header, has every row planned and checked,
and hands the ledger one batch to write in one transaction — all rows or none.

The flow::

    sheet_reader (file checks, limits, calamine) → per sheet: xlsx_sheet.find_header →
    import_rows (each row: skip or plan; identity) → every problem listed → Ledger.write_import

The 时限 cells are read by :mod:`duban.xlsx_dates`; the report is :mod:`duban.import_report`.

Decisions (documented in the README section 导入):

* a 责任单位/牵头单位 cell with several units: the first is the lead unit, the rest
  co-operating units — unless one is marked （牵头）/（主办）, which is then the lead;
* an empty 时限 cell gets the ledger's default deadline (``default_due_workdays`` after
  the 交办 date, as ``duban create`` does); 长期 / 持续推进 make a long-term item;
* a row marked finished (已办结 / 已完成 / 已销号, 是否整改完成=是) is not imported and blocks nothing;
* row identity: an identifying number (事项编号 of this ledger, 问题编号 …) else the
  normalised title + the lead unit (:mod:`duban.import_rows`); a re-import finds the item it
  made; a changed 进展情况 becomes a feedback event by the lead unit, other changes are
  reported, not applied;
* what Excel does not show is not read: text under a merged cell, hidden rows and hidden
  columns (both reported).
"""

from __future__ import annotations

import difflib
import gc
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .import_report import ImportOptions, ImportReport, Problem, SheetReport
from .import_rows import RowPlanner
from .models import Role, Source
from .sheet_reader import SheetData, Workbook
from .xlsx_dates import title_year
from .xlsx_sheet import FIELD_BY_CODE, HEADER_SCAN_ROWS, IGNORE, cell_text, column_name, find_header, header_key

if TYPE_CHECKING:
    from .ledger import Ledger

_NOT_LEDGER_SHEETS = ("说明", "目录", "封面")
SEEN_SHOWN = 12


# -- the planner -------------------------------------------------------------------------------


class _Planner(RowPlanner):
    """Turns the rows of every sheet into planned rows and problems; no writes."""

    def __init__(self, ledger: "Ledger", path: Path, options: ImportOptions):
        self.ledger = ledger
        self.path = path
        self.options = options
        self.report = ImportReport(file=path.name, dry_run=options.dry_run)
        self.units = ledger.unit_index()
        self.known_names = sorted(self.units)
        self.keys = ledger.import_keys()
        self.settings = ledger.settings
        self.calendar = ledger.calendar
        self.today = ledger.today
        self.seen: dict[str, str] = {}  # key → where it was first seen
        self.new_units: dict[str, None] = {}
        self.suggestions: dict[str, str] = {}
        self.import_rows: list = []
        self.updates: list = []
        self.mapped_columns: set[str] = set()
        self.uncovered_years: set[int] = set()
        self.not_workday: dict[Any, str | None] = {}  # deadline → note, computed once per date
        self.error_count = 0
        self.sources: dict[str, tuple[Source, bool]] = {}
        self.reimport: dict[str, tuple] = {}

    # problems
    def error(self, sheet: str, row: int | None, column: str | None, reason: str, hint: str = "") -> None:
        self.report.problems.append(Problem(sheet, row, column, reason, "error", hint))
        self.error_count += 1

    def note(self, sheet: str, row: int | None, column: str | None, reason: str) -> None:
        self.report.problems.append(Problem(sheet, row, column, reason, "note"))

    def unit_name(self, name: str) -> str | None:
        """The full name of a unit cell part; None (after an error is recorded by the caller) if unknown."""
        unit = self.units.get(name)
        if unit is not None:
            return unit.name
        if self.options.create_units:
            self.new_units.setdefault(name, None)
            return name
        return None

    def _not_workday(self, due: Any) -> str | None:
        """A note for a deadline on a holiday (given as the sheet says); None for a working day."""
        if not self.calendar.covered(due.year):
            self.uncovered_years.add(due.year)
            return None
        if self.calendar.is_workday(due):
            return None
        return f"办理时限 {due.isoformat()} 是{self.calendar.describe(due)}，不是工作日（照表导入）"

    def suggest(self, name: str) -> str:
        if name not in self.suggestions:
            close = []  # full names, also when the close match is an alias (交通局 → 市交通运输局)
            for match in difflib.get_close_matches(name, self.known_names, n=6, cutoff=0.4):
                full = self.units[match].name
                if full not in close:
                    close.append(full)
            close = close[:3]
            self.suggestions[name] = (f"，是否是：{'、'.join(close)}" if close else "") + \
                "（可先用 duban unit add 添加该单位或其简称，或加 --create-units 自动新增）"
        return self.suggestions[name]

    # sheets
    def sheet(self, data: SheetData, chosen: bool) -> None:
        name = data.name
        sheets = self.report.sheets
        if data.chart:
            sheets.append(SheetReport(name, False, reason="图表工作表，已跳过"))
            return
        if not chosen:
            if not data.visible:
                sheets.append(SheetReport(name, False, reason="隐藏的工作表，已跳过"))
                return
            if any(word in name for word in _NOT_LEDGER_SHEETS):
                sheets.append(SheetReport(name, False, reason="说明类工作表，不是台账，已跳过"))
                return
        rows = data.rows
        if not any(cell_text(v) for _, values in rows[:HEADER_SCAN_ROWS * 4] for v in values):
            if not any(cell_text(v) for _, values in rows for v in values):
                if chosen:
                    self.error(name, None, None, "工作表是空的")
                sheets.append(SheetReport(name, False, reason="空工作表，已跳过"))
                return
        mapping = self.options.mapping
        header, _pending, seen = find_header(iter(rows), mapping, data.merges)
        if header is None:
            reason = f"前{HEADER_SCAN_ROWS}行中未找到表头（需要“督办事项”“牵头单位”等列名"
            if seen:
                shown = "、".join(seen[:SEEN_SHOWN]) + ("等" if len(seen) > SEEN_SHOWN else "")
                reason += f"；看到的列名：{shown}"
            reason += "）；如果其中有事项和单位列，可用 --map 列名=督办事项、--map 列名=牵头单位 指定"
            if chosen:
                self.error(name, None, None, reason)
            sheets.append(SheetReport(name, False, reason=reason + "；不是台账，已跳过"))
            return
        hidden_said = []
        if data.hidden_cols:
            for col in sorted(set(header.found) & data.hidden_cols):
                hidden_said.append(f"{column_name(col)}列“{header.names.get(col, '')}”")
                del header.found[col]
            header.unknown = [n for n in header.unknown if n]
        columns: dict[str, int] = {}
        for col, code in sorted(header.found.items()):
            if code == IGNORE:
                continue
            if code in columns:
                first = columns[code]
                self.error(name, header.row, header.names.get(col),
                           f"“{header.names.get(first)}”（{column_name(first)}列）与“{header.names.get(col)}”"
                           f"（{column_name(col)}列）都对应字段“{FIELD_BY_CODE[code].label}”："
                           f"请用 --map 列名=ignore 忽略其中一列，或用 --map 改为其他字段")
                continue
            columns[code] = col
        self.mapped_columns.update(k for k in mapping if k in {header_key(v) for v in header.names.values()})
        header.columns = columns
        body = [r for r in rows if r[0] > header.row]
        template = _template_rows(body)
        if template:
            self.report.placeholder_rows += template
            sheets.append(SheetReport(name, False, header.row, reason=f"是导出模板：表头下只有{template}行占位符"
                                      "（如 ${data.x}、<jx:forEach>），没有数据，已跳过"))
            return
        year, year_from = self.options.year, "--year"
        if year is None:
            year, year_from = title_year(*header.titles), "标题"
            if year is None:
                year, year_from = title_year(name), "工作表名"
            if year is None:
                year_from = None
        sheets.append(SheetReport(name, True, header.row, year, year_from))
        if hidden_said:
            self.note(name, header.row, None, f"隐藏列未读取：{'、'.join(hidden_said)}（Excel/WPS 中不显示；"
                                              "如需导入请先取消隐藏）")
        for code in ("title", "lead"):
            if code not in columns:
                f = FIELD_BY_CODE[code]
                self.error(name, header.row, None, f"表头中没有“{f.label}”列（可识别：{'、'.join(f.synonyms[:6])}等，"
                                                   f"见 duban import --columns；或用 --map 列名={f.label} 指定）")
        if "due" not in columns and "title" in columns:
            self.note(name, header.row, None, f"表头中没有完成时限列，各事项按默认{self.settings['default_due_workdays']}"
                                              "个工作日计算办理时限")
        if header.unknown:
            self.note(name, header.row, None, f"未识别的列：{'、'.join(header.unknown)}（未导入；"
                                              "如需导入请用 --map 列名=字段）")
        if not {"title", "lead"} <= set(columns):
            self._count_only(body, columns, data.hidden_rows)
            return
        if "item_id" in columns:
            i = columns["item_id"]
            ids = {cell_text(v[i]) for _, v in body if i < len(v) and cell_text(v[i]).isdigit()}
            self.reimport.update(self.ledger.items_for_reimport(sorted(int(x) for x in ids)))
        merges = [m for m in data.merges if m[3] > m[1] and m[1] > header.row]
        self.rows(name, header, year, list(self._filled(body, merges)), data.hidden_rows)

    def _count_only(self, body: list[tuple[int, tuple]], columns: dict[str, int], hidden: set[int]) -> None:
        """A sheet that cannot be imported (a column missing): its rows are still counted as the
        summary counts them, so the refusal says what the sheet holds."""
        report = self.report
        keys = [columns[c] for c in ("title", "lead", "ident") if c in columns]
        for index, values in body:
            if not any(cell_text(v) for v in values):
                report.blank_rows += 1
            elif index in hidden:
                report.hidden_rows += 1
            elif _placeholder(values):
                report.placeholder_rows += 1
            elif not any(i < len(values) and cell_text(values[i]) for i in keys):
                report.prefilled_rows += 1

    @staticmethod
    def _filled(rows: Iterable[tuple[int, tuple]], merges: list[tuple[int, int, int, int]]) -> Iterator[tuple[int, tuple]]:
        """Rows with vertically merged cells (a 牵头领导 spanning three rows) copied down."""
        if not merges:
            yield from rows
            return
        sources: dict[int, list[tuple[int, int]]] = {}  # top row → [(column, last row)]
        for min_col, min_row, _max_col, max_row in merges:
            sources.setdefault(min_row, []).append((min_col - 1, max_row))
        active: list[tuple[int, int, object]] = []  # (col, last row, value)
        for index, values in rows:
            if active:
                active = [a for a in active if a[1] >= index]
                if active:
                    patched = list(values)
                    for col, _last, value in active:
                        while len(patched) <= col:
                            patched.append(None)
                        if patched[col] is None:
                            patched[col] = value
                    values = tuple(patched)
            for col, last in sources.get(index, ()):
                value = values[col] if col < len(values) else None
                if value is not None:
                    active.append((col, last, value))
            yield index, values


def _detail(data: dict, units: Sequence[tuple[str, Role]]) -> str:
    """The `imported` event's sentence: file, sheet and row; units; deadline; 交办 date; progress."""
    co = [n for n, _ in units[1:]]
    parts = [f"牵头“{units[0][0]}”"] + ([f"配合“{'、'.join(co)}”"] if co else [])
    if data["long_term"]:
        parts.append("长期事项，不设办理时限")
    elif data["due"]:
        said = f"（表中为“{data['due_text']}”）" if data["due_text"] and data["due_text"] != data["due"] else ""
        parts.append(f"办理时限 {data['due']}{said}" if data["due_text"] else
                     f"表中无时限，按默认{data['within']}个工作日计为 {data['due']}")
    if data["progress"]:
        parts.append(f"进展：{data['progress']}")
    if data["assigned_on_known"]:
        parts.append(f"交办时间 {data['assigned_on']}（表中所载）")
    else:
        parts.append(f"实际交办日期未知，以导入日期 {data['assigned_on']} 计")
    return f"导入：{data['title']}（{data['file']} 工作表“{data['sheet']}”第{data['row']}行；{'；'.join(parts)}）"


# -- the whole file --------------------------------------------------------------------------------


def _template_rows(body: list[tuple[int, tuple]]) -> int:
    """The number of placeholder rows when every filled row under the header is one (a template), else 0."""
    count = 0
    for _, values in body:
        if _placeholder(values):
            count += 1
        elif any(cell_text(v) for v in values):
            return 0
    return count


def _placeholder(values: tuple) -> bool:
    from .import_rows import _placeholder_row

    return _placeholder_row(values)


def import_file(ledger: "Ledger", path: Path, options: ImportOptions) -> ImportReport:
    """Read ``path``, check every row, and (unless a dry run, or any row has an error) write it all.

    The cyclic garbage collector is paused meanwhile: an import allocates a few objects per
    cell and nothing cyclic, and its repeated full passes over them cost a fifth of the run.
    No library warning reaches the user: whatever matters is said in the report.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _import_file(ledger, path, options)
    finally:
        if enabled:
            gc.enable()


def _import_file(ledger: "Ledger", path: Path, options: ImportOptions) -> ImportReport:
    from .ledger import ImportRow, ProgressUpdate

    book = Workbook(path)
    planner = _Planner(ledger, path, options)
    try:
        names = book.names
        if options.sheet is not None:
            if options.sheet not in names:
                raise InvalidInput(f"文件中没有名为“{options.sheet}”的工作表，现有：{'、'.join(names)}")
            chosen = [(options.sheet, True)]
        else:
            chosen = [(n, False) for n in names]
        for name, picked in chosen:
            planner.sheet(book.sheet(name), picked)
    finally:
        book.close()
    report = planner.report
    if not any(s.imported for s in report.sheets) and not report.errors:
        skipped = "；".join(f"“{s.name}”：{s.reason}" for s in report.sheets)
        raise InvalidInput(f"文件 {path} 中没有找到台账（{skipped or '没有工作表'}）")
    for column in set(options.mapping) - planner.mapped_columns:
        report.problems.append(Problem("", None, column, f"--map 指定的列“{column}”不在任何工作表的表头中"))
    report.new_units = list(planner.new_units)
    if planner.uncovered_years:
        years = "、".join(f"{y}年" for y in sorted(planner.uncovered_years))
        ledger.warnings.append(f"警告：部分办理时限在日历未收录的年份（{years}），已标记“时限待核”；"
                               "收到国务院办公厅通知后请用 duban calendar import 通知.txt 录入")
    if report.errors or options.dry_run:
        return report
    rows = [ImportRow(key, where, units, data, _detail(data, units)) for key, where, units, data in planner.import_rows]
    updates = [ProgressUpdate(key, item_id, text, where, source)
               for key, item_id, text, where, source in planner.updates]
    if rows or updates or report.new_units:
        ids = ledger.write_import(report.new_units, rows, updates)
        new_rows = iter(r for r in report.rows if r.action == "new")
        for item_id, planned in zip(ids, new_rows):
            planned.item_id = item_id
    report.written = True
    return report
