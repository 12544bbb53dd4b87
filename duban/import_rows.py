"""duban import, row by row: which rows are items, what each says, and which item it is
(DOMAIN.md §8). :class:`RowPlanner` is mixed into the importer's planner, which holds the
ledger's units, keys and the report; nothing here writes.

Rows that are not items are skipped and counted: blank rows, template placeholder rows
(``${data.x}``, ``<jx:forEach>``), rows holding only pre-filled values (a 状态/优先级
dropdown filled down a column, no 事项 and no 单位), hidden rows, subtotal, heading and
footer rows, and finished rows (办理状态 已办结/是…) — a finished row never blocks another.

**Row identity.** A row is the same item on every import when it carries the same
identifying number — a 事项编号 of this ledger (a sheet duban exported), else a 问题编号 /
任务编号 / 编号 column, else a 文号 column whose every row has its own — and otherwise the
same normalised title and lead unit. 序号 only numbers the rows and identifies nothing.
The identifying number stays visible: a row without a 文号 gets it as its 文号 (header + value,
“问题编号128”), a row with one keeps its 文号 and the number opens its 办理内容 (“任务编号：T-7”).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from .errors import UsageError
from .import_report import PlannedRow
from .models import ItemClass, Role, Source, Status
from .xlsx_dates import DateProblem, parse_day, parse_due
from .xlsx_sheet import FIELD_BY_CODE, FIELDS, Header, cell_text, column_name, one_line

_UNIT_SPLIT = re.compile(r"[、，,;；/／\\\n\r]+")
_ROLE_MARK = re.compile(r"[（(]?(牵头|主办|配合|协办|参与)[)）]?$")
_SUBTOTAL = ("合计", "小计", "总计")
_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类]?)")
_FOOTER_WORDS = ("填表人", "制表人", "审核人", "填报人", "填报单位", "制表单位", "注：", "注:", "说明：", "说明:")
_DONE_WORDS = {"已办结", "已完成", "已销号", "办结", "完成", "销号", "已完结", "完结", "是", "已整改", "整改完成"}
_PLACEHOLDER_MARKS = ("${", "jx:", "#{", "{{")
_EXPORTED_PROGRESS = re.compile(r"^\d{4}-\d{2}-\d{2}(?: [^：]{1,60})?：")  # "2026-11-18 市财政局：…" (duban export)
_SOURCE_WORDS: tuple[tuple[Source, tuple[str, ...]], ...] = (
    (Source.WORK_REPORT, ("政府工作报告", "工作报告")),
    (Source.LEADER_INSTRUCTION, ("批示", "领导交办", "指示")),
    (Source.MEETING_DECISION, ("会议", "议定", "常委会", "常务会", "纪要", "专题会")),
    (Source.PROPOSAL, ("建议", "提案", "议案")),
    (Source.PUBLIC_REQUEST, ("12345", "热线", "留言", "诉求", "信访", "互联网+督查", "投诉")),
    (Source.INSPECTION_FINDING, ("督查发现", "检查发现", "巡查", "暗访", "审计")),
    (Source.DOCUMENT, ("文件", "通知", "方案", "意见", "规划", "部署")),
)


def _subtotal(value: object) -> bool:
    """A 合计 / 小计 / 总计 cell (also written 合 计); each has 计, looked for first (every row is asked)."""
    return value.__class__ is str and "计" in value and "".join(value.split()).startswith(_SUBTOTAL)  # type: ignore[union-attr]


def _marked(text: str) -> bool:
    """Whether ``text`` holds a template mark at all (the quick look before the pattern)."""
    return "${" in text or "jx:" in text or "#{" in text or "{{" in text


def _placeholder_row(values: tuple) -> bool:
    """A template row: a cell holding ${…}, <jx:…>, #{…} or {{…}} (a quick look first, the pattern after)."""
    if not _marked("\x1f".join([v for v in values if v.__class__ is str])):
        return False
    from .xlsx_sheet import is_placeholder

    return any(is_placeholder(v) for v in values)


def split_units(text: str) -> list[tuple[str, str | None]]:
    """A unit cell → [(name, role mark or None)]; separators 、，,;；/ and line breaks."""
    found = []
    for part in _UNIT_SPLIT.split(text or ""):
        name = "".join(part.split())  # every blank removed (as re's \s+, without the regex per part)
        mark = None
        match = _ROLE_MARK.search(name)
        if match and match.start() > 0:
            mark = match.group(1)
            name = name[: match.start()]
        if name:
            found.append((name, mark))
    return found


# Full-width ASCII (！ … ～) and the ideographic space, each with its whole compatibility decomposition —
# what NFKC makes of it, so NFKC after replacing them is NFKC of the text. CPython's NFKC takes a slow
# path for any text holding one (a title with （） costs 5.5 µs; replaced first, 2.5 µs).
_FULL_WIDTH = {chr(c): unicodedata.normalize("NFKD", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}
_FULL_WIDTH_CHAR = re.compile("[\uff01-\uff5e\u3000]")


def _norm(text: str) -> str:
    if _FULL_WIDTH_CHAR.search(text) is not None:
        for char in set(_FULL_WIDTH_CHAR.findall(text)):
            text = text.replace(char, _FULL_WIDTH[char])
    return "".join(unicodedata.normalize("NFKC", text).lower().split()).rstrip("。.")


def row_key(title: str, lead: str) -> str:
    """The key of a row without an identifying number: its normalised title and the lead unit's full name."""
    return hashlib.sha1(f"{_norm(title)}\x1f{lead}".encode()).hexdigest()[:24]


def ident_key(ident: str, lead: str) -> str:
    """The key of a row with an identifying number (问题编号 …): the number within its lead unit."""
    return hashlib.sha1(f"#{_norm(ident)}\x1f{lead}".encode()).hexdigest()[:24]


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


def identity_column(cols: dict[str, int], rows: Sequence[tuple[int, tuple]]) -> str | None:
    """The field that identifies rows: ident (问题编号 …), else ref (文号) when every row with a title
    has its own; None → normalised title + lead unit."""
    if "ident" in cols:
        return "ident"
    if "ref" not in cols or "title" not in cols:
        return None
    i_ref, i_title = cols["ref"], cols["title"]
    refs = []
    for _, values in rows:
        if i_title < len(values) and cell_text(values[i_title]):
            refs.append(cell_text(values[i_ref]) if i_ref < len(values) else "")
    if refs and all(refs) and len(set(refs)) == len(refs):
        return "ref"
    return None


class RowPlanner:
    """The per-row half of the importer's planner (see :class:`duban.importer._Planner`)."""

    report: Any
    keys: dict
    seen: dict
    today: Any
    settings: dict
    calendar: Any
    options: Any
    path: Any
    import_rows: list
    updates: list
    sources: dict
    not_workday: dict
    error_count: int
    reimport: dict  # item id → (title, lead unit, lead status, due, latest progress text) for 事项编号 rows

    def rows(self, sheet: str, header: Header, year: int | None, rows: Sequence[tuple[int, tuple]],
             hidden_rows: set[int]) -> None:
        """Plan every data row of one sheet (hot loop: 10,000 rows should cost little next to reading)."""
        cols = header.columns
        names = header.names
        blank_col = max(cols.values()) + 1  # a field without a column reads this always-empty cell
        at = {f.code: cols.get(f.code, blank_col) for f in FIELDS}
        i_title, i_lead, i_co, i_due, i_seq = at["title"], at["lead"], at["co"], at["due"], at["seq"]
        i_assigned, i_status, i_klass, i_source = at["assigned_on"], at["status"], at["klass"], at["source"]
        i_progress, i_content, i_note, i_ref = at["progress"], at["content"], at["note"], at["ref"]
        i_leader, i_standard, i_person, i_item = at["leader"], at["standard"], at["person"], at["item_id"]
        ident_code = identity_column(cols, rows)
        i_ident = at[ident_code] if ident_code else blank_col
        # the identifying column's header as written (问题编号, 任务编号 …), for the 文号 it gives an item
        ident_label = "".join(names.get(i_ident, FIELD_BY_CODE["ident"].label).split()) if ident_code else ""
        pad = (None,) * (blank_col + 1)
        file_name = self.path.name
        today = self.today
        default_within = self.settings["default_due_workdays"]
        units_of: dict[str, list[tuple[str, str | None]]] = {}
        known_units = self.units  # type: ignore[attr-defined]
        dues: dict[Any, Any] = {}
        report = self.report
        report_rows = report.rows
        hidden_seen: list[int] = []

        def colname(code: str) -> str:
            col = cols[code]
            return f"{names.get(col, FIELD_BY_CODE[code].label)}（{column_name(col)}列）"

        def parts(text: str) -> list[tuple[str, str | None]]:
            found = units_of.get(text)
            if found is None:
                found = units_of[text] = split_units(text)
            return found  # shared: copied before any change

        for index, values in rows:
            if len(values) <= blank_col:
                values = values + pad[: blank_col + 1 - len(values)]
            elif values[blank_col] is not None:  # an unmapped column after the mapped ones: keep it unread
                values = values[:blank_col] + (None,) + values[blank_col + 1:]
            # every cell's text once (cell_text, its two common cases inline): a row asks for ~17 of them
            texts = [v.strip() if v.__class__ is str else "" if v is None else cell_text(v) for v in values]
            title_value, lead_value = values[i_title], values[i_lead]
            single = None
            if len(values) - values.count(None) <= 1 or not texts[i_title] and not texts[i_lead]:
                filled = [(i, v) for i, v in enumerate(values) if texts[i]]
                if not filled:
                    report.blank_rows += 1
                    continue
                if len(filled) == 1:
                    single = filled[0]
            if hidden_rows and index in hidden_rows:
                report.hidden_rows += 1
                hidden_seen.append(index)
                continue
            if _marked("\x1f".join(texts)) and _placeholder_row(values):
                report.placeholder_rows += 1
                continue
            first = values[0] if values[0] is not None else next((v for v in values if v is not None), None)
            if _subtotal(first) or _subtotal(title_value) or _subtotal(values[i_seq]):
                report_rows.append(PlannedRow(sheet, index, "skip", title=one_line(cell_text(first)), reason="合计/小计行"))
                continue
            if single is not None:  # a heading (一、…), a footer (填表人：…) or a row with only its number
                col, value = single
                text = "".join(cell_text(value).split())
                if col in (i_status, i_klass) and not _HEADING.match(text):  # a dropdown value filled down
                    report.prefilled_rows += 1
                    continue
                if col not in (i_title, i_lead) or _HEADING.match(text) or text.startswith(_FOOTER_WORDS):
                    report_rows.append(PlannedRow(sheet, index, "skip", title=one_line(cell_text(value)),
                                                  reason="分类标题、表尾说明或只有编号的行，不是事项"))
                    continue
            title = one_line(texts[i_title])
            if not title and not texts[i_lead] and not texts[i_ident]:
                report.prefilled_rows += 1  # only pre-filled cells (dropdown values): not an item
                continue
            status_text = "".join(texts[i_status].split())
            done = status_text in _DONE_WORDS
            where = f"工作表“{sheet}”第{index}行"
            progress = texts[i_progress] or None
            # a row of a sheet duban exported: 事项编号 names the item
            item_text = texts[i_item]
            if item_text:
                known = self.reimport.get(item_text)
                if known is not None and (_norm(known[0]) == _norm(title) or known[1] == self.unit_name_quiet(lead_value)):
                    planned = PlannedRow(sheet, index, "unchanged", title=title, lead_unit=known[1],
                                         progress=_strip_exported(progress), item_id=int(item_text))
                    self._existing(planned, (int(item_text), known[4], known[2], known[3]), where, done, None,
                                   file_name, sheet, index)
                    report_rows.append(planned)
                    continue
                self.note(sheet, index, colname("item_id"),
                          f"事项编号“{item_text}”不是本台账中的这项事项，按表中事项名称和牵头单位处理")
            if done:  # finished: never imported, never an error, never blocks another row
                lead_full = self.unit_name_quiet(lead_value)
                ident = texts[i_ident]
                key = None
                if lead_full:
                    key = ident_key(ident, lead_full) if ident_code and ident else (row_key(title, lead_full) if title else None)
                existing = self.keys.get(key) if key else None
                planned = PlannedRow(sheet, index, "skip", title=title, lead_unit=lead_full, key=key)
                if existing is not None:
                    try:
                        cell = parse_due(values[i_due], year)
                    except DateProblem:
                        cell = None
                    self._existing(planned, existing, where, True, cell.due if cell else None, file_name, sheet, index)
                else:
                    planned.reason = f"状态为“{status_text}”，已办结事项不导入"
                report_rows.append(planned)
                continue
            errors_before = self.error_count
            if not title:
                self.error(sheet, index, colname("title"), "事项名称为空")
            # units: lead column (first named, or the one marked （牵头）, leads), then the co column
            lead_parts = parts(texts[i_lead])
            co_parts = parts(texts[i_co]) if values[i_co] is not None else []
            if len(lead_parts) > 1:
                marked = [i for i, (_, mark) in enumerate(lead_parts) if mark in ("牵头", "主办")]
                if marked:
                    lead_parts = list(lead_parts)
                    lead_parts.insert(0, lead_parts.pop(marked[0]))
            if not lead_parts:
                self.error(sheet, index, colname("lead"), "牵头单位为空")
            unit_names: list[tuple[str, Role]] = []
            taken: set[str] = set()
            for position, (part, _mark) in enumerate(lead_parts + co_parts):
                known = known_units.get(part)
                full = known.name if known is not None else self.unit_name(part)
                if full is None:
                    column = colname("lead") if position < len(lead_parts) else colname("co")
                    self.error(sheet, index, column, f"未找到单位“{part}”", self.suggest(part))
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
            due_text = texts[i_due] or None
            due, long_term, due_basis, within = None, False, "given", None
            # each distinct cell read once (a sheet repeats its dates); by type too, as 1 == 1.0 == True
            due_key = due_value if due_value.__class__ is str else (due_value.__class__, due_value)
            cell = dues.get(due_key, dues)
            if cell is dues:
                try:
                    cell = parse_due(due_value, year)
                except DateProblem as exc:
                    cell = exc
                dues[due_key] = cell
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
            source_text = texts[i_source]
            known_source = self.sources.get(source_text)
            if known_source is None:
                known_source = self.sources[source_text] = source_of(source_text, self.options.default_source)
            source, understood = known_source
            if not understood:
                self.note(sheet, index, colname("source"),
                          f"来源“{source_text}”未对应到立项依据分类，按“其他”登记（原文保留在导入记录中）")
            klass = ItemClass.ROUTINE
            if texts[i_klass]:
                try:
                    klass = ItemClass.parse(texts[i_klass], "类别")
                except UsageError as exc:
                    self.error(sheet, index, colname("klass"), exc.message)
            if self.error_count > errors_before or not title or not unit_names:
                continue
            lead_name = unit_names[0][0]
            ident = texts[i_ident] if ident_code else ""
            key = ident_key(ident, lead_name) if ident else row_key(title, lead_name)
            planned = PlannedRow(sheet, index, "new", title=title, lead_unit=lead_name,
                                 co_units=[n for n, _ in unit_names[1:]], due=due.isoformat() if due else None,
                                 due_text=due_text, long_term=long_term, assigned_on=assigned_on.isoformat(),
                                 assigned_on_known=assigned_known, progress=progress, key=key)
            seen = self.seen.get(key)
            if seen is not None:
                if ident:
                    self.error(sheet, index, colname(ident_code), f"与{seen}的{FIELD_BY_CODE[ident_code].label}"
                                                                  f"“{ident}”相同（牵头单位也相同）；同一事项只能出现一次")
                else:
                    self.error(sheet, index, colname("title"),
                               f"与{seen}重复（事项名称和牵头单位相同）；同一事项只能出现一次")
                continue
            self.seen[key] = where
            existing = self.keys.get(key)
            if existing is not None:
                self._existing(planned, existing, where, False, due, file_name, sheet, index)
                report_rows.append(planned)
                continue
            content = texts[i_content] or None
            note = texts[i_note]
            if note:
                content = f"{content}\n备注：{note}" if content else f"备注：{note}"
            ref = one_line(texts[i_ref]) or None
            if ident and ident_code == "ident":  # kept visibly: rows sharing one title stay told apart
                label = ident_label
                if ref is None:
                    ref = one_line(ident if _norm(ident).startswith(_norm(label)) else f"{label}{ident}")
                else:
                    content = f"{label}：{ident}\n{content}" if content else f"{label}：{ident}"
            data = {
                "title": title, "source": source.code, "source_text": source_text or None,
                "ref": ref, "leader": one_line(texts[i_leader]) or None,
                "class": klass.code, "content": content, "standard": texts[i_standard] or None,
                "person": texts[i_person] or None, "due": planned.due, "due_text": due_text,
                "long_term": long_term, "due_basis": due_basis, "within": within, "assigned_on": planned.assigned_on,
                "assigned_on_known": assigned_known, "progress": progress, "file": file_name, "sheet": sheet,
                "row": index, "key": key,
            }
            if ident:
                data["ident"] = ident
            self.import_rows.append((key, where, tuple(unit_names), data))
            report_rows.append(planned)
        if hidden_seen:
            from .import_report import row_spans

            self.note(sheet, None, None, f"{row_spans(hidden_seen)}是隐藏行（Excel/WPS 中不显示），共{len(hidden_seen)}行，"
                                         "未导入；如需导入请先取消隐藏")

    def unit_name_quiet(self, value: object) -> str | None:
        """The full name of a cell's first unit, if known; no error, nothing created."""
        found = split_units(cell_text(value))
        if not found:
            return None
        unit = self.units.get(found[0][0])  # type: ignore[attr-defined]
        if unit is not None:
            return unit.name
        return found[0][0] if found[0][0] in self.new_units else None  # type: ignore[attr-defined]

    def _existing(self, planned: PlannedRow, existing: tuple, where: str, done: bool, due: Any,
                  file_name: str, sheet: str, index: int) -> None:
        item_id, old_progress, lead_status, old_due = existing
        planned.item_id = item_id
        planned.action = "unchanged"
        planned.reason = None
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


def _strip_exported(text: str | None) -> str | None:
    """A 最近进展 cell as duban exports it ("2026-11-18 市财政局：已拨付") → the words reported."""
    if not text:
        return text
    stripped = _EXPORTED_PROGRESS.sub("", text, count=1)
    stripped = re.sub(r"（完成\d{1,3}%）$", "", stripped)
    return stripped.strip() or None
