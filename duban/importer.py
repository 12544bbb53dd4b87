"""duban import: bring an office's own Excel 台账 into the ledger (DOMAIN.md §8).

Real sheets are untidy: title rows and merged cells above the header, headers that vary
from office to office, several units in one cell, dates written every way, blank,
subtotal and heading rows, instruction sheets. This module reads such a workbook
(openpyxl in read-only mode, imported only here), checks every row, and hands the
ledger one batch to write in one transaction — all rows or none.

The flow::

    check_file → load_workbook → per sheet: find the header, read rows → plan each row
    (title, units, dates, key) → every problem listed → Ledger.write_import

The workbook side (file checks, header recognition, cell text) is in :mod:`duban.xlsx_sheet`,
the 时限 cells in :mod:`duban.xlsx_dates`.

Decisions (documented in the README section 导入):

* a 责任单位/牵头单位 cell with several units: the first is the lead unit, the rest
  co-operating units — unless one is marked （牵头）/（主办）, which is then the lead;
* an empty 时限 cell gets the ledger's default deadline (``default_due_workdays`` after
  the 交办 date, as ``duban create`` does); 长期 / 持续推进 make a long-term item (no
  deadline, reports on the ``cadence_longterm`` cadence);
* a row marked 已办结 / 已完成 / 已销号 in a 状态 column is not imported (it needs no
  follow-up; the report lists it as skipped);
* the row key is the normalised title + the lead unit's full name, so a re-import of the
  same row (from any file) finds the item it made; a changed 进展情况 becomes a feedback
  event by the lead unit, other changes are reported, not applied.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput, UsageError
from .models import ItemClass, Role, Source, Status
from .xlsx_dates import DateProblem, parse_day, parse_due, title_year
from .xlsx_sheet import (
    FIELD_BY_CODE,
    FIELDS,
    HEADER_SCAN_ROWS,
    IGNORE,
    Header,
    broken,
    cell_text,
    chain_rows,
    check_file,
    column_name,
    find_header,
    header_key,
    merged_ranges,
    one_line,
    read_rows,
    reading_errors,
)

if TYPE_CHECKING:
    from .ledger import Ledger

# -- what an import reports ---------------------------------------------------------------------


@dataclass
class Problem:
    """Something about one cell, row or sheet. ``level`` error blocks the import; note does not."""

    sheet: str
    row: int | None
    column: str | None
    reason: str
    level: str = "error"

    def record(self) -> dict[str, Any]:
        return {"level": self.level, "sheet": self.sheet, "row": self.row, "column": self.column,
                "reason": self.reason}


ACTION_LABELS = {"new": "新增", "progress": "更新进展", "unchanged": "已导入过，无变化", "skip": "跳过"}


@dataclass
class PlannedRow:
    sheet: str
    row: int
    action: str  # new | progress | unchanged | skip
    title: str = ""
    lead_unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    due: str | None = None
    due_text: str | None = None
    long_term: bool = False
    assigned_on: str | None = None
    assigned_on_known: bool = False
    progress: str | None = None
    item_id: int | None = None
    key: str | None = None
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "action": self.action,
                "action_label": ACTION_LABELS[self.action], "item_id": self.item_id, "title": self.title,
                "lead_unit": self.lead_unit, "co_units": list(self.co_units), "due": self.due,
                "due_text": self.due_text, "long_term": self.long_term, "assigned_on": self.assigned_on,
                "assigned_on_known": self.assigned_on_known, "progress": self.progress, "key": self.key,
                "reason": self.reason}


@dataclass
class SheetReport:
    name: str
    imported: bool
    header_row: int | None = None
    year: int | None = None
    year_from: str | None = None  # --year | 标题 | 工作表名
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "imported": self.imported, "header_row": self.header_row, "year": self.year,
                "year_from": self.year_from, "reason": self.reason}


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    written: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "note"]

    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTION_LABELS}
        for r in self.rows:
            counts[r.action] += 1
        return {**counts, "blank": self.blank_rows, "errors": len(self.errors), "notes": len(self.notes),
                "new_units": len(self.new_units)}

    def record(self) -> dict[str, Any]:
        return {"file": self.file, "dry_run": self.dry_run, "written": self.written, "counts": self.counts(),
                "sheets": [s.record() for s in self.sheets], "new_units": list(self.new_units),
                "problems": [p.record() for p in self.problems], "rows": [r.record() for r in self.rows]}


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None
    year: int | None = None
    create_units: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    default_source: Source = Source.OTHER
    dry_run: bool = False


# -- cells -------------------------------------------------------------------------------------

_UNIT_SPLIT = re.compile(r"[、，,;；/／\\\n\r]+")
_ROLE_MARK = re.compile(r"[（(]?(牵头|主办|配合|协办|参与)[)）]?$")
_SUBTOTAL = ("合计", "小计", "总计")
_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类]?)")
_FOOTER_WORDS = ("填表人", "制表人", "审核人", "填报人", "填报单位", "制表单位", "注：", "注:", "说明：", "说明:")
_DONE_WORDS = {"已办结", "已完成", "已销号", "办结", "完成", "销号", "已完结", "完结", "是"}
_NOT_LEDGER_SHEETS = ("说明", "目录", "封面")
_SOURCE_WORDS: tuple[tuple[Source, tuple[str, ...]], ...] = (
    (Source.WORK_REPORT, ("政府工作报告", "工作报告")),
    (Source.LEADER_INSTRUCTION, ("批示", "领导交办", "指示")),
    (Source.MEETING_DECISION, ("会议", "议定", "常委会", "常务会", "纪要", "专题会")),
    (Source.PROPOSAL, ("建议", "提案", "议案")),
    (Source.PUBLIC_REQUEST, ("12345", "热线", "留言", "诉求", "信访", "互联网+督查", "投诉")),
    (Source.INSPECTION_FINDING, ("督查发现", "检查发现", "巡查", "暗访")),
    (Source.DOCUMENT, ("文件", "通知", "方案", "意见", "规划", "部署")),
)


def _subtotal(value: object) -> bool:
    """A 合计 / 小计 / 总计 cell (also written 合 计)."""
    return value.__class__ is str and "".join(value.split()).startswith(_SUBTOTAL)  # type: ignore[union-attr]


def split_units(text: str) -> list[tuple[str, str | None]]:
    """A unit cell → [(name, role mark or None)]; separators 、，,;；/ and line breaks."""
    found = []
    for part in _UNIT_SPLIT.split(text or ""):
        name = re.sub(r"\s+", "", part)
        mark = None
        match = _ROLE_MARK.search(name)
        if match and match.start() > 0:
            mark = match.group(1)
            name = name[: match.start()]
        if name:
            found.append((name, mark))
    return found


def row_key(title: str, lead: str) -> str:
    """The stable key of a row: its normalised title and the lead unit's full name (not the file)."""
    norm = "".join(unicodedata.normalize("NFKC", title).lower().split()).rstrip("。.")
    return hashlib.sha1(f"{norm}\x1f{lead}".encode()).hexdigest()[:24]


def source_of(text: str, default: Source) -> tuple[Source, bool]:
    """(立项依据, understood?) for a 来源 cell: an exact name, else the first keyword found."""
    if not text:
        return default, True
    try:
        return Source.parse(text, "来源"), True
    except UsageError:
        pass
    for source, words in _SOURCE_WORDS:
        if any(w in text for w in words):
            return source, True
    return Source.OTHER, False


# -- a sheet -----------------------------------------------------------------------------------


class _Planner:
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

    # problems
    def error(self, sheet: str, row: int | None, column: str | None, reason: str) -> None:
        self.report.problems.append(Problem(sheet, row, column, reason, "error"))
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
    def sheet(self, wb: Any, ws: Any, chosen: bool) -> None:
        name = ws.title
        if not chosen:
            if getattr(ws, "sheet_state", "visible") != "visible":
                self.report.sheets.append(SheetReport(name, False, reason="隐藏的工作表，已跳过"))
                return
            if any(word in name for word in _NOT_LEDGER_SHEETS):
                self.report.sheets.append(SheetReport(name, False, reason="说明类工作表，不是台账，已跳过"))
                return
        ws.reset_dimensions()  # a wrong <dimension> tag must not cut rows off
        rows = enumerate(read_rows(ws.iter_rows(values_only=True), self.path), start=1)
        header, pending = find_header(rows, self.options.mapping)
        if header is None:
            reason = f"前{HEADER_SCAN_ROWS}行中未找到表头（需要“督办事项”“牵头单位”等列名）"
            if chosen:
                self.error(name, None, None, reason + "；可用 --map 列名=字段 指定")
            self.report.sheets.append(SheetReport(name, False, reason=reason + "，不是台账，已跳过"))
            return
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
        self.mapped_columns.update(k for k in self.options.mapping if k in {header_key(v) for v in header.names.values()})
        header.columns = columns
        year, year_from = self.options.year, "--year"
        if year is None:
            year, year_from = title_year(*header.titles), "标题"
            if year is None:
                year, year_from = title_year(name), "工作表名"
            if year is None:
                year_from = None
        self.report.sheets.append(SheetReport(name, True, header.row, year, year_from))
        for code in ("title", "lead"):
            if code not in columns:
                f = FIELD_BY_CODE[code]
                self.error(name, header.row, None, f"表头中没有“{f.label}”列（可识别：{'、'.join(f.synonyms[:4])}；"
                                                   f"或用 --map 列名={f.label} 指定）")
        if "due" not in columns and "title" in columns:
            self.note(name, header.row, None, f"表头中没有完成时限列，各事项按默认{self.settings['default_due_workdays']}"
                                              "个工作日计算办理时限")
        if header.unknown:
            self.note(name, header.row, None, f"未识别的列：{'、'.join(header.unknown)}（未导入；"
                                              "如需导入请用 --map 列名=字段）")
        if not {"title", "lead"} <= set(columns):
            return
        merges = [m for m in merged_ranges(wb, ws) if m[3] > m[1] and m[1] > header.row]
        # read the whole sheet first, then plan: measurably faster than interleaving the two
        # (10,000 rows of values are a few MB)
        data = list(self._filled(chain_rows(pending, rows), merges))
        self.rows(name, header, year, data)

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

    # rows
    def rows(self, sheet: str, header: Header, year: int | None, rows: Iterable[tuple[int, tuple]]) -> None:
        """Plan every data row of one sheet (hot loop: 10,000 rows should cost little next to openpyxl)."""
        cols = header.columns
        names = header.names
        blank_col = max(cols.values()) + 1  # a field without a column reads this always-empty cell
        at = {f.code: cols.get(f.code, blank_col) for f in FIELDS}
        i_title, i_lead, i_co, i_due, i_seq = at["title"], at["lead"], at["co"], at["due"], at["seq"]
        i_assigned, i_status, i_klass, i_source = at["assigned_on"], at["status"], at["klass"], at["source"]
        i_progress, i_content, i_note, i_ref = at["progress"], at["content"], at["note"], at["ref"]
        i_leader, i_standard, i_person = at["leader"], at["standard"], at["person"]
        pad = (None,) * (blank_col + 1)
        file_name = self.path.name
        today = self.today
        default_within = self.settings["default_due_workdays"]
        units_of: dict[str, list[tuple[str, str | None]]] = {}
        dues: dict[str, Any] = {}
        report_rows = self.report.rows

        def colname(code: str) -> str:
            col = cols[code]
            return f"{names.get(col, FIELD_BY_CODE[code].label)}（{column_name(col)}列）"

        def parts(text: str) -> list[tuple[str, str | None]]:
            found = units_of.get(text)
            if found is None:
                found = units_of[text] = split_units(text)
            return list(found)

        for index, values in rows:
            if len(values) <= blank_col:
                values = values + pad[: blank_col + 1 - len(values)]
            elif values[blank_col] is not None:  # an unmapped column after the mapped ones: keep it unread
                values = values[:blank_col] + (None,) + values[blank_col + 1:]
            title_value, lead_value = values[i_title], values[i_lead]
            single = None
            if len(values) - values.count(None) <= 1 or not cell_text(title_value) and not cell_text(lead_value):
                filled = [(i, v) for i, v in enumerate(values) if cell_text(v)]
                if not filled:
                    self.report.blank_rows += 1
                    continue
                if len(filled) == 1:
                    single = filled[0]
            first = values[0] if values[0] is not None else next((v for v in values if v is not None), None)
            if _subtotal(first) or _subtotal(title_value) or _subtotal(values[i_seq]):
                report_rows.append(PlannedRow(sheet, index, "skip", title=one_line(cell_text(first)), reason="合计/小计行"))
                continue
            if single is not None:  # a heading (一、…), a footer (填表人：…) or a row with only its number
                col, value = single
                text = "".join(cell_text(value).split())
                if col not in (i_title, i_lead) or _HEADING.match(text) or text.startswith(_FOOTER_WORDS):
                    report_rows.append(PlannedRow(sheet, index, "skip", title=one_line(cell_text(value)),
                                                  reason="分类标题、表尾说明或只有编号的行，不是事项"))
                    continue
            errors_before = self.error_count
            title = one_line(cell_text(title_value))
            if not title:
                self.error(sheet, index, colname("title"), "事项名称为空")
            # units: lead column (first named, or the one marked （牵头）, leads), then the co column
            lead_parts = parts(cell_text(lead_value))
            co_parts = parts(cell_text(values[i_co])) if values[i_co] is not None else []
            if len(lead_parts) > 1:
                marked = [i for i, (_, mark) in enumerate(lead_parts) if mark in ("牵头", "主办")]
                if marked:
                    lead_parts.insert(0, lead_parts.pop(marked[0]))
            if not lead_parts:
                self.error(sheet, index, colname("lead"), "牵头单位为空")
            unit_names: list[tuple[str, Role]] = []
            taken: set[str] = set()
            for position, (part, _mark) in enumerate(lead_parts + co_parts):
                full = self.unit_name(part)
                if full is None:
                    column = colname("lead") if position < len(lead_parts) else colname("co")
                    self.error(sheet, index, column, f"未找到单位“{part}”{self.suggest(part)}")
                elif full not in taken:  # a unit named twice (牵头 and 配合) counts once
                    taken.add(full)
                    unit_names.append((full, Role.LEAD if not unit_names and position == 0 else Role.CO))
            # dates
            assigned_known = False
            assigned_on = today
            if values[i_assigned] is not None:
                try:
                    day = parse_day(values[i_assigned], year)
                except DateProblem as exc:
                    self.error(sheet, index, colname("assigned_on"), exc.message)
                    day = None
                if day is not None:
                    if day > today:
                        self.error(sheet, index, colname("assigned_on"),
                                   f"交办时间 {day.isoformat()} 晚于今天（{today.isoformat()}）")
                    else:
                        assigned_on, assigned_known = day, True
            due_value = values[i_due]
            due_text = cell_text(due_value) or None
            due, long_term, due_basis, within = None, False, "given", None
            if due_value.__class__ is str:
                cell = dues.get(due_value)
                if cell is None:
                    try:
                        cell = parse_due(due_value, year)
                    except DateProblem as exc:
                        cell = exc
                    dues[due_value] = cell
            else:
                try:
                    cell = parse_due(due_value, year)
                except DateProblem as exc:
                    cell = exc
            if isinstance(cell, DateProblem):
                self.error(sheet, index, colname("due"), cell.message)
            elif cell is None:
                span = self.calendar.add_workdays(assigned_on, default_within)
                due, within = span.value, default_within
                due_basis = "estimated" if span.uncovered else "calendar"
                if "due" in cols:
                    self.note(sheet, index, colname("due"),
                              f"时限为空，按默认{default_within}个工作日计为 {due.isoformat()}")
            else:
                due, long_term = cell.due, cell.long_term
                if due is not None and assigned_known and due < assigned_on:
                    self.error(sheet, index, colname("due"),
                               f"完成时限 {due.isoformat()} 早于交办时间 {assigned_on.isoformat()}")
            if due is not None:
                said = self.not_workday.get(due, "")
                if said == "":
                    said = self.not_workday[due] = self._not_workday(due)
                if said:
                    self.note(sheet, index, colname("due"), said)
            # the other fields
            source_text = cell_text(values[i_source])
            known = self.sources.get(source_text)
            if known is None:
                known = self.sources[source_text] = source_of(source_text, self.options.default_source)
            source, understood = known
            if not understood:
                self.note(sheet, index, colname("source"),
                          f"来源“{source_text}”未对应到立项依据分类，按“其他”登记（原文保留在导入记录中）")
            klass = ItemClass.ROUTINE
            if values[i_klass] is not None and cell_text(values[i_klass]):
                try:
                    klass = ItemClass.parse(cell_text(values[i_klass]), "类别")
                except UsageError as exc:
                    self.error(sheet, index, colname("klass"), exc.message)
            progress = cell_text(values[i_progress]) or None
            status_text = "".join(cell_text(values[i_status]).split())
            if self.error_count > errors_before or not title or not unit_names:
                continue
            lead_name = unit_names[0][0]
            key = row_key(title, lead_name)
            planned = PlannedRow(sheet, index, "new", title=title, lead_unit=lead_name,
                                 co_units=[n for n, _ in unit_names[1:]], due=due.isoformat() if due else None,
                                 due_text=due_text, long_term=long_term, assigned_on=assigned_on.isoformat(),
                                 assigned_on_known=assigned_known, progress=progress, key=key)
            where = f"工作表“{sheet}”第{index}行"
            seen = self.seen.get(key)
            if seen is not None:
                self.error(sheet, index, colname("title"), f"与{seen}重复（事项名称和牵头单位相同）；同一事项只能出现一次")
                continue
            self.seen[key] = where
            done = status_text in _DONE_WORDS
            existing = self.keys.get(key)
            if existing is not None:
                self._existing(planned, existing, where, done, due, file_name, sheet, index)
                report_rows.append(planned)
                continue
            if done:
                planned.action, planned.reason = "skip", f"状态为“{status_text}”，已办结事项不导入"
                report_rows.append(planned)
                continue
            content = cell_text(values[i_content]) or None
            note = cell_text(values[i_note])
            if note:
                content = f"{content}\n备注：{note}" if content else f"备注：{note}"
            data = {
                "title": title, "source": source.code, "source_text": source_text or None,
                "ref": one_line(cell_text(values[i_ref])) or None, "leader": one_line(cell_text(values[i_leader])) or None,
                "class": klass.code, "content": content, "standard": cell_text(values[i_standard]) or None,
                "person": cell_text(values[i_person]) or None, "due": planned.due, "due_text": due_text,
                "long_term": long_term, "due_basis": due_basis, "within": within, "assigned_on": planned.assigned_on,
                "assigned_on_known": assigned_known, "progress": progress, "file": file_name, "sheet": sheet,
                "row": index, "key": key,
            }
            self.import_rows.append((key, where, tuple(unit_names), data))
            report_rows.append(planned)

    def _existing(self, planned: PlannedRow, existing: tuple, where: str, done: bool, due: Any,
                  file_name: str, sheet: str, index: int) -> None:
        item_id, old_progress, lead_status, old_due = existing
        planned.item_id = item_id
        planned.action = "unchanged"
        if due is not None and old_due != due.isoformat():
            self.note(sheet, index, None, f"已导入为事项 #{item_id}，表中时限 {due.isoformat()} 与台账"
                                          f" {old_due or '（长期）'} 不同，未改动（如需延期请用 duban extend）")
        if done and lead_status in (Status.OPEN.code, Status.PAUSED.code):
            self.note(sheet, index, None, f"表中标注已办结，台账中事项 #{item_id} 仍在办理："
                                          f"核实后请用 duban close {item_id} 办结")
        if planned.progress and planned.progress != old_progress:
            if lead_status not in (Status.OPEN.code, Status.PAUSED.code):
                label = Status(lead_status).label if lead_status else "未知"
                self.note(sheet, index, None, f"进展情况有变化，但事项 #{item_id} 牵头单位状态为“{label}”，未记录反馈")
                return
            planned.action = "progress"
            self.updates.append((planned.key, item_id, planned.progress, where,
                                 {"file": file_name, "sheet": sheet, "row": index}))

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


def import_file(ledger: "Ledger", path: Path, options: ImportOptions) -> ImportReport:
    """Read ``path``, check every row, and (unless a dry run, or any row has an error) write it all.

    The cyclic garbage collector is paused meanwhile: an import allocates a few objects per
    cell and nothing cyclic, and its repeated full passes over them cost a fifth of the run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import_file(ledger, path, options)
    finally:
        if enabled:
            gc.enable()


def _import_file(ledger: "Ledger", path: Path, options: ImportOptions) -> ImportReport:
    from .ledger import ImportRow, ProgressUpdate

    check_file(path)
    from openpyxl import load_workbook

    errors = reading_errors()
    planner = _Planner(ledger, path, options)
    with open(path, "rb") as fh:
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except errors as exc:
            raise broken(path, exc) from None
        try:
            names = wb.sheetnames
            if options.sheet is not None:
                if options.sheet not in names:
                    raise InvalidInput(f"文件中没有名为“{options.sheet}”的工作表，现有：{'、'.join(names)}")
                chosen = [(wb[options.sheet], True)]
            else:
                chosen = [(ws, False) for ws in wb.worksheets]
            for ws, picked in chosen:
                if not hasattr(ws, "iter_rows"):  # a chart sheet
                    planner.report.sheets.append(SheetReport(ws.title, False, reason="图表工作表，已跳过"))
                    continue
                planner.sheet(wb, ws, picked)
        finally:
            wb.close()
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
